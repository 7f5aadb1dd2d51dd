// Minting and verifying access tokens. Claims follow Entra's app-only tokens (v1 and v2).
// Every plane verifies with TokenVerifier: signature (RS256, by kid), issuer, audience, exp, nbf.
import crypto from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload, type JWTHeaderParameters } from 'jose';
import { nowSeconds, type Clock } from '../common/clock.js';
import type { SigningKeys } from './signing-keys.js';
import type { Principal } from './directory.js';

export interface Issuers {
  v1: string;
  v2: string;
}

export interface AccessTokenClaims extends JWTPayload {
  oid: string;
  tid: string;
  appid?: string;
  azp?: string;
  idtyp?: string;
  roles?: string[];
  xms_mirid?: string;
  ver: '1.0' | '2.0';
}

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  expiresOn: number;
  notBefore: number;
}

export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeys,
    private readonly clock: Clock,
    private readonly tenantId: string,
    private readonly issuers: Issuers,
    private readonly lifetimeSeconds: number,
  ) {}

  async issue(input: { principal: Principal; audience: string; version: 1 | 2; roles?: string[] }): Promise<IssuedToken> {
    const { principal, audience, version, roles } = input;
    const now = nowSeconds(this.clock);
    const exp = now + this.lifetimeSeconds;
    const claims: Record<string, unknown> = {
      aud: audience,
      iss: version === 2 ? this.issuers.v2 : this.issuers.v1,
      iat: now,
      nbf: now,
      exp,
      aio: crypto.randomBytes(24).toString('base64url'),
      idp: version === 2 ? undefined : this.issuers.v1,
      idtyp: 'app',
      oid: principal.objectId,
      rh: '0.' + crypto.randomBytes(16).toString('base64url') + '.',
      sub: principal.objectId,
      tid: this.tenantId,
      uti: crypto.randomBytes(16).toString('base64url'),
      ver: version === 2 ? '2.0' : '1.0',
    };
    if (version === 2) { claims.azp = principal.appId; claims.azpacr = '1'; } else { claims.appid = principal.appId; claims.appidacr = '1'; }
    if (roles && roles.length > 0) claims.roles = roles;
    if (principal.managedIdentityResourceId) claims.xms_mirid = principal.managedIdentityResourceId;
    for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
    const key = this.keys.activeKey();
    const header: JWTHeaderParameters = { alg: 'RS256', typ: 'JWT', kid: key.kid, x5t: key.kid };
    const accessToken = await new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
    return { accessToken, expiresIn: exp - now, expiresOn: exp, notBefore: now };
  }
}

export type TokenRejection =
  | { reason: 'missing' }
  | { reason: 'malformed' | 'signature' | 'issuer'; detail: string }
  | { reason: 'expired'; expiredAt: number; now: number }
  | { reason: 'notYetValid'; notBefore: number }
  | { reason: 'audience'; audience: string };

export class TokenRejectedError extends Error {
  constructor(readonly rejection: TokenRejection) { super(rejection.reason); }
}

/** Tokens whose signature and issuer were verified, so a bearer token reused on many calls is checked once. */
const VERIFIED_CACHE_MAX = 10_000;
const CLOCK_TOLERANCE_S = 300;

export class TokenVerifier {
  private readonly verified = new Map<string, JWTPayload>();

  constructor(private readonly keys: SigningKeys, private readonly clock: Clock, private readonly issuers: Issuers) {}

  /**
   * Verifies a bearer token of this server for one of `audiences` (compared without a trailing slash).
   * Throws TokenRejectedError with the reason, so each plane can answer in its own words.
   * The signature is checked once per token; expiry, not-before and audience on every call.
   */
  async verify(token: string, audiences: readonly string[]): Promise<AccessTokenClaims> {
    const now = nowSeconds(this.clock);
    const cached = this.verified.get(token);
    if (cached) {
      const exp = cached.exp as number;
      if (exp + CLOCK_TOLERANCE_S <= now) { this.verified.delete(token); throw new TokenRejectedError({ reason: 'expired', expiredAt: exp, now }); }
      if (typeof cached.nbf === 'number' && cached.nbf - CLOCK_TOLERANCE_S > now) throw new TokenRejectedError({ reason: 'notYetValid', notBefore: cached.nbf });
      return this.checkAudience(cached, audiences);
    }
    const payload = await this.verifySignature(token, now);
    if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, payload);
    return this.checkAudience(payload, audiences);
  }

  private checkAudience(payload: JWTPayload, audiences: readonly string[]): AccessTokenClaims {
    const aud = typeof payload.aud === 'string' ? payload.aud : '';
    const trimmed = aud.replace(/\/+$/, '').toLowerCase();
    if (!audiences.some((a) => a.replace(/\/+$/, '').toLowerCase() === trimmed)) {
      throw new TokenRejectedError({ reason: 'audience', audience: aud });
    }
    return payload as AccessTokenClaims;
  }

  /** Signature (RS256 by a published kid), exp/nbf, issuer and the claims every plane relies on. */
  private async verifySignature(token: string, now: number): Promise<JWTPayload> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, async (header) => {
        if (header.alg !== 'RS256') throw new TokenRejectedError({ reason: 'signature', detail: `alg '${String(header.alg)}' is not accepted` });
        const key = header.kid ? await this.keys.publicKey(header.kid) : undefined;
        if (!key) throw new TokenRejectedError({ reason: 'signature', detail: 'the signing key is not known' });
        return key;
      }, { algorithms: ['RS256'], currentDate: new Date(now * 1000), clockTolerance: CLOCK_TOLERANCE_S }));
    } catch (e) {
      if (e instanceof TokenRejectedError) throw e;
      if (e instanceof joseErrors.JWTExpired) {
        const exp = Number((e.payload as JWTPayload).exp);
        throw new TokenRejectedError({ reason: 'expired', expiredAt: exp, now });
      }
      if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'nbf') {
        throw new TokenRejectedError({ reason: 'notYetValid', notBefore: Number((e.payload as JWTPayload).nbf) });
      }
      if (e instanceof joseErrors.JWSSignatureVerificationFailed) throw new TokenRejectedError({ reason: 'signature', detail: 'the signature is invalid' });
      throw new TokenRejectedError({ reason: 'malformed', detail: e instanceof Error ? e.message : String(e) });
    }
    if (payload.iss !== this.issuers.v1 && payload.iss !== this.issuers.v2) {
      throw new TokenRejectedError({ reason: 'issuer', detail: `issuer '${String(payload.iss)}' is not this server's` });
    }
    if (typeof payload.exp !== 'number') throw new TokenRejectedError({ reason: 'malformed', detail: 'exp is missing' });
    if (typeof payload.oid !== 'string' || typeof payload.tid !== 'string') {
      throw new TokenRejectedError({ reason: 'malformed', detail: 'oid or tid is missing' });
    }
    return payload;
  }
}
