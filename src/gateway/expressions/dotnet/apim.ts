// API Management's own expression helpers: Jwt (AsJwt/TryParseJwt: the token is read, not validated),
// BasicAuthCredentials (AsBasic/TryParseBasic), comma-joined GetValueOrDefault over string[] maps, and
// form data (AsFormUrlEncodedContent/ToFormUrlEncodedContent). Shapes follow Microsoft's policy
// expressions reference and its policy toolkit emulator (Azure/azure-api-management-policy-toolkit).
import { Dictionary, List, StringComparer, type ReadOnlyDictionaryView } from './collections.js';
import { formatDouble } from './numfmt.js';
import { JArray, JObject, JValue, parseJson, type JToken } from './json.js';

/** Claims: names compared ignoring case; a missing claim reads as no values, as APIM's claim map does. */
export class ClaimsDictionary implements ReadOnlyDictionaryView<string, string[]> {
  constructor(private readonly claims: Dictionary<string, string[]>) {}
  get count(): number { return this.claims.count; }
  lookup(key: string): string[] | undefined { return this.claims.lookup(key); }
  /** The indexer: [] for a claim the token does not have. */
  item(key: string): string[] { return this.claims.lookup(key) ?? []; }
  keyList(): string[] { return this.claims.keyList(); }
  valueList(): string[][] { return this.claims.valueList(); }
  [Symbol.iterator]() { return this.claims[Symbol.iterator](); }
  toString(): string { return 'System.Collections.Generic.Dictionary`2[System.String,System.String[]]'; }
}

export class Jwt {
  constructor(
    readonly algorithm: string, readonly type: string, readonly claims: ClaimsDictionary,
    /** exp/nbf/iat in Unix seconds (DateTime? once the DateTime type is merged: see report). */
    readonly expirationSeconds: bigint | null, readonly notBeforeSeconds: bigint | null, readonly issuedAtSeconds: bigint | null,
  ) {}
  private firstClaim(name: string): string { return this.claims.lookup(name)?.[0] ?? ''; }
  get id(): string { return this.firstClaim('jti'); }
  get issuer(): string { return this.firstClaim('iss'); }
  get subject(): string { return this.firstClaim('sub'); }
  get audiences(): string[] { return [...(this.claims.lookup('aud') ?? [])]; }
  toString(): string { return 'Jwt'; }
}

function base64UrlJson(segment: string): JObject | null {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(segment)) return null;
  const text = Buffer.from(segment, 'base64url').toString('utf8');
  try {
    const t = parseJson(text);
    return t instanceof JObject ? t : null;
  } catch { return null; }
}

const claimText = (t: JToken): string =>
  t instanceof JValue ? (t.kind === 'String' ? String(t.value) : t.kind === 'Float' ? formatDouble(t.value as number) : t.kind === 'Boolean' ? String(t.value) : t.toJson(false)) : t.toJson(false);

/** string.AsJwt(): the token's header and claims, or null when the text is not a JWT. */
export function parseJwt(value: string | null): Jwt | null {
  if (value === null || value.trim() === '') return null;
  let token = value.trim();
  if (/^bearer /i.test(token)) token = token.slice(7).trim();
  const parts = token.split('.');
  if (parts.length < 2) return null;
  const header = base64UrlJson(parts[0]);
  const payload = base64UrlJson(parts[1]);
  if (!header || !payload) return null;
  const claims = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
  for (const p of payload.properties()) {
    const v = p.value;
    claims.set(p.name, v instanceof JArray ? v.items.map(claimText) : v instanceof JValue && v.value === null ? [] : [claimText(v)]);
  }
  const seconds = (name: string): bigint | null => {
    const v = claims.lookup(name)?.[0];
    return v !== undefined && /^-?\d+$/.test(v) ? BigInt(v) : null;
  };
  const headerText = (name: string) => { const h = header.get(name); return h instanceof JValue && h.kind === 'String' ? String(h.value) : ''; };
  return new Jwt(headerText('alg'), headerText('typ'), new ClaimsDictionary(claims), seconds('exp'), seconds('nbf'), seconds('iat'));
}

export class BasicAuthCredentials {
  constructor(readonly userId: string, readonly password: string) {}
  toString(): string { return 'BasicAuthCredentials'; }
}

/** string.AsBasic(): `Basic base64(user:password)` (ISO-8859-1), split at the first colon (RFC 7617); null otherwise. */
export function parseBasic(value: string | null): BasicAuthCredentials | null {
  if (value === null) return null;
  const m = /^\s*Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/.exec(value);
  if (!m || m[1].length % 4 !== 0) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('latin1');
  const i = decoded.indexOf(':');
  return i > 0 ? new BasicAuthCredentials(decoded.slice(0, i), decoded.slice(i + 1)) : null;
}

/** GetValueOrDefault over headers, query and claims: the values joined by commas. */
export function joinedValueOrDefault(d: ReadOnlyDictionaryView<string, string[] | null>, name: string, defaultValue: string | null): string | null {
  const v = d.lookup(name);
  return v === undefined || v === null ? defaultValue : v.join(',');
}

// UrlEncoder.Default: everything but unreserved characters percent-encoded (UTF-8, upper-case hex).
const urlEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const urlDecode = (s: string): string => {
  try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; }
};

/** application/x-www-form-urlencoded text as IDictionary<string, IList<string>> (repeated names collect values). */
export function parseFormUrlEncoded(text: string): Dictionary<string, List<string>> {
  const d = new Dictionary<string, List<string>>(StringComparer.Ordinal);
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = urlDecode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : urlDecode(pair.slice(eq + 1));
    const list = d.lookup(name);
    if (list) list.push(value); else d.add(name, List.fromIterable([value]));
  }
  return d;
}

/** IDictionary<string, IList<string>>.ToFormUrlEncodedContent(): null for an empty or null map. */
export function toFormUrlEncoded(d: ReadOnlyDictionaryView<string, Iterable<string> | null> | null): string | null {
  if (d === null || d.count === 0) return null;
  const parts: string[] = [];
  for (const p of d) for (const v of p.value ?? []) parts.push(`${urlEncode(p.key)}=${urlEncode(v)}`);
  return parts.join('&');
}
