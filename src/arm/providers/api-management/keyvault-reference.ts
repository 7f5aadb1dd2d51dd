// A Key Vault reference of an instance (a named value's keyVault, a hostname's keyVaultId): the secret
// identifier's form, and the identity it is read with, which must be one of the instance's own. Named
// values and hostnames check both the same way and fail with the same errors.
import { AzureError } from '../../../common/errors.js';
import type { IdentityProperty } from '../../identity-property.js';
import { validationError } from './validation.js';

export const KeyVaultReferenceErrors = {
  identityNotFound: (clientId: string) => validationError('identityClientId', `Can not find Managed Identity with provided IdentityClientId : ${clientId}. For more information please see aka.ms/apimmsi.`),
  noSystemIdentity: (secretIdentifier: string) => new AzureError({
    status: 400, code: 'InvalidOperation',
    message: `Managed Service Identity (http://aka.ms/apimmsi) is not enabled on the service, which is required to access KeyVault ${secretIdentifier}`,
  }),
  invalidIdentifier: (target: string, value: string) =>
    validationError(target, `'${value}' is not a valid Key Vault secret identifier: expected https://{vault}.vault.azure.net/secrets/{name}[/{version}].`),
};

/** `https://{vault}.vault.azure.net/secrets/{name}[/{version}]` (or a local vault's URI in the same form); throws the error for `target`. */
export function checkSecretIdentifier(value: string, target: string): void {
  let url: URL | undefined;
  try { url = new URL(value); } catch { url = undefined; }
  const segs = url?.pathname.split('/').filter(Boolean) ?? [];
  if (!url || url.protocol !== 'https:' || segs.length < 2 || segs.length > 3 || segs[0].toLowerCase() !== 'secrets') {
    throw KeyVaultReferenceErrors.invalidIdentifier(target, value);
  }
}

/** The identity a reference names (null: system-assigned) must be the instance's. */
export function checkReferenceIdentity(identity: IdentityProperty | undefined, identityClientId: string | null, secretIdentifier: string): void {
  if (identityClientId === null) {
    if (!identity?.principalId) throw KeyVaultReferenceErrors.noSystemIdentity(secretIdentifier);
    return;
  }
  if (!userAssignedByClientId(identity, identityClientId)) throw KeyVaultReferenceErrors.identityNotFound(identityClientId);
}

/** The user-assigned identity of the instance with this client id. */
export function userAssignedByClientId(identity: IdentityProperty | undefined, clientId: string): { principalId: string; clientId: string } | undefined {
  return Object.values(identity?.userAssignedIdentities ?? {}).find((u) => u.clientId.toLowerCase() === clientId.toLowerCase());
}

/** `.../secrets/{name}/{version}`: a pinned version never refreshes. */
export function isVersioned(secretIdentifier: string): boolean {
  try {
    return new URL(secretIdentifier).pathname.split('/').filter(Boolean).length >= 3;
  } catch {
    return false;
  }
}
