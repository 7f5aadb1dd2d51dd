// The command line's one client for the management endpoint (Resource Manager and apim-local's own
// /apim-local API): the admin's token on every call and on no other origin, api-version and query,
// If-Match, list pages followed through nextLink, long-running operations (202 + Location) polled, and
// an error status turned into the error az prints (code, message, target, details).
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpResponse, ServerClient } from './connection.js';
import { CliError, errorFromResponse } from './errors.js';

/** api-versions the commands use (those of current az). */
export const API_VERSIONS = {
  resources: '2022-09-01',
  subscriptions: '2022-12-01',
  authorization: '2022-04-01',
  apiManagement: '2022-08-01',
  managedIdentity: '2023-01-31',
} as const;

/** Encodes each segment of a resource id or scope for a URL path (`/` stays a separator). */
export function encodePath(id: string): string {
  return id.split('/').map((s) => encodeURIComponent(s)).join('/');
}

export type Query = Record<string, string | undefined>;

export interface RequestOptions {
  /** Added as `api-version` (not to URLs the server gave: nextLink and Location carry their own). */
  apiVersion?: string;
  query?: Query;
  body?: unknown;
  ifMatch?: string;
}

export interface WriteOptions {
  /** false (--no-wait): the request is sent and undefined returned, as az prints nothing. */
  wait?: boolean;
  ifMatch?: string;
}

type Page<T> = { value?: T[]; nextLink?: string | null } | undefined;

export class ArmClient {
  constructor(private readonly server: ServerClient, readonly subscriptionId: string) {}

  /** `/subscriptions/{default subscription}` */
  get subscriptionScope(): string {
    return `/subscriptions/${this.subscriptionId}`;
  }

  /**
   * One request with the admin's management token. `path` is a path on the management endpoint or a
   * URL the server gave (nextLink, Location). An error status throws AzureApiError.
   */
  async send(method: string, path: string, o: RequestOptions = {}): Promise<HttpResponse> {
    const base = this.server.connection.managementEndpoint.replace(/\/+$/, '');
    let url: string;
    if (/^https?:\/\//i.test(path)) {
      url = path;
    } else {
      const q = new URLSearchParams(o.apiVersion !== undefined ? { 'api-version': o.apiVersion } : {});
      for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) q.set(k, v);
      const qs = q.toString();
      url = `${base}${path}${qs ? `?${qs}` : ''}`;
    }
    // nextLink and Location come from the server: the admin's token never goes to another origin.
    if (new URL(url).origin !== new URL(base).origin) throw new CliError(`Refusing to send the admin token to '${new URL(url).origin}': not the management endpoint ${base}.`);
    const { accessToken } = await this.server.token();
    const headers: Record<string, string> = { authorization: `Bearer ${accessToken}`, accept: 'application/json' };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (o.ifMatch !== undefined) headers['if-match'] = o.ifMatch;
    const res = await this.server.send(method, url, { headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
    if (res.status >= 400) throw errorFromResponse(res.status, res.json, res.text);
    return res;
  }

  async get<T = Record<string, unknown>>(path: string, apiVersion: string, query?: Query): Promise<T> {
    return (await this.send('GET', path, { apiVersion, query })).json as T;
  }

  /** HEAD: true for 2xx, false for 404; other errors throw. */
  async exists(path: string, apiVersion: string): Promise<boolean> {
    try {
      await this.send('HEAD', path, { apiVersion });
      return true;
    } catch (e) {
      if ((e as { status?: number }).status === 404) return false;
      throw e;
    }
  }

  /** A PUT answered at once (no long-running operation expected). */
  async put<T = Record<string, unknown>>(path: string, apiVersion: string, body?: unknown): Promise<T> {
    return (await this.send('PUT', path, { apiVersion, body })).json as T;
  }

  /**
   * PUT or PATCH of a resource that may answer as a long-running operation (202 and a Location):
   * unless `wait` is false, waits for it and returns the resource as it is then.
   */
  async write<T = Record<string, unknown>>(method: 'PUT' | 'PATCH', path: string, apiVersion: string, body: unknown, o: WriteOptions = {}): Promise<T | undefined> {
    const res = await this.send(method, path, { apiVersion, body, ifMatch: o.ifMatch });
    if (o.wait === false) return undefined;
    if (res.status === 202 && res.headers.location) {
      await this.waitForLocation(res);
      return this.get<T>(path, apiVersion);
    }
    return res.json as T;
  }

  /** POST of an action (listSecrets, refreshSecret, ...); a long-running answer is waited for. */
  async post<T = Record<string, unknown>>(path: string, apiVersion: string, body?: unknown): Promise<T | undefined> {
    const res = await this.waitForLocation(await this.send('POST', path, { apiVersion, body }));
    return res.json as T | undefined;
  }

  /** DELETE, with If-Match when given; a long-running answer is waited for unless `wait` is false. */
  async delete(path: string, apiVersion: string, o: WriteOptions & { query?: Query } = {}): Promise<HttpResponse> {
    const res = await this.send('DELETE', path, { apiVersion, ifMatch: o.ifMatch, query: o.query });
    return o.wait === false ? res : this.waitForLocation(res);
  }

  /** Every item of a list, following nextLink. */
  async list<T = Record<string, unknown>>(path: string, apiVersion: string, query?: Query): Promise<T[]> {
    const items: T[] = [];
    let page = (await this.send('GET', path, { apiVersion, query })).json as Page<T>;
    for (let pages = 1; ; pages++) {
      items.push(...(page?.value ?? []));
      if (!page?.nextLink) return items;
      if (pages >= 10_000) throw new CliError(`The list at '${path}' did not end after ${pages} pages.`);
      page = (await this.send('GET', page.nextLink)).json as Page<T>;
    }
  }

  /**
   * Waits for a long-running operation that answered 202 with a Location: polls it (first at once,
   * then after Retry-After seconds) until it answers anything but 202. Errors throw. Any other answer
   * is returned as it is.
   */
  async waitForLocation(response: HttpResponse, timeoutMs = 600_000): Promise<HttpResponse> {
    let current = response;
    const deadline = Date.now() + timeoutMs;
    let first = true;
    while (current.status === 202 && current.headers.location) {
      if (!first) {
        const retryAfter = Number(current.headers['retry-after'] ?? 1);
        await sleep(Math.min(Math.max(Number.isFinite(retryAfter) ? retryAfter : 1, 0.1), 10) * 1000);
      }
      first = false;
      if (Date.now() > deadline) throw new CliError(`The operation did not finish within ${timeoutMs / 1000} seconds.`);
      current = await this.send('GET', current.headers.location);
    }
    return current;
  }
}
