// authentication-managed-identity: a token for `resource` as the instance's system-assigned identity
// (or the user-assigned one with client-id), from the per-instance cache in front of the Entra plane.
// It sets `Authorization: Bearer`, or only the variable when output-token-variable-name is given.
import type { XNode } from '../policy/xml.js';
import { PolicyError, type CompileContext, type ElementSchema, type PolicyDefinition, type Run } from '../policy/types.js';
import type { GatewayContext } from '../runtime/context.js';
import type { MiTokenFailure } from '../../entra/index.js';

export const NO_IDENTITY = 'Managed service identity is not enabled for this service and authentication-managed-identity policy cannot be used.';

export const managedIdentitySchema: ElementSchema = {
  // client-id and output-token-variable-name: "Policy expressions aren't allowed"; ignore-error: the table is silent.
  attrs: { resource: { required: true, expr: true }, 'client-id': {}, 'output-token-variable-name': {}, 'ignore-error': { type: 'bool' } },
};

/**
 * APIM's error for a token Entra refused, chosen by the failure's typed code (ManagedIdentities.tokenFor's
 * MiTokenFailure, in process or carried by a worker's call: workers/protocol.ts), never its text.
 */
function tokenError(e: unknown, clientId: string | undefined): PolicyError {
  const failure = (e as { code?: MiTokenFailure } | null | undefined)?.code;
  let message: string;
  switch (failure) {
    case 'NoSystemAssignedIdentity': message = NO_IDENTITY; break;
    case 'IdentityNotFound':
      message = clientId
        ? `Managed identity with client id '${clientId}' is not assigned to this service and cannot be used by the authentication-managed-identity policy.`
        : NO_IDENTITY;
      break;
    default: message = `Could not acquire a managed identity token: ${e instanceof Error ? e.message : String(e)}`;
  }
  const err = new PolicyError('TokenAcquisitionFailure', message);
  err.source = 'authentication-managed-identity';
  return err;
}

/**
 * The token getter of an authentication-managed-identity element: the token (synchronously when
 * cached), a promise of it, or undefined when it failed and ignore-error is true.
 */
export function managedIdentityToken(node: XNode, c: CompileContext, asHeader = false): (ctx: GatewayContext) => string | undefined | Promise<string | undefined> {
  const resource = c.attr(node, 'resource')!;
  const clientId = c.attr(node, 'client-id')?.constant || undefined;
  const ignoreError = (node.attrs['ignore-error'] ?? 'false').toLowerCase() === 'true';
  const tokens = c.services.tokens;
  const fail = (e: unknown): undefined => { if (ignoreError) return undefined; throw tokenError(e, clientId); };
  return (ctx) => {
    let t: string | Promise<string>;
    try { t = asHeader ? tokens.header(clientId, resource(ctx)) : tokens.get(clientId, resource(ctx)); } catch (e) { return fail(e); }
    return typeof t === 'string' ? t : t.catch(fail);
  };
}

const authenticationManagedIdentity: PolicyDefinition = {
  name: 'authentication-managed-identity',
  sections: ['inbound'],
  schema: managedIdentitySchema,
  compile(node, c): Run {
    const variable = c.attr(node, 'output-token-variable-name')?.constant;
    const get = managedIdentityToken(node, c, variable === undefined);
    const apply = variable !== undefined
      ? (ctx: GatewayContext, t: string | undefined) => { if (t !== undefined) ctx.variables.set(variable, t); }
      : (ctx: GatewayContext, t: string | undefined) => { if (t !== undefined) ctx.headers.authorization = t; };
    return (ctx) => {
      const t = get(ctx);
      if (typeof t === 'string' || t === undefined) { apply(ctx, t); return; }
      return t.then((tok) => apply(ctx, tok));
    };
  },
};

export const identityPolicies: PolicyDefinition[] = [authenticationManagedIdentity];
