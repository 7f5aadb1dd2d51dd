// Microsoft.ManagedIdentity: user-assigned identities (each with its service principal) and the
// system-assigned identity of any resource, read at {scope}/providers/Microsoft.ManagedIdentity/identities/default.
import type { ArmRequest, ResourceProviderModule, ResourceTypeRegistration } from '../registry.js';
import type { ArmContext } from '../context.js';
import { AzureError } from '../../common/errors.js';
import { ArmErrors } from '../errors.js';
import { asObject, normalizeLocation, preconditions, rejectUnknown, systemData, validateTags } from '../envelope.js';
import { trackedResourceHandlers } from '../tracked-resource.js';
import { resourceKind, type ResourceBody } from '../resource-store.js';

export const MSI_API_VERSIONS = ['2015-08-31-preview', '2018-11-30', '2021-09-30-preview', '2022-01-31-preview', '2023-01-31',
  '2023-07-31-preview', '2024-11-30', '2025-01-31-preview'] as const;

/** The properties of a user-assigned identity: its service principal (object id and app id) in the tenant. */
export interface UserAssignedIdentityProperties {
  isolationScope: 'None' | 'Regional';
  tenantId: string;
  principalId: string;
  clientId: string;
}

export const USER_ASSIGNED_IDENTITY = resourceKind<UserAssignedIdentityProperties>('Microsoft.ManagedIdentity/userAssignedIdentities');
const TYPE = USER_ASSIGNED_IDENTITY.type;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/;

const invalidName = (name: string) => new AzureError({
  status: 400, code: 'InvalidResourceName',
  message: `Resource name '${name}' is invalid. The name can contain only letters, numbers, underscores and hyphens, must start with a letter or number, and must be 3 to 128 characters long.`,
});


export function managedIdentityProvider(arm: ArmContext): ResourceProviderModule {
  const notFound = (req: ArmRequest) => ArmErrors.resourceNotFound(TYPE, req.target.name!, req.target.resourceGroup);

  const userAssigned: ResourceTypeRegistration = {
    type: TYPE, apiVersions: MSI_API_VERSIONS, scopes: ['resourceGroup'], listScopes: ['subscription', 'resourceGroup'],
    async get(req) {
      const r = await arm.resources.getOf(USER_ASSIGNED_IDENTITY, req.target.id);
      if (!r) throw notFound(req);
      return { status: 200, body: r.body };
    },
    async put(req) {
      const name = req.target.name!;
      if (!NAME.test(name)) throw invalidName(name);
      if (req.body === undefined) throw ArmErrors.missingBody();
      const body = asObject(req.body, '');
      rejectUnknown(body, ['location', 'tags', 'properties', 'id', 'name', 'type', 'systemData'], 'Identity', '');
      if (typeof body.location !== 'string' || !body.location.trim()) throw ArmErrors.locationRequired();
      const propsIn = body.properties === undefined || body.properties === null ? {} : asObject(body.properties, 'properties');
      rejectUnknown(propsIn, ['isolationScope', 'tenantId', 'principalId', 'clientId'], 'UserAssignedIdentityProperties', 'properties');
      const tags = validateTags(body.tags);
      const existing = await arm.resources.getOf(USER_ASSIGNED_IDENTITY, req.target.id);
      const id = existing?.id ?? req.target.id;
      let principal = existing ? { objectId: existing.body.properties.principalId, appId: existing.body.properties.clientId } : undefined;
      let created = false;
      if (!principal) {
        const p = await arm.entra.managedIdentities.createPrincipal({ resourceId: id, displayName: name, kind: 'UserAssigned' });
        principal = { objectId: p.objectId, appId: p.appId };
        created = true;
      }
      const doc: ResourceBody<UserAssignedIdentityProperties> = {
        id, name: existing?.body.name ?? name, type: TYPE, location: normalizeLocation(body.location),
        tags: tags ?? {},
        properties: {
          isolationScope: propsIn.isolationScope === 'Regional' ? 'Regional' : 'None',
          tenantId: arm.tenantId, principalId: principal.objectId, clientId: principal.appId,
        },
        systemData: systemData(req.caller, existing?.body.systemData, arm.clock.nowMs()),
      };
      try {
        const r = await arm.resources.put({ id, parent: req.target.scope, body: doc, ...preconditions(req) });
        return { status: r.created ? 201 : 200, body: r.resource.body };
      } catch (e) {
        if (created) await arm.entra.managedIdentities.deletePrincipal(principal.objectId);
        throw e;
      }
    },
    async patch(req) {
      const existing = await arm.resources.getOf(USER_ASSIGNED_IDENTITY, req.target.id);
      if (!existing) throw notFound(req);
      const body = asObject(req.body ?? {}, '');
      rejectUnknown(body, ['tags', 'location', 'properties'], 'IdentityUpdate', '');
      const doc: typeof existing.body = { ...existing.body, systemData: systemData(req.caller, existing.body.systemData, arm.clock.nowMs()) };
      if (body.tags !== undefined) doc.tags = validateTags(body.tags) ?? {};
      const r = await arm.resources.put({ id: existing.id, parent: req.target.scope, body: doc, ...preconditions(req) });
      return { status: 200, body: r.resource.body };
    },
    ...trackedResourceHandlers(arm, TYPE),
  };
  // The principal goes with the identity, also when its group is deleted.
  arm.resources.onDelete(USER_ASSIGNED_IDENTITY, async (deleted) => {
    await arm.entra.managedIdentities.deletePrincipal(deleted.body.properties.principalId);
  });

  const systemAssigned: ResourceTypeRegistration = {
    type: 'Microsoft.ManagedIdentity/identities', apiVersions: MSI_API_VERSIONS, scopes: ['subscription', 'resourceGroup', 'resource'],
    async get(req) {
      if (req.target.name!.toLowerCase() !== 'default') throw ArmErrors.resourceNotFound('Microsoft.ManagedIdentity/identities', req.target.name!, req.target.resourceGroup);
      const owner = req.target.scopeKind === 'resource' ? await arm.resources.get(req.target.scope) : undefined;
      if (!owner) throw ArmErrors.resourceNotFound('Microsoft.ManagedIdentity/identities', 'default', req.target.resourceGroup);
      const principalId: unknown = owner.body.identity?.principalId;
      const principal = typeof principalId === 'string' ? await arm.entra.directory.getByObjectId(principalId) : undefined;
      if (!principal) {
        throw new AzureError({ status: 404, code: 'ResourceNotFound', message: `The resource '${owner.id}' does not have a system-assigned managed identity.` });
      }
      return {
        status: 200,
        body: {
          id: `${owner.id}/providers/Microsoft.ManagedIdentity/identities/default`, name: 'default', type: 'Microsoft.ManagedIdentity/identities',
          location: owner.body.location, tags: {},
          properties: { tenantId: arm.tenantId, principalId: principal.objectId, clientId: principal.appId },
        },
      };
    },
  };

  return { namespace: 'Microsoft.ManagedIdentity', types: [userAssigned, systemAssigned] };
}
