// service/{svc}/namedValues: plain, secret and Key Vault named values. Secret and Key Vault values are
// sealed at rest and never returned by GET or list (POST listValue returns them). A named value a policy
// uses cannot be deleted. PUT and PATCH are long-running in the SDK; they complete here synchronously.
import type { ArmRequest } from '../../../registry.js';
import { resourceKind, type StoredResource } from '../../../resource-store.js';
import { AzureError } from '../../../../common/errors.js';
import { namedValueKey, type NamedValueConfig } from '../../../../gateway/config.js';
import { PRIVATE, defineApimChild, openFor, publicBody, sealFor, type ApimChildDeps } from '../child.js';
import { ApimChildErrors, bool, str, strings, validationError } from '../validation.js';
import type { KeyVaultRefresher } from '../keyvault-refresh.js';
import { policiesUsing } from './policies.js';
import { checkReferenceIdentity, checkSecretIdentifier } from '../keyvault-reference.js';

export interface KeyVaultReference {
  secretIdentifier: string;
  identityClientId: string | null;
  lastStatus?: { code: string; message?: string; timeStampUtc: string };
}

export interface NamedValueProperties {
  displayName: string;
  tags: string[];
  secret: boolean;
  /** Plain values only; secret and Key Vault values are sealed in the private fields. */
  value?: string;
  keyVault?: KeyVaultReference;
  provisioningState: string;
}

/** The private fields of a named value: the sealed value, and for Key Vault ones the version and time of the last read. */
export interface NamedValuePrivate {
  sealedValue?: string;
  version?: string;
  readMs?: number;
}

export const NAMED_VALUE = resourceKind<NamedValueProperties>('Microsoft.ApiManagement/service/namedValues');
export const NAMED_VALUE_TYPE = NAMED_VALUE.type;

const WRITABLE = ['displayName', 'value', 'secret', 'tags', 'keyVault'];
const DISPLAY_NAME = /^[A-Za-z0-9-._]+$/;
const MAX_VALUE = 4096;

export const NamedValueErrors = {
  displayName: (v: string) => validationError('displayName', `'${v}' is not a valid display name: it may contain only letters, digits, periods, dashes and underscores.`),
  displayNameTaken: (v: string) => validationError('displayName', `A named value with display name '${v}' already exists.`),
  inUse: (name: string, policies: string[]) => validationError('namedValue', `Named value '${name}' cannot be deleted because it is referenced in ${policies.length} polic${policies.length === 1 ? 'y' : 'ies'}. Remove it from the policies first.`),
  renameInUse: (displayName: string, policies: string[]) => validationError('displayName', `The display name '${displayName}' cannot be changed because ${policies.length} polic${policies.length === 1 ? 'y uses' : 'ies use'} it as {{${displayName}}}.`),
  notKeyVault: (name: string) => validationError('keyVault', `Named value '${name}' is not a Key Vault named value.`),
  noValueYet: (message: string) => new AzureError({ status: 400, code: 'ValidationError', message: `The secret could not be read from Key Vault: ${message}` }),
};

export const privateOf = (nv: StoredResource<NamedValueProperties>): NamedValuePrivate => (nv.body[PRIVATE] ?? {}) as NamedValuePrivate;

function keyVaultOf(value: unknown): KeyVaultReference | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw validationError('keyVault', "'keyVault' must be an object.");
  const kv = value as Record<string, unknown>;
  for (const k of Object.keys(kv)) if (!['secretIdentifier', 'identityClientId', 'lastStatus'].includes(k)) throw validationError(`keyVault.${k}`, `Could not find member '${k}' on object of type 'KeyVaultContractCreateProperties'.`);
  const secretIdentifier = str(kv, 'secretIdentifier', { required: true, at: 'keyVault.secretIdentifier' })!;
  checkSecretIdentifier(secretIdentifier, 'secretIdentifier');
  const cid = kv.identityClientId;
  if (cid !== undefined && cid !== null && typeof cid !== 'string') throw validationError('identityClientId', "'identityClientId' must be a string or null.");
  return { secretIdentifier, identityClientId: cid ? cid : null };
}

/** The value of a stored named value (plain, secret or the last read from Key Vault). */
function currentValue(deps: ApimChildDeps, nv: StoredResource<NamedValueProperties>): string | undefined {
  const sealed = privateOf(nv).sealedValue;
  if (typeof sealed === 'string') return openFor(deps, nv.id, 'value', sealed);
  return nv.body.properties.value;
}

export function namedValueRegistration(deps: ApimChildDeps, refresher: KeyVaultRefresher) {
  const { resources } = deps.arm;
  return defineApimChild(deps, {
    kind: NAMED_VALUE, path: 'namedValues', entity: 'NamedValue',
    contracts: { create: 'NamedValueCreateContract', update: 'NamedValueUpdateParameters' },
    writable: WRITABLE, readOnly: ['provisioningState'],
    async properties({ instance, id, existing, merge, given }) {
      const prev: Partial<NamedValueProperties> = existing?.body.properties ?? {};
      const displayName = str(given, 'displayName', { max: 256 }) ?? prev.displayName;
      if (displayName === undefined || displayName === '') throw ApimChildErrors.required('displayName');
      if (!DISPLAY_NAME.test(displayName)) throw NamedValueErrors.displayName(displayName);
      const siblings = await resources.listOf(NAMED_VALUE, { parent: instance.id });
      if (siblings.some((s) => s.id.toLowerCase() !== id.toLowerCase() && namedValueKey(s.body.properties.displayName) === namedValueKey(displayName))) {
        throw NamedValueErrors.displayNameTaken(displayName);
      }
      // Policies name a named value by its display name: renaming one in use would break them.
      if (existing && prev.displayName !== undefined && namedValueKey(prev.displayName) !== namedValueKey(displayName)) {
        const users = await policiesUsing(resources, instance.id, prev.displayName);
        if (users.length > 0) throw NamedValueErrors.renameInUse(prev.displayName, users);
      }
      const tags = strings(given, 'tags', { maxItems: 32 }) ?? (merge ? prev.tags : undefined) ?? [];

      const requestedKv = keyVaultOf(given.keyVault);
      const value = str(given, 'value');
      if (value !== undefined && value.length > MAX_VALUE) throw ApimChildErrors.tooLong('value', MAX_VALUE);
      // PATCH keeps what it does not name; a value replaces a Key Vault reference and the other way round.
      const kv = requestedKv ?? (merge && value === undefined && prev.keyVault ? { secretIdentifier: prev.keyVault.secretIdentifier, identityClientId: prev.keyVault.identityClientId ?? null } : undefined);
      const secret = bool(given, 'secret') ?? (existing ? prev.secret ?? false : false);
      const priv: NamedValuePrivate = {};
      const properties: NamedValueProperties = { displayName, tags, secret, provisioningState: 'Succeeded' };
      if (kv) {
        if (value !== undefined) throw validationError('value', "'value' and 'keyVault' cannot both be given.");
        checkReferenceIdentity(instance.body.identity, kv.identityClientId, kv.secretIdentifier);
        const sameRef = prev.keyVault && prev.keyVault.secretIdentifier === kv.secretIdentifier && (prev.keyVault.identityClientId ?? null) === kv.identityClientId;
        properties.keyVault = { ...kv, ...(sameRef && prev.keyVault!.lastStatus ? { lastStatus: prev.keyVault!.lastStatus } : {}) };
        if (sameRef) Object.assign(priv, privateOf(existing!));
      } else {
        const v = value ?? (existing && !prev.keyVault ? currentValue(deps, existing) : undefined);
        if (v === undefined || v === '') throw ApimChildErrors.required('value');
        if (secret) priv.sealedValue = sealFor(deps, id, 'value', v);
        else properties.value = v;
      }
      return { properties, private: { ...priv } };
    },
    // A new Key Vault reference is read right away; lastStatus tells how that went.
    async afterWrite(stored) {
      return stored.body.properties.keyVault && typeof privateOf(stored).sealedValue !== 'string' ? refresher.refresh(stored) : stored;
    },
    async beforeDelete(nv, _req, batch) {
      const users = await policiesUsing(batch, nv.id.slice(0, nv.id.lastIndexOf('/namedValues/')), nv.body.properties.displayName);
      if (users.length > 0) throw NamedValueErrors.inUse(nv.body.name, users);
    },
    actions: {
      async listvalue(_req: ArmRequest, found) {
        const nv = found.body.properties.keyVault && typeof privateOf(found).sealedValue !== 'string' ? await refresher.refresh(found) : found;
        const value = currentValue(deps, nv);
        if (value === undefined) throw NamedValueErrors.noValueYet(nv.body.properties.keyVault?.lastStatus?.message ?? '');
        return { status: 200, body: { value }, headers: { etag: nv.etag } };
      },
      async refreshsecret(_req: ArmRequest, nv) {
        if (!nv.body.properties.keyVault) throw NamedValueErrors.notKeyVault(nv.body.name);
        const stored = await refresher.refresh(nv);
        return { status: 200, body: publicBody(stored.body), headers: { etag: stored.etag } };
      },
    },
  });
}

/** Named values of an instance with their values, for the gateway's configuration. */
export async function resolvedNamedValues(deps: ApimChildDeps, instanceId: string): Promise<NamedValueConfig[]> {
  const out: NamedValueConfig[] = [];
  for (const nv of await deps.arm.resources.listOf(NAMED_VALUE, { parent: instanceId })) {
    const p = nv.body.properties;
    let value: string | undefined;
    try {
      value = currentValue(deps, nv);
    } catch (e) {
      deps.logger.error(`named value ${nv.id} cannot be unsealed`, e);
      value = undefined;
    }
    out.push({
      // A Key Vault value is a secret whatever `secret` says (masked in traces).
      name: nv.body.name, displayName: p.displayName, secret: p.secret || !!p.keyVault, value,
      ...(p.keyVault ? { keyVault: { secretIdentifier: p.keyVault.secretIdentifier, identityClientId: p.keyVault.identityClientId ?? null } } : {}),
    });
  }
  return out;
}
