// Reads template text into plain JSON and remembers where every value sits, so an error can name
// `resources[1].properties.accessPolicies[0].objectId` and its line and column. ARM accepts `//` and
// `/* */` comments in templates; duplicate property names are refused (Newtonsoft refuses them too).
import { TemplateError } from './errors.js';
import type { JsonObject, JsonValue } from './values.js';

export interface Position { line: number; column: number }

/** Template path → position of the value at that path. */
export type PositionMap = ReadonlyMap<string, Position>;

export interface JsonWithPositions { value: JsonValue; positions: PositionMap }

/** Path of a child: `a.b`, `a[0]`; the root is ''. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

const MAX_DEPTH = 256;

export function readJsonWithPositions(text: string): JsonWithPositions {
  const positions = new Map<string, Position>();
  let i = 0;
  let line = 1;
  let lineStart = 0;

  // Column of the character at index j (1-based), tabs count as one, as in Newtonsoft.
  const col = (j: number) => j - lineStart + 1;
  const fail = (why: string, at = i): never => {
    throw new TemplateError({
      path: '', line, column: col(at),
      detail: `Unable to parse the template content: ${why} Line ${line}, position ${col(at)}.`,
    });
  };
  const newline = (j: number) => { line++; lineStart = j + 1; };

  function skip(): void {
    for (;;) {
      const c = text[i];
      if (c === '\n') { newline(i); i++; }
      else if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') i++;
      else if (c === '/' && text[i + 1] === '/') { while (i < text.length && text[i] !== '\n') i++; }
      else if (c === '/' && text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) fail('Unterminated comment.');
        for (let j = i; j < end; j++) if (text[j] === '\n') newline(j);
        i = end + 2;
      } else return;
    }
  }

  function readString(): string {
    // text[i] === '"'
    let out = '';
    i++;
    for (;;) {
      if (i >= text.length) fail('Unterminated string.');
      const c = text[i];
      if (c === '"') { i++; return out; }
      if (c === '\n' || c === '\r') fail('Unterminated string. Expected delimiter: ".');
      if (c === '\\') {
        const e = text[i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(`Invalid Unicode escape sequence: \\u${hex}.`);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && map[e] !== undefined) { out += map[e]; i += 2; }
        else fail(`Bad JSON escape sequence: \\${e ?? ''}.`);
        continue;
      }
      out += c;
      i++;
    }
  }

  function readValue(path: string, depth: number): JsonValue {
    if (depth > MAX_DEPTH) fail('The template is nested too deeply.');
    skip();
    const c = text[i];
    if (c === '{') {
      positions.set(path, { line, column: col(i) });
      i++;
      const obj: JsonObject = {};
      skip();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        skip();
        if (text[i] !== '"') fail(`Invalid property identifier character: ${text[i] ?? 'end of text'}.`);
        const key = readString();
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail(`Can not add property ${key} to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object.`);
        skip();
        if (text[i] !== ':') fail(`Invalid character after parsing property name. Expected ':' but got: ${text[i] ?? 'end of text'}.`);
        i++;
        obj[key] = readValue(childPath(path, key), depth + 1);
        skip();
        if (text[i] === ',') { i++; skip(); if (text[i] === '}') { i++; return obj; } continue; }
        if (text[i] === '}') { i++; return obj; }
        fail(`After parsing a value an unexpected character was encountered: ${text[i] ?? 'end of text'}.`);
      }
    }
    if (c === '[') {
      positions.set(path, { line, column: col(i) });
      i++;
      const arr: JsonValue[] = [];
      skip();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(readValue(childPath(path, arr.length), depth + 1));
        skip();
        if (text[i] === ',') { i++; skip(); if (text[i] === ']') { i++; return arr; } continue; }
        if (text[i] === ']') { i++; return arr; }
        fail(`After parsing a value an unexpected character was encountered: ${text[i] ?? 'end of text'}.`);
      }
    }
    if (c === '"') {
      const s = readString();
      positions.set(path, { line, column: col(i - 1) });
      return s;
    }
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail(`Unexpected character encountered while parsing value: ${c ?? 'end of text'}.`);
    const tok = m![0];
    i += tok.length;
    positions.set(path, { line, column: col(i - 1) });
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (tok === 'null') return null;
    return Number(tok);
  }

  const value = readValue('', 0);
  skip();
  if (i < text.length) fail(`Additional text encountered after finished reading JSON content: ${text[i]}.`);
  return { value, positions };
}
