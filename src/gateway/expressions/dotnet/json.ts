// Newtonsoft.Json.Linq as API Management's expressions use it: JToken, JContainer, JObject (properties in
// a Map: `__proto__` is a name like any other), JArray, JProperty, JValue; Newtonsoft's reader (comments,
// single quotes, unquoted names, trailing commas, MaxDepth 64, its messages with Path/line/position) and
// writer (Formatting.Indented with two spaces). JSON integers are Int64 values (bigint) and floats
// doubles, kept apart so `1.0` is written back as `1.0` and `1` as `1`, as Newtonsoft does.
//
// Dates: Newtonsoft turns ISO-8601 strings into Date tokens by default (DateParseHandling.DateTime). That
// needs the DateTime type (branch exprtext); until then such strings stay String tokens (see report).
import { equalityKey, iterate, KeyValuePair, valueEquals, type DictionaryView } from './collections.js';
import { EnumType, type EnumValue } from './enums.js';
import { argumentError, argumentNull, argumentOutOfRange, DotNetException, formatError, invalidOperation, overflow } from './exceptions.js';
import { formatValue } from './composite.js';
import { formatDouble } from './numfmt.js';

const TOKEN_KINDS = [
  'None', 'Object', 'Array', 'Constructor', 'Property', 'Comment', 'Integer', 'Float', 'String', 'Boolean', 'Null',
  'Undefined', 'Date', 'Raw', 'Bytes', 'Guid', 'Uri', 'TimeSpan',
] as const;
export type TokenKind = typeof TOKEN_KINDS[number];
export const JTokenType = new EnumType('JTokenType', Object.fromEntries(TOKEN_KINDS.map((k, i) => [k, i])));
export const Formatting = new EnumType('Formatting', { None: 0, Indented: 1 });

/** Newtonsoft.Json.JsonException and its reader subclass (with the reader's position). */
export class JsonError extends DotNetException {
  constructor(type: 'Newtonsoft.Json.JsonException' | 'Newtonsoft.Json.JsonReaderException' | 'Newtonsoft.Json.JsonSerializationException',
    message: string, readonly path = '', readonly lineNumber = 0, readonly linePosition = 0) {
    super(type, message);
  }
}
export const jsonException = (message: string) => new JsonError('Newtonsoft.Json.JsonException', message);

// ---- tokens ----

export abstract class JToken implements Iterable<JToken> {
  parent: JContainer | null = null;
  abstract get kind(): TokenKind;
  get type(): EnumValue { return JTokenType.member(this.kind); }
  abstract deepClone(): JToken;
  /** The JSON text (Formatting.Indented by default, as JToken.ToString() does). */
  toJson(indented = true): string { return writeJson(this, indented); }
  toString(): string { return this.toJson(true); }
  abstract children(): JToken[];
  [Symbol.iterator](): Iterator<JToken> { return this.children()[Symbol.iterator](); }
  get hasValues(): boolean { return this.children().length > 0; }

  get root(): JToken { let t: JToken = this; while (t.parent) t = t.parent; return t; }

  get path(): string {
    const parts: string[] = [];
    for (let t: JToken = this; t.parent; t = t.parent) {
      if (t instanceof JProperty) parts.push(pathName(t.name));
      else if (t.parent instanceof JArray) parts.push(`[${t.parent.items.indexOf(t)}]`);
    }
    return fixPath(parts.reverse());
  }

  /** this[object key]: JObject takes a string, JArray an int; other tokens have no children by key. */
  getItem(key: unknown): JToken | null {
    throw invalidOperation(`Cannot access child value on ${this.clrName}.`);
  }
  setItem(key: unknown, value: JToken | null): void {
    throw invalidOperation(`Cannot set child value on ${this.clrName}.`);
  }
  get clrName(): string { return `Newtonsoft.Json.Linq.${this.constructor.name}`; }

  get first(): JToken | null { throw invalidOperation(`Cannot access child value on ${this.clrName}.`); }
  get last(): JToken | null { throw invalidOperation(`Cannot access child value on ${this.clrName}.`); }

  private siblings(): JToken[] {
    if (!this.parent) return [this];
    return this.parent.children();
  }
  get next(): JToken | null { const s = this.siblings(); const i = s.indexOf(this); return this.parent && i + 1 < s.length ? s[i + 1] : null; }
  get previous(): JToken | null { const s = this.siblings(); const i = s.indexOf(this); return this.parent && i > 0 ? s[i - 1] : null; }

  /** JToken.Remove(): detaches from the parent. */
  detach(): void {
    if (!this.parent) throw invalidOperation('The parent is missing.');
    this.parent.removeChild(this);
  }
  replace(value: JToken | null): void {
    if (!this.parent) throw invalidOperation('The parent is missing.');
    this.parent.replaceChild(this, value === null ? JValue.createNull() : value);
  }
  addAfterSelf(content: unknown): void { this.addBesideSelf(content, 1); }
  addBeforeSelf(content: unknown): void { this.addBesideSelf(content, 0); }
  private addBesideSelf(content: unknown, offset: number): void {
    if (!this.parent) throw invalidOperation('The parent is missing.');
    const at = this.parent.children().indexOf(this) + offset;
    this.parent.insertContent(at, content);
  }
  ancestors(): JToken[] { const out: JToken[] = []; for (let t = this.parent; t; t = t.parent) out.push(t); return out; }
  afterSelf(): JToken[] { const s = this.siblings(); return this.parent ? s.slice(s.indexOf(this) + 1) : []; }
  beforeSelf(): JToken[] { const s = this.siblings(); return this.parent ? s.slice(0, s.indexOf(this)) : []; }
}

// Newtonsoft's JsonPosition: names with these characters are written ['...'].
const SPECIAL = /[. '/"[\]()\t\n\r\f\b\\\u0085\u2028\u2029]/;
function pathName(name: string): string {
  return SPECIAL.test(name) ? `['${escapeJs(name, "'")}']` : `.${name}`;
}
const fixPath = (parts: string[]): string => {
  const s = parts.join('');
  return s.startsWith('.') ? s.slice(1) : s;
};

export abstract class JContainer extends JToken {
  abstract override children(): JToken[];
  get count(): number { return this.children().length; }
  override get first(): JToken | null { return this.children()[0] ?? null; }
  override get last(): JToken | null { const c = this.children(); return c.length ? c[c.length - 1] : null; }
  abstract removeChild(t: JToken): boolean;
  abstract replaceChild(old: JToken, value: JToken): void;
  /** Adds content (a token, a value, or a sequence of them) at a child position. */
  abstract insertContent(at: number, content: unknown): void;
  addContent(content: unknown): void { this.insertContent(this.children().length, content); }
  removeAll(): void { for (const c of [...this.children()]) this.removeChild(c); }
  descendants(): JToken[] {
    const out: JToken[] = [];
    const walk = (t: JToken) => { for (const c of t.children()) { out.push(c); walk(c); } };
    walk(this);
    return out;
  }
}

/** Newtonsoft's EnsureParentToken: a token that already has a parent is copied, never moved. */
function adopt(token: JToken, parent: JContainer): JToken {
  const t = token.parent !== null || token === parent ? token.deepClone() : token;
  t.parent = parent;
  return t;
}

/** Content as JContainer.Add takes it: tokens as they are, sequences flattened, other values as JValue. */
function contentTokens(content: unknown): JToken[] {
  if (content instanceof JToken) return [content];
  if (content !== null && typeof content === 'object' && !(content instanceof Uint8Array) && Symbol.iterator in content && !(content instanceof KeyValuePair)) {
    return [...iterate(content as Iterable<unknown>)].flatMap(contentTokens);
  }
  return [JValue.fromObject(content)];
}

export class JArray extends JContainer implements Iterable<JToken> {
  readonly items: JToken[] = [];
  static of(tokens: JToken[]): JArray { const a = new JArray(); a.insertContent(0, tokens); return a; }
  get kind(): TokenKind { return 'Array'; }
  children(): JToken[] { return this.items; }
  deepClone(): JArray { const a = new JArray(); for (const t of this.items) a.push(t.deepClone()); return a; }
  private push(t: JToken): void { this.items.push(adopt(t, this)); }
  insertContent(at: number, content: unknown): void {
    if (at < 0 || at > this.items.length) throw argumentOutOfRange('index', 'Index must be within the bounds of the List.');
    const tokens = contentTokens(content).map((t) => adopt(t, this));
    this.items.splice(at, 0, ...tokens);
  }
  removeChild(t: JToken): boolean {
    const i = this.items.indexOf(t);
    if (i < 0) return false;
    this.items.splice(i, 1);
    t.parent = null;
    return true;
  }
  replaceChild(old: JToken, value: JToken): void {
    const i = this.items.indexOf(old);
    if (i < 0) return;
    old.parent = null;
    this.items[i] = adopt(value, this);
  }
  private index(key: unknown, verb: 'Accessed' | 'Set'): number {
    if (typeof key !== 'number' || !Number.isInteger(key)) throw argumentError(`${verb} JArray values with invalid key value: ${keyText(key)}. Int32 array index expected.`);
    if (key < 0 || key >= this.items.length) throw argumentOutOfRange('index', 'Index was out of range. Must be non-negative and less than the size of the collection.');
    return key;
  }
  override getItem(key: unknown): JToken { return this.items[this.index(key, 'Accessed')]; }
  override setItem(key: unknown, value: JToken | null): void {
    const i = this.index(key, 'Set');
    this.replaceChild(this.items[i], value ?? JValue.createNull());
  }
  indexOf(t: JToken | null): number { return t === null ? -1 : this.items.indexOf(t); }
  insert(index: number, t: JToken | null): void { this.insertContent(index, t ?? JValue.createNull()); }
  removeAt(index: number): void {
    if (index < 0 || index >= this.items.length) throw argumentOutOfRange('index', 'Index is equal to or greater than Count.');
    this.removeChild(this.items[index]);
  }
  clear(): void { this.removeAll(); }
  contains(t: unknown): boolean { return this.items.includes(t as JToken); }
  // ICollection<JToken>
  add(t: unknown): void { this.addContent(t); }
  remove(t: unknown): boolean { return t instanceof JToken ? this.removeChild(t) : false; }
}

// MiscellaneousUtils.ToString: strings quoted, null as {null}.
const keyText = (key: unknown): string => (key === null ? '{null}' : typeof key === 'string' ? `"${key}"` : formatValue(key));

export class JProperty extends JContainer {
  private _value: JToken;
  constructor(readonly name: string, content: unknown = null) {
    super();
    if (name === null) throw argumentNull('name');
    const tokens = contentTokens(content);
    // JProperty(name, object content): a sequence becomes a JArray.
    const v = content instanceof JToken || tokens.length === 1 && !(content !== null && typeof content === 'object' && Symbol.iterator in content)
      ? tokens[0] : JArray.of(tokens);
    this._value = adopt(v ?? JValue.createNull(), this);
  }
  get kind(): TokenKind { return 'Property'; }
  get value(): JToken { return this._value; }
  set value(v: JToken | null) { this._value.parent = null; this._value = adopt(v ?? JValue.createNull(), this); }
  children(): JToken[] { return [this._value]; }
  deepClone(): JProperty { return new JProperty(this.name, this._value.deepClone()); }
  insertContent(_at: number, _content: unknown): void {
    throw argumentError(`${this.clrName} cannot have multiple values.`);
  }
  removeChild(_t: JToken): boolean { throw invalidOperation(`Cannot add or remove items from ${this.clrName}.`); }
  replaceChild(_old: JToken, value: JToken): void { this.value = value; }
}

export class JObject extends JContainer implements DictionaryView<string, JToken | null> {
  readonly props = new Map<string, JProperty>();
  get kind(): TokenKind { return 'Object'; }
  children(): JToken[] { return [...this.props.values()]; }
  properties(): JProperty[] { return [...this.props.values()]; }
  deepClone(): JObject { const o = new JObject(); for (const p of this.props.values()) o.insertContent(o.props.size, p.deepClone()); return o; }

  insertContent(at: number, content: unknown): void {
    const tokens = contentTokens(content);
    for (const t of tokens) {
      if (!(t instanceof JProperty)) throw argumentError(`Can not add ${t.clrName} to ${this.clrName}.`);
      if (this.props.has(t.name)) throw argumentError(`Can not add property ${t.name} to ${this.clrName}. Property with the same name already exists on object.`);
    }
    const entries = [...this.props.entries()];
    entries.splice(at, 0, ...tokens.map((t) => [(t as JProperty).name, adopt(t, this) as JProperty] as [string, JProperty]));
    this.props.clear();
    for (const [k, p] of entries) this.props.set(k, p);
  }
  removeChild(t: JToken): boolean {
    if (!(t instanceof JProperty) || this.props.get(t.name) !== t) return false;
    this.props.delete(t.name);
    t.parent = null;
    return true;
  }
  replaceChild(old: JToken, value: JToken): void {
    if (!(old instanceof JProperty) || !(value instanceof JProperty)) throw argumentError(`Can not add ${value.clrName} to ${this.clrName}.`);
    const entries = [...this.props.entries()].map(([k, p]) => (p === old ? [value.name, adopt(value, this) as JProperty] as [string, JProperty] : [k, p] as [string, JProperty]));
    old.parent = null;
    this.props.clear();
    for (const [k, p] of entries) this.props.set(k, p);
  }
  property(name: string): JProperty | null { return this.props.get(name) ?? null; }
  /** JObject's this[string]: the property's value, or null. */
  get(name: string): JToken | null { return this.props.get(name)?.value ?? null; }
  /** Setting adds the property or replaces its value. */
  put(name: string, value: JToken | null): void {
    const p = this.props.get(name);
    if (p) p.value = value;
    else this.insertContent(this.props.size, new JProperty(name, value ?? JValue.createNull()));
  }
  override getItem(key: unknown): JToken | null {
    if (typeof key !== 'string') throw argumentError(`Accessed JObject values with invalid key value: ${keyText(key)}. Object property name expected.`);
    return this.get(key);
  }
  override setItem(key: unknown, value: JToken | null): void {
    if (typeof key !== 'string') throw argumentError(`Set JObject values with invalid key value: ${keyText(key)}. Object property name expected.`);
    this.put(key, value);
  }
  // IDictionary<string, JToken>
  lookup(key: string): JToken | null | undefined { return this.props.get(key)?.value; }
  keyList(): string[] { return [...this.props.keys()]; }
  valueList(): (JToken | null)[] { return [...this.props.values()].map((p) => p.value); }
  add(key: string, value: JToken | null): void { this.insertContent(this.props.size, new JProperty(key, value ?? JValue.createNull())); }
  set(key: string, value: JToken | null): void { this.put(key, value); }
  remove(key: string): boolean { const p = this.props.get(key); return p ? this.removeChild(p) : false; }
  clear(): void { this.removeAll(); }
  containsKey(key: string): boolean { if (key === null) throw argumentNull('propertyName'); return this.props.has(key); }
  /** GetEnumerator(): KeyValuePair<string, JToken>, as `foreach` over a JObject gives. */
  override [Symbol.iterator](): Iterator<KeyValuePair<string, JToken | null>> & Iterator<JToken> {
    return [...this.props.values()].map((p) => new KeyValuePair<string, JToken | null>(p.name, p.value))[Symbol.iterator]() as Iterator<KeyValuePair<string, JToken | null>> & Iterator<JToken>;
  }
}

export class JValue extends JToken {
  constructor(private _kind: TokenKind, private _value: unknown) { super(); }
  get kind(): TokenKind { return this._kind; }
  get value(): unknown { return this._value; }
  /** JValue.Value's setter: the token type follows the value. */
  set value(v: unknown) { const j = JValue.fromObject(v); this._kind = j._kind; this._value = j._value; }
  children(): JToken[] { return []; }
  deepClone(): JValue { return new JValue(this._kind, this._value); }
  /** JValue.ToString(): the value's own ToString (no quotes), "" for null. */
  override toString(): string {
    if (this._value === null) return '';
    if (this._kind === 'Float') return formatDouble(this._value as number);
    return formatValue(this._value);
  }
  equalityKey(): string { return `${this._kind === 'Integer' || this._kind === 'Float' ? 'n' : this._kind}:${String(numericKey(this._value))}`; }
  compareTo(other: unknown): number {
    const o = other instanceof JValue ? other._value : other;
    const a = this._value;
    if (typeof a === 'string' && typeof o === 'string') return a < o ? -1 : a > o ? 1 : 0;
    const x = Number(a); const y = Number(o);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  static createNull(): JValue { return new JValue('Null', null); }
  static createString(s: string | null): JValue { return new JValue('String', s); }
  static createUndefined(): JValue { return new JValue('Undefined', null); }
  /** new JValue(object): the token type from the value's .NET type. */
  static fromObject(v: unknown): JValue {
    if (v instanceof JValue) return new JValue(v._kind, v._value);
    if (v === null || v === undefined) return JValue.createNull();
    switch (typeof v) {
      case 'string': return new JValue('String', v);
      case 'boolean': return new JValue('Boolean', v);
      case 'bigint': return new JValue('Integer', v);
      case 'number': return Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? new JValue('Integer', BigInt(v)) : new JValue('Float', v);
      default: break;
    }
    if (v instanceof Uint8Array) return new JValue('Bytes', v);
    throw argumentError(`Could not determine JSON object type for type ${v?.constructor?.name ?? 'Object'}.`);
  }
  static int(v: number | bigint): JValue { return new JValue('Integer', BigInt(v)); }
  static float(v: number): JValue { return new JValue('Float', v); }
}

const numericKey = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);


// ---- writing ----

/** Newtonsoft's JavaScriptUtils escaping with the default StringEscapeHandling. */
export function escapeJs(s: string, quote: '"' | "'"): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = c.charCodeAt(0);
    switch (c) {
      case '\t': out += '\\t'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\f': out += '\\f'; break;
      case '\b': out += '\\b'; break;
      case '\\': out += '\\\\'; break;
      case '\u0085': out += '\\u0085'; break;
      case '\u2028': out += '\\u2028'; break;
      case '\u2029': out += '\\u2029'; break;
      default:
        if (c === quote) out += `\\${c}`;
        else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
        else out += c;
    }
  }
  return out;
}

export const quoteJson = (s: string): string => `"${escapeJs(s, '"')}"`;

/** JsonConvert.ToString(double): round-trip digits, always with a decimal point or exponent. */
export function jsonDouble(d: number): string {
  if (Number.isNaN(d)) return '"NaN"';
  if (d === Infinity) return '"Infinity"';
  if (d === -Infinity) return '"-Infinity"';
  const s = formatDouble(d);
  return /[.E]/.test(s) ? s : `${s}.0`;
}

function valueJson(v: JValue): string {
  const x = v.value;
  switch (v.kind) {
    case 'Null': return 'null';
    case 'Undefined': return 'undefined';
    case 'Integer': return String(x);
    case 'Float': return jsonDouble(x as number);
    case 'Boolean': return x ? 'true' : 'false';
    case 'Comment': return `/*${String(x)}*/`;
    case 'Raw': return String(x);
    case 'Bytes': return quoteJson(Buffer.from(x as Uint8Array).toString('base64'));
    default: return x === null ? 'null' : quoteJson(formatValue(x));
  }
}

export function writeJson(t: JToken, indented: boolean, depth = 0): string {
  const nl = indented ? `\n${'  '.repeat(depth + 1)}` : '';
  const end = indented ? `\n${'  '.repeat(depth)}` : '';
  const colon = indented ? ': ' : ':';
  if (t instanceof JValue) return valueJson(t);
  if (t instanceof JProperty) return `${quoteJson(t.name)}${colon}${writeJson(t.value, indented, depth)}`;
  if (t instanceof JArray) {
    if (!t.items.length) return '[]';
    return `[${t.items.map((c) => nl + writeJson(c, indented, depth + 1)).join(',')}${end}]`;
  }
  if (t instanceof JObject) {
    if (!t.props.size) return '{}';
    return `{${[...t.props.values()].map((p) => nl + writeJson(p, indented, depth + 1)).join(',')}${end}}`;
  }
  return '';
}

// ---- reading ----

const MAX_DEPTH = 64;
type Frame = { array: boolean; name?: string; index: number };

class Reader {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private readonly stack: Frame[] = [];
  private started = false;
  constructor(private readonly s: string) {}

  private get path(): string {
    const parts = this.stack.map((f) => (f.array ? (f.index >= 0 ? `[${f.index}]` : '') : f.name !== undefined ? pathName(f.name) : ''));
    return fixPath(parts);
  }

  fail(message: string, at = this.i): JsonError {
    const pos = at - this.lineStart;
    const line = !this.started && pos === 0 ? 0 : this.line;
    const path = this.path;
    return new JsonError('Newtonsoft.Json.JsonReaderException', `${message} Path '${path}', line ${line}, position ${pos}.`, path, line, pos);
  }

  private newline(): void { this.line++; this.lineStart = this.i; }

  /** Skips whitespace and comments; false at the end of the text. */
  private skip(): boolean {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '\n') { this.i++; this.newline(); } else if (c === '\r') { this.i++; if (s[this.i] === '\n') this.i++; this.newline(); } else if (c === ' ' || c === '\t' || /\s/.test(c)) this.i++;
      else if (c === '/') this.comment();
      else return true;
    }
    return false;
  }

  private comment(): void {
    const s = this.s;
    const next = s[this.i + 1];
    if (next === '*') {
      const end = s.indexOf('*/', this.i + 2);
      if (end < 0) { this.i = s.length; throw this.fail('Unexpected end while parsing comment.'); }
      for (let j = this.i; j < end; j++) if (s[j] === '\n') { this.i = j + 1; this.newline(); }
      this.i = end + 2;
    } else if (next === '/') {
      while (this.i < s.length && s[this.i] !== '\n' && s[this.i] !== '\r') this.i++;
    } else {
      this.i++;
      if (this.i >= s.length) throw this.fail('Unexpected end while parsing comment.');
      throw this.fail(`Error parsing comment. Expected: *, got ${s[this.i]}.`);
    }
  }

  /** Reads the whole text as one token; `loading` names the container type for end-of-content errors. */
  readRoot(loading: string, expect?: 'Object' | 'Array'): JToken {
    if (!this.skip()) throw this.fail(`Error reading ${loading} from JsonReader.`);
    const c = this.s[this.i];
    if (expect && c !== (expect === 'Object' ? '{' : '[')) {
      let got: string;
      if (c === '{' || c === '[') { this.i++; got = c === '{' ? 'StartObject' : 'StartArray'; } else got = tokenName(this.value(loading));
      throw this.fail(`Error reading ${loading} from JsonReader. Current JsonReader item is not ${expect === 'Object' ? 'an object' : 'an array'}: ${got}.`);
    }
    const root = this.value(loading);
    if (this.skip()) throw this.fail(`Additional text encountered after finished reading JSON content: ${this.s[this.i]}.`);
    return root;
  }

  private value(loading: string): JToken {
    if (!this.skip()) throw this.fail(`Unexpected end of content while loading ${loading}.`);
    const c = this.s[this.i];
    const top = this.stack[this.stack.length - 1];
    // As Newtonsoft's reader: an array's index moves when a container starts or a scalar has been read.
    if (c === '{' || c === '[') {
      if (top?.array) top.index++;
      this.started = true;
      if (this.stack.length >= MAX_DEPTH) { this.i++; throw this.fail(`The reader's MaxDepth of ${MAX_DEPTH} has been exceeded.`); }
      this.i++;
      return c === '{' ? this.object(loading) : this.array(loading);
    }
    const v = this.scalar(c, !!top?.array);
    if (top?.array) top.index++;
    this.started = true;
    return v;
  }

  private scalar(c: string, inArray: boolean): JToken {
    const s = this.s;
    if (c === '"' || c === "'") return JValue.createString(this.string(c));
    if (c === '-' && s[this.i + 1] === 'I') return this.word('-Infinity', JValue.float(-Infinity), 'Error parsing -Infinity value.');
    if (c === '-' || c === '.' || (c >= '0' && c <= '9')) return this.number();
    switch (c) {
      case 't': return this.word('true', new JValue('Boolean', true), 'Error parsing boolean value.');
      case 'f': return this.word('false', new JValue('Boolean', false), 'Error parsing boolean value.');
      case 'n': return this.word('null', JValue.createNull(), 'Error parsing null value.');
      case 'u': return this.word('undefined', JValue.createUndefined(), 'Error parsing undefined value.');
      case 'N': return this.word('NaN', JValue.float(NaN), 'Error parsing NaN value.');
      case 'I': return this.word('Infinity', JValue.float(Infinity), 'Error parsing Infinity value.');
      // `[1,,2]`: Newtonsoft reads an undefined value between the commas.
      case ',': if (inArray) return JValue.createUndefined(); break;
      default: break;
    }
    throw this.fail(`Unexpected character encountered while parsing value: ${c}.`);
  }

  private isSeparator(c: string | undefined): boolean {
    return c === undefined || c === ',' || c === '}' || c === ']' || c === ')' || c === '/' || /\s/.test(c);
  }

  private word(w: string, token: JToken, message: string): JToken {
    if (this.s.startsWith(w, this.i) && this.isSeparator(this.s[this.i + w.length])) { this.i += w.length; return token; }
    throw this.fail(message);
  }

  private number(): JToken {
    const s = this.s;
    const start = this.i;
    while (this.i < s.length && /[0-9a-fA-FxX.+-]/.test(s[this.i])) this.i++;
    const text = s.slice(start, this.i);
    if (!this.isSeparator(s[this.i])) throw this.fail(`Unexpected character encountered while parsing number: ${s[this.i]}.`);
    const notNumber = () => this.fail(`Input string '${text}' is not a valid number.`);
    const neg = text.startsWith('-');
    const body = neg ? text.slice(1) : text;
    if (/^0[xX][0-9a-fA-F]+$/.test(body)) return JValue.int((neg ? -1n : 1n) * BigInt(body));
    if (/^0[0-7]+$/.test(body)) return JValue.int((neg ? -1n : 1n) * BigInt(`0o${body.slice(1)}`));
    if (/^\d+$/.test(body)) return JValue.int(BigInt(text));
    if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) return JValue.float(Number(text));
    throw notNumber();
  }

  string(quote: string): string {
    const s = this.s;
    this.i++;
    let out = '';
    for (;;) {
      if (this.i >= s.length) throw this.fail(`Unterminated string. Expected delimiter: ${quote}.`);
      const c = s[this.i++];
      if (c === quote) return out;
      if (c === '\n') this.newline();
      if (c !== '\\') { out += c; continue; }
      if (this.i >= s.length) throw this.fail(`Unterminated string. Expected delimiter: ${quote}.`);
      const e = s[this.i++];
      switch (e) {
        case 'b': out += '\b'; break;
        case 't': out += '\t'; break;
        case 'n': out += '\n'; break;
        case 'f': out += '\f'; break;
        case 'r': out += '\r'; break;
        case '\\': case '"': case "'": case '/': out += e; break;
        case 'u': {
          const hex = s.slice(this.i, this.i + 4);
          if (hex.length < 4) throw this.fail('Unexpected end while parsing Unicode escape sequence.');
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.fail(`Invalid Unicode escape sequence: \\u${hex}.`);
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 4;
          break;
        }
        default: throw this.fail(`Bad JSON escape sequence: \\${e}.`);
      }
    }
  }

  private object(loading: string): JObject {
    const o = new JObject();
    const frame: Frame = { array: false, index: -1 };
    this.stack.push(frame);
    for (;;) {
      if (!this.skip()) throw this.fail(`Unexpected end of content while loading ${loading}.`);
      const c = this.s[this.i];
      if (c === '}') { this.i++; break; }
      let name: string;
      if (c === '"' || c === "'") name = this.string(c);
      else if (/[\p{L}\p{Nd}_$]/u.test(c)) {
        const start = this.i;
        while (this.i < this.s.length && /[\p{L}\p{Nd}_$]/u.test(this.s[this.i])) this.i++;
        if (this.i >= this.s.length) throw this.fail('Unexpected end while parsing unquoted property name.');
        const n = this.s[this.i];
        if (!/\s/.test(n) && n !== ':') throw this.fail(`Invalid JavaScript property identifier character: ${n}.`);
        name = this.s.slice(start, this.i);
      } else throw this.fail(`Invalid property identifier character: ${c}.`);
      this.skip();
      if (this.s[this.i] !== ':') throw this.fail(`Invalid character after parsing property name. Expected ':' but got: ${this.s[this.i] ?? '\0'}.`);
      this.i++;
      frame.name = name;
      const v = this.value(loading);
      // DuplicatePropertyNameHandling.Replace (JsonLoadSettings' default): the last value wins, in the first one's place.
      if (o.props.has(name)) o.put(name, v); else o.add(name, v);
      if (!this.skip()) throw this.fail(`Unexpected end of content while loading ${loading}.`);
      const d = this.s[this.i];
      if (d === ',') { this.i++; continue; }
      if (d === '}') { this.i++; break; }
      throw this.fail(`After parsing a value an unexpected character was encountered: ${d}.`);
    }
    this.stack.pop();
    return o;
  }

  private array(loading: string): JArray {
    const a = new JArray();
    this.stack.push({ array: true, index: -1 });
    for (;;) {
      if (!this.skip()) throw this.fail(`Unexpected end of content while loading ${loading}.`);
      if (this.s[this.i] === ']') { this.i++; break; }
      a.addContent(this.value(loading));
      if (!this.skip()) throw this.fail(`Unexpected end of content while loading ${loading}.`);
      const d = this.s[this.i];
      if (d === ',') { this.i++; continue; }
      if (d === ']') { this.i++; break; }
      throw this.fail(`After parsing a value an unexpected character was encountered: ${d}.`);
    }
    this.stack.pop();
    return a;
  }
}

const tokenName = (t: JToken): string => (t instanceof JValue ? t.kind : t instanceof JObject ? 'StartObject' : 'StartArray');

export function parseJson(text: string | null, loading: 'JObject' | 'JArray' | 'JToken' = 'JToken'): JToken {
  if (text === null) throw argumentNull('json');
  const r = new Reader(text);
  return r.readRoot(loading, loading === 'JObject' ? 'Object' : loading === 'JArray' ? 'Array' : undefined);
}

// ---- conversions ----

/** The type name Newtonsoft's cast messages print: the token's JTokenType (a property's value's). */
const castTypeName = (t: JToken): string => (t instanceof JProperty ? t.value.kind : t.kind);

const NUMBER_KINDS: readonly TokenKind[] = ['Integer', 'Float', 'String', 'Comment', 'Raw', 'Boolean'];
const STRING_KINDS: readonly TokenKind[] = ['Date', 'Integer', 'Float', 'String', 'Comment', 'Raw', 'Boolean', 'Bytes', 'Guid', 'TimeSpan', 'Uri'];

export type Primitive = 'String' | 'Int32' | 'Int64' | 'Double' | 'Single' | 'Decimal' | 'Boolean' | 'Int16' | 'Byte' | 'Char';

/** Newtonsoft's explicit operators `(int)token`, `(string)token`, `(int?)token`... */
export function explicitCast(token: JToken | null, to: Primitive, nullable: boolean): unknown {
  if (token === null) {
    if (to === 'String' || nullable) return null;
    throw argumentNull('token');
  }
  const v = token instanceof JProperty ? token.value : token;
  const kinds = to === 'String' ? STRING_KINDS : NUMBER_KINDS;
  const isNull = v instanceof JValue && (v.kind === 'Null' || v.kind === 'Undefined');
  if (!(v instanceof JValue) || (!kinds.includes(v.kind) && !((nullable || to === 'String') && isNull))) {
    throw argumentError(`Can not convert ${castTypeName(token)} to ${to}.`);
  }
  if (v.value === null) return null;
  return changeType(v.value, to, v.kind);
}

const INT_RANGES: Readonly<Record<string, [bigint, bigint]>> = {
  Int32: [-2147483648n, 2147483647n], Int16: [-32768n, 32767n], Byte: [0n, 255n], Int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Convert.ChangeType(value, type, InvariantCulture) for the values JSON holds. */
export function changeType(value: unknown, to: Primitive, kind?: TokenKind): unknown {
  switch (to) {
    case 'String':
      if (kind === 'Float' && typeof value === 'number') return formatDouble(value);
      return formatValue(value);
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') {
        const t = value.trim().toLowerCase();
        if (t === 'true' || t === 'false') return t === 'true';
        throw formatError(`String '${value}' was not recognized as a valid Boolean.`);
      }
      return Number(value) !== 0;
    case 'Double': case 'Single': case 'Decimal': {
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'string') return parseDouble(value);
      return Number(value);
    }
    case 'Char':
      if (typeof value === 'string' && value.length === 1) return value;
      throw new DotNetException('System.InvalidCastException', `Invalid cast from '${typeof value === 'string' ? 'String' : 'Int64'}' to 'Char'.`);
    default: {
      const [min, max] = INT_RANGES[to];
      let n: bigint;
      if (typeof value === 'bigint') n = value;
      else if (typeof value === 'boolean') n = value ? 1n : 0n;
      else if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw overflow(`Value was either too large or too small for an ${to}.`);
        n = BigInt(roundHalfEven(value));
      } else if (typeof value === 'string') {
        const t = value.trim();
        if (!/^[+-]?\d+$/.test(t)) throw formatError();
        n = BigInt(t);
      } else throw new DotNetException('System.InvalidCastException', `Unable to cast object to ${to}.`);
      if (n < min || n > max) throw overflow(`Value was either too large or too small for ${to === 'Int32' || to === 'Int16' || to === 'Int64' ? 'an' : 'a'} ${to === 'Byte' ? 'unsigned byte' : to}.`);
      return to === 'Int64' ? n : Number(n);
    }
  }
}

const roundHalfEven = (x: number): number => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

function parseDouble(s: string): number {
  const t = s.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  if (t === 'NaN') return NaN;
  if (t === 'Infinity' || t === '∞') return Infinity;
  if (t === '-Infinity' || t === '-∞') return -Infinity;
  throw formatError();
}

/** implicit operator JToken(x): a JValue of the value's type (int/long → Integer, double → Float). */
export const toToken = (v: unknown, kind?: 'Integer' | 'Float'): JValue =>
  v === null ? JValue.createNull() : kind === 'Float' ? JValue.float(Number(v)) : kind === 'Integer' ? JValue.int(v as number | bigint) : JValue.fromObject(v);

/** JToken.FromObject for the values expressions hold: tokens (copied), dictionaries, sequences, primitives. */
export function fromObject(o: unknown): JToken {
  if (o instanceof JToken) return o.deepClone();
  if (o instanceof KeyValuePair) { const j = new JObject(); j.add('Key', fromObject(o.key)); j.add('Value', fromObject(o.value)); return j; }
  if (o !== null && typeof o === 'object' && typeof (o as { lookup?: unknown }).lookup === 'function') {
    const j = new JObject();
    for (const p of o as Iterable<KeyValuePair<unknown, unknown>>) j.put(formatValue(p.key), fromObject(p.value));
    return j;
  }
  if (o !== null && typeof o === 'object' && !(o instanceof Uint8Array) && Symbol.iterator in o) {
    return JArray.of([...iterate(o as Iterable<unknown>)].map(fromObject));
  }
  if (o !== null && typeof o === 'object' && !(o instanceof Uint8Array)) return JValue.createString(formatValue(o));
  return JValue.fromObject(o);
}

/** JToken.DeepEquals. */
export function deepEquals(a: JToken | null, b: JToken | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (a instanceof JValue && b instanceof JValue) return valueEquals(a, b);
  if (a instanceof JProperty && b instanceof JProperty) return a.name === b.name && deepEquals(a.value, b.value);
  if (a instanceof JArray && b instanceof JArray) return a.items.length === b.items.length && a.items.every((x, i) => deepEquals(x, b.items[i]));
  if (a instanceof JObject && b instanceof JObject) {
    return a.props.size === b.props.size && [...a.props].every(([k, p]) => b.props.has(k) && deepEquals(p.value, b.get(k)));
  }
  return false;
}

export { equalityKey };
