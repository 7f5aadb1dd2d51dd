// What a Liquid template of set-body sees: `context` with the members the set-body reference page lists
// (Request.Url, Method, OriginalMethod, OriginalUrl, IpAddress, MatchedParameters, HasBody,
// ClientCertificates, Headers; Response.StatusCode, Method, Headers; Url.Scheme, Host, Port, Path, Query,
// QueryString, ToUri, ToString) and the policy variables (context.Variables), and `body`: the message
// body as JSON (JSON content types), as XML converted to JSON (XML content types, xsi-nil applied), or
// as its text. Plain objects with own properties only: a template reaches nothing else.
import type { GatewayContext, GatewayResponse } from '../runtime/context.js';
import { originalUrl, requestUrl, type UrlView } from '../expressions/surface/context.js';
import { JToken, writeJson } from '../expressions/dotnet/json.js';
import { xmlToValue } from './json-xml.js';
import { isJsonType, isXmlType, mediaTypes } from './message.js';
import { netDateText } from './json-xml.js';
import { toNetDate } from './liquid.js';

/** An URL: its parts as members, and its text where it is written out ({{ context.Request.OriginalUrl }}). */
class LiquidUrl {
  readonly Scheme: string;
  readonly Host: string;
  readonly Port: number;
  readonly Path: string;
  readonly Query: Record<string, string>;
  readonly QueryString: string;
  readonly ToUri: string;
  readonly ToString: string;
  constructor(u: UrlView) {
    this.Scheme = u.scheme;
    this.Host = u.host;
    this.Port = u.port;
    this.Path = u.path;
    this.QueryString = u.queryString;
    this.Query = Object.fromEntries(new URLSearchParams(u.queryString.slice(1)));
    this.ToString = this.ToUri = u.toString();
  }
  toString(): string { return this.ToString; }
}

const canonical = (name: string) => name.replace(/(^|-)([a-z])/g, (_, d: string, ch: string) => d + ch.toUpperCase());

/** Headers: iterable as {Key, Value} pairs (`for h in context.Request.Headers`), and readable by name. */
function headerList(h: Record<string, string | string[] | undefined>): { Key: string; Value: string }[] {
  const list: { Key: string; Value: string }[] = [];
  const byName: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(',') : v;
    list.push({ Key: canonical(k), Value: value });
    byName[k] = value;
    byName[canonical(k)] = value;
  }
  return Object.assign(list, byName);
}

/** A policy variable as a template sees it: JSON values as objects, others as text. */
function variable(v: unknown): unknown {
  if (v instanceof JToken) return JSON.parse(writeJson(v, false));
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return String(v);
}

function responseScope(r: GatewayResponse | undefined): Record<string, unknown> {
  return r ? { StatusCode: r.status, StatusReason: r.reason ?? '', Headers: headerList(r.headers) } : { StatusCode: 0, Headers: headerList({}) };
}

export function contextScope(ctx: GatewayContext, hasBody: boolean): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  if (ctx.hasVariables()) for (const [k, v] of ctx.variables) variables[k] = variable(v);
  return {
    Request: {
      Url: new LiquidUrl(requestUrl(ctx)),
      Method: ctx.method,
      OriginalMethod: ctx.req.method ?? ctx.method,
      OriginalUrl: new LiquidUrl(originalUrl(ctx)),
      IpAddress: (ctx.req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      MatchedParameters: { ...(ctx.matchedParameters ?? {}) },
      HasBody: hasBody,
      ClientCertificates: [],
      Headers: headerList(ctx.headers),
    },
    Response: { ...responseScope(ctx.response), Method: ctx.method },
    Variables: variables,
  };
}

/** Date-formatted strings as .NET DateTimes (parse-date), recursively. */
function withDates(v: unknown): unknown {
  if (typeof v === 'string') return netDateText(v) !== undefined ? toNetDate(v) ?? v : v;
  if (Array.isArray(v)) return v.map(withDates);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withDates(x)]));
  return v;
}

/** The body as a template sees it, by the message's Content-Type. */
export function bodyScope(body: string, type: string, xsiNil: 'blank' | 'null', parseDates: boolean): unknown {
  const types = mediaTypes(type);
  if (body.trim() === '') return body;
  try {
    if (types.some(isJsonType)) { const v: unknown = JSON.parse(body); return parseDates ? withDates(v) : v; }
    if (types.some(isXmlType)) return xmlToValue(body, { kind: 'javascript-friendly', xsiNil });
  } catch {
    // Not what its Content-Type says: the template sees the text.
  }
  return body;
}
