// Who a connection is and what it may do: claims put on the CBS node (`put-token` with a SAS token or an
// Entra JWT for https://eventhubs.azure.net/), a SASL PLAIN login with a rule's key, and the checks per
// hub: the rule's rights (SAS) or the RBAC data action at the hub (JWT), the namespace's local-auth switch.
import type { AuthzPlane } from '../authz/index.js';
import { TokenRejectedError, type TokenVerifier } from '../entra/index.js';
import type { Clock } from '../common/clock.js';
import { sasAllows, SasError, verifySas, entityPathOf, type SasGrant } from './sas.js';
import type { AccessRight, CompiledNamespace } from './settings.js';

export const EVENTHUBS_AUDIENCES = ['https://eventhubs.azure.net'] as const;

export const DATA_ACTIONS: Record<'Send' | 'Listen', string> = {
  Send: 'Microsoft.EventHub/namespaces/messages/send/action',
  Listen: 'Microsoft.EventHub/namespaces/messages/receive/action',
};

/** A claim a connection holds: for the audience's entity ('' is the namespace), until it expires. */
export type Claim =
  | { kind: 'sas'; entity: string; grant: SasGrant }
  | { kind: 'jwt'; entity: string; objectId: string; expiresMs: number };

/** A refused operation, with the AMQP condition and Event Hubs' description. */
export class AccessError extends Error {
  constructor(readonly condition: string, message: string, readonly status = 401) { super(message); }
}

export class NamespaceAccess {
  constructor(private readonly o: { verifier: TokenVerifier; authz: AuthzPlane; clock: Clock }) {}

  /** CBS put-token: verifies the token and returns the claim it gives. */
  async putToken(ns: CompiledNamespace, type: string, audience: string, token: string, trusted: boolean): Promise<Claim> {
    const entity = entityPathOf(audience);
    if (type === 'jwt') {
      let claims;
      try {
        claims = await this.o.verifier.verify(token, EVENTHUBS_AUDIENCES);
      } catch (e) {
        if (e instanceof TokenRejectedError) throw new AccessError('amqp:unauthorized-access', `InvalidIssuer: Token issuer is invalid or the token is not valid: ${e.rejection.reason}.`);
        throw e;
      }
      if (claims.tid.toLowerCase() !== ns.settings.tenantId.toLowerCase()) {
        throw new AccessError('amqp:unauthorized-access', `InvalidIssuer: Token issuer is invalid. The token's tenant '${claims.tid}' is not the namespace's tenant.`);
      }
      return { kind: 'jwt', entity, objectId: claims.oid, expiresMs: Number(claims.exp) * 1000 };
    }
    if (type === 'servicebus.windows.net:sastoken') {
      // The gateway's trusted connection authenticates with its managed identity only.
      if (trusted) throw new AccessError('amqp:unauthorized-access', 'Unauthorized access. A trusted service connection must use an Azure AD token.');
      if (ns.settings.disableLocalAuth) throw new AccessError('amqp:unauthorized-access', "Unauthorized access. 'Local authentication' is disabled for this namespace.");
      try {
        return { kind: 'sas', entity, grant: verifySas(ns, token, this.o.clock.nowMs()) };
      } catch (e) {
        if (e instanceof SasError) throw new AccessError('amqp:unauthorized-access', `Unauthorized access. ${e.message}`);
        throw e;
      }
    }
    throw new AccessError('amqp:not-implemented', `The token type '${type}' is not supported.`, 400);
  }

  /**
   * May a connection holding `claims` (and `plain`, a SASL PLAIN login) do `right` on `hub`? Throws
   * AccessError with Event Hubs' message when it may not. `right` 'Any' is any of Send, Listen, Manage.
   */
  async check(ns: CompiledNamespace, claims: Iterable<Claim>, plain: SasGrant | undefined, hub: string, right: AccessRight | 'Any'): Promise<void> {
    const now = this.o.clock.nowMs();
    const h = hub.toLowerCase();
    const hubSettings = ns.hubs.get(h);
    if (!hubSettings) throw new AccessError('amqp:not-found', `The messaging entity '${ns.settings.name}:eventhub:${hub}' could not be found.`, 404);
    const rights: AccessRight[] = right === 'Any' ? ['Send', 'Listen', 'Manage'] : [right];
    const local = !ns.settings.disableLocalAuth;
    if (plain && local && plain.expiresMs > now && rights.some((r) => sasAllows(plain, h, r))) return;
    let sawExpired = false;
    for (const c of claims) {
      if (c.entity !== '' && c.entity.split('/')[0] !== h) continue;
      if (c.kind === 'sas') {
        if (c.grant.expiresMs <= now) { sawExpired = true; continue; }
        if (local && rights.some((r) => sasAllows(c.grant, h, r))) return;
      } else {
        if (c.expiresMs <= now) { sawExpired = true; continue; }
        // Entra callers: the data actions of their roles at the hub (Manage has none of its own).
        for (const r of rights) {
          if (r === 'Manage') continue;
          if (await this.o.authz.isDataActionAllowed(c.objectId, DATA_ACTIONS[r], hubSettings.resourceId)) return;
        }
      }
    }
    const what = right === 'Listen' ? 'Listen' : right === 'Send' ? 'Send' : 'Send,Listen';
    throw new AccessError('amqp:unauthorized-access',
      sawExpired ? 'Unauthorized access. The token has expired.' : `Unauthorized access. '${what}' claim(s) are required to perform this operation. Resource: 'sb://${ns.settings.name.toLowerCase()}.servicebus.windows.net/${h}'.`);
  }
}
