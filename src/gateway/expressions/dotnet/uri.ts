// System.Uri (absolute URIs read by the WHATWG parser, shown the way .NET's Uri shows them: default ports
// hidden in AbsoluteUri but reported by Port, Segments, GetLeftPart), Uri.EscapeDataString and
// System.Net.WebUtility (UrlEncode with '+', HtmlEncode).
import { argumentNull, DotNetException, invalidOperation } from './exceptions.js';

export const UriKind = { RelativeOrAbsolute: 0, Absolute: 1, Relative: 2 } as const;
export const UriPartial = { Scheme: 0, Authority: 1, Path: 2, Query: 3 } as const;

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, ftp: 21, ws: 80, wss: 443 };

const uriFormat = (m: string) => new DotNetException('System.UriFormatException', m);
const relativeOnly = () => invalidOperation('This operation is not supported for a relative URI.');

export class UriImpl {
  readonly dotNetType = 'System.Uri';
  private constructor(readonly originalString: string, private readonly url: URL | null) {}

  /** new Uri(uriString, uriKind); throws UriFormatException like .NET. */
  static create(s: string | null, kind: number = UriKind.Absolute): UriImpl {
    if (s === null) throw argumentNull('uriString');
    const r = UriImpl.tryCreate(s, kind);
    if (typeof r === 'string') throw uriFormat(r);
    return r;
  }

  static tryCreate(s: string, kind: number): UriImpl | string {
    const text = s.trim();
    if (text === '') return kind === UriKind.Absolute ? 'Invalid URI: The URI is empty.' : new UriImpl(s, null);
    const abs = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(text) ? parseAbsolute(text) : null;
    if (abs) {
      if (kind === UriKind.Relative) return 'A relative URI cannot be created because the \'uriString\' parameter represents an absolute URI.';
      return new UriImpl(s, abs);
    }
    if (kind === UriKind.Absolute) return 'Invalid URI: The format of the URI could not be determined.';
    return new UriImpl(s, null);
  }

  static combine(base: UriImpl | null, relative: string | null): UriImpl {
    if (base === null) throw argumentNull('baseUri');
    if (!base.url) throw invalidOperation('This operation is not supported for a relative URI.');
    if (relative === null) throw argumentNull('relativeUri');
    return new UriImpl(relative, new URL(relative, base.url));
  }

  private get u(): URL { if (!this.url) throw relativeOnly(); return this.url; }
  get isAbsoluteUri(): boolean { return this.url !== null; }
  get scheme(): string { return this.u.protocol.slice(0, -1); }
  get host(): string { return this.u.hostname; }
  get port(): number { return this.u.port ? Number(this.u.port) : DEFAULT_PORTS[this.scheme] ?? -1; }
  get isDefaultPort(): boolean { return !this.u.port || DEFAULT_PORTS[this.scheme] === Number(this.u.port); }
  get authority(): string { return this.isDefaultPort ? this.u.hostname : `${this.u.hostname}:${this.u.port}`; }
  get absolutePath(): string { return this.u.pathname || '/'; }
  get localPath(): string { return safeDecode(this.absolutePath); }
  get query(): string { return this.u.search; }
  get fragment(): string { return this.u.hash; }
  get pathAndQuery(): string { return this.absolutePath + this.query; }
  get userInfo(): string { return this.u.username + (this.u.password ? ':' + this.u.password : ''); }
  get absoluteUri(): string {
    const auth = this.u.host ? `//${this.userInfo ? this.userInfo + '@' : ''}${this.authority}` : '';
    return `${this.u.protocol}${auth}${this.absolutePath}${this.query}${this.fragment}`;
  }
  get segments(): string[] {
    const p = this.absolutePath;
    const out: string[] = [];
    let start = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === '/') { out.push(p.slice(start, i + 1)); start = i + 1; }
    if (start < p.length) out.push(p.slice(start));
    return out;
  }
  get isLoopback(): boolean { return ['localhost', '127.0.0.1', '[::1]'].includes(this.host); }
  getLeftPart(part: number): string {
    const u = this.u;
    const base = `${u.protocol}${u.host ? '//' : ''}`;
    switch (part) {
      case UriPartial.Scheme: return base;
      case UriPartial.Authority: return base + (u.host ? (this.userInfo ? this.userInfo + '@' : '') + this.authority : '');
      case UriPartial.Path: return this.getLeftPart(UriPartial.Authority) + this.absolutePath;
      case UriPartial.Query: return this.getLeftPart(UriPartial.Path) + this.query;
      default: throw new DotNetException('System.ArgumentException', `The part parameter value '${part}' is not valid. (Parameter 'part')`);
    }
  }
  equals(o: unknown): boolean {
    if (!(o instanceof UriImpl)) return false;
    if (!this.url || !o.url) return this.originalString === o.originalString;
    return this.absoluteUri.replace(/#.*$/, '') === o.absoluteUri.replace(/#.*$/, '');
  }
  /** ToString(): the canonical form with escapes of unreserved and non-ASCII characters undone. */
  toString(): string {
    if (!this.url) return this.originalString;
    return this.absoluteUri.replace(/(?:%[0-9A-Fa-f]{2})+/g, (seq) => {
      const dec = safeDecode(seq);
      return dec === seq ? seq : [...dec].map((c) => (/[;/?:@&=+$,#%\s]/.test(c) ? encodeURIComponent(c) : c)).join('');
    });
  }
}

function parseAbsolute(text: string): URL | null {
  try {
    const u = new URL(text);
    // Schemes like "a:b" parse in WHATWG as opaque; .NET accepts them too (mailto:, urn:).
    return u;
  } catch { return null; }
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** Uri.EscapeDataString: everything but RFC 3986 unreserved characters, as UTF-8 %XX (upper case). */
export function escapeDataString(s: string | null): string {
  if (s === null) throw argumentNull('stringToEscape');
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Uri.UnescapeDataString: %XX sequences that form UTF-8 are decoded; others stay as written. */
export function unescapeDataString(s: string | null): string {
  if (s === null) throw argumentNull('stringToUnescape');
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (seq) => decodeBytes(seq));
}

function decodeBytes(seq: string): string {
  const bytes = Buffer.from(seq.replace(/%/g, ''), 'hex');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (!text.includes('\ufffd')) return text;
  // Keep undecodable sequences escaped rather than inventing characters.
  try { return decodeURIComponent(seq); } catch { return seq; }
}

export function isWellFormed(s: string | null, kind: number): boolean {
  if (s === null) return false;
  if (/[\s"<>\\^`{|}]/.test(s)) return false;
  const r = UriImpl.tryCreate(s, kind);
  if (typeof r === 'string') return false;
  if (r.isAbsoluteUri && /^https?:/i.test(s) && !/^https?:\/\/[^/]/i.test(s)) return false;
  return true;
}

// ---- WebUtility --------------------------------------------------------------------------------

/** WebUtility.UrlEncode: space → '+', letters, digits and -_.!*() kept, the rest UTF-8 %XX. */
export function urlEncode(s: string | null): string | null {
  if (s === null) return null;
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/~/g, '%7E').replace(/'/g, '%27');
}

export function urlDecode(s: string | null): string | null {
  if (s === null) return null;
  return s.replace(/\+/g, ' ').replace(/(?:%[0-9A-Fa-f]{2})+/g, (seq) => new TextDecoder().decode(Buffer.from(seq.replace(/%/g, ''), 'hex')));
}

export function htmlEncode(s: string | null): string | null {
  if (s === null) return null;
  let out = '';
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (c === '<') out += '&lt;';
    else if (c === '>') out += '&gt;';
    else if (c === '"') out += '&quot;';
    else if (c === '\'') out += '&#39;';
    else if (c === '&') out += '&amp;';
    else if ((cp >= 160 && cp < 256) || cp > 0xffff) out += `&#${cp};`;
    else out += c;
  }
  return out;
}

const ENTITIES = new Map<string, string>([
  ['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', '\''], ['nbsp', '\u00a0'], ['copy', '\u00a9'],
  ['reg', '\u00ae'], ['euro', '\u20ac'], ['trade', '\u2122'], ['hellip', '\u2026'], ['mdash', '\u2014'], ['ndash', '\u2013'],
]);

export function htmlDecode(s: string | null): string | null {
  if (s === null) return null;
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);/gi, (all, body: string) => {
    if (body[0] === '#') {
      const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
    }
    return ENTITIES.get(body) ?? all;
  });
}
