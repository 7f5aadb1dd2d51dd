// The `identity` property of a resource (API Management instances, and any other type that has one):
// parse and validate it, create or delete the system-assigned principal, resolve user-assigned ids,
// and tell the directory which identities the resource may get tokens for.
import { AzureError } from '../common/errors.js';
import type { ArmContext } from './context.js';
import { pathSegments } from './resource-id.js';
import { ArmErrors } from './errors.js';
import { callerName, type ArmCaller } from './registry.js';
import { USER_ASSIGNED_IDENTITY } from './providers/managed-identity.js';

export interface UserAssignedIdentityValue { principalId: string; clientId: string }

export interface IdentityProperty {
  type: 'None' | 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned, UserAssigned';
  principalId?: string;
  tenantId?: string;
  userAssignedIdentities?: Record<string, UserAssignedIdentityValue>;
}

export const USER_ASSIGNED_TYPE = USER_ASSIGNED_IDENTITY.type;

const bad = (message: string, target = 'identity') => new AzureError({ status: 400, code: 'InvalidIdentity', message, target });

export const IdentityErrors = {
  invalidType: (t: unknown) => bad(`The identity type '${String(t)}' is invalid. Allowed values: 'None', 'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned'.`, 'identity.type'),
  tooMany: (n: number, max: number) => bad(`Too many user-assigned identities: ${n} were given, and a resource can have at most ${max}.`, 'identity.userAssignedIdentities'),
  userAssignedMissing: () => bad("The identity type includes 'UserAssigned' but 'userAssignedIdentities' is empty.", 'identity.userAssignedIdentities'),
  userAssignedNotAllowed: () => bad("'userAssignedIdentities' may only be given when the identity type includes 'UserAssigned'.", 'identity.userAssignedIdentities'),
  invalidUserAssignedId: (id: string) => bad(`The user-assigned identity id '${id}' is not a valid resource id of type '${USER_ASSIGNED_TYPE}'.`, `identity.userAssignedIdentities['${id}']`),
  userAssignedNotFound: (id: string) => new AzureError({
    status: 400, code: 'FailedIdentityOperation', target: `identity.userAssignedIdentities['${id}']`,
    message: `Identity operation for resource failed with error 'Resource '${id}' was not found.'. Please make sure the user-assigned identity exists.`,
  }),
  badValue: (id: string) => bad(`The value for user-assigned identity '${id}' must be an empty object {} (or null to remove it in PATCH).`, `identity.userAssignedIdentities['${id}']`),
  /** Resource Manager's linked check: attaching an identity needs `assign/action` on it (Managed Identity Operator, Contributor, Owner). */
  linkedAuthorizationFailed: (caller: ArmCaller, action: string, scope: string, linked: string[]) => new AzureError({
    status: 403, code: 'LinkedAuthorizationFailed',
    message: `The client '${callerName(caller)}' with object id '${caller.objectId}' has permission to perform action '${action}' on scope '${scope}'; however, it does not have permission to perform action(s) '${ASSIGN_ACTION}' on the linked scope(s) '${linked.join(',')}' (respectively) or the linked scope(s) are invalid.`,
  }),
};

/** The action Azure checks on each user-assigned identity a request attaches. */
export const ASSIGN_ACTION = 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action';

/** `SystemAssigned,UserAssigned`, `systemAssigned` ... → the canonical type, or undefined if invalid. */
export function canonicalIdentityType(value: unknown): IdentityProperty['type'] | undefined {
  if (typeof value !== 'string') return undefined;
  const parts = value.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean).sort();
  const key = parts.join(',');
  if (key === 'none') return 'None';
  if (key === 'systemassigned') return 'SystemAssigned';
  if (key === 'userassigned') return 'UserAssigned';
  if (key === 'systemassigned,userassigned') return 'SystemAssigned, UserAssigned';
  return undefined;
}

export interface IdentityChange {
  identity: IdentityProperty;
  /** Principals to delete once the resource is stored (system-assigned identity turned off). */
  deletePrincipals: string[];
  /** Principals created for this request, to delete if storing the resource fails. */
  createdPrincipals: string[];
}

/** Hook for rules of other features, e.g. "the identity a Key Vault certificate uses cannot be disabled". */
export type IdentityRemovalCheck = (removed: { systemAssigned: boolean; userAssigned: UserAssignedIdentityValue[] }) => Promise<void>;

export async function applyIdentity(arm: ArmContext, input: {
  resourceId: string;
  resourceName: string;
  requested: unknown;
  previous: IdentityProperty | undefined;
  /** PATCH merges userAssignedIdentities (null removes one); PUT replaces. */
  merge: boolean;
  /**
   * What a PUT without `identity` means: 'none' (the default: the resource has none) or 'keep' (its
   * identities stay, as API Management's PUT does: `az apim update` sends the instance without them).
   */
  omitted?: 'none' | 'keep';
  maxUserAssigned: number;
  checkRemoval?: IdentityRemovalCheck;
  /** Who asks, and the write action they were authorized for: attaching an identity is checked for them. */
  caller: ArmCaller;
  action: string;
}): Promise<IdentityChange> {
  const { previous } = input;
  if (input.requested === undefined || input.requested === null) {
    // PUT without identity: none (or unchanged, for types whose PUT keeps them); PATCH without identity: unchanged.
    if (input.merge || input.omitted === 'keep') return { identity: previous ?? { type: 'None' }, deletePrincipals: [], createdPrincipals: [] };
  }
  const req = (input.requested ?? { type: 'None' }) as Record<string, unknown>;
  if (typeof req !== 'object' || Array.isArray(req)) throw bad('identity must be an object.');
  for (const k of Object.keys(req)) {
    if (!['type', 'userassignedidentities', 'principalid', 'tenantid'].includes(k.toLowerCase())) throw ArmErrors.unknownMember(k, 'ManagedServiceIdentity', `identity.${k}`);
  }
  const type = canonicalIdentityType(req.type);
  if (!type) throw IdentityErrors.invalidType(req.type);
  const wantsSystem = type.includes('SystemAssigned');
  const wantsUser = type.includes('UserAssigned');

  // The user-assigned set after this request, keyed by lower-cased id, keeping the casing first given.
  const current = new Map<string, string>();
  if (input.merge && previous?.userAssignedIdentities && wantsUser) {
    for (const id of Object.keys(previous.userAssignedIdentities)) current.set(id.toLowerCase(), id);
  }
  const requestedUai = req.userAssignedIdentities;
  if (requestedUai !== undefined && requestedUai !== null) {
    if (typeof requestedUai !== 'object' || Array.isArray(requestedUai)) throw bad('userAssignedIdentities must be an object keyed by resource id.', 'identity.userAssignedIdentities');
    if (!wantsUser && Object.values(requestedUai).some((v) => v !== null)) throw IdentityErrors.userAssignedNotAllowed();
    for (const [id, value] of Object.entries(requestedUai as Record<string, unknown>)) {
      if (value === null) { current.delete(id.toLowerCase()); continue; }
      if (typeof value !== 'object' || Array.isArray(value)) throw IdentityErrors.badValue(id);
      const prevKey = previous?.userAssignedIdentities && Object.keys(previous.userAssignedIdentities).find((k) => k.toLowerCase() === id.toLowerCase());
      current.set(id.toLowerCase(), prevKey ?? id);
    }
  }
  if (!wantsUser) current.clear();
  if (wantsUser && current.size === 0) throw IdentityErrors.userAssignedMissing();
  if (current.size > input.maxUserAssigned) throw IdentityErrors.tooMany(current.size, input.maxUserAssigned);

  for (const id of current.values()) validateUserAssignedId(id);
  // Every identity this request adds needs assign/action for the caller, checked before its existence
  // is looked at, so a caller cannot probe for identities it may not use.
  const previousKeys = new Set(Object.keys(previous?.userAssignedIdentities ?? {}).map((k) => k.toLowerCase()));
  const denied: string[] = [];
  for (const [key, id] of current) {
    if (previousKeys.has(key)) continue;
    if (!(await arm.authz.isAllowed(input.caller.objectId, ASSIGN_ACTION, id))) denied.push(id);
  }
  if (denied.length > 0) throw IdentityErrors.linkedAuthorizationFailed(input.caller, input.action, input.resourceId, denied);

  const userAssignedIdentities: Record<string, UserAssignedIdentityValue> = {};
  for (const id of current.values()) {
    const stored = await arm.resources.getOf(USER_ASSIGNED_IDENTITY, id);
    if (!stored) throw IdentityErrors.userAssignedNotFound(id);
    userAssignedIdentities[id] = { principalId: stored.body.properties.principalId, clientId: stored.body.properties.clientId };
  }

  const removedUser = Object.entries(previous?.userAssignedIdentities ?? {})
    .filter(([k]) => !current.has(k.toLowerCase())).map(([, v]) => v);
  const removingSystem = !!previous?.principalId && !wantsSystem;
  if (input.checkRemoval && (removingSystem || removedUser.length > 0)) {
    await input.checkRemoval({ systemAssigned: removingSystem, userAssigned: removedUser });
  }

  const identity: IdentityProperty = { type };
  const change: IdentityChange = { identity, deletePrincipals: [], createdPrincipals: [] };
  if (wantsSystem) {
    if (previous?.principalId && await arm.entra.directory.getByObjectId(previous.principalId)) {
      identity.principalId = previous.principalId;
    } else {
      const p = await arm.entra.managedIdentities.createPrincipal({ resourceId: input.resourceId, displayName: input.resourceName, kind: 'SystemAssigned' });
      identity.principalId = p.objectId;
      change.createdPrincipals.push(p.objectId);
    }
    identity.tenantId = arm.tenantId;
  } else if (previous?.principalId) {
    change.deletePrincipals.push(previous.principalId);
  }
  if (wantsUser) identity.userAssignedIdentities = userAssignedIdentities;
  return change;
}

/** After the resource is stored: record which identities it may use, and delete the turned-off principal. */
export async function commitIdentity(arm: ArmContext, resourceId: string, change: IdentityChange): Promise<void> {
  const { identity } = change;
  await arm.entra.managedIdentities.setAssignments(resourceId, [
    ...(identity.principalId ? [{ principalId: identity.principalId, kind: 'SystemAssigned' as const }] : []),
    ...Object.values(identity.userAssignedIdentities ?? {}).map((v) => ({ principalId: v.principalId, kind: 'UserAssigned' as const })),
  ]);
  for (const p of change.deletePrincipals) await arm.entra.managedIdentities.deletePrincipal(p);
}

/** Storing failed: undo the principals this request created. */
export async function rollbackIdentity(arm: ArmContext, change: IdentityChange): Promise<void> {
  for (const p of change.createdPrincipals) await arm.entra.managedIdentities.deletePrincipal(p);
}

/** When a resource with an identity is deleted: its system-assigned principal goes, and its assignments. */
export async function releaseIdentity(arm: ArmContext, resourceId: string, identity: IdentityProperty | undefined): Promise<void> {
  await arm.entra.managedIdentities.setAssignments(resourceId, []);
  // A later resource with the same id must not accept the endpoint secrets issued for this one.
  await arm.entra.managedIdentities.rotateEndpointSecrets(resourceId);
  if (identity?.principalId) await arm.entra.managedIdentities.deletePrincipal(identity.principalId);
}

function validateUserAssignedId(id: string): void {
  let segs: string[];
  try { segs = pathSegments(id); } catch { throw IdentityErrors.invalidUserAssignedId(id); }
  const ok = segs.length === 8 && segs[0].toLowerCase() === 'subscriptions' && segs[2].toLowerCase() === 'resourcegroups'
    && segs[4].toLowerCase() === 'providers' && segs[5].toLowerCase() === 'microsoft.managedidentity' && segs[6].toLowerCase() === 'userassignedidentities';
  if (!ok || !id.startsWith('/')) throw IdentityErrors.invalidUserAssignedId(id);
}
