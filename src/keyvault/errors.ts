// Key Vault's error bodies, with its codes and messages: {"error":{"code","message","innererror?":{"code"}}}.
// Every data plane module throws what this builds; the listener serializes it.
import { AzureError } from '../common/errors.js';

const e = (status: number, code: string, message: string, inner?: string, headers?: Record<string, string>) =>
  new AzureError({ status, code, message, headers, body: inner ? { innererror: { code: inner } } : undefined });

/** The `Caller:` of Key Vault's messages: appid, oid and issuer of the token. */
export const callerLabel = (c: { appId: string; objectId: string; issuer: string }): string =>
  `appid=${c.appId};oid=${c.objectId};iss=${c.issuer}`;

type Kind = 'secret' | 'certificate';
const cap = (k: Kind) => (k === 'secret' ? 'Secret' : 'Certificate');

export const KvErrors = {
  // 401: the challenge. The SDK reads `authorization` (its path is the tenant) and `resource`.
  unauthorized: (challenge: string, message = 'AKV10000: Request is missing a Bearer or PoP token.') =>
    e(401, 'Unauthorized', message, undefined, { 'www-authenticate': challenge }),
  wrongAudience: (challenge: string, aud: string) =>
    KvErrors.unauthorized(challenge, `AKV10022: Invalid audience. Expected https://vault.azure.net, found: ${aud}.`),
  wrongIssuer: (challenge: string, expected: string, iss: string) =>
    KvErrors.unauthorized(challenge, `AKV10032: Invalid issuer. Expected one of ${expected}, found ${iss}.`),
  expiredToken: (challenge: string) => KvErrors.unauthorized(challenge, 'AKV10021: The access token has expired.'),
  invalidToken: (challenge: string, detail: string) => KvErrors.unauthorized(challenge, `AKV10018: The access token is invalid: ${detail}`),

  // 403: access policies, RBAC, firewall, purge protection.
  accessDenied: (caller: string, collection: string, permission: string, vault: string) =>
    e(403, 'Forbidden', `The user, group or application '${caller}' does not have ${collection} ${permission} permission on key vault '${vault}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`, 'AccessDenied'),
  forbiddenByRbac: (caller: string, action: string, resource: string, vault: string) =>
    e(403, 'Forbidden', `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: ${caller}\r\nAction: '${action}'\r\nResource: '${resource.toLowerCase()}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: ${vault}\r\n`, 'ForbiddenByRbac'),
  forbiddenByFirewall: (clientAddress: string, caller: string, vault: string) =>
    e(403, 'Forbidden', `Client address is not authorized and caller is not a trusted service.\r\nClient address: ${clientAddress}\r\nCaller: ${caller}\r\nVault: ${vault}`, 'ForbiddenByFirewall'),
  publicNetworkDisabled: (clientAddress: string, caller: string, vault: string) =>
    e(403, 'Forbidden', `Public network access is disabled and request is not from a trusted service nor via an approved private link.\r\nCaller: ${caller}\r\nVault: ${vault}\r\nClient address: ${clientAddress}`, 'ForbiddenByConnection'),
  purgeProtected: (caller: string, vault: string) =>
    e(403, 'Forbidden', `Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.\r\nCaller: ${caller}\r\nVault: ${vault}`, 'ForbiddenByPolicy'),
  purgeNotSoftDeletable: (kind: Kind, name: string) =>
    e(403, 'Forbidden', `Operation "purge" is not allowed on ${kind} ${name}: the vault does not have soft delete enabled.`, 'ForbiddenByPolicy'),
  managedByCertificate: (operation: string, name: string) =>
    e(403, 'Forbidden', `Operation '${operation}' is not allowed on secret '${name}': it is managed by a certificate of the same name. Use the certificates API.`, 'ForbiddenByPolicy'),

  disabled: (kind: Kind, name: string) =>
    e(403, 'Forbidden', `Operation get is not allowed on a disabled ${kind}.`, `${cap(kind)}Disabled`),

  // 400
  badApiVersion: (v: string) =>
    e(400, 'BadParameter', `The specified version (${v}) is not recognized. Consider using the latest supported version (2025-07-01).`),
  missingApiVersion: () => e(400, 'BadParameter', "The 'api-version' query parameter is missing."),
  invalidName: (name: string) => e(400, 'BadParameter', `The request URI contains an invalid name: ${name}`),
  invalidVersion: (version: string) => e(400, 'BadParameter', `The request URI contains an invalid version: ${version}`),
  badBody: (detail: string) => e(400, 'BadParameter', detail),
  missingProperty: (name: string) => e(400, 'BadParameter', `Property '${name}' is required.`),
  secretTooLarge: () => e(400, 'BadParameter', 'Secret is beyond the maximum permitted length of 25600 characters.'),
  pfxPasswordWrong: () => e(400, 'BadParameter', 'The specified PFX password is incorrect. Please provide the password the PFX was exported with.'),
  pfxInvalid: (detail: string) => e(400, 'BadParameter', `The specified PKCS#12 (PFX) content is invalid: ${detail}`),
  pemInvalid: (detail: string) => e(400, 'BadParameter', `The specified PEM X.509 certificate content is in an unexpected format: ${detail}`),
  pemNoKey: () => e(400, 'BadParameter', 'Private key is not specified in the specified X.509 PEM certificate content. Please specify private key in the X.509 PEM certificate content.'),
  certificateFormat: () => e(400, 'BadParameter', "The certificate content is neither a base64-encoded PFX (PKCS#12) nor PEM ('-----BEGIN ...')."),
  keyMismatch: () => e(400, 'BadParameter', 'The private key does not match the public key of any certificate in the content.'),
  unsupportedKey: (detail: string) => e(400, 'BadParameter', `The private key type is not supported: ${detail}`),
  badBackup: () => e(400, 'BadParameter', 'Backup blob is invalid or was not produced by this key vault service.'),
  bodyTooLarge: (limit: number) => e(413, 'RequestTooLarge', `The request body exceeds the limit of ${limit} bytes.`),

  // 404
  notFound: (kind: Kind, nameOrId: string) =>
    e(404, `${cap(kind)}NotFound`, `A ${kind} with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this ${kind} you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`),
  deletedNotFound: (kind: Kind, name: string) => e(404, `${cap(kind)}NotFound`, `Deleted ${cap(kind)} not found: ${name}`),
  policyNotFound: (name: string) => e(404, 'CertificateNotFound', `A certificate with (name/id) ${name} was not found in this key vault.`),
  noRoute: (method: string, path: string) => e(404, 'NotFound', `No HTTP resource was found that matches the request URI '${path}' for method '${method}'.`),
  vaultNotFound: () => e(404, 'VaultNotFound', 'The vault was not found: it was deleted or is not served here.'),
  methodNotAllowed: (method: string) => e(405, 'MethodNotAllowed', `The requested method '${method}' is not allowed for this resource.`),

  // 409
  deletedButRecoverable: (kind: Kind, name: string) =>
    e(409, 'Conflict', `${cap(kind)} ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the ${kind} can only be recovered or purged.`, 'ObjectIsDeletedButRecoverable'),
  alreadyExists: (kind: Kind, name: string) => e(409, 'Conflict', `${cap(kind)} ${name} already exists.`, 'ObjectAlreadyExists'),
  nameUsedBySecret: (name: string) =>
    e(409, 'Conflict', `There is a conflict with the name '${name}': a secret with this name exists and is not managed by a certificate.`, 'ObjectAlreadyExists'),
  notDeleted: (kind: Kind, name: string) => e(409, 'Conflict', `${cap(kind)} ${name} is not in a deleted state.`, 'ObjectIsNotDeleted'),

  internal: (requestId: string) => e(500, 'InternalServerError', `An internal error occurred. Tracking id '${requestId}'.`),
};

/** Key Vault's wire body for an error (innererror kept in `body`). */
export function kvErrorBody(err: AzureError): { error: Record<string, unknown> } {
  return { error: { code: err.code, message: err.message, ...(err.body ?? {}) } };
}
