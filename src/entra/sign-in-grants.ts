// Authorization codes and refresh tokens: how the portal signs in without ever holding a client secret.
// `apim-local start` mints an authorization code for the admin application (the sign-in link it prints,
// as Jupyter prints its token); the portal redeems it once at the token endpoint
// (grant_type=authorization_code) and gets a refresh token, which buys access tokens for the other
// audiences (grant_type=refresh_token: Key Vault, Event Hubs). Both live in this process's memory
// only: a restart revokes them (the printed link is then replaced by a new one).
// Only hashes are kept, so a memory dump shows no usable code or token.
import crypto from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { entraError } from './errors.js';

/** Entra's authorization codes live 10 minutes. */
export const CODE_LIFETIME_MS = 10 * 60_000;
/** Entra's refresh tokens for single-page apps live 24 hours. */
export const REFRESH_TOKEN_LIFETIME_MS = 24 * 3600_000;
/** Bounds on what is kept, so minting cannot exhaust memory. */
const MAX_LIVE = 10_000;

interface Grant { appId: string; expiresMs: number }
interface Code extends Grant { redeemed: boolean }

const hash = (v: string) => crypto.createHash('sha256').update(v).digest('base64url');

export const SignInGrantErrors = {
  invalidGrant: () => entraError(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.'),
  otherClient: () => entraError(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed: it was issued to another client application.'),
  redeemed: () => entraError(400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'),
  expired: () => entraError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.'),
};

export class SignInGrants {
  private readonly codes = new Map<string, Code>();
  private readonly refreshTokens = new Map<string, Grant>();

  constructor(private readonly clock: Clock) {}

  /** A new authorization code for the application `appId` (single use, 10 minutes). */
  mintCode(appId: string): { code: string; expiresMs: number } {
    this.sweep();
    const code = crypto.randomBytes(32).toString('base64url');
    const expiresMs = this.clock.nowMs() + CODE_LIFETIME_MS;
    this.codes.set(hash(code), { appId, expiresMs, redeemed: false });
    return { code, expiresMs };
  }

  /** Redeems a code presented by `clientId`; marks it used before anything else can see it. */
  redeemCode(code: string, clientId: string): string {
    const c = this.codes.get(hash(code));
    if (!c) throw SignInGrantErrors.invalidGrant();
    if (c.redeemed) throw SignInGrantErrors.redeemed();
    if (c.expiresMs <= this.clock.nowMs()) { this.codes.delete(hash(code)); throw SignInGrantErrors.expired(); }
    if (c.appId.toLowerCase() !== clientId.toLowerCase()) throw SignInGrantErrors.otherClient();
    c.redeemed = true;
    return c.appId;
  }

  /** A refresh token bound to the application `appId`. */
  issueRefreshToken(appId: string): string {
    this.sweep();
    const token = crypto.randomBytes(48).toString('base64url');
    this.refreshTokens.set(hash(token), { appId, expiresMs: this.clock.nowMs() + REFRESH_TOKEN_LIFETIME_MS });
    return token;
  }

  /** The application a refresh token presented by `clientId` was issued to; it stays valid until it expires. */
  redeemRefreshToken(token: string, clientId: string): string {
    const g = this.refreshTokens.get(hash(token));
    if (!g) throw SignInGrantErrors.invalidGrant();
    if (g.expiresMs <= this.clock.nowMs()) { this.refreshTokens.delete(hash(token)); throw SignInGrantErrors.expired(); }
    if (g.appId.toLowerCase() !== clientId.toLowerCase()) throw SignInGrantErrors.otherClient();
    return g.appId;
  }

  /** Drops what expired; refuses to grow past MAX_LIVE (the oldest go first). */
  private sweep(): void {
    const now = this.clock.nowMs();
    for (const m of [this.codes, this.refreshTokens] as Map<string, Grant>[]) {
      for (const [k, v] of m) if (v.expiresMs <= now) m.delete(k);
      while (m.size >= MAX_LIVE) m.delete(m.keys().next().value as string);
    }
  }
}
