// service/{svc}/certificates: client certificates the gateway presents to backends (authentication-certificate)
// and whose public keys policies trust (validate-jwt certificate-id, validate-client-certificate
// issuer-certificate-id). A certificate is uploaded (`data`, a base64 PFX, with its `password`) or read
// from Key Vault (`keyVault.secretIdentifier`, the secret of a Key Vault certificate) as the instance's
// system-assigned identity or a user-assigned one, by the same reader as custom hostnames. What a client
// sees: subject, thumbprint, expirationDate and keyVault (with lastStatus); the certificate and its
// private key are sealed in the private fields, the password is never kept. A versionless Key Vault
// reference is read again on the Key Vault refresher's interval and on refreshSecret; a failed refresh
// keeps the last good certificate and shows the failure in keyVault.lastStatus.
import crypto from 'node:crypto';
import { isAzureError } from '../../../../common/errors.js';
import type { CertificateConfig } from '../../../../gateway/config.js';
import type { IdentityProperty } from '../../../identity-property.js';
import { resourceKind, type StoredResource } from '../../../resource-store.js';
import { PRIVATE, defineApimChild, instanceIdOf, openFor, publicBody, sealFor, type ApimChildDeps } from '../child.js';
import { ApimChildErrors, checkEntityName, str, validationError } from '../validation.js';
import { checkReferenceIdentity, checkSecretIdentifier, isVersioned } from '../keyvault-reference.js';
import { loadPfx, readKeyVaultPfx, type Loaded } from '../hostnames.js';
import type { KeyVaultRefresher, RefreshSource } from '../keyvault-refresh.js';
import { SERVICE } from '../service.js';

export interface CertificateKeyVault {
  secretIdentifier: string;
  identityClientId: string | null;
  lastStatus?: { code: string; message?: string; timeStampUtc: string };
}

export interface CertificateProperties {
  subject: string;
  thumbprint: string;
  expirationDate: string;
  keyVault?: CertificateKeyVault;
}

/** Sealed `{certPem, keyPem}`; for Key Vault ones the version held and when it was read. */
interface CertificatePrivate {
  sealed: string;
  version?: string;
  readMs?: number;
}

export const CERTIFICATE = resourceKind<CertificateProperties>('Microsoft.ApiManagement/service/certificates');

const privateOf = (c: StoredResource<CertificateProperties>): CertificatePrivate => c.body[PRIVATE] as CertificatePrivate;

export const CertificateErrors = {
  noSource: () => validationError('data', "Either 'data' (a base64 PFX) with 'password', or 'keyVault' with 'secretIdentifier', must be given."),
  bothSources: () => validationError('keyVault', "Only one of 'data' and 'keyVault' may be given."),
};

/** What a client sees of a loaded certificate: the facts X509Certificate2 gives (.NET's subject order: most specific first). */
function facts(loaded: Loaded): Pick<CertificateProperties, 'subject' | 'thumbprint' | 'expirationDate'> {
  const leaf = new crypto.X509Certificate(loaded.certPem);
  return {
    subject: leaf.subject.split('\n').reverse().join(', '),
    thumbprint: loaded.certificate.thumbprint,
    expirationDate: new Date(leaf.validTo).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

function keyVaultOf(value: unknown): CertificateKeyVault | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw validationError('keyVault', "'keyVault' must be an object.");
  const kv = value as Record<string, unknown>;
  for (const k of Object.keys(kv)) {
    if (!['secretIdentifier', 'identityClientId', 'lastStatus'].includes(k)) throw validationError(`keyVault.${k}`, `Could not find member '${k}' on object of type 'KeyVaultContractCreateProperties'.`);
  }
  const secretIdentifier = str(kv, 'secretIdentifier', { required: true, at: 'keyVault.secretIdentifier' })!;
  checkSecretIdentifier(secretIdentifier, 'keyVault.secretIdentifier');
  const cid = kv.identityClientId;
  if (cid !== undefined && cid !== null && typeof cid !== 'string') throw validationError('keyVault.identityClientId', "'identityClientId' must be a string or null.");
  return { secretIdentifier, identityClientId: cid ? cid : null };
}

const seal = (deps: ApimChildDeps, id: string, loaded: Loaded) => sealFor(deps, id, 'certificate', JSON.stringify({ certPem: loaded.certPem, keyPem: loaded.keyPem }));

export function certificateRegistration(deps: ApimChildDeps, refresher: KeyVaultRefresher) {
  const source = new CertificateRefresh(deps, refresher);
  refresher.addSource(source);
  const registration = defineApimChild(deps, {
    kind: CERTIFICATE, path: 'certificates', entity: 'Certificate',
    contracts: { create: 'CertificateCreateOrUpdateParameters', update: 'CertificateCreateOrUpdateParameters' },
    writable: ['data', 'password', 'keyVault'],
    readOnly: ['subject', 'thumbprint', 'expirationDate'],
    // certificateId: API Management's identifier pattern, at most 80 characters (the REST spec's).
    checkName(name) {
      checkEntityName(name);
      if (name.length > 80) throw ApimChildErrors.tooLong('certificateId', 80);
    },
    async properties({ instance, id, existing, given }) {
      const data = str(given, 'data');
      const password = str(given, 'password', { min: 0 });
      const kv = keyVaultOf(given.keyVault);
      if (data && kv) throw CertificateErrors.bothSources();
      if (kv) {
        checkReferenceIdentity(instance.body.identity, kv.identityClientId, kv.secretIdentifier);
        const prev = existing?.body.properties.keyVault;
        // The same reference sent back (a GET's body): keep what was read, no second read.
        if (prev && prev.secretIdentifier === kv.secretIdentifier && prev.identityClientId === kv.identityClientId) {
          return { properties: existing!.body.properties, private: { ...privateOf(existing!) } };
        }
        const got = await readKeyVaultPfx(deps.arm, refresher, {
          instanceId: instance.id, identity: instance.body.identity as IdentityProperty | undefined, keyVaultId: kv.secretIdentifier,
          identityClientId: kv.identityClientId, at: 'keyVault.secretIdentifier',
        });
        const loaded = got.loaded!;
        const now = deps.arm.clock.nowMs();
        return {
          properties: { ...facts(loaded), keyVault: { ...kv, lastStatus: { code: 'Success', timeStampUtc: new Date(now).toISOString() } } },
          private: { sealed: seal(deps, id, loaded), version: got.version, readMs: now } satisfies CertificatePrivate,
        };
      }
      if (!data) {
        // A GET's answer sent back unchanged (no data): the certificate held, if the thumbprint is that one.
        const thumbprint = typeof given.thumbprint === 'string' ? given.thumbprint.toUpperCase() : undefined;
        if (existing && !existing.body.properties.keyVault && thumbprint === existing.body.properties.thumbprint) {
          return { properties: existing.body.properties, private: { ...privateOf(existing) } };
        }
        throw CertificateErrors.noSource();
      }
      if (data.length > 1_000_000) throw ApimChildErrors.tooLong('data', 1_000_000);
      const loaded = loadPfx(data, password ?? '', 'data', `certificate '${id.split('/').pop()}'`);
      return { properties: facts(loaded), private: { sealed: seal(deps, id, loaded) } satisfies CertificatePrivate };
    },
    actions: {
      async refreshsecret(_req, found) {
        if (!found.body.properties.keyVault) throw validationError('keyVault', `Certificate '${found.body.name}' is not a Key Vault certificate.`);
        const stored = await source.refresh(found, deps.arm.clock.nowMs());
        return { status: 200, body: publicBody(stored.body), headers: { etag: stored.etag } };
      },
    },
  });
  // Azure's certificates have no PATCH (Certificate_CreateOrUpdate replaces): the front door's 405.
  const { patch: _none, ...withoutPatch } = registration;
  return withoutPatch;
}

/** Versionless Key Vault certificates, read again on the refresher's interval (a RefreshSource). */
class CertificateRefresh implements RefreshSource {
  /** When each certificate was last read (by lower-cased id): a tick reads only what is due. */
  private readonly readMs = new Map<string, number>();
  constructor(private readonly deps: ApimChildDeps, private readonly refresher: KeyVaultRefresher) {}

  async refreshDue(nowMs: number, intervalMs: number): Promise<void> {
    for (const c of await this.deps.arm.resources.listOf(CERTIFICATE)) {
      const kv = c.body.properties.keyVault;
      if (!kv || isVersioned(kv.secretIdentifier)) continue;
      if (nowMs - (this.readMs.get(c.id.toLowerCase()) ?? privateOf(c).readMs ?? 0) < intervalMs) continue;
      await this.refresh(c, nowMs, false).catch((e) => this.deps.logger.error(`Key Vault refresh of ${c.id} failed`, e));
    }
  }

  /**
   * Reads the certificate again: a new version replaces it, a failure keeps it; lastStatus says which.
   * A periodic read that changes nothing (same version, same status) writes nothing, so the gateway is not
   * reloaded for it; refreshSecret (`always`) records the read's time.
   */
  async refresh(c: StoredResource<CertificateProperties>, nowMs: number, always = true): Promise<StoredResource<CertificateProperties>> {
    this.readMs.set(c.id.toLowerCase(), nowMs);
    const kv = c.body.properties.keyVault!;
    const instanceId = instanceIdOf(c.id);
    const svc = await this.deps.arm.resources.getOf(SERVICE, instanceId);
    const priv: CertificatePrivate = { ...privateOf(c), readMs: nowMs };
    let properties: CertificateProperties = c.body.properties;
    try {
      const got = await readKeyVaultPfx(this.deps.arm, this.refresher, {
        instanceId, identity: svc?.body.identity as IdentityProperty | undefined, keyVaultId: kv.secretIdentifier,
        identityClientId: kv.identityClientId, at: 'keyVault.secretIdentifier', knownVersion: priv.version,
      });
      if (got.loaded) {
        priv.sealed = seal(this.deps, c.id, got.loaded);
        priv.version = got.version;
        properties = { ...properties, ...facts(got.loaded) };
      }
      properties = { ...properties, keyVault: { ...kv, lastStatus: { code: 'Success', timeStampUtc: new Date(nowMs).toISOString() } } };
    } catch (e) {
      const code = isAzureError(e) ? e.code : 'InternalServerError';
      properties = { ...properties, keyVault: { ...kv, lastStatus: { code, message: e instanceof Error ? e.message : String(e), timeStampUtc: new Date(nowMs).toISOString() } } };
    }
    const changed = priv.version !== privateOf(c).version || properties.keyVault!.lastStatus!.code !== kv.lastStatus?.code
      || properties.keyVault!.lastStatus!.message !== kv.lastStatus?.message;
    if (!changed && !always) return c;
    // Written over the version read: a PUT meanwhile wins (412), and the next tick reads again.
    try {
      const r = await this.deps.arm.resources.put({ id: c.id, parent: instanceId, body: { ...c.body, properties, [PRIVATE]: priv }, ifMatch: c.etag });
      return r.resource;
    } catch (e) {
      if (isAzureError(e) && e.status === 412) return (await this.deps.arm.resources.getOf(CERTIFICATE, c.id)) ?? c;
      throw e;
    }
  }
}

/** The certificates of an instance with their keys, for the gateway's configuration. */
export async function gatewayCertificates(deps: ApimChildDeps, instanceId: string): Promise<CertificateConfig[]> {
  const out: CertificateConfig[] = [];
  for (const c of await deps.arm.resources.listOf(CERTIFICATE, { parent: instanceId })) {
    try {
      const { certPem, keyPem } = JSON.parse(openFor(deps, c.id, 'certificate', privateOf(c).sealed)) as { certPem: string; keyPem: string };
      out.push({ name: c.body.name, thumbprint: c.body.properties.thumbprint, certPem, keyPem });
    } catch (e) {
      deps.logger.error(`certificate ${c.id} cannot be unsealed`, e);
    }
  }
  return out;
}
