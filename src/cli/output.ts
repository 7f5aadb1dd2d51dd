// Output as az prints it: `--query` (JMESPath) applied to the result first, then `--output`:
//   json   pretty, keys sorted (az: json.dumps(indent=2, sort_keys=True))
//   table  knack's table: scalar fields only, `id`/`type`/`etag` skipped, headers capitalized; a
//          command's table transformer applies when no --query is given
//   tsv    knack's tsv: one line per item, values of an object in key order, nested objects empty,
//          lists as their length, null as `None`
//   none   nothing
// Before any of it, as az's global transform, an object whose `id` lies in a resource group gets
// `resourceGroup`.
import jmespath from 'jmespath';
import { UsageError } from './errors.js';

export const OUTPUT_FORMATS = ['json', 'jsonc', 'table', 'tsv', 'none'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export type TableTransformer = (result: any) => unknown;

export interface RenderOptions {
  output: OutputFormat;
  query?: string;
  tableTransformer?: TableTransformer;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Refuses a query that does not parse, before anything is sent (az: exit code 2). */
export function checkQuery(query: string): void {
  try {
    (jmespath as unknown as { compile(q: string): unknown }).compile(query);
  } catch (e) {
    throw new UsageError(`argument --query: invalid jmespath_type value: '${query}' (${e instanceof Error ? e.message : String(e)})`);
  }
}

export function render(result: unknown, options: RenderOptions): string {
  if (result === undefined || result === null) return '';
  let value = sortKeys(addResourceGroup(JSON.parse(JSON.stringify(result)) as Json));
  const queryActive = options.query !== undefined;
  if (queryActive) value = jmespath.search(value, options.query!) as Json;
  if (value === null || value === undefined) return '';
  switch (options.output) {
    case 'json':
    case 'jsonc':
      return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
    case 'tsv':
      return tsv(value);
    case 'table':
      return table(value, queryActive, options.tableTransformer);
    case 'none':
      return '';
  }
}

const isObject = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A copy with object keys in code-point order, at every depth. */
export function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const out: Record<string, Json> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
  return out;
}

/** az's `_add_resource_group`: `/subscriptions/{s}/resourceGroups/{g}/providers/{ns}/{type}/{name}...` → resourceGroup = g. */
function addResourceGroup(value: Json): Json {
  if (Array.isArray(value)) {
    value.forEach(addResourceGroup);
  } else if (isObject(value)) {
    const id = value.id;
    if (typeof id === 'string' && id && !Object.keys(value).some((k) => k.toLowerCase() === 'resourcegroup')) {
      const parts = id.split('/');
      if (parts.length > 8 && parts[3].toLowerCase() === 'resourcegroups') value.resourceGroup = parts[4];
    }
    for (const [k, v] of Object.entries(value)) if (k !== 'sourceVault') addResourceGroup(v);
  }
  return value;
}

/** Python's str() of a scalar, as tabulate and knack's tsv print it. */
function pyStr(v: Json): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

function tsv(value: Json): string {
  const rows = Array.isArray(value) ? value : [value];
  const cell = (v: Json): string => (Array.isArray(v) ? String(v.length) : isObject(v) ? '' : pyStr(v));
  let out = '';
  for (const row of rows) {
    if (Array.isArray(row)) out += row.map(cell).join('\t');
    else if (isObject(row)) out += Object.values(row).map(cell).join('\t');
    else if (typeof row === 'boolean') out += String(row);
    else out += cell(row);
    out += '\n';
  }
  return out;
}

const SKIP_KEYS = new Set(['id', 'type', 'etag']);

function tableItem(item: Json, sortKeysFirst: boolean): Map<string, Json> {
  const entry = new Map<string, Json>();
  if (isObject(item)) {
    const keys = sortKeysFirst ? Object.keys(item).sort() : Object.keys(item);
    for (const k of keys) {
      const v = item[k];
      if (SKIP_KEYS.has(k) || v === null || typeof v === 'object') continue;
      entry.set(k ? k[0].toUpperCase() + k.slice(1) : k, v);
    }
  } else if (Array.isArray(item)) {
    item.forEach((v, i) => entry.set(`Column${i + 1}`, v));
  } else {
    entry.set('Result', item);
  }
  return entry;
}

/** tabulate(tablefmt="simple"): columns two spaces apart, a dashed rule under the headers, trailing blanks cut. */
function table(value: Json, queryActive: boolean, transformer?: TableTransformer): string {
  let result = value;
  if (transformer && !queryActive) result = transformer(result) as Json;
  const items = Array.isArray(result) ? result : [result];
  const rows = items.map((item) => tableItem(item, !queryActive && !transformer));
  const headers: string[] = [];
  for (const row of rows) for (const k of row.keys()) if (!headers.includes(k)) headers.push(k);
  if (rows.length === 0 || headers.length === 0) return '\n';
  const cells = rows.map((row) => headers.map((h) => (row.has(h) && row.get(h) !== null ? pyStr(row.get(h)!) : '')));
  const widths = headers.map((h, i) => Math.max(h.length + 2, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n';
}
