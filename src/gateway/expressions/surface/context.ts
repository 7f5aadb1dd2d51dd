// `context`: API Management's IProxyRequestContext and the interfaces it hands out (IRequest, IResponse,
// IUrl, IMessageBody, ...), read from the request's GatewayContext. Member names and types are those of
// Microsoft's policy expressions reference; members APIM gives as null (Subscription without a key, User
// without a user) are null here too.
import { RECEIVER, type PropertyDef, type TypeSpec } from './define.js';
import type { TypeRef } from './types.js';
import { GatewayResponse, type GatewayContext } from '../../runtime/context.js';
import { DotNetException } from '../dotnet/exceptions.js';
import { BackendStream } from '../../runtime/backend.js';
import { Dictionary, KeyValuePair, StringComparer, type ReadOnlyDictionaryView } from '../dotnet/collections.js';
import { parseJson } from '../dotnet/json.js';
import { GuidImpl } from '../dotnet/text.js';
import { randomUUID, type X509Certificate } from 'node:crypto';
import { parseFormUrlEncoded } from '../dotnet/apim.js';
import { parseElement, parseXml } from '../dotnet/xml.js';
import { DateTime, Kind, TimeSpan, TICKS_PER_MS, UNIX_EPOCH_TICKS } from '../dotnet/datetime.js';

/** A URL as IUrl gives it; the parts are computed when first read (most expressions read one). */
export class UrlView {
  private parts: { scheme: string; host: string; port: number } | undefined;
  /** `query`: the raw query string without its `?` (built strings are avoided: reading them costs a copy). */
  constructor(private readonly origin: () => string, private readonly rawPath: string, private readonly query_: string) {}
  static parse(url: string): UrlView | null {
    let u: URL;
    try { u = new URL(url); } catch { return null; }
    return new UrlView(() => u.origin, u.pathname, u.search.slice(1));
  }
  get queryString(): string { return this.query_ ? `?${this.query_}` : ''; }
  private split(): { scheme: string; host: string; port: number } {
    if (this.parts) return this.parts;
    const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^:/]*)(?::(\d+))?/i.exec(this.origin());
    const scheme = (m?.[1] ?? 'https').toLowerCase();
    return (this.parts = { scheme, host: m?.[2] ?? '', port: m?.[3] ? Number(m[3]) : scheme === 'https' ? 443 : 80 });
  }
  get scheme(): string { return this.split().scheme; }
  get host(): string { return this.split().host; }
  get port(): number { return this.split().port; }
  get path(): string { return safeDecode(this.rawPath); }
  query(): StringValuesDictionary { return new QueryValues(this.query_); }
  toString(): string {
    const { scheme, host, port } = this.split();
    const defaultPort = (scheme === 'https' && port === 443) || (scheme === 'http' && port === 80);
    return `${scheme}://${host}${defaultPort ? '' : `:${port}`}${this.rawPath}${this.queryString}`;
  }
}

/**
 * Headers and query parameters (IReadOnlyDictionary<string, string[]>): names compared case-insensitively,
 * each with its values. Views over the live data, built when read, so an expression sees what earlier
 * policies set and a lookup costs what a hand-written one would.
 */
export abstract class StringValuesDictionary implements ReadOnlyDictionaryView<string, string[]> {
  get dotNetType(): string { return 'System.Collections.Generic.IReadOnlyDictionary`2'; }
  abstract get(name: string): string[] | undefined;
  abstract entries(): [string, string[]][];
  has(name: string): boolean { return this.get(name) !== undefined; }
  // ReadOnlyDictionaryView: what the collections surface (IReadOnlyDictionary members, LINQ) reads.
  get count(): number { return this.entries().length; }
  lookup(name: string): string[] | undefined { return this.get(name); }
  keyList(): string[] { return this.entries().map(([k]) => k); }
  valueList(): string[][] { return this.entries().map(([, v]) => v); }
  get size(): number { return this.count; }
  keys(): string[] { return this.keyList(); }
  *[Symbol.iterator](): Iterator<KeyValuePair<string, string[]>> { for (const [k, v] of this.entries()) yield new KeyValuePair(k, v); }
  /** APIM's GetValueOrDefault: the values joined with a comma, or the default. */
  valueOrDefault(name: string, dflt: string | null): string | null {
    const v = this.get(name);
    return v === undefined ? dflt : v.length === 1 ? v[0] : v.join(',');
  }
}

const own = Object.prototype.hasOwnProperty;

/** Headers as node and the policies keep them: lower-cased names, a string or (repeated) an array. */
type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * A header's raw value (a string, or an array for a repeated header): the name as given, then
 * lower-cased; own properties only (never `constructor`).
 */
function rawHeader(h: HeaderBag, name: string, lower?: string): string | string[] | undefined {
  let v = h[name];
  if (v !== undefined && own.call(h, name)) return v;
  lower ??= name.toLowerCase();
  if (lower === name) return undefined;
  v = h[lower];
  return v !== undefined && own.call(h, lower) ? v : undefined;
}

/** Request or response headers: node keeps their names lower-cased. */
class HeaderValues extends StringValuesDictionary {
  constructor(private readonly h: HeaderBag) { super(); }
  private raw(name: string): string | string[] | undefined { return rawHeader(this.h, name); }
  get(name: string): string[] | undefined {
    const v = this.raw(name);
    return v === undefined ? undefined : Array.isArray(v) ? v : [v];
  }
  override valueOrDefault(name: string, dflt: string | null): string | null {
    const v = this.raw(name);
    return v === undefined ? dflt : Array.isArray(v) ? v.join(',') : v;
  }
  entries(): [string, string[]][] {
    return Object.keys(this.h).filter((k) => this.h[k] !== undefined).map((k) => [k, this.get(k)!]);
  }
}

/** Query parameters of a raw query string (`?a=1&b=2`), parsed on first use. */
class QueryValues extends StringValuesDictionary {
  private parsed: Map<string, [string, string[]]> | undefined;
  constructor(private readonly raw: string) { super(); }
  private map(): Map<string, [string, string[]]> {
    if (this.parsed) return this.parsed;
    const m = new Map<string, [string, string[]]>();
    for (const [k, v] of new URLSearchParams(this.raw)) {
      const lower = k.toLowerCase();
      const e = m.get(lower);
      if (e) e[1].push(v); else m.set(lower, [k, [v]]);
    }
    return (this.parsed = m);
  }
  get(name: string): string[] | undefined {
    if (this.parsed) return this.parsed.get(name.toLowerCase())?.[1];
    // One name looked up (the usual case): scan the pairs in place, decoding only names that can match.
    const want = name.toLowerCase();
    const raw = this.raw;
    let out: string[] | undefined;
    let i = raw.charCodeAt(0) === 63 /* ? */ ? 1 : 0;
    while (i < raw.length) {
      let end = raw.indexOf('&', i);
      if (end < 0) end = raw.length;
      let eq = raw.indexOf('=', i);
      if (eq < 0 || eq > end) eq = end;
      let encoded = false;
      for (let k = i; k < eq; k++) { const c = raw.charCodeAt(k); if (c === 37 /* % */ || c === 43 /* + */) { encoded = true; break; } }
      const matches = encoded ? formDecode(raw.slice(i, eq)).toLowerCase() === want
        : eq - i === want.length && raw.slice(i, eq).toLowerCase() === want;
      if (matches) {
        const value = eq < end ? raw.slice(eq + 1, end) : '';
        (out ??= []).push(value.includes('%') || value.includes('+') ? formDecode(value) : value);
      }
      i = end + 1;
    }
    return out;
  }
  entries(): [string, string[]][] { return [...this.map().values()]; }
}

function headersOf(h: HeaderBag): StringValuesDictionary {
  return new HeaderValues(h);
}

// IRequest.Headers and IResponse.Headers, and the bag each reads (see headerBagReader).
const requestHeaderBag = (c: GatewayContext): HeaderBag => c.headers;
const responseHeaderBag = (r: GatewayResponse): HeaderBag => r.headers;
const requestHeaders = (c: GatewayContext) => headersOf(requestHeaderBag(c));
const responseHeaders = (r: GatewayResponse) => headersOf(responseHeaderBag(r));
const HEADER_BAGS = new Map<unknown, (self: never) => HeaderBag>([[requestHeaders, requestHeaderBag], [responseHeaders, responseHeaderBag]]);

/** The header bag behind a `Headers` property (request or response), for fused lookups; undefined for other properties. */
export function headerBagReader(p: PropertyDef): ((self: never) => HeaderBag) | undefined {
  return HEADER_BAGS.get(p.get);
}

/**
 * `Headers.GetValueOrDefault(name, default)` with both known when compiling, read straight from the bag:
 * the same answer as HeaderValues.valueOrDefault (values comma-joined, the default when absent) without
 * building the view. The lower-cased name is worked out once.
 */
export function headerValueOrDefault<S>(bag: (self: S) => HeaderBag, name: string, dflt: string | null): (self: S) => string | null {
  const lower = name.toLowerCase();
  if (lower === name && !(name in Object.prototype)) {
    // The usual case (a name as node stores it, which no object inherits): one property read, and a value
    // found can only be the bag's own.
    return (self) => {
      const v = bag(self)[name];
      return v === undefined ? dflt : Array.isArray(v) ? v.join(',') : v;
    };
  }
  // Mixed case (the exact name, then lower-cased) or an inherited name (`constructor`: own values only).
  return (self) => {
    const v = rawHeader(bag(self), name, lower);
    return v === undefined ? dflt : Array.isArray(v) ? v.join(',') : v;
  };
}

/** A message body: the request's (buffered before the expression ran) or a response's. */
export class MessageBody {
  constructor(private readonly read: () => Buffer | undefined, private readonly consume: () => void) {}
  bytes(preserve: boolean): Buffer {
    const b = this.read() ?? Buffer.alloc(0);
    if (!preserve) this.consume();
    return b;
  }
}

/** How IMessageBody.As<T> makes a T from bytes: filled in by the modules that define JSON and XML types. */
export const BODY_READERS = new Map<string, (text: string) => unknown>([
  ['String', (s) => s],
  ['JObject', (s) => parseJson(s, 'JObject')],
  ['JArray', (s) => parseJson(s, 'JArray')],
  ['JToken', (s) => parseJson(s, 'JToken')],
  ['XDocument', (s) => parseXml(s)],
  ['XElement', (s) => parseElement(s)],
]);

function bodyAs(body: MessageBody, preserve: boolean, typeArgs: TypeRef[]): unknown {
  const target = typeArgs[0];
  const bytes = body.bytes(preserve);
  if (target.name === '[]' && target.args[0].name === 'Byte') return new Uint8Array(bytes);
  const reader = BODY_READERS.get(target.name);
  if (!reader) throw new DotNetException('System.InvalidOperationException', `Body cannot be read as '${target.name}'.`);
  return reader(bytes.toString('utf8'));
}

function requestBody(ctx: GatewayContext): MessageBody {
  return new MessageBody(() => ctx.requestBody, () => { ctx.requestBody = Buffer.alloc(0); });
}

function responseBody(r: GatewayResponse): MessageBody {
  return new MessageBody(
    () => (r.body === undefined || r.body instanceof BackendStream ? undefined : typeof r.body === 'string' ? Buffer.from(r.body) : r.body),
    () => { r.body = Buffer.alloc(0); },
  );
}

const EMPTY_RESPONSE = new GatewayResponse(200, {});

/** What expressions see as context.Api, .Operation, .Product, .Subscription. */
class Named { constructor(readonly id: string, readonly name: string) {} }

/** The incoming request's origin: the scheme it came on and its Host header. */
const incomingOrigin = (ctx: GatewayContext) => `${ctx.secure ? 'https' : 'http'}://${ctx.host}`;

/**
 * context.Request.Url: the URL the request is forwarded to, as API Management computes it before inbound
 * runs (the backend's origin and base path, then the operation path), so set-backend-service and
 * rewrite-uri show in it.
 */
export const requestUrl = (ctx: GatewayContext): UrlView => {
  return new UrlView(() => ctx.backendOrigin || incomingOrigin(ctx), ctx.backendBasePath ? `${ctx.backendBasePath}${ctx.path}` : ctx.path, ctx.queryString());
};

/** context.Request.OriginalUrl: what the client asked the gateway for. */
export const originalUrl = (ctx: GatewayContext): UrlView => {
  const raw = ctx.req.url ?? '/';
  const qi = raw.indexOf('?');
  return new UrlView(() => incomingOrigin(ctx), qi < 0 ? raw : raw.slice(0, qi), qi < 0 ? '' : raw.slice(qi + 1));
};

function safeDecode(s: string): string { try { return decodeURIComponent(s); } catch { return s; } }

/** application/x-www-form-urlencoded decoding of one name or value, as URLSearchParams decodes it. */
function formDecode(s: string): string {
  return new URLSearchParams(`a=${s}`).get('a') ?? '';
}

const ctxOf = (v: unknown) => v as GatewayContext;

export const contextTypes: TypeSpec[] = [
  {
    name: 'IProxyRequestContext', namespace: 'Microsoft.Azure.ApiManagement.Proxy',
    is: (v) => v !== null && typeof v === 'object' && 'req' in (v as object) && 'variables' in (v as object),
    instance: {
      'Api: IApi': (c: GatewayContext) => (c.api ? new ApiView(c) : null),
      'Operation: IOperation': (c: GatewayContext) => (c.operation ? new Named(c.operation.name, c.operation.name) : null),
      'Product: IProduct': (c: GatewayContext) => (c.productName ? new Named(c.productName, c.productName) : null),
      'Subscription: ISubscription': (c: GatewayContext) => (c.subscription ? new Named(c.subscription.name, c.subscription.name) : null),
      'User: IUser': () => null,
      'Request: IRequest': RECEIVER,
      'Response: IResponse': (c: GatewayContext) => c.response ?? EMPTY_RESPONSE,
      'Variables: VariableDictionary': (c: GatewayContext) => new VariablesView(c.variables),
      'LastError: ILastError': (c: GatewayContext) => c.lastError ?? null,
      'Tracing: bool': (c: GatewayContext) => c.trace !== undefined,
      'Deployment: IDeployment': RECEIVER,
      // The same id the gateway reports as the activity id of this call's error answers and traces.
      'RequestId: Guid': (c: GatewayContext) => {
        if (c.requestId === '') c.requestId = randomUUID();
        return GuidImpl.fromUuid(c.requestId);
      },
      'Timestamp: DateTime': (c: GatewayContext) => new DateTime(BigInt(c.started) * TICKS_PER_MS + UNIX_EPOCH_TICKS, Kind.Utc),
      'Elapsed: TimeSpan': (c: GatewayContext) => new TimeSpan(BigInt(Math.max(0, Date.now() - c.started)) * TICKS_PER_MS),
      'Trace(string message): void': (c: GatewayContext, message: string) => { c.trace?.message({ source: 'expression', severity: 'verbose', message: message ?? '', metadata: {} }); return null; },
    },
  },
  {
    name: 'IDeployment', namespace: 'Microsoft.Azure.ApiManagement.Proxy',
    instance: {
      // "managed" is what API Management's own gateway reports (a self-hosted one gives its gateway id).
      'GatewayId: string': () => 'managed',
      'Region: string': () => 'local',
      'ServiceId: string': (c: GatewayContext) => c.instanceId,
      'ServiceName: string': (c: GatewayContext) => c.instanceId.slice(c.instanceId.lastIndexOf('/') + 1),
      // The instance's certificates (the `certificates` entities) by thumbprint, a new dictionary per read.
      'Certificates: IReadOnlyDictionary<string,X509Certificate2>': (c: GatewayContext) => {
        const d = new Dictionary<string, X509Certificate>(StringComparer.OrdinalIgnoreCase);
        for (const cert of c.certificates?.all() ?? []) d.set(cert.thumbprint, cert.certificate);
        return d;
      },
    },
  },
  {
    name: 'IApi', namespace: 'Microsoft.Azure.ApiManagement.Proxy',
    is: (v) => v instanceof ApiView,
    instance: {
      'Id: string': (a: ApiView) => a.ctx.api.name,
      'Name: string': (a: ApiView) => a.ctx.api.config.displayName ?? a.ctx.api.name,
      'Path: string': (a: ApiView) => a.ctx.api.config.path,
      'ServiceUrl: IUrl': (a: ApiView) => (a.ctx.api.config.serviceUrl ? UrlView.parse(a.ctx.api.config.serviceUrl) : null),
      'Version: string': (a: ApiView) => (a.ctx.api.config as { apiVersion?: string }).apiVersion ?? null,
      'Revision: string': (a: ApiView) => (a.ctx.api.config as { apiRevision?: string }).apiRevision ?? '1',
      'IsCurrentRevision: bool': () => true,
      'Protocols: IEnumerable<string>': (a: ApiView) => [...(a.ctx.api.http ? ['http'] : []), ...(a.ctx.api.https ? ['https'] : [])],
    },
  },
  {
    name: 'IOperation', namespace: 'Microsoft.Azure.ApiManagement.Proxy',
    is: (v) => v instanceof Named,
    instance: {
      'Id: string': (o: Named) => o.id,
      'Name: string': (o: Named) => o.name,
    },
  },
  ...['IProduct', 'ISubscription', 'IUser'].map((name): TypeSpec => ({
    name, namespace: 'Microsoft.Azure.ApiManagement.Proxy',
    is: (v) => v instanceof Named,
    instance: { 'Id: string': (o: Named) => o.id, 'Name: string': (o: Named) => o.name },
  })),
  {
    name: 'IRequest', namespace: 'Microsoft.Azure.ApiManagement.Proxy',
    instance: {
      'Method: string': (c: GatewayContext) => c.method,
      'Url: IUrl': (c: GatewayContext) => requestUrl(c),
      'OriginalUrl: IUrl': (c: GatewayContext) => originalUrl(c),
      'Headers: HeaderDictionary': requestHeaders,
      'IpAddress: string': (c: GatewayContext) => (c.req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      'MatchedParameters: ParameterDictionary': (c: GatewayContext) => new VariablesView(new Map(Object.entries(c.matchedParameters ?? {}))),
      'Body: IMessageBody': (c: GatewayContext) => (c.requestBody === undefined && c.requestBodyConsumed ? null : requestBody(c)),
      'Certificate: X509Certificate2': (c: GatewayContext) => c.clientCertificate ?? null,
    },
  },
  {
    name: 'IResponse', namespace: 'Microsoft.Azure.ApiManagement.Proxy',
    is: (v) => v instanceof GatewayResponse,
    instance: {
      'StatusCode: int': (r: GatewayResponse) => r.status,
      'StatusReason: string': (r: GatewayResponse) => r.reason ?? null,
      'Headers: HeaderDictionary': responseHeaders,
      'Body: IMessageBody': (r: GatewayResponse) => responseBody(r),
    },
  },
  {
    name: 'IMessageBody', namespace: 'Microsoft.Azure.ApiManagement.Proxy',
    is: (v) => v instanceof MessageBody,
    instance: {
      'As<T>(bool preserveContent = false): T': (b: MessageBody, preserve: boolean, typeArgs: TypeRef[]) => bodyAs(b, preserve, typeArgs),
      'AsFormUrlEncodedContent(bool preserveContent = false): IDictionary<string, IList<string>>': (b: MessageBody, preserve: boolean) =>
        parseFormUrlEncoded(b.bytes(preserve).toString('utf8')),
    },
  },
  {
    name: 'IUrl', namespace: 'Microsoft.Azure.ApiManagement.Proxy',
    is: (v) => v instanceof UrlView,
    instance: {
      'Scheme: string': (u: UrlView) => u.scheme,
      'Host: string': (u: UrlView) => u.host,
      'Port: int': (u: UrlView) => u.port,
      'Path: string': (u: UrlView) => u.path,
      'QueryString: string': (u: UrlView) => u.queryString,
      'Query: HeaderDictionary': (u: UrlView) => u.query(),
      'ToString(): string': (u: UrlView) => u.toString(),
    },
  },
  {
    name: 'ILastError', namespace: 'Microsoft.Azure.ApiManagement.Proxy',
    instance: {
      'Source: string': (e: LastErrorLike) => e.source,
      'Reason: string': (e: LastErrorLike) => e.reason,
      'Message: string': (e: LastErrorLike) => e.message,
      'Scope: string': (e: LastErrorLike) => e.scope,
      'Section: string': (e: LastErrorLike) => e.section,
      'Path: string': (e: LastErrorLike) => e.path,
      'PolicyId: string': (e: LastErrorLike) => e.policyId,
    },
  },
  // Headers and query parameters (IReadOnlyDictionary<string, string[]>), variables and matched parameters
  // (IReadOnlyDictionary<string, object>): concrete types with APIM's members (GetValueOrDefault joins
  // header values with a comma); LINQ reaches them through IEnumerable<KeyValuePair<...>>.
  ...([['HeaderDictionary', 'string[]'], ['VariableDictionary', 'object'], ['ParameterDictionary', 'string']] as const).map(([name, value]): TypeSpec => ({
    name, namespace: 'Microsoft.Azure.ApiManagement.Proxy', typeParams: [],
    implements: [`IReadOnlyDictionary<string, ${value}>`, `IEnumerable<KeyValuePair<string, ${value}>>`],
    is: (v) => (name === 'HeaderDictionary' ? v instanceof StringValuesDictionary : v instanceof VariablesView),
    instance: {
      'Count: int': (d: DictLike) => d.size,
      'Keys: IEnumerable<string>': (d: DictLike) => d.keys(),
      'ContainsKey(string key): bool': (d: DictLike, k: string) => d.has(k),
      [`this[string key]: ${value}`]: (d: DictLike, k: string) => {
        const v = d.get(k);
        if (v === undefined) throw new DotNetException('System.Collections.Generic.KeyNotFoundException', `The given key '${k}' was not present in the dictionary.`);
        return v;
      },
      [`TryGetValue(string key, out ${value} value): bool`]: (d: DictLike, k: string, box: { value: unknown }) => {
        const v = d.get(k);
        box.value = v === undefined ? null : v;
        return v !== undefined;
      },
      'GetValueOrDefault(string key, string defaultValue): string': (d: DictLike, k: string, dflt: string | null) => valueOrDefault(d, k, dflt),
      'GetValueOrDefault<T>(string variableName): T': (d: DictLike, k: string) => variableOrDefault(d, k, null),
      'GetValueOrDefault<T>(string variableName, T defaultValue): T': (d: DictLike, k: string, dflt: unknown) => variableOrDefault(d, k, dflt),
    },
  })),
];

interface LastErrorLike { source: string; reason: string; message: string; scope: string; section: string; path: string; policyId: string }
type DictLike = StringValuesDictionary | VariablesView;

class ApiView { constructor(readonly ctx: GatewayContext) {} }

/** context.Variables and MatchedParameters: names are case-sensitive, as in APIM. */
export class VariablesView implements ReadOnlyDictionaryView<string, unknown> {
  get dotNetType(): string { return 'System.Collections.Generic.IReadOnlyDictionary`2'; }
  constructor(private readonly map: Map<string, unknown>) {}
  has(k: string): boolean { return this.map.has(k); }
  get(k: string): unknown { return this.map.get(k); }
  get count(): number { return this.map.size; }
  lookup(k: string): unknown { return this.map.get(k); }
  keyList(): string[] { return [...this.map.keys()]; }
  valueList(): unknown[] { return [...this.map.values()]; }
  get size(): number { return this.map.size; }
  keys(): string[] { return [...this.map.keys()]; }
  *[Symbol.iterator](): Iterator<KeyValuePair<string, unknown>> { for (const [k, v] of this.map) yield new KeyValuePair(k, v); }
}

function valueOrDefault(d: DictLike, k: string, dflt: unknown): unknown {
  if (d instanceof StringValuesDictionary) return d.valueOrDefault(k, dflt as string | null);
  const v = d.get(k);
  return v === undefined ? dflt : v;
}

function variableOrDefault(d: DictLike, k: string, dflt: unknown): unknown {
  const v = d instanceof StringValuesDictionary ? d.valueOrDefault(k, null) : d.get(k);
  return v === undefined || v === null ? dflt : v;
}

export const CONTEXT_TYPE: TypeRef = { name: 'IProxyRequestContext', args: [] };

export { ctxOf };
