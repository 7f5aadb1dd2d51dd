// Who is calling and may they: the challenge and bearer token check (audience https://vault.azure.net),
// the firewall (networkAcls, trusted services), and the permission check by access policy or RBAC.
import type { AuthzPlane } from '../authz/index.js';
import { TokenRejectedError, type AccessTokenClaims, type TokenVerifier } from '../entra/index.js';
import { nowSeconds, type Clock } from '../common/clock.js';
import { KvErrors, callerLabel } from './errors.js';
import { policyAllows, type Collection, type CompiledVault } from './vault-config.js';

export const VAULT_AUDIENCES = ['https://vault.azure.net'] as const;

export interface KvCaller {
  objectId: string;
  appId: string;
  tenantId: string;
  issuer: string;
  /** `appid=..;oid=..;iss=..` as Key Vault's messages name the caller. */
  label: string;
}

/** What an operation needs: the access policy permission and the RBAC data action. */
export interface Requirement {
  collection: Collection;
  permission: string;
  dataAction: string;
}

/** How the request reached the vault: over HTTP from an address, or the gateway's in-process call. */
export interface Origin {
  clientIp: string;
  /** True only for the gateway's own call made with an instance's system-assigned identity. */
  trustedService: boolean;
}

const CACHE_MAX = 2048;

export class VaultAuth {
  /** Verified tokens until they expire: a token is immutable, so verifying it once is enough. */
  private readonly verified = new Map<string, { claims: AccessTokenClaims; exp: number }>();
  readonly challenge: string;

  constructor(private readonly o: { verifier: TokenVerifier; authz: AuthzPlane; clock: Clock; authorityHost: string; tenantId: string }) {
    this.challenge = `Bearer authorization="${o.authorityHost}/${o.tenantId}", resource="https://vault.azure.net"`;
  }

  /** 1. authenticate: the bearer token of this server for Key Vault, from the vault's tenant. */
  async authenticate(token: string | undefined, vault: CompiledVault): Promise<KvCaller> {
    if (!token) throw KvErrors.unauthorized(this.challenge);
    const claims = await this.verify(token);
    if (claims.tid.toLowerCase() !== vault.settings.tenantId.toLowerCase()) {
      throw KvErrors.wrongIssuer(this.challenge, `${this.o.authorityHost}/${vault.settings.tenantId}/`, String(claims.iss));
    }
    const appId = claims.appid ?? claims.azp ?? claims.oid;
    const caller = { objectId: claims.oid, appId, tenantId: claims.tid, issuer: String(claims.iss) };
    return { ...caller, label: callerLabel(caller) };
  }

  private async verify(token: string): Promise<AccessTokenClaims> {
    const now = nowSeconds(this.o.clock);
    const hit = this.verified.get(token);
    if (hit && hit.exp > now) return hit.claims;
    try {
      const claims = await this.o.verifier.verify(token, VAULT_AUDIENCES);
      if (this.verified.size >= CACHE_MAX) this.prune(now);
      this.verified.set(token, { claims, exp: Number(claims.exp) });
      return claims;
    } catch (e) {
      if (!(e instanceof TokenRejectedError)) throw e;
      const r = e.rejection;
      switch (r.reason) {
        case 'audience': throw KvErrors.wrongAudience(this.challenge, r.audience);
        case 'expired': throw KvErrors.expiredToken(this.challenge);
        case 'issuer': throw KvErrors.wrongIssuer(this.challenge, `${this.o.authorityHost}/${this.o.tenantId}/`, r.detail);
        case 'missing': throw KvErrors.unauthorized(this.challenge);
        case 'notYetValid': throw KvErrors.invalidToken(this.challenge, 'the token is not yet valid.');
        default: throw KvErrors.invalidToken(this.challenge, r.detail);
      }
    }
  }

  private prune(now: number): void {
    for (const [k, v] of this.verified) if (v.exp <= now) this.verified.delete(k);
    if (this.verified.size >= CACHE_MAX) this.verified.clear();
  }

  /** 2. firewall: networkAcls (Deny: only ipRules, or a trusted service with bypass AzureServices). */
  firewall(vault: CompiledVault, caller: KvCaller, origin: Origin): void {
    const fw = vault.firewall;
    if (origin.trustedService && fw.trustedServices) return;
    if (fw.publicDisabled) throw KvErrors.publicNetworkDisabled(origin.clientIp, caller.label, vault.label);
    if (!fw.deny || fw.allows(origin.clientIp)) return;
    throw KvErrors.forbiddenByFirewall(origin.clientIp, caller.label, vault.label);
  }

  /** 3. authorize: the access policy permission, or with enableRbacAuthorization the data action at `resource`. */
  async authorize(vault: CompiledVault, caller: KvCaller, need: Requirement, objectName?: string): Promise<void> {
    if (!vault.settings.enableRbacAuthorization) {
      if (policyAllows(vault, caller.objectId, caller.appId, need.collection, need.permission)) return;
      throw KvErrors.accessDenied(caller.label, need.collection, need.permission, vault.label);
    }
    const resource = objectName ? `${vault.settings.resourceId}/${need.collection}/${objectName}` : vault.settings.resourceId;
    if (await this.o.authz.isDataActionAllowed(caller.objectId, need.dataAction, resource)) return;
    throw KvErrors.forbiddenByRbac(caller.label, need.dataAction, resource, vault.label);
  }
}
