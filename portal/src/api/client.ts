// The portal's one HTTP client for the public APIs: a bearer token of the signed-in principal for the
// right audience, JSON in and out, failures as AzureApiError (api/errors.ts).
//   arm.get/put/post/patch/delete(path, apiVersion)  Resource Manager on this server's origin
//   arm.list(path, apiVersion)                       every page of a list (follows nextLink)
//   data(audience, url)                              a data plane (Key Vault, Event Hubs) by absolute URL
import type { Audience, Session } from '../auth/session';
import { errorFromResponse } from './errors';

export type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface ApiResponse<T> { status: number; headers: Headers; body: T }

export class ApiClient {
  readonly arm: ArmClient;

  constructor(readonly session: Session) {
    this.arm = new ArmClient(this);
  }

  /** A request to an absolute URL with a token for `audience`; throws AzureApiError on a non-2xx answer. */
  async send<T>(audience: Audience, method: Method, url: string, body?: unknown): Promise<ApiResponse<T>> {
    const token = await this.session.token(audience);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
    if (!res.ok) throw errorFromResponse(res.status, parsed, text);
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  data<T>(audience: Audience, method: Method, url: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.send<T>(audience, method, url, body);
  }
}

export class ArmClient {
  constructor(private readonly api: ApiClient) {}

  url(path: string, apiVersion: string): string {
    const sep = path.includes('?') ? '&' : '?';
    return `${this.api.session.authority}${path}${sep}api-version=${encodeURIComponent(apiVersion)}`;
  }

  async request<T>(method: Method, path: string, apiVersion: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.api.send<T>('arm', method, this.url(path, apiVersion), body);
  }

  async get<T>(path: string, apiVersion: string): Promise<T> { return (await this.request<T>('GET', path, apiVersion)).body; }
  async put<T>(path: string, apiVersion: string, body: unknown): Promise<T> { return (await this.request<T>('PUT', path, apiVersion, body)).body; }
  async patch<T>(path: string, apiVersion: string, body: unknown): Promise<T> { return (await this.request<T>('PATCH', path, apiVersion, body)).body; }
  async post<T>(path: string, apiVersion: string, body?: unknown): Promise<T> { return (await this.request<T>('POST', path, apiVersion, body)).body; }
  async delete(path: string, apiVersion: string): Promise<void> { await this.request<unknown>('DELETE', path, apiVersion); }

  /** Every item of a Resource Manager list, following nextLink. */
  async list<T>(path: string, apiVersion: string): Promise<T[]> {
    const out: T[] = [];
    let url: string | undefined = this.url(path, apiVersion);
    for (let page = 0; url && page < 100; page++) {
      const r: ApiResponse<{ value?: T[]; nextLink?: string }> = await this.api.send('arm', 'GET', url);
      out.push(...(r.body.value ?? []));
      url = r.body.nextLink || undefined;
    }
    return out;
  }
}
