// Microsoft.KeyVault/vaults/secrets: Resource Manager's view of a vault's secrets, the way a template
// sets one (`vaults/secrets` with `properties.value`). Authorized by Resource Manager's roles, not the
// vault's access policies (as Azure). PUT sets a new version; PATCH changes content type, tags and
// attributes. A GET or list never shows a value; the secrets behind certificates are not listed. The
// secrets themselves live in the Key Vault plane.
import type { ArmRequest, ResourceTypeRegistration } from '../registry.js';
import type { ArmContext } from '../context.js';
import type { StoredResource } from '../resource-store.js';
import type { SecretInput, VaultSecretInfo } from '../../keyvault/index.js';
import { ArmErrors } from '../errors.js';
import { asObject, page, rejectUnknown, validateTags } from '../envelope.js';
import { VAULT, VAULT_TYPE, type VaultProperties } from './key-vault-properties.js';

export const VAULT_SECRET_TYPE = `${VAULT_TYPE}/secrets`;

/** Seconds since the epoch, or null, for `attributes.nbf` / `exp`. */
function epoch(v: unknown, path: string): number | null | undefined {
  if (v === undefined || v === null) return v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw ArmErrors.invalidValue(path, `The value of '${path}' must be a whole number of seconds since 1970-01-01.`);
  return v;
}

export function vaultSecretsRegistration(arm: ArmContext, apiVersions: readonly string[]): ResourceTypeRegistration {
  /** The vault the request names (the parent of the secret, or of the collection). */
  async function vaultOf(req: ArmRequest): Promise<StoredResource<VaultProperties>> {
    const id = /^(.*?\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+)/i.exec(req.target.id)![1];
    const vault = await arm.resources.getOf(VAULT, id);
    if (!vault) throw ArmErrors.parentResourceNotFound(`${VAULT_TYPE}/${req.target.names[0]}`);
    return vault;
  }

  const present = (vault: StoredResource<VaultProperties>, s: VaultSecretInfo) => {
    const secretUri = `${vault.body.properties.vaultUri}secrets/${s.name}`;
    return {
      id: `${vault.id}/secrets/${s.name}`, name: s.name, type: VAULT_SECRET_TYPE, location: vault.body.location,
      ...(s.tags ? { tags: s.tags } : {}),
      properties: {
        ...(s.contentType !== null ? { contentType: s.contentType } : {}),
        attributes: { enabled: s.enabled, ...(s.nbf !== null ? { nbf: s.nbf } : {}), ...(s.exp !== null ? { exp: s.exp } : {}), created: s.created, updated: s.updated },
        secretUri, secretUriWithVersion: `${secretUri}/${s.version}`,
      },
    };
  };

  return {
    type: VAULT_SECRET_TYPE, apiVersions, scopes: ['resource'],
    async get(req) {
      const vault = await vaultOf(req);
      const s = await arm.keyVault.getSecret(vault.body.name, req.target.name!);
      if (!s) throw ArmErrors.resourceNotFound(VAULT_SECRET_TYPE, `${vault.body.name}/${req.target.name}`, req.target.resourceGroup);
      return { status: 200, body: present(vault, s) };
    },
    async list(req) {
      const vault = await vaultOf(req);
      return page(req, (await arm.keyVault.listSecrets(vault.body.name)).map((s) => present(vault, s)), arm.baseUrl);
    },
    async put(req) {
      const vault = await vaultOf(req);
      const given = parseBody(req, 'SecretCreateOrUpdateParameters');
      if (typeof given.value !== 'string') throw ArmErrors.invalidValue('properties.value', "The secret's 'properties.value' is required and must be a string.");
      const existed = (await arm.keyVault.getSecret(vault.body.name, req.target.name!)) !== undefined;
      const s = await arm.keyVault.setSecret(vault.body.name, req.target.name!, { ...given.input, value: given.value });
      return { status: existed ? 200 : 201, body: present(vault, s) };
    },
    async patch(req) {
      const vault = await vaultOf(req);
      const given = parseBody(req, 'SecretPatchParameters');
      if (given.value !== undefined) throw ArmErrors.invalidValue('properties.value', "A secret's value cannot be changed by PATCH; PUT sets a new version.");
      const s = await arm.keyVault.updateSecret(vault.body.name, req.target.name!, given.input);
      if (!s) throw ArmErrors.resourceNotFound(VAULT_SECRET_TYPE, `${vault.body.name}/${req.target.name}`, req.target.resourceGroup);
      return { status: 200, body: present(vault, s) };
    },
  };
}

/** The body of a PUT or PATCH: the value (if any) and the rest; on PATCH what is not given stays. */
function parseBody(req: ArmRequest, contract: string): { value: unknown; input: Omit<SecretInput, 'value'> } {
  if (req.body === undefined) throw ArmErrors.missingBody();
  const body = asObject(req.body, '');
  rejectUnknown(body, ['properties', 'tags', 'id', 'name', 'type', 'location'], contract, '');
  const props = asObject(body.properties ?? {}, 'properties');
  rejectUnknown(props, ['value', 'contentType', 'attributes', 'secretUri', 'secretUriWithVersion'], 'SecretProperties', 'properties');
  if (props.contentType !== undefined && props.contentType !== null && typeof props.contentType !== 'string') {
    throw ArmErrors.invalidValue('properties.contentType', "'properties.contentType' must be a string.");
  }
  const attrs = asObject(props.attributes ?? {}, 'properties.attributes');
  rejectUnknown(attrs, ['enabled', 'nbf', 'exp', 'created', 'updated'], 'SecretAttributes', 'properties.attributes');
  if (attrs.enabled !== undefined && typeof attrs.enabled !== 'boolean') throw ArmErrors.invalidValue('properties.attributes.enabled', "'enabled' must be true or false.");
  const patch = req.ctx.method === 'PATCH';
  const tags = validateTags(body.tags);
  return {
    value: props.value,
    input: {
      contentType: (props.contentType as string | null | undefined) ?? (patch ? undefined : null),
      tags: tags ?? (patch ? undefined : null),
      attributes: { enabled: attrs.enabled as boolean | undefined, nbf: epoch(attrs.nbf, 'properties.attributes.nbf'), exp: epoch(attrs.exp, 'properties.attributes.exp') },
    },
  };
}
