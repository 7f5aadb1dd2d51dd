// What `deployment ... create|validate` read from disk, as az does: the template file (with the local
// files its nested deployments' templateLink names inlined: relativePath, or a uri that is a local
// path), and --parameters, given any number of times as `@file.json`, inline JSON or `name=value`
// (typed by the template's parameter declaration).
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { throw new UsageError(`Unable to read the ${what} '${file}': ${(e as Error).message}`); }
  try { return JSON.parse(text.replace(/^\uFEFF/, '')); } catch (e) { throw new UsageError(`The ${what} '${file}' is not valid JSON: ${(e as Error).message}`); }
}

/** The template of `file`, with nested deployments' local templateLinks replaced by the templates they name. */
export function readTemplate(file: string, cwd: string): Json {
  const full = path.resolve(cwd, file);
  const template = readJsonFile(full, 'template file');
  if (!isObject(template)) throw new UsageError(`The template file '${file}' must hold a JSON object.`);
  inlineLinks(template, path.dirname(full), new Set([full]));
  return template;
}

function inlineLinks(template: Json, dir: string, seen: Set<string>): void {
  const visit = (resources: unknown) => {
    if (!Array.isArray(resources)) return;
    for (const r of resources) {
      if (!isObject(r)) continue;
      visit(r.resources);
      const props = r.properties;
      if (String(r.type).toLowerCase() !== 'microsoft.resources/deployments' || !isObject(props) || !isObject(props.templateLink)) continue;
      const link = props.templateLink;
      const local = typeof link.relativePath === 'string' ? link.relativePath
        : typeof link.uri === 'string' && !/^https?:/i.test(link.uri) ? link.uri.replace(/^file:\/\//i, '') : undefined;
      if (local === undefined) continue;
      const target = path.resolve(dir, local);
      if (seen.has(target)) throw new UsageError(`The template '${target}' links to itself through templateLink.`);
      const nested = readJsonFile(target, 'linked template');
      if (!isObject(nested)) throw new UsageError(`The linked template '${target}' must hold a JSON object.`);
      inlineLinks(nested, path.dirname(target), new Set([...seen, target]));
      delete props.templateLink;
      props.template = nested;
    }
  };
  visit(template.resources);
}

/** The deployment's parameters (`{name: {value}}`) from every --parameters given, later ones winning. */
export function readParameters(args: string[] | undefined, template: Json, cwd: string): Json {
  const out: Json = {};
  const declared = isObject(template.parameters) ? template.parameters : {};
  const typeOf = (name: string) => {
    const key = Object.keys(declared).find((k) => k.toLowerCase() === name.toLowerCase());
    const def = key ? declared[key] : undefined;
    return isObject(def) ? String(def.type ?? 'string').toLowerCase() : 'string';
  };
  const addObject = (value: unknown, source: string) => {
    if (!isObject(value)) throw new UsageError(`The parameters in '${source}' must be a JSON object.`);
    const params = isObject(value.parameters) && (typeof value.$schema === 'string' || typeof value.contentVersion === 'string') ? value.parameters : value;
    for (const [k, v] of Object.entries(params)) out[k] = isObject(v) && ('value' in v || 'reference' in v) ? v : { value: v };
  };
  for (const arg of args ?? []) {
    if (arg.startsWith('@')) { addObject(readJsonFile(path.resolve(cwd, arg.slice(1)), 'parameters file'), arg.slice(1)); continue; }
    if (arg.trimStart().startsWith('{')) {
      try { addObject(JSON.parse(arg), 'the inline JSON'); } catch (e) { if (e instanceof UsageError) throw e; throw new UsageError(`--parameters: '${arg}' is not valid JSON.`); }
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new UsageError(`--parameters: '${arg}' is not @file, JSON or NAME=VALUE.`);
    const name = arg.slice(0, eq);
    const text = arg.slice(eq + 1);
    out[name] = { value: typedValue(name, text, typeOf(name)) };
  }
  return out;
}

function typedValue(name: string, text: string, type: string): unknown {
  switch (type) {
    case 'int':
      if (!/^[+-]?\d+$/.test(text.trim())) throw new UsageError(`--parameters: '${name}' is an int; '${text}' is not.`);
      return Number(text);
    case 'bool':
      if (!/^(true|false)$/i.test(text.trim())) throw new UsageError(`--parameters: '${name}' is a bool; '${text}' is not.`);
      return text.trim().toLowerCase() === 'true';
    case 'object': case 'secureobject': case 'array':
      try { return JSON.parse(text); } catch { throw new UsageError(`--parameters: '${name}' is of type ${type}; '${text}' is not JSON.`); }
    default:
      return text;
  }
}
