// What the commands for an API Management instance's configuration share (apim api, policy, nv,
// product, subscription, backend): the instance options (`-g`, `-n/--service-name`), paths of its
// child resources, requests that carry If-Match (API Management requires it on DELETE and PATCH),
// errors printed with their details (a policy's element and line are in the details), and the
// contracts as az prints them (the Python SDK's fields, properties lifted to the top, null where unset).
import crypto from 'node:crypto';
import type { Command } from 'commander';
import type { CliContext } from '../command.js';
import { API_VERSIONS, encodePath } from '../arm-client.js';
import type { HttpResponse } from '../connection.js';
import { AzureApiError, CliError } from '../errors.js';

export const V = API_VERSIONS.apiManagement;

export type Resource = Record<string, any>;

/** `-g` and `-n/--service-name`, as every `az apim ...` subcommand takes them. */
export interface ServiceOptions { resourceGroup: string; serviceName: string }

export function serviceOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-g, --resource-group <name>', 'name of the resource group')
    .requiredOption('-n, --service-name <name>', 'name of the API Management service instance');
}

/** `--if-match` of deletes and updates: the entity's ETag, `*` (default) for any version. */
export function ifMatchOption(cmd: Command): Command {
  return cmd.option('--if-match <etag>', "ETag of the entity; '*' (default) matches any version");
}

/** `.../service/{svc}` followed by the given segments (each encoded). */
export function servicePath(ctx: CliContext, o: ServiceOptions, ...segments: string[]): string {
  const base = `${ctx.arm.subscriptionScope}/resourceGroups/${encodePath(o.resourceGroup)}/providers/Microsoft.ApiManagement/service/${encodeURIComponent(o.serviceName)}`;
  return [base, ...segments.map((s) => encodeURIComponent(s))].join('/');
}

/** An identifier az generates when none is given (uuid4().hex). */
export const generatedId = (): string => crypto.randomUUID().replace(/-/g, '');

/**
 * An error answered by the server, printed as az prints an HttpResponseError (azure-core's
 * ODataV4Format): code and message, then target and every detail ("Exception Details:").
 */
export class ApimApiError extends AzureApiError {
  constructor(status: number, code: string, message: string, readonly target?: string, readonly details: Resource[] = []) {
    super(status, code, message);
  }

  override describe(): string {
    return `(${this.code}) ${this.message}\n${odataDetails(this.code, this.message, this.target, this.details)}`;
  }
}

function odataDetails(code: string, message: string, target: string | undefined, details: Resource[]): string {
  let s = `Code: ${code}\nMessage: ${message}`;
  if (target) s += `\nTarget: ${target}`;
  if (details.length > 0) {
    s += '\nException Details:';
    for (const d of details) {
      const inner = `(${d.code}) ${d.message}\n${odataDetails(String(d.code), String(d.message), d.target, Array.isArray(d.details) ? d.details : [])}`;
      s += inner.split('\n').map((line) => `\t${line}`).join('\n');
    }
  }
  return s;
}

function errorOf(res: HttpResponse): AzureApiError {
  const e = (res.json as Resource | undefined)?.error;
  if (e && typeof e === 'object' && typeof e.code === 'string') {
    return new ApimApiError(res.status, e.code, typeof e.message === 'string' ? e.message : '', typeof e.target === 'string' ? e.target : undefined,
      Array.isArray(e.details) ? e.details.filter((d: unknown) => d && typeof d === 'object') : []);
  }
  const text = res.text.length > 300 ? `${res.text.slice(0, 300)}...` : res.text;
  return new AzureApiError(res.status, `HttpStatus${res.status}`, text || `The server answered ${res.status} without a body.`);
}

/**
 * One management request with the admin's token, api-version and optional If-Match; an error status
 * throws with the error's details. `path` is a path (api-version added) or a URL from the server.
 */
export async function send(ctx: CliContext, method: string, path: string, o: { body?: unknown; ifMatch?: string; query?: Record<string, string> } = {}): Promise<HttpResponse> {
  const base = ctx.connection.managementEndpoint.replace(/\/+$/, '');
  let url: string;
  if (/^https?:\/\//i.test(path)) {
    url = path;
  } else {
    const q = new URLSearchParams({ 'api-version': V, ...(o.query ?? {}) });
    url = `${base}${path}?${q.toString()}`;
  }
  // nextLink and Location come from the server: the admin's token never goes to another origin.
  if (new URL(url).origin !== new URL(base).origin) throw new CliError(`Refusing to send the admin token to '${new URL(url).origin}': not the management endpoint ${base}.`);
  const { accessToken } = await ctx.server.token();
  const headers: Record<string, string> = { authorization: `Bearer ${accessToken}`, accept: 'application/json' };
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (o.ifMatch !== undefined) headers['if-match'] = o.ifMatch;
  const res = await ctx.server.send(method, url, { headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  if (res.status >= 400) throw errorOf(res);
  return res;
}

export async function get(ctx: CliContext, path: string, query?: Record<string, string>): Promise<Resource> {
  return (await send(ctx, 'GET', path, { query })).json as Resource;
}

/** PUT or PATCH; a long-running answer (202 + Location) is waited for, then the entity read. */
export async function write(ctx: CliContext, method: 'PUT' | 'PATCH', path: string, body: unknown, ifMatch?: string): Promise<Resource> {
  const res = await send(ctx, method, path, { body, ifMatch });
  if (res.status === 202 && res.headers.location) {
    await ctx.arm.waitForLocation(res);
    return get(ctx, path);
  }
  return res.json as Resource;
}

/** PUT of a new entity; with `wait` false (--no-wait) the request is sent and nothing returned, as az prints nothing. */
export async function create(ctx: CliContext, path: string, body: unknown, wait = true): Promise<Resource | undefined> {
  if (!wait) {
    await send(ctx, 'PUT', path, { body });
    return undefined;
  }
  return write(ctx, 'PUT', path, body);
}

/** POST of an action (listSecrets, refreshSecret, ...); a long-running answer is waited for. */
export async function post(ctx: CliContext, path: string, body?: unknown): Promise<Resource | undefined> {
  let res = await send(ctx, 'POST', path, { body });
  if (res.status === 202 && res.headers.location) res = await ctx.arm.waitForLocation(res);
  return res.json as Resource | undefined;
}

/** DELETE with If-Match (`*` unless given). */
export async function remove(ctx: CliContext, path: string, ifMatch = '*', query?: Record<string, string>): Promise<void> {
  const res = await send(ctx, 'DELETE', path, { ifMatch, query });
  if (res.status === 202 && res.headers.location) await ctx.arm.waitForLocation(res);
}

/** Every item of a collection, following nextLink. */
export async function list(ctx: CliContext, path: string): Promise<Resource[]> {
  const items: Resource[] = [];
  let next: string | undefined = path;
  for (let pages = 0; next; pages++) {
    if (pages >= 10_000) throw new CliError(`The list at '${path}' did not end after ${pages} pages.`);
    const body = (await send(ctx, 'GET', next)).json as { value?: Resource[]; nextLink?: string | null } | undefined;
    items.push(...(body?.value ?? []));
    next = body?.nextLink ?? undefined;
  }
  return items;
}

/**
 * A contract as az prints it: id, name, type and the given property fields (camelCase of the Python
 * SDK's attributes) at the top, null where unset. `renamed`: SDK name → wire name, where they differ.
 */
export function contractView(body: Resource, fields: readonly string[], renamed: Record<string, string> = {}): Resource {
  const props = (body.properties ?? {}) as Resource;
  const out: Resource = { id: body.id ?? null, name: body.name ?? null, type: body.type ?? null };
  for (const f of fields) {
    const v = props[renamed[f] ?? f];
    out[f] = v === undefined ? null : v;
  }
  return out;
}

/** A date-time as az prints a Python datetime (isoformat, UTC as +00:00). */
export function pyDateTime(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const ms = d.getUTCMilliseconds();
  const base = d.toISOString().slice(0, 19);
  return `${base}${ms ? `.${String(ms * 1000).padStart(6, '0')}` : ''}+00:00`;
}

/** az asks before deleting unless --yes. */
export async function confirmed(ctx: CliContext, yes: boolean | undefined): Promise<boolean> {
  return !!yes || ctx.confirm('Are you sure you want to perform this operation?');
}
