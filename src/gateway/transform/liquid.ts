// Liquid templates for set-body template="liquid", with liquidjs configured as API Management's DotLiquid
// in "C# mode" (the set-body reference page): filters by their Pascal-cased names (Append, Default,
// Date with .NET date formats, ...), member names as the page lists them (context.Request.OriginalUrl,
// body.x). Templates are parsed once at configuration time; nothing in them reaches the file system
// (include/render/layout are not tags here) and rendering is bounded in time and memory.
import { Liquid, type Template } from 'liquidjs';
import { formatDate, parseDate } from '../expressions/dotnet/datefmt.js';
import { Kind, TICKS_PER_MS, UNIX_EPOCH_TICKS } from '../expressions/dotnet/datetime.js';

const NO_FILES = {
  exists: async () => false, existsSync: () => false,
  readFile: async () => { throw new Error('Liquid templates cannot read files.'); },
  readFileSync: () => { throw new Error('Liquid templates cannot read files.'); },
  resolve: (_dir: string, file: string) => file,
};

/** A .NET DateTime for the Date filter: ticks and kind (a template's "now" is local time, UTC here). */
class NetDate {
  constructor(readonly ticks: bigint, readonly kind: Kind) {}
  toString(): string { return formatDate(this.ticks, this.kind, null, 'MM/dd/yyyy HH:mm:ss'); }
}

function toNetDate(v: unknown): NetDate | undefined {
  if (v instanceof NetDate) return v;
  if (v instanceof Date) return new NetDate(BigInt(v.getTime()) * TICKS_PER_MS + UNIX_EPOCH_TICKS, Kind.Utc);
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).trim();
  if (/^(now|today)$/i.test(s)) {
    const now = BigInt(Date.now()) * TICKS_PER_MS + UNIX_EPOCH_TICKS;
    return new NetDate(s.toLowerCase() === 'today' ? now - (now % 864_000_000_000n) : now, Kind.Local);
  }
  const p = parseDate(s, () => 0n);
  if (!p) return undefined;
  return p.offset === null ? new NetDate(p.ticks, Kind.Unspecified) : new NetDate(p.ticks - BigInt(p.offset) * 60_000n * TICKS_PER_MS, Kind.Local);
}

const isBlank = (v: unknown) => v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0);

/** JSON string escaping of a value, without the quotes (APIM's JsonEscape). */
const jsonEscape = (v: unknown) => JSON.stringify(v === undefined || v === null ? '' : String(v)).slice(1, -1);

const currency = (v: unknown) => {
  const n = Number(v);
  if (!Number.isFinite(n)) return v;
  return n.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
};

/** DotLiquid's filter names (set-body reference page) → liquidjs's built-in filter. */
const BUILT_IN: Record<string, string> = {
  Abs: 'abs', Append: 'append', AtLeast: 'at_least', AtMost: 'at_most', Capitalize: 'capitalize', Compact: 'compact',
Downcase: 'downcase', Escape: 'escape', First: 'first', H: 'escape', Join: 'join', Last: 'last',
  Lstrip: 'lstrip', Map: 'map', Minus: 'minus', Modulo: 'modulo', NewlineToBr: 'newline_to_br', Plus: 'plus', Prepend: 'prepend',
  Remove: 'remove', RemoveFirst: 'remove_first', Replace: 'replace', ReplaceFirst: 'replace_first', Round: 'round', Rstrip: 'rstrip',
  Size: 'size', Slice: 'slice', Sort: 'sort', Split: 'split', Strip: 'strip', StripHtml: 'strip_html', StripNewlines: 'strip_newlines',
  Times: 'times', Truncate: 'truncate', TruncateWords: 'truncatewords', Uniq: 'uniq', Upcase: 'upcase', UrlDecode: 'url_decode',
  UrlEncode: 'url_encode',
};

function createEngine(): Liquid {
  const engine = new Liquid({
    fs: NO_FILES, relativeReference: false, ownPropertyOnly: true, strictFilters: false, strictVariables: false,
    parseLimit: 1_000_000, renderLimit: 2_000, memoryLimit: 64 * 1024 * 1024,
  });
  // Only the file-free tags: include, render and layout (and their block) would read templates from disk.
  for (const t of ['include', 'render', 'layout', 'block']) delete (engine.tags as Record<string, unknown>)[t];
  const builtIns = { ...(engine.filters as Record<string, unknown>) };
  for (const k of Object.keys(builtIns)) delete (engine.filters as Record<string, unknown>)[k];
  for (const [name, js] of Object.entries(BUILT_IN)) engine.registerFilter(name, builtIns[js] as (...args: unknown[]) => unknown);
  engine.registerFilter('Default', (v: unknown, d: unknown) => (isBlank(v) ? d : v));
  engine.registerFilter('Currency', currency);
  // DotLiquid divides integers as integers (10 | DividedBy: 4 is 2), like Ruby's Liquid.
  engine.registerFilter('DividedBy', (v: unknown, d: unknown) => {
    const a = Number(v), b = Number(d);
    return Number.isInteger(a) && Number.isInteger(b) && b !== 0 ? Math.floor(a / b) : a / b;
  });
  engine.registerFilter('JsonEscape', jsonEscape);
  engine.registerFilter('Date', (v: unknown, format?: unknown) => {
    const d = toNetDate(v);
    if (!d) return v;
    if (format === undefined || format === null || format === '') return d.toString();
    try { return formatDate(d.ticks, d.kind, null, String(format)); } catch { return v; }
  });
  return engine;
}

let shared: Liquid | undefined;
const engine = () => (shared ??= createEngine());

export class LiquidError extends Error {}

/** Parses a template (at configuration time): a template Liquid refuses is the document's error. */
export function parseLiquid(source: string): Template[] {
  try {
    return engine().parse(source);
  } catch (e) {
    throw new LiquidError(e instanceof Error ? e.message : String(e));
  }
}

/** Renders a parsed template with `context` and `body` (and nothing else) in scope. */
export function renderLiquid(template: Template[], scope: { context: unknown; body: unknown }): string {
  try {
    return engine().renderSync(template, scope) as string;
  } catch (e) {
    throw new LiquidError(e instanceof Error ? e.message : String(e));
  }
}

export { NetDate, toNetDate };
