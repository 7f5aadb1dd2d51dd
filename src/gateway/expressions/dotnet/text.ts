// System.Text.StringBuilder, System.Text.Encoding (UTF8, ASCII, Unicode, BigEndianUnicode, UTF32, Latin1),
// System.Guid, System.Random (seeded: .NET's subtractive generator, so a seed gives .NET's sequence).
import { randomBytes, randomUUID } from 'node:crypto';
import { argumentError, argumentNull, argumentOutOfRange, DotNetException, formatError } from './exceptions.js';
import { checkLength, formatComposite, type Formattable } from './composite.js';

export class StringBuilderImpl {
  readonly dotNetType = 'System.Text.StringBuilder';
  private s: string;
  constructor(value: string | null = '', readonly maxCapacity = 0x7fffffff) { this.s = value ?? ''; }
  get length(): number { return this.s.length; }
  set length(n: number) {
    if (n < 0) throw argumentOutOfRange('value', 'Length cannot be less than zero.');
    checkLength(n);
    this.s = n <= this.s.length ? this.s.slice(0, n) : this.s.padEnd(n, '\0');
  }
  charAt(i: number): string {
    if (!Number.isInteger(i) || i < 0 || i >= this.s.length) throw argumentOutOfRange('index', 'Index was out of range. Must be non-negative and less than the size of the collection.');
    return this.s[i];
  }
  setChar(i: number, c: string): void {
    this.charAt(i);
    this.s = this.s.slice(0, i) + c + this.s.slice(i + 1);
  }
  append(text: string): this {
    checkLength(this.s.length + text.length);
    this.s += text;
    return this;
  }
  appendFormat(format: string | null, args: readonly unknown[]): this { return this.append(formatComposite(format, args)); }
  insert(index: number, text: string): this {
    if (index < 0 || index > this.s.length) throw argumentOutOfRange('index', 'Index was out of range. Must be non-negative and less than or equal to the size of the collection.');
    checkLength(this.s.length + text.length);
    this.s = this.s.slice(0, index) + text + this.s.slice(index);
    return this;
  }
  remove(start: number, length: number): this {
    if (length < 0) throw argumentOutOfRange('length', 'Length cannot be less than zero.');
    if (start < 0) throw argumentOutOfRange('startIndex', 'StartIndex cannot be less than zero.');
    if (length > this.s.length - start) throw argumentOutOfRange('length', 'Index was out of range. Must be non-negative and less than the size of the collection.');
    this.s = this.s.slice(0, start) + this.s.slice(start + length);
    return this;
  }
  replace(oldValue: string | null, newValue: string | null, start = 0, count = this.s.length - start): this {
    if (oldValue === null) throw argumentNull('oldValue');
    if (oldValue === '') throw argumentError('The empty string is not a valid value.', 'oldValue');
    if (start < 0 || count < 0 || start > this.s.length - count) throw argumentOutOfRange('startIndex', 'Index was out of range. Must be non-negative and less than the size of the collection.');
    const mid = this.s.slice(start, start + count).split(oldValue).join(newValue ?? '');
    checkLength(this.s.length - count + mid.length);
    this.s = this.s.slice(0, start) + mid + this.s.slice(start + count);
    return this;
  }
  clear(): this { this.s = ''; return this; }
  toString(): string { return this.s; }
  substring(start: number, length: number): string {
    if (start < 0 || length < 0 || start > this.s.length - length) throw argumentOutOfRange('startIndex', 'Index was out of range. Must be non-negative and less than the size of the collection.');
    return this.s.substr(start, length);
  }
}

// ---- Encoding ------------------------------------------------------------------------------------

export type EncodingName = 'utf-8' | 'us-ascii' | 'utf-16' | 'utf-16BE' | 'utf-32' | 'iso-8859-1';

export class EncodingImpl {
  readonly dotNetType = 'System.Text.Encoding';
  constructor(readonly webName: EncodingName, readonly encodingName: string, readonly codePage: number) {}

  getBytes(s: string): Uint8Array {
    switch (this.webName) {
      case 'utf-8': return new Uint8Array(Buffer.from(s, 'utf8'));
      case 'utf-16': return new Uint8Array(Buffer.from(s, 'utf16le'));
      case 'utf-16BE': return new Uint8Array(Buffer.from(s, 'utf16le').swap16());
      case 'us-ascii': return Uint8Array.from(s.split(''), (c) => (c.charCodeAt(0) < 128 ? c.charCodeAt(0) : 0x3f));
      case 'iso-8859-1': return Uint8Array.from(s.split(''), (c) => (c.charCodeAt(0) < 256 ? c.charCodeAt(0) : 0x3f));
      case 'utf-32': {
        const cps = [...s].map((c) => c.codePointAt(0)!);
        const out = new Uint8Array(cps.length * 4);
        const dv = new DataView(out.buffer);
        cps.forEach((cp, i) => dv.setUint32(i * 4, cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp, true));
        return out;
      }
    }
  }

  getString(bytes: Uint8Array): string {
    switch (this.webName) {
      case 'utf-8': return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
      case 'utf-16': return new TextDecoder('utf-16le', { ignoreBOM: true }).decode(bytes);
      case 'utf-16BE': return new TextDecoder('utf-16be', { ignoreBOM: true }).decode(bytes);
      case 'us-ascii': return String.fromCharCode(...Array.from(bytes, (b) => (b < 128 ? b : 0x3f)));
      case 'iso-8859-1': return Array.from(bytes, (b) => String.fromCharCode(b)).join('');
      case 'utf-32': {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        let out = '';
        for (let i = 0; i + 4 <= bytes.length; i += 4) {
          const cp = dv.getUint32(i, true);
          out += cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
        }
        if (bytes.length % 4) out += '\ufffd';
        return out;
      }
    }
  }

  preamble(): Uint8Array {
    switch (this.webName) {
      case 'utf-8': return Uint8Array.of(0xef, 0xbb, 0xbf);
      case 'utf-16': return Uint8Array.of(0xff, 0xfe);
      case 'utf-16BE': return Uint8Array.of(0xfe, 0xff);
      case 'utf-32': return Uint8Array.of(0xff, 0xfe, 0, 0);
      default: return new Uint8Array(0);
    }
  }

  toString(): string { return `System.Text.${this.className}`; }
  private get className(): string {
    return { 'utf-8': 'UTF8Encoding', 'us-ascii': 'ASCIIEncoding', 'utf-16': 'UnicodeEncoding', 'utf-16BE': 'UnicodeEncoding', 'utf-32': 'UTF32Encoding', 'iso-8859-1': 'Latin1Encoding' }[this.webName];
  }
}

export const ENCODINGS = {
  UTF8: new EncodingImpl('utf-8', 'Unicode (UTF-8)', 65001),
  ASCII: new EncodingImpl('us-ascii', 'US-ASCII', 20127),
  Unicode: new EncodingImpl('utf-16', 'Unicode', 1200),
  BigEndianUnicode: new EncodingImpl('utf-16BE', 'Unicode (Big-Endian)', 1201),
  UTF32: new EncodingImpl('utf-32', 'Unicode (UTF-32)', 12000),
  Latin1: new EncodingImpl('iso-8859-1', 'Western European (ISO)', 28591),
} as const;

/** Encoding.GetEncoding(name): the names and code pages .NET Core knows without a provider. */
export function getEncoding(name: string | number | null): EncodingImpl {
  if (name === null) throw argumentNull('name');
  const key = String(name).toLowerCase();
  for (const e of Object.values(ENCODINGS)) {
    if (e.webName.toLowerCase() === key || String(e.codePage) === key) return e;
  }
  const alias: Record<string, EncodingImpl> = { utf8: ENCODINGS.UTF8, ascii: ENCODINGS.ASCII, 'utf-16le': ENCODINGS.Unicode, unicode: ENCODINGS.Unicode, 'utf-16be': ENCODINGS.BigEndianUnicode, latin1: ENCODINGS.Latin1, 'utf-32le': ENCODINGS.UTF32 };
  const e = alias[key];
  if (e) return e;
  if (typeof name === 'number') throw new DotNetException('System.NotSupportedException', `No data is available for encoding ${name}. For information on defining a custom encoding, see the documentation for the Encoding.RegisterProvider method.`);
  throw argumentError(`'${name}' is not a supported encoding name. For information on defining a custom encoding, see the documentation for the Encoding.RegisterProvider method.`, 'name');
}

export function slice(bytes: Uint8Array | null, index: number, count: number, param = 'bytes'): Uint8Array {
  if (bytes === null) throw argumentNull(param);
  if (index < 0 || count < 0) throw argumentOutOfRange(index < 0 ? 'index' : 'count', 'Non-negative number required.');
  if (bytes.length - index < count) throw argumentOutOfRange(param, 'Index and count must refer to a location within the buffer.');
  return bytes.subarray(index, index + count);
}

// ---- Guid ----------------------------------------------------------------------------------------

export class GuidImpl implements Formattable {
  readonly dotNetType = 'System.Guid';
  /** The 'D' form, made once (ToString() is what a Guid is used for: an id in a header or a log line). */
  private dashed: string | undefined = undefined;
  /** `hex`: 32 lower-case hex digits in display order. */
  constructor(readonly hex: string) {}
  /** From a UUID's 'D' form in lower case, as randomUUID() writes it (and the gateway's request ids). */
  static fromUuid(d: string): GuidImpl {
    const g = new GuidImpl(d.slice(0, 8) + d.slice(9, 13) + d.slice(14, 18) + d.slice(19, 23) + d.slice(24));
    g.dashed = d;
    return g;
  }
  static newGuid(): GuidImpl { return GuidImpl.fromUuid(randomUUID()); }
  static empty(): GuidImpl { return new GuidImpl('0'.repeat(32)); }
  /** Guid(byte[]): the first three fields are little-endian, as .NET stores them. */
  static fromBytes(b: Uint8Array | null): GuidImpl {
    if (b === null) throw argumentNull('b');
    if (b.length !== 16) throw argumentError('Byte array for Guid must be exactly 16 bytes long.', 'b');
    const h = Buffer.from(b).toString('hex');
    const sw = (s: string) => s.match(/../g)!.reverse().join('');
    return new GuidImpl(sw(h.slice(0, 8)) + sw(h.slice(8, 12)) + sw(h.slice(12, 16)) + h.slice(16));
  }
  toByteArray(): Uint8Array {
    const h = this.hex;
    const sw = (s: string) => s.match(/../g)!.reverse().join('');
    return new Uint8Array(Buffer.from(sw(h.slice(0, 8)) + sw(h.slice(8, 12)) + sw(h.slice(12, 16)) + h.slice(16), 'hex'));
  }
  toString(): string { return this.toStringFormat(null); }
  toStringFormat(format: string | null): string {
    const h = this.hex;
    const d = this.dashed ??= `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    switch (format ?? 'D') {
      case '': case 'D': case 'd': return d;
      case 'N': case 'n': return h;
      case 'B': case 'b': return `{${d}}`;
      case 'P': case 'p': return `(${d})`;
      case 'X': case 'x': {
        const b = h.slice(16).match(/../g)!.map((x) => `0x${x}`).join(',');
        return `{0x${h.slice(0, 8)},0x${h.slice(8, 12)},0x${h.slice(12, 16)},{${b}}}`;
      }
      default: throw formatError('Format string can be only "D", "d", "N", "n", "P", "p", "B", "b", "X" or "x".');
    }
  }
  equals(o: unknown): boolean { return o instanceof GuidImpl && o.hex === this.hex; }
  compare(o: GuidImpl): number { return this.hex < o.hex ? -1 : this.hex > o.hex ? 1 : 0; }
}

const GUID_FORMS: Record<string, RegExp> = {
  N: /^[0-9a-f]{32}$/i,
  D: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  B: /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i,
  P: /^\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)$/i,
};
const GUID_X = /^\{0x([0-9a-f]{1,8}),0x([0-9a-f]{1,4}),0x([0-9a-f]{1,4}),\{((?:0x[0-9a-f]{1,2},){7}0x[0-9a-f]{1,2})\}\}$/i;

/** Guid.Parse / ParseExact: N, D, B, P and X forms (white space around is allowed by Parse). */
export function parseGuid(s: string, exact?: string): GuidImpl | null {
  const t = exact ? s : s.trim();
  const forms = exact ? [exact.toUpperCase()] : ['N', 'D', 'B', 'P', 'X'];
  for (const f of forms) {
    if (f === 'X') {
      const m = GUID_X.exec(t.replace(/\s/g, ''));
      if (m) {
        const bytes = m[4].split(',').map((x) => x.slice(2).padStart(2, '0')).join('');
        return new GuidImpl((m[1].padStart(8, '0') + m[2].padStart(4, '0') + m[3].padStart(4, '0') + bytes).toLowerCase());
      }
    } else if (GUID_FORMS[f]?.test(t)) return new GuidImpl(t.replace(/[^0-9a-f]/gi, '').toLowerCase());
  }
  return null;
}

export const badGuid = () => formatError('Unrecognized Guid format.');

// ---- Random --------------------------------------------------------------------------------------

const MBIG = 0x7fffffff, MSEED = 161803398;

/** System.Random: with a seed, .NET's Knuth subtractive generator (same numbers as .NET); without, crypto-random. */
export class RandomImpl {
  readonly dotNetType = 'System.Random';
  private readonly seed: number[] | null;
  private inext = 0;
  private inextp = 21;
  constructor(seed?: number) {
    if (seed === undefined) { this.seed = null; return; }
    const a = new Array<number>(56).fill(0);
    const sub = seed === -2147483648 ? 2147483647 : Math.abs(seed);
    let mj = MSEED - sub;
    a[55] = mj;
    let mk = 1;
    for (let i = 1; i < 55; i++) {
      const ii = (21 * i) % 55;
      a[ii] = mk;
      mk = mj - mk;
      if (mk < 0) mk += MBIG;
      mj = a[ii];
    }
    for (let k = 1; k < 5; k++) {
      for (let i = 1; i < 56; i++) {
        a[i] -= a[1 + ((i + 30) % 55)];
        if (a[i] < 0) a[i] += MBIG;
      }
    }
    this.seed = a;
  }
  private internalSample(): number {
    if (!this.seed) return (randomBytes(4).readUInt32LE(0) >>> 1) % MBIG;
    let n = this.inext + 1; if (n >= 56) n = 1;
    let p = this.inextp + 1; if (p >= 56) p = 1;
    let r = this.seed[n] - this.seed[p];
    if (r === MBIG) r--;
    if (r < 0) r += MBIG;
    this.seed[n] = r;
    this.inext = n; this.inextp = p;
    return r;
  }
  private sample(): number { return this.internalSample() * (1.0 / MBIG); }
  next(): number { return this.internalSample(); }
  nextMax(max: number): number {
    if (max < 0) throw argumentOutOfRange('maxValue', "'maxValue' must be greater than zero.");
    return Math.trunc(this.sample() * max);
  }
  nextRange(min: number, max: number): number {
    if (min > max) throw argumentOutOfRange('minValue', `'minValue' cannot be greater than maxValue.`);
    const range = max - min;
    if (range <= 0x7fffffff) return Math.trunc(this.sample() * range) + min;
    // Large ranges combine two samples, as .NET's GetSampleForLargeRange.
    let r = this.internalSample();
    if (this.internalSample() % 2 === 0) r = -r;
    const d = (r + 2147483646.0) / (2.0 * 2147483647 - 1);
    return Math.trunc(d * range) + min;
  }
  nextDouble(): number { return this.sample(); }
  nextBytes(buffer: Uint8Array | null): void {
    if (buffer === null) throw argumentNull('buffer');
    for (let i = 0; i < buffer.length; i++) buffer[i] = this.internalSample() & 0xff;
  }
  toString(): string { return 'System.Random'; }
}
