// The signed-in principal's session: how it gets access tokens for each audience from this server's
// Entra token endpoint (public protocol only), kept in sessionStorage (never in the address bar).
//   - sign-in link: an authorization code (single use) redeemed with grant_type=authorization_code;
//     the answer's refresh token then buys tokens for the other audiences (grant_type=refresh_token).
//   - client id + secret: grant_type=client_credentials, one request per audience.
import { AzureApiError, errorFromResponse } from '../api/errors';

/** The scopes of the audiences the portal calls (what the Azure SDKs ask for). */
export const SCOPES = {
  arm: 'https://management.azure.com/.default',
  keyVault: 'https://vault.azure.net/.default',
  eventHubs: 'https://eventhubs.azure.net/.default',
} as const;
export type Audience = keyof typeof SCOPES;

type Grant = { kind: 'refresh_token'; refreshToken: string } | { kind: 'client_secret'; clientSecret: string };

interface CachedToken { accessToken: string; expiresOn: number }

export interface StoredSession {
  /** This server's origin: Resource Manager and the Entra authority host. */
  authority: string;
  tenantId: string;
  clientId: string;
  grant: Grant;
  tokens: Partial<Record<Audience, CachedToken>>;
}

export interface PrincipalInfo { objectId: string; appId: string; tenantId: string }

const STORAGE_KEY = 'apim-local.portal.session';

interface TokenResponse { access_token: string; expires_in: number | string; refresh_token?: string }

function isTokenResponse(v: unknown): v is TokenResponse {
  return typeof v === 'object' && v !== null && typeof (v as TokenResponse).access_token === 'string';
}

async function postToken(authority: string, tenantId: string, form: Record<string, string>): Promise<TokenResponse> {
  const res = await fetch(`${authority}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  let body: unknown;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
  if (!res.ok || !isTokenResponse(body)) throw errorFromResponse(res.status, body, text);
  return body;
}

function cached(r: TokenResponse): CachedToken {
  return { accessToken: r.access_token, expiresOn: Date.now() + Number(r.expires_in) * 1000 };
}

/**
 * The tenant, as the Azure SDKs discover it: an anonymous Resource Manager request is answered 401
 * with `WWW-Authenticate: Bearer authorization_uri="{authority}/{tenant}"`.
 */
export async function discoverTenant(authority: string): Promise<string> {
  const res = await fetch(`${authority}/subscriptions?api-version=2022-12-01`);
  await res.body?.cancel();
  const challenge = res.headers.get('www-authenticate') ?? '';
  const m = /authorization_uri="([^"]+)"/i.exec(challenge);
  const tenant = m ? new URL(m[1]).pathname.split('/').filter(Boolean)[0] : undefined;
  if (!tenant) throw new AzureApiError(res.status, 'TenantDiscoveryFailed', 'Resource Manager did not name its tenant (no authorization_uri in its WWW-Authenticate challenge).');
  return tenant;
}

export class Session {
  private readonly pending = new Map<Audience, Promise<string>>();

  private constructor(private readonly stored: StoredSession) {}

  get authority(): string { return this.stored.authority; }
  get tenantId(): string { return this.stored.tenantId; }
  get clientId(): string { return this.stored.clientId; }
  get kind(): Grant['kind'] { return this.stored.grant.kind; }

  /** The session of this tab, if one was signed in. */
  static restore(): Session | undefined {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return undefined;
    try {
      const s = JSON.parse(raw) as StoredSession;
      return typeof s.authority === 'string' && typeof s.tenantId === 'string' && typeof s.clientId === 'string' && s.grant ? new Session(s) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Redeems a sign-in link's authorization code (single use). */
  static async fromAuthorizationCode(authority: string, clientId: string, code: string): Promise<Session> {
    const tenantId = await discoverTenant(authority);
    const r = await postToken(authority, tenantId, {
      grant_type: 'authorization_code', client_id: clientId, code, scope: `${SCOPES.arm} offline_access`,
    });
    if (!r.refresh_token) throw new AzureApiError(400, 'invalid_grant', 'The token endpoint returned no refresh token.');
    return new Session({ authority, tenantId, clientId, grant: { kind: 'refresh_token', refreshToken: r.refresh_token }, tokens: { arm: cached(r) } }).save();
  }

  /** Signs in as an application with its client secret (checked by asking a Resource Manager token). */
  static async fromClientSecret(authority: string, clientId: string, clientSecret: string): Promise<Session> {
    const tenantId = await discoverTenant(authority);
    const r = await postToken(authority, tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: SCOPES.arm });
    return new Session({ authority, tenantId, clientId, grant: { kind: 'client_secret', clientSecret }, tokens: { arm: cached(r) } }).save();
  }

  /** An access token for `audience`, from the cache while it has a minute left. */
  token(audience: Audience): Promise<string> {
    const hit = this.stored.tokens[audience];
    if (hit && hit.expiresOn - 60_000 > Date.now()) return Promise.resolve(hit.accessToken);
    let p = this.pending.get(audience);
    if (!p) {
      p = this.fetchToken(audience).finally(() => this.pending.delete(audience));
      this.pending.set(audience, p);
    }
    return p;
  }

  /** Who is signed in, from the Resource Manager token's claims (oid, appid/azp, tid). */
  async principal(): Promise<PrincipalInfo> {
    const claims = decodeClaims(await this.token('arm'));
    return {
      objectId: String(claims.oid ?? ''),
      appId: String(claims.appid ?? claims.azp ?? this.clientId),
      tenantId: String(claims.tid ?? this.tenantId),
    };
  }

  signOut(): void {
    sessionStorage.removeItem(STORAGE_KEY);
  }

  private async fetchToken(audience: Audience): Promise<string> {
    const { authority, tenantId, clientId, grant } = this.stored;
    const r = grant.kind === 'refresh_token'
      ? await postToken(authority, tenantId, { grant_type: 'refresh_token', client_id: clientId, refresh_token: grant.refreshToken, scope: `${SCOPES[audience]} offline_access` })
      : await postToken(authority, tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: grant.clientSecret, scope: SCOPES[audience] });
    if (grant.kind === 'refresh_token' && r.refresh_token) grant.refreshToken = r.refresh_token;
    this.stored.tokens[audience] = cached(r);
    this.save();
    return r.access_token;
  }

  private save(): this {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.stored));
    return this;
  }
}

function decodeClaims(jwt: string): Record<string, unknown> {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(Array.from(atob(part), (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null ? v as Record<string, unknown> : {};
  } catch {
    return {};
  }
}
