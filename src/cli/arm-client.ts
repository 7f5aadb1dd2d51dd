// Resource Manager calls for the commands: api-version on every call, list pages followed through
// nextLink, long-running operations polled through Location.
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpResponse, ServerClient } from './connection.js';
import { CliError } from './errors.js';

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

function withQuery(path: string, apiVersion: string, query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams({ 'api-version': apiVersion });
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
  return `${path}?${q.toString()}`;
}

export class ArmClient {
  constructor(private readonly server: ServerClient, readonly subscriptionId: string) {}

  /** `/subscriptions/{default subscription}` */
  get subscriptionScope(): string {
    return `/subscriptions/${this.subscriptionId}`;
  }

  async get<T = Record<string, unknown>>(path: string, apiVersion: string, query?: Record<string, string | undefined>): Promise<T> {
    return (await this.server.call('GET', withQuery(path, apiVersion, query))).json as T;
  }

  /** HEAD: true for 2xx, false for 404; other errors throw. */
  async exists(path: string, apiVersion: string): Promise<boolean> {
    try {
      await this.server.call('HEAD', withQuery(path, apiVersion));
      return true;
    } catch (e) {
      if ((e as { status?: number }).status === 404) return false;
      throw e;
    }
  }

  async put<T = Record<string, unknown>>(path: string, apiVersion: string, body: unknown): Promise<T> {
    return (await this.server.call('PUT', withQuery(path, apiVersion), body)).json as T;
  }

  async patch<T = Record<string, unknown>>(path: string, apiVersion: string, body: unknown): Promise<T> {
    return (await this.server.call('PATCH', withQuery(path, apiVersion), body)).json as T;
  }

  /**
   * PUT or PATCH of a resource that may answer as a long-running operation (202 and a Location):
   * unless `wait` is false, waits for it and returns the resource as it is then. With `wait` false,
   * returns undefined (az prints nothing for --no-wait).
   */
  async write<T = Record<string, unknown>>(method: 'PUT' | 'PATCH', path: string, apiVersion: string, body: unknown, wait = true): Promise<T | undefined> {
    const res = await this.server.call(method, withQuery(path, apiVersion), body);
    if (!wait) return undefined;
    if (res.status === 202) {
      await this.waitForLocation(res);
      return this.get<T>(path, apiVersion);
    }
    return res.json as T;
  }

  async delete(path: string, apiVersion: string): Promise<HttpResponse> {
    return this.server.call('DELETE', withQuery(path, apiVersion));
  }

  /** Every item of a list, following nextLink. */
  async list<T = Record<string, unknown>>(path: string, apiVersion: string, query?: Record<string, string | undefined>): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = withQuery(path, apiVersion, query);
    for (let pages = 0; next; pages++) {
      if (pages >= 10_000) throw new CliError(`The list at '${path}' did not end after ${pages} pages.`);
      const body = (await this.server.call('GET', next)).json as { value?: T[]; nextLink?: string | null } | undefined;
      items.push(...(body?.value ?? []));
      next = body?.nextLink ?? undefined;
    }
    return items;
  }

  /**
   * Waits for a long-running operation that answered 202 with a Location: polls it (first at once,
   * then after Retry-After seconds) until it answers anything but 202. Errors throw.
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
      current = await this.server.call('GET', current.headers.location);
    }
    return current;
  }
}
