// Template values are plain JSON. ARM compares property names case-insensitively (parameters('X'),
// `.Prop`, contains(object, key)), so every lookup goes through getProperty.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject { [key: string]: JsonValue }

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** The key as written in the object, found case-insensitively (exact match first). */
export function findKey(obj: Record<string, unknown>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

export function getProperty<T = unknown>(obj: Record<string, T>, name: string): T | undefined {
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

/** ARM's names for value types, as its messages print them. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'Null';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Float';
  if (Array.isArray(v)) return 'Array';
  return 'Object';
}

/** JToken.DeepEquals: same type and value; object properties compared by name (ordinal), in any order. */
export function deepEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEquals(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEquals(a[k], b[k]));
  }
  return false;
}

/** Newtonsoft's compact JSON (Formatting.None), as string() and format() print objects and arrays. */
export function compactJson(v: unknown): string {
  return JSON.stringify(v);
}

/** How .NET prints a scalar: booleans as True/False, null as empty. */
export function scalarText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return compactJson(v);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** JSON as Newtonsoft reads it (single-quoted strings too, as the docs' examples use); undefined if invalid. */
export function parseLenientJson(s: string): JsonValue | undefined {
  try { return JSON.parse(s) as JsonValue; } catch { /* try single quotes */ }
  try { return JSON.parse(singleToDoubleQuotes(s)) as JsonValue; } catch { return undefined; }
}

/** Converts JSON written with single-quoted strings ({'a': 'b'}) to standard JSON. */
function singleToDoubleQuotes(s: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === '\\') { out += ch + (s[i + 1] ?? ''); i++; continue; }
      if (ch === quote) { out += '"'; quote = undefined; continue; }
      out += ch === '"' ? '\\"' : ch;
      continue;
    }
    if (ch === "'" || ch === '"') { quote = ch; out += '"'; continue; }
    out += ch;
  }
  return out;
}
