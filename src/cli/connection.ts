// The command line's link to a running apim-local: connection.json from the data directory, HTTPS that
// trusts the data directory's CA (and nothing else), and tokens from the server's own token endpoint.
import fs from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';
import { CliError, errorFromResponse } from './errors.js';
import type { ConnectionInfo as ServerConnectionInfo } from '../main.js';

/** What `apim-local start` writes to `{dataDir}/connection.json` (the fields the command line uses). */
export type ConnectionInfo = Pick<ServerConnectionInfo,
  'managementEndpoint' | 'authorityHost' | 'tenantId' | 'subscriptionId' | 'clientId' | 'clientSecret' | 'caCertificatePath'>;

const REQUIRED: (keyof ConnectionInfo)[] = ['managementEndpoint', 'authorityHost', 'tenantId', 'subscriptionId', 'clientId', 'clientSecret', 'caCertificatePath'];

/** `--data-dir`, else APIM_LOCAL_DATA_DIR, else ./.apim-local (as `apim-local start`). */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return path.resolve(cwd, flag ?? env.APIM_LOCAL_DATA_DIR ?? '.apim-local');
}

export function readConnection(dataDir: string): ConnectionInfo {
  const file = path.join(dataDir, 'connection.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`No connection file at '${file}'. Start the server first: apim-local start --data-dir ${dataDir}`);
  }
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  if (parsed === null || typeof parsed !== 'object') throw new CliError(`The connection file '${file}' is not valid JSON.`);
  const c = parsed as Record<string, unknown>;
  const missing = REQUIRED.filter((k) => typeof c[k] !== 'string' || c[k] === '');
  if (missing.length > 0) throw new CliError(`The connection file '${file}' lacks ${missing.join(', ')}.`);
  return c as unknown as ConnectionInfo;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
}

export interface IssuedToken {
  accessToken: string;
  tokenType: string;
  /** Unix seconds. */
  expiresOn: number;
}

/** Either a v1 request (`resource=`) or a v2 one (`scope=`). */
export type TokenRequest = { resource: string } | { scope: string };

const MANAGEMENT_SCOPE = 'https://management.azure.com/.default';

export class ServerClient {
  private readonly agent: Agent;
  private readonly tokens = new Map<string, Promise<IssuedToken>>();

  constructor(readonly connection: ConnectionInfo, readonly dataDir: string) {
    let ca: string;
    try {
      ca = fs.readFileSync(path.resolve(dataDir, connection.caCertificatePath), 'utf8');
    } catch {
      throw new CliError(`Cannot read the CA certificate '${connection.caCertificatePath}' named in ${path.join(dataDir, 'connection.json')}.`);
    }
    this.agent = new Agent({ connect: { ca }, keepAliveTimeout: 5_000 });
  }

  /** One HTTPS request to the server; network failures become a CliError naming the endpoint. */
  async send(method: string, url: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<HttpResponse> {
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, { method: method as 'GET', headers: init.headers, body: init.body, dispatcher: this.agent, headersTimeout: 60_000, bodyTimeout: 60_000 });
    } catch (e) {
      const code = (e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e));
      throw new CliError(`Cannot reach apim-local at ${new URL(url).origin} (${code}). Is 'apim-local start --data-dir ${this.dataDir}' running?`);
    }
    const text = await res.body.text();
    let json: unknown;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.statusCode, headers, text, json };
  }

  /** A token for the admin application from the server's token endpoint; cached per resource/scope. */
  token(req: TokenRequest = { scope: MANAGEMENT_SCOPE }): Promise<IssuedToken> {
    const key = 'resource' in req ? `r:${req.resource}` : `s:${req.scope}`;
    let p = this.tokens.get(key);
    if (!p) {
      p = this.fetchToken(req);
      this.tokens.set(key, p);
      p.catch(() => this.tokens.delete(key));
    }
    return p;
  }

  private async fetchToken(req: TokenRequest): Promise<IssuedToken> {
    const c = this.connection;
    const v1 = 'resource' in req;
    const url = `${c.authorityHost.replace(/\/+$/, '')}/${c.tenantId}/oauth2/${v1 ? '' : 'v2.0/'}token`;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret });
    if (v1) form.set('resource', req.resource); else form.set('scope', req.scope);
    const sentAt = Math.floor(Date.now() / 1000);
    const res = await this.send('POST', url, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    const body = res.json as Record<string, unknown> | undefined;
    if (res.status !== 200 || typeof body?.access_token !== 'string') throw errorFromResponse(res.status, res.json, res.text);
    const expiresOn = body.expires_on !== undefined ? Number(body.expires_on) : sentAt + Number(body.expires_in);
    return { accessToken: body.access_token, tokenType: typeof body.token_type === 'string' ? body.token_type : 'Bearer', expiresOn };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
