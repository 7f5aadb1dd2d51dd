// service/{svc}/namedValues: plain, secret and Key Vault named values. Secret and Key Vault values are
// sealed at rest and never returned by GET or list (POST listValue returns them). A named value a policy
// uses cannot be deleted. PUT and PATCH are long-running in the SDK; they complete here synchronously.
import type { ArmRequest, ResourceTypeRegistration } from '../registry.js';
import type { ResourceBody, StoredResource } from '../resource-store.js';
import { AzureError } from '../../common/errors.js';
import {
  ApimChildErrors, PRIVATE, bool, checkIfMatch, childType, deleteChild, getChild, instanceIdOf, listChildren,
  openFor, propertiesOf, publicBody, requireInstance, reloadGateway, sealFor, str, validationError, type ApimChildDeps, existingForWrite } from './api-management-common.js';
import { NAMED_VALUE_TYPE, type KeyVaultRefresher } from './api-management-keyvault-refresh.js';
import { policiesUsing } from './api-management-policies.js';

export { NAMED_VALUE_TYPE };

const WRITABLE = ['displayName', 'value', 'secret', 'tags', 'keyVault'];
const DISPLAY_NAME = /^[A-Za-z0-9-._]+$/;
const MAX_VALUE = 4096;

export const NamedValueErrors = {
  displayName: (v: string) => validationError('displayName', `'${v}' is not a valid display name: it may contain only letters, digits, periods, dashes and underscores.`),
  displayNameTaken: (v: string) => validationError('displayName', `A named value with display name '${v}' already exists.`),
  identityNotFound: (clientId: string) => validationError('identityClientId', `Can not find Managed Identity with provided IdentityClientId : ${clientId}. For more information please see aka.ms/apimmsi.`),
  noSystemIdentity: (secretIdentifier: string) => new AzureError({
    status: 400, code: 'InvalidOperation',
    message: `Managed Service Identity (http://aka.ms/apimmsi) is not enabled on the service, which is required to access KeyVault ${secretIdentifier}`,
  }),
  inUse: (name: string, policies: string[]) => validationError('namedValue', `Named value '${name}' cannot be deleted because it is referenced in ${policies.length} polic${policies.length === 1 ? 'y' : 'ies'}. Remove it from the policies first.`),
  renameInUse: (displayName: string, policies: string[]) => validationError('displayName', `The display name '${displayName}' cannot be changed because ${policies.length} polic${policies.length === 1 ? 'y uses' : 'ies use'} it as {{${displayName}}}.`),
  notKeyVault: (name: string) => validationError('keyVault', `Named value '${name}' is not a Key Vault named value.`),
  noValueYet: (message: string) => new AzureError({ status: 400, code: 'ValidationError', message: `The secret could not be read from Key Vault: ${message}` }),
};

export function namedValueRegistration(deps: ApimChildDeps, refresher: KeyVaultRefresher): ResourceTypeRegistration {
  const { arm } = deps;

  /** The identity the Key Vault reference names must be the instance's. */
  function checkIdentity(svc: StoredResource, kv: { secretIdentifier: string; identityClientId: string | null }): void {
    const identity = svc.body.identity ?? {};
    if (kv.identityClientId === null) {
      if (!identity.principalId) throw NamedValueErrors.noSystemIdentity(kv.secretIdentifier);
      return;
    }
    const assigned = Object.values((identity.userAssignedIdentities ?? {}) as Record<string, { clientId: string }>);
    if (!assigned.some((u) => u.clientId.toLowerCase() === kv.identityClientId!.toLowerCase())) throw NamedValueErrors.identityNotFound(kv.identityClientId);
  }

  function keyVaultOf(value: unknown): { secretIdentifier: string; identityClientId: string | null } | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw validationError('keyVault', "'keyVault' must be an object.");
    const kv = value as Record<string, unknown>;
    for (const k of Object.keys(kv)) if (!['secretIdentifier', 'identityClientId', 'lastStatus'].includes(k)) throw validationError(`keyVault.${k}`, `Could not find member '${k}' on object of type 'KeyVaultContractCreateProperties'.`);
    const secretIdentifier = str(kv, 'secretIdentifier', { required: true });
    let url: URL | undefined;
    try { url = new URL(secretIdentifier!); } catch { url = undefined; }
    const segs = url?.pathname.split('/').filter(Boolean) ?? [];
    if (!url || url.protocol !== 'https:' || segs.length < 2 || segs.length > 3 || segs[0].toLowerCase() !== 'secrets') {
      throw validationError('secretIdentifier', `'${secretIdentifier}' is not a valid Key Vault secret identifier: expected https://{vault}.vault.azure.net/secrets/{name}[/{version}].`);
    }
    const cid = kv.identityClientId;
    if (cid !== undefined && cid !== null && typeof cid !== 'string') throw validationError('identityClientId', "'identityClientId' must be a string or null.");
    return { secretIdentifier: secretIdentifier!, identityClientId: cid ? cid : null };
  }

  async function write(req: ArmRequest, merge: boolean) {
    const svc = await requireInstance(deps, req);
    const name = req.target.name!;
    const existing = await existingForWrite(deps, req, 'NamedValue', merge);
    const props = propertiesOf(req, merge ? 'NamedValueUpdateParameters' : 'NamedValueCreateContract', [...WRITABLE, 'provisioningState']);
    const prev = existing?.body.properties ?? {};
    const id = existing?.id ?? req.target.id;
    const displayName = str(props, 'displayName', { max: 256 }) ?? (merge || existing ? prev.displayName : undefined);
    if (displayName === undefined || displayName === '') throw ApimChildErrors.required('displayName');
    if (!DISPLAY_NAME.test(displayName)) throw NamedValueErrors.displayName(displayName);
    const siblings = await arm.resources.list({ parent: svc.id, type: NAMED_VALUE_TYPE });
    if (siblings.some((s) => s.id.toLowerCase() !== id.toLowerCase() && s.body.properties.displayName.toLowerCase() === displayName.toLowerCase())) {
      throw NamedValueErrors.displayNameTaken(displayName);
    }
    // Policies name a named value by its display name: renaming one in use would break them.
    if (existing && prev.displayName !== displayName) {
      const users = await policiesUsing(deps, svc.id, prev.displayName);
      if (users.length > 0) throw NamedValueErrors.renameInUse(prev.displayName, users);
    }
    const tags = props.tags ?? (merge ? prev.tags : undefined) ?? [];
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) throw validationError('tags', "'tags' must be an array of strings.");
    if (tags.length > 32) throw validationError('tags', "'tags' may have at most 32 items.");

    const requestedKv = props.keyVault !== undefined ? keyVaultOf(props.keyVault) : undefined;
    const value = str(props, 'value');
    if (value !== undefined && value.length > MAX_VALUE) throw ApimChildErrors.tooLong('value', MAX_VALUE);
    // PATCH keeps what it does not name; a value replaces a Key Vault reference and the other way round.
    const kv = requestedKv ?? (merge && value === undefined && prev.keyVault ? { secretIdentifier: prev.keyVault.secretIdentifier, identityClientId: prev.keyVault.identityClientId ?? null } : undefined);
    const secret = bool(props, 'secret') ?? (merge || existing ? prev.secret ?? false : false);
    const priv: Record<string, unknown> = {};
    const properties: Record<string, unknown> = { displayName, tags, secret };
    if (kv) {
      if (value !== undefined) throw validationError('value', "'value' and 'keyVault' cannot both be given.");
      checkIdentity(svc, kv);
      const sameRef = prev.keyVault && prev.keyVault.secretIdentifier === kv.secretIdentifier && (prev.keyVault.identityClientId ?? null) === kv.identityClientId;
      properties.keyVault = { ...kv, ...(sameRef && prev.keyVault.lastStatus ? { lastStatus: prev.keyVault.lastStatus } : {}) };
      if (sameRef) Object.assign(priv, existing!.body[PRIVATE] ?? {});
    } else {
      const v = value ?? (existing && !prev.keyVault ? currentValue(existing) : undefined);
      if (v === undefined || v === '') throw ApimChildErrors.required('value');
      if (secret) priv.sealedValue = sealFor(deps, id, 'value', v);
      else properties.value = v;
    }
    properties.provisioningState = 'Succeeded';
    const doc: ResourceBody = { id, type: NAMED_VALUE_TYPE, name: existing?.body.name ?? name, properties, [PRIVATE]: priv };
    const r = await arm.resources.put({ id, parent: svc.id, body: doc, ifMatch: merge ? undefined : (req.ctx.req.headers['if-match'] as string | undefined) });
    let stored = r.resource;
    // A new Key Vault reference is read right away; lastStatus tells how that went.
    if (kv && typeof priv.sealedValue !== 'string') stored = await refresher.refresh(stored);
    else await reloadGateway(deps, svc.id);
    return { status: merge ? 200 : r.created ? 201 : 200, body: publicBody(stored.body), headers: { etag: stored.etag } };
  }

  /** The value of a stored named value (plain, secret or the last read from Key Vault). */
  function currentValue(nv: StoredResource): string | undefined {
    const sealed = nv.body[PRIVATE]?.sealedValue;
    if (typeof sealed === 'string') return openFor(deps, nv.id, 'value', sealed);
    return nv.body.properties.value;
  }

  const find = async (req: ArmRequest) => {
    await requireInstance(deps, req);
    const nv = await arm.resources.get(req.target.id);
    if (!nv) throw ApimChildErrors.notFound('NamedValue');
    return nv;
  };

  return childType('namedValues', {
    get: (req) => getChild(deps, req, 'NamedValue'),
    put: (req) => write(req, false),
    patch: (req) => write(req, true),
    async delete(req) {
      await requireInstance(deps, req);
      const nv = await arm.resources.get(req.target.id);
      if (nv) {
        checkIfMatch(req, nv);
        const users = await policiesUsing(deps, instanceIdOf(nv.id), nv.body.properties.displayName);
        if (users.length > 0) throw NamedValueErrors.inUse(nv.body.name, users);
      }
      return deleteChild(deps, req, nv);
    },
    list: (req) => listChildren(deps, req, NAMED_VALUE_TYPE),
    actions: {
      async listvalue(req) {
        let nv = await find(req);
        if (nv.body.properties.keyVault && typeof nv.body[PRIVATE]?.sealedValue !== 'string') nv = await refresher.refresh(nv);
        const value = currentValue(nv);
        if (value === undefined) throw NamedValueErrors.noValueYet(nv.body.properties.keyVault?.lastStatus?.message ?? '');
        return { status: 200, body: { value }, headers: { etag: nv.etag } };
      },
      async refreshsecret(req) {
        const nv = await find(req);
        if (!nv.body.properties.keyVault) throw NamedValueErrors.notKeyVault(nv.body.name);
        const stored = await refresher.refresh(nv);
        return { status: 200, body: publicBody(stored.body), headers: { etag: stored.etag } };
      },
    },
  });
}

/** Named values of an instance with their values, for the gateway's configuration. */
export async function resolvedNamedValues(deps: ApimChildDeps, instanceId: string): Promise<{ name: string; displayName: string; secret: boolean; value?: string; keyVault?: { secretIdentifier: string; identityClientId: string | null } }[]> {
  const out = [];
  for (const nv of await deps.arm.resources.list({ parent: instanceId, type: NAMED_VALUE_TYPE })) {
    const p = nv.body.properties;
    const sealed = nv.body[PRIVATE]?.sealedValue;
    let value: string | undefined = p.value;
    if (typeof sealed === 'string') {
      try { value = openFor(deps, nv.id, 'value', sealed); } catch (e) { deps.logger.error(`named value ${nv.id} cannot be unsealed`, e); value = undefined; }
    }
    out.push({
      // A Key Vault value is a secret whatever `secret` says (masked in traces).
      name: nv.body.name, displayName: p.displayName, secret: !!p.secret || !!p.keyVault, value,
      ...(p.keyVault ? { keyVault: { secretIdentifier: p.keyVault.secretIdentifier, identityClientId: p.keyVault.identityClientId ?? null } } : {}),
    });
  }
  return out;
}
