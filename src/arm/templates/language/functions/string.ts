// String functions (learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string).
import { compactJson, isObject, parseLenientJson, scalarText, typeName, type JsonValue } from '../values.js';
import { composite } from './format.js';
import { arity, capped, defineAll, fail, int, str } from './types.js';

const utf8 = (s: string) => Buffer.from(s, 'utf8');

function fromBase64(name: string, s: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw fail(name, `the value '${s}' is not a valid base64 string.`);
  return Buffer.from(s, 'base64').toString('utf8');
}

/** Uri.EscapeDataString: everything but RFC 3986 unreserved characters. */
export function escapeDataString(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function concatText(name: string, v: JsonValue): string {
  if (v === null) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return scalarText(v);
  throw fail(name, `the function accepts strings, integers, booleans, or only arrays; a parameter of type '${typeName(v)}' was given.`);
}

export const stringFunctions = defineAll(
  { name: 'base64', call: (a, c) => { arity(c.name, a, 1); return utf8(str(c.name, a, 0)).toString('base64'); } },
  { name: 'base64ToString', call: (a, c) => { arity(c.name, a, 1); return fromBase64(c.name, str(c.name, a, 0)); } },
  {
    name: 'base64ToJson', call: (a, c) => {
      arity(c.name, a, 1);
      const text = fromBase64(c.name, str(c.name, a, 0));
      const v = parseLenientJson(text);
      if (v === undefined) throw fail(c.name, 'the decoded value is not valid JSON.');
      return v;
    },
  },
  {
    name: 'concat', call: (a, c) => {
      arity(c.name, a, 1, Infinity);
      if (a.every(Array.isArray)) return (a as JsonValue[][]).flat(1);
      return capped(c.name, a.map((v) => concatText(c.name, v)).join(''));
    },
  },
  {
    name: 'dataUri', call: (a, c) => {
      arity(c.name, a, 1);
      const v = a[0]!;
      const text = Array.isArray(v) || isObject(v) ? compactJson(v) : scalarText(v);
      const type = typeof v === 'string' ? 'text/plain;charset=utf8' : 'application/json;charset=utf8';
      return `data:${type};base64,${utf8(text).toString('base64')}`;
    },
  },
  {
    name: 'dataUriToString', call: (a, c) => {
      arity(c.name, a, 1);
      const s = str(c.name, a, 0);
      const m = /^data:([^,]*),(.*)$/s.exec(s);
      if (!m) throw fail(c.name, `the value '${s}' is not a valid data URI.`);
      const meta = m[1]!.split(';');
      if (meta[meta.length - 1]!.toLowerCase() === 'base64') return fromBase64(c.name, m[2]!);
      try { return decodeURIComponent(m[2]!); } catch { throw fail(c.name, `the value '${s}' is not a valid data URI.`); }
    },
  },
  {
    name: 'startsWith', call: (a, c) => {
      arity(c.name, a, 2);
      return str(c.name, a, 0).toLowerCase().startsWith(str(c.name, a, 1).toLowerCase());
    },
  },
  {
    name: 'endsWith', call: (a, c) => {
      arity(c.name, a, 2);
      return str(c.name, a, 0).toLowerCase().endsWith(str(c.name, a, 1).toLowerCase());
    },
  },
  { name: 'format', call: (a, c) => { arity(c.name, a, 1, Infinity); return capped(c.name, composite(str(c.name, a, 0), a.slice(1))); } },
  {
    name: 'join', call: (a, c) => {
      arity(c.name, a, 2);
      const items = a[0];
      if (!Array.isArray(items)) throw fail(c.name, `the first parameter must be of type 'Array' but is of type '${typeName(items)}'.`);
      const sep = str(c.name, a, 1);
      return capped(c.name, items.map((v) => {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw fail(c.name, `the array elements must be strings, integers or booleans; an element is of type '${typeName(v)}'.`);
        return scalarText(v);
      }).join(sep));
    },
  },
  {
    name: 'padLeft', call: (a, c) => {
      arity(c.name, a, 2, 3);
      const v = a[0];
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) throw fail(c.name, `the first parameter must be of type 'String' or 'Integer' but is of type '${typeName(v)}'.`);
      const width = int(c.name, a, 1);
      const pad = a.length === 3 ? str(c.name, a, 2) : ' ';
      if (pad.length !== 1) throw fail(c.name, `the padding character '${pad}' must be a single character.`);
      if (width < 0 || width > 16 * 1024) throw fail(c.name, `the total length '${width}' is out of range.`);
      return String(v).padStart(width, pad);
    },
  },
  {
    name: 'replace', call: (a, c) => {
      arity(c.name, a, 3);
      const s = str(c.name, a, 0);
      const from = str(c.name, a, 1);
      const to = str(c.name, a, 2);
      if (from === '') throw fail(c.name, 'the second parameter cannot be an empty string.');
      return capped(c.name, s.split(from).join(to));
    },
  },
  {
    name: 'split', call: (a, c) => {
      arity(c.name, a, 2);
      const s = str(c.name, a, 0);
      const d = a[1];
      const delims = typeof d === 'string' ? [d] : Array.isArray(d) && d.every((x) => typeof x === 'string') ? (d as string[]) : undefined;
      if (!delims) throw fail(c.name, `the second parameter must be a string or an array of strings but is of type '${typeName(d)}'.`);
      return splitAny(s, delims.filter((x) => x !== ''));
    },
  },
  {
    name: 'string', call: (a, c) => {
      arity(c.name, a, 1);
      const v = a[0]!;
      return Array.isArray(v) || isObject(v) ? compactJson(v) : scalarText(v);
    },
  },
  {
    name: 'substring', call: (a, c) => {
      arity(c.name, a, 2, 3);
      const s = str(c.name, a, 0);
      const start = int(c.name, a, 1);
      const length = a.length === 3 ? int(c.name, a, 2) : s.length - start;
      if (start < 0 || length < 0 || start + length > s.length) {
        throw fail(c.name, `The index and length parameters must refer to a location within the string. The index parameter: '${start}', the length parameter: '${length}', the length of the string parameter: '${s.length}'.`);
      }
      return s.substring(start, start + length);
    },
  },
  { name: 'toLower', call: (a, c) => { arity(c.name, a, 1); return str(c.name, a, 0).toLowerCase(); } },
  { name: 'toUpper', call: (a, c) => { arity(c.name, a, 1); return str(c.name, a, 0).toUpperCase(); } },
  { name: 'trim', call: (a, c) => { arity(c.name, a, 1); return str(c.name, a, 0).trim(); } },
  {
    name: 'uri', call: (a, c) => {
      arity(c.name, a, 2);
      const base = str(c.name, a, 0);
      const rel = str(c.name, a, 1);
      let baseUrl: URL;
      try { baseUrl = new URL(base); } catch { throw fail(c.name, `the base URI '${base}' is not a valid absolute URI.`); }
      try { return new URL(rel, baseUrl).href; } catch { throw fail(c.name, `the relative URI '${rel}' is not valid.`); }
    },
  },
  { name: 'uriComponent', call: (a, c) => { arity(c.name, a, 1); return escapeDataString(str(c.name, a, 0)); } },
  {
    name: 'uriComponentToString', call: (a, c) => {
      arity(c.name, a, 1);
      const s = str(c.name, a, 0);
      try { return decodeURIComponent(s); } catch { throw fail(c.name, `the value '${s}' is not a valid URI component.`); }
    },
  },
);

/** String.Split(string[], StringSplitOptions.None): at each position the first delimiter that matches wins. */
function splitAny(s: string, delims: string[]): string[] {
  if (delims.length === 0) return [s];
  const out: string[] = [];
  let last = 0;
  let i = 0;
  while (i < s.length) {
    const d = delims.find((x) => s.startsWith(x, i));
    if (d !== undefined) { out.push(s.slice(last, i)); i += d.length; last = i; } else i++;
  }
  out.push(s.slice(last));
  return out;
}
