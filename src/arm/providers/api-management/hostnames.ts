// The custom hostnames of an instance (`hostnameConfigurations`) and their certificates. A write checks
// every hostname and reads each new certificate at once: from Key Vault through the Key Vault plane's
// reader, as the identity the hostname names (the secret must be a certificate's, application/x-pkcs12),
// or inline (encodedCertificate + certificatePassword); any failure fails the write and nothing is
// stored. The public entry shows certificateSource, certificateStatus and certificate {expiry,
// thumbprint, subject}; the certificate and its key are sealed in a document of their own under the
// instance (HOSTNAME_CERTIFICATES, never routed, so never returned). Versionless Key Vault references
// are read again on the Key Vault refresher's interval (a RefreshSource): a new version replaces the
// certificate, a failed read keeps it and shows certificateStatus Failed.
import crypto from 'node:crypto';
import { AzureError, isAzureError } from '../../../common/errors.js';
import type { Logger } from '../../../common/log.js';
import { parseCertificateContent, PKCS12, type CertificateMaterial } from '../../../keyvault/index.js';
import type { HostnameConfig } from '../../../gateway/config.js';
import type { ArmContext } from '../../context.js';
import type { IdentityProperty } from '../../identity-property.js';
import { resourceKind, type BatchWriter, type StoredResource } from '../../resource-store.js';
import { validationError } from './validation.js';
import { checkReferenceIdentity, checkSecretIdentifier, isVersioned, userAssignedByClientId } from './keyvault-reference.js';
import type { KeyVaultRefresher, RefreshSource } from './keyvault-refresh.js';
import { SERVICE, type HostnameConfiguration } from './service.js';

/** What is kept of one hostname's certificate beside its public entry. */
interface StoredCertificate {
  hostName: string;
  /** `{certPem, keyPem}` as JSON, sealed for the instance and the hostname. */
  sealed: string;
  /** A Key Vault certificate: the reference it was read from, and the version served. */
  keyVaultId?: string;
  identityClientId?: string | null;
  version?: string;
}

export interface HostnameCertificatesProperties {
  /** By lower-cased hostname. */
  hosts: Record<string, StoredCertificate>;
}

export const HOSTNAME_CERTIFICATES = resourceKind<HostnameCertificatesProperties>('Microsoft.ApiManagement/service/hostnameCertificates');

const docIdOf = (instanceId: string) => `${instanceId}/hostnameCertificates/current`;
const keyOf = (hostName: string) => hostName.toLowerCase();
/** The resource group id of an instance id (the parent of its document). */
const groupOf = (instanceId: string) => instanceId.slice(0, instanceId.toLowerCase().indexOf('/providers/'));

const TYPES = ['Proxy', 'Portal', 'Management', 'Scm', 'DeveloperPortal', 'ConfigurationApi'] as const;
/** Azure: at most 20 gateway domains (Premium); the same cap for every type here. */
const MAX_HOSTNAMES = 20;

export interface Loaded {
  certPem: string;
  keyPem: string;
  certificate: { expiry: string; thumbprint: string; subject: string };
}

export const HostnameErrors = {
  duplicate: (at: string, hostName: string) => validationError(at, `Hostname '${hostName}' is configured more than once.`),
  tooMany: (n: number) => validationError('properties.hostnameConfigurations', `At most ${MAX_HOSTNAMES} custom hostnames can be configured; ${n} were given.`),
  bothSources: (at: string) => validationError(at, "Only one of 'keyVaultId' and 'encodedCertificate' may be given for a hostname."),
  noCertificate: (at: string, hostName: string) => validationError(at, `Hostname '${hostName}' needs a certificate: give 'keyVaultId' (a Key Vault secret identifier) or 'encodedCertificate' (a base64 PFX) with 'certificatePassword'.`),
  twoDefaults: (hostNames: string[]) => validationError('properties.hostnameConfigurations', `Only one Proxy hostname can have defaultSslBinding set; it is set on ${hostNames.join(', ')}.`),
  /** Azure's message (InvalidOperation) with Key Vault's own answer after it. */
  keyVaultAccess: (at: string, keyVaultId: string, who: { type: string; clientId: string; objectId: string }, cause: { code: string; inner?: string; message: string }) => new AzureError({
    status: 400, code: 'InvalidOperation', target: at,
    message: `Failed to access KeyVault Secret ${keyVaultId} using Managed Service Identity (http://aka.ms/apimmsi) of Api Management service. Check if Managed Identity of Type: ${who.type}, ClientId: ${who.clientId} and ObjectId: ${who.objectId} has GET permissions on secrets in the KeyVault Access Policies. Key Vault answered: ${cause.message}`,
    details: [{ code: cause.inner ?? cause.code, target: at, message: cause.message }],
  }),
  contentType: (at: string, keyVaultId: string, contentType: string | null) => new AzureError({
    status: 400, code: 'InvalidOperation', target: at,
    message: `The Key Vault secret ${keyVaultId} has content type '${contentType ?? ''}', but a custom domain certificate must have content type '${PKCS12}': use the secret of a Key Vault certificate (a PFX).`,
  }),
  invalidCertificate: (at: string, source: string, detail: string) => new AzureError({
    status: 400, code: 'InvalidOperation', target: at,
    message: `The certificate of ${source} cannot be used: ${detail}`,
  }),
};

/** The chain, key and public facts of a PFX (base64), or the error for `at`. */
export function loadPfx(base64: string, password: string | undefined, at: string, source: string): Loaded {
  let material: CertificateMaterial;
  try {
    material = parseCertificateContent(base64, password).material;
  } catch (e) {
    throw HostnameErrors.invalidCertificate(at, source, e instanceof Error ? e.message : String(e));
  }
  const leaf = material.chain[0];
  return {
    certPem: material.chain.map((c) => c.toString()).join(''),
    keyPem: material.key.export({ format: 'pem', type: 'pkcs8' }).toString(),
    certificate: {
      expiry: new Date(leaf.validTo).toISOString(),
      thumbprint: crypto.createHash('sha1').update(leaf.raw).digest('hex').toUpperCase(),
      subject: leaf.subject.split('\n').join(', '),
    },
  };
}

/** What a write stores: the public entries (without the built-in hostname) and the sealed certificates. */
export interface ResolvedHostnames {
  configurations: HostnameConfiguration[];
  stored: Record<string, StoredCertificate>;
}

export class HostnameCertificates implements RefreshSource {
  /** When each Key Vault hostname was last read (`instance|host`), so a tick reads only what is due. */
  private readonly readMs = new Map<string, number>();

  constructor(private readonly arm: ArmContext, private readonly refresher: KeyVaultRefresher, private readonly logger: Logger) {
    refresher.addSource(this);
  }

  /**
   * Checks the hostnames a write gives (`given`: validated for type by checkSettings) and reads every
   * certificate not already held for the same reference. Throws the first failure.
   */
  async resolve(input: { instanceId: string; builtInHostName: string; given: Record<string, unknown>[]; identity: IdentityProperty }): Promise<ResolvedHostnames> {
    const previous = (await this.arm.resources.getOf(HOSTNAME_CERTIFICATES, docIdOf(input.instanceId)))?.body.properties.hosts ?? {};
    const previousPublic = (await this.arm.resources.getOf(SERVICE, input.instanceId))?.body.properties.hostnameConfigurations ?? [];
    const custom = input.given.map((h, k) => ({ h, k })).filter(({ h }) => keyOf(String(h.hostName)) !== keyOf(input.builtInHostName));
    if (custom.length > MAX_HOSTNAMES) throw HostnameErrors.tooMany(custom.length);
    const seen = new Set<string>();
    const defaults = custom.filter(({ h }) => h.type === 'Proxy' && h.defaultSslBinding === true).map(({ h }) => String(h.hostName));
    if (defaults.length > 1) throw HostnameErrors.twoDefaults(defaults);

    const configurations: HostnameConfiguration[] = [];
    const stored: Record<string, StoredCertificate> = {};
    for (const { h, k } of custom) {
      const at = `properties.hostnameConfigurations[${k}]`;
      const hostName = String(h.hostName);
      const key = keyOf(hostName);
      if (seen.has(key)) throw HostnameErrors.duplicate(`${at}.hostName`, hostName);
      seen.add(key);
      const type = h.type as typeof TYPES[number];
      const keyVaultId = typeof h.keyVaultId === 'string' && h.keyVaultId !== '' ? h.keyVaultId : undefined;
      const encoded = typeof h.encodedCertificate === 'string' && h.encodedCertificate !== '' ? h.encodedCertificate : undefined;
      if (keyVaultId && encoded) throw HostnameErrors.bothSources(at);
      const common = {
        type, hostName,
        negotiateClientCertificate: h.negotiateClientCertificate === true,
        defaultSslBinding: h.defaultSslBinding === true,
      };
      const before = previous[key];
      const beforePublic = previousPublic.find((p) => keyOf(p.hostName) === key);

      if (keyVaultId) {
        checkSecretIdentifier(keyVaultId, `${at}.keyVaultId`);
        const identityClientId = typeof h.identityClientId === 'string' && h.identityClientId !== '' ? h.identityClientId : null;
        checkReferenceIdentity(input.identity, identityClientId, keyVaultId);
        const same = before && before.keyVaultId === keyVaultId && (before.identityClientId ?? null) === identityClientId && beforePublic?.certificate;
        if (same) {
          stored[key] = before;
          configurations.push({
            ...common, keyVaultId, ...(identityClientId ? { identityClientId } : {}), certificateSource: 'KeyVault',
            certificateStatus: beforePublic.certificateStatus ?? 'Completed', certificate: beforePublic.certificate,
          });
          continue;
        }
        const got = await this.fetch(input.instanceId, input.identity, keyVaultId, identityClientId, `${at}.keyVaultId`);
        if (!got.loaded) throw new Error('unreachable: a first read always parses');
        this.readMs.set(`${input.instanceId.toLowerCase()}|${key}`, this.arm.clock.nowMs());
        stored[key] = { hostName, sealed: this.seal(input.instanceId, key, got.loaded), keyVaultId, identityClientId, version: got.version };
        configurations.push({
          ...common, keyVaultId, ...(identityClientId ? { identityClientId } : {}), certificateSource: 'KeyVault',
          certificateStatus: 'Completed', certificate: got.loaded!.certificate,
        });
      } else if (encoded) {
        const password = typeof h.certificatePassword === 'string' ? h.certificatePassword : undefined;
        const loaded = loadPfx(encoded, password, `${at}.encodedCertificate`, `hostname '${hostName}'`);
        stored[key] = { hostName, sealed: this.seal(input.instanceId, key, loaded) };
        configurations.push({ ...common, certificateSource: 'Custom', certificate: loaded.certificate });
      } else {
        // A GET's entry sent back (no keyVaultId, no encodedCertificate): the certificate held for it, if
        // the thumbprint (when given) is that one.
        const given = h.certificate as { thumbprint?: unknown } | null | undefined;
        const thumbprint = typeof given?.thumbprint === 'string' ? given.thumbprint.toUpperCase() : undefined;
        const held = before && !before.keyVaultId && beforePublic?.certificate;
        if (!held || (thumbprint !== undefined && thumbprint !== beforePublic.certificate!.thumbprint)) throw HostnameErrors.noCertificate(at, hostName);
        stored[key] = before;
        configurations.push({ ...common, certificateSource: 'Custom', certificate: beforePublic.certificate });
      }
    }
    return { configurations, stored };
  }

  /** In the write's transaction: the sealed certificates of the instance (none: the document goes). */
  async store(batch: BatchWriter, instanceId: string, stored: Record<string, StoredCertificate>): Promise<void> {
    const id = docIdOf(instanceId);
    const exists = (await batch.listOf(HOSTNAME_CERTIFICATES, { parent: instanceId })).length > 0;
    if (Object.keys(stored).length === 0) {
      if (exists) await batch.deleteTree(id);
      return;
    }
    await batch.put({ id, parent: instanceId, body: { id, type: HOSTNAME_CERTIFICATES.type, name: 'current', properties: { hosts: stored } } });
  }

  /** The Proxy hostnames with their certificates, for the gateway's configuration. */
  async gatewayHostnames(instanceId: string): Promise<HostnameConfig[]> {
    const svc = await this.arm.resources.getOf(SERVICE, instanceId);
    const doc = await this.arm.resources.getOf(HOSTNAME_CERTIFICATES, docIdOf(instanceId));
    if (!svc || !doc) return [];
    const out: HostnameConfig[] = [];
    for (const h of svc.body.properties.hostnameConfigurations ?? []) {
      const held = doc.body.properties.hosts[keyOf(h.hostName)];
      if (h.type !== 'Proxy' || !held) continue;
      try {
        const { certPem, keyPem } = JSON.parse(this.arm.box.open(held.sealed, this.sealContext(instanceId, keyOf(h.hostName)))) as { certPem: string; keyPem: string };
        out.push({ hostName: h.hostName, certPem, keyPem, defaultSslBinding: h.defaultSslBinding === true, negotiateClientCertificate: h.negotiateClientCertificate === true });
      } catch (e) {
        this.logger.error(`the certificate of ${h.hostName} (${instanceId}) cannot be unsealed`, e);
      }
    }
    return out;
  }

  /** RefreshSource: every versionless Key Vault hostname whose last read is `intervalMs` old or more. */
  async refreshDue(nowMs: number, intervalMs: number): Promise<void> {
    for (const doc of await this.arm.resources.listOf(HOSTNAME_CERTIFICATES)) {
      const instanceId = doc.id.slice(0, doc.id.toLowerCase().lastIndexOf('/hostnamecertificates/'));
      const due = Object.entries(doc.body.properties.hosts).filter(([key, h]) =>
        h.keyVaultId && !isVersioned(h.keyVaultId) && nowMs - (this.readMs.get(`${instanceId.toLowerCase()}|${key}`) ?? 0) >= intervalMs).map(([key]) => key);
      if (due.length > 0) await this.refresh(instanceId, doc, due, nowMs);
    }
  }

  /**
   * Reads the certificates of `keys` again: a new version replaces the certificate (new handshakes get
   * it; the store's change hook reloads the gateway), a failure keeps it and sets certificateStatus
   * Failed. The instance and its certificates are written together, over the versions read, so a
   * concurrent PUT wins and the next tick reads again.
   */
  private async refresh(instanceId: string, doc: StoredResource<HostnameCertificatesProperties>, keys: string[], nowMs: number): Promise<void> {
    const svc = await this.arm.resources.getOf(SERVICE, instanceId);
    if (!svc) return;
    const configurations = (svc.body.properties.hostnameConfigurations ?? []).map((h) => ({ ...h }));
    const hosts = { ...doc.body.properties.hosts };
    let changed = false;
    for (const key of keys) {
      const held = hosts[key];
      const cfg = configurations.find((c) => keyOf(c.hostName) === key);
      if (!cfg || !held.keyVaultId || cfg.keyVaultId !== held.keyVaultId) continue;
      this.readMs.set(`${instanceId.toLowerCase()}|${key}`, nowMs);
      try {
        const got = await this.fetch(instanceId, svc.body.identity as IdentityProperty | undefined, held.keyVaultId, held.identityClientId ?? null, 'keyVaultId', held.version);
        if (got.version !== held.version) {
          hosts[key] = { ...held, sealed: this.seal(instanceId, key, got.loaded!), version: got.version };
          cfg.certificate = got.loaded!.certificate;
          changed = true;
        }
        if (cfg.certificateStatus !== 'Completed') { cfg.certificateStatus = 'Completed'; changed = true; }
      } catch (e) {
        // The current certificate stays; the failure shows in certificateStatus and the log.
        this.logger.error(`refreshing the certificate of ${cfg.hostName} (${instanceId}) from ${held.keyVaultId} failed: ${e instanceof Error ? e.message : String(e)}`);
        if (cfg.certificateStatus !== 'Failed') { cfg.certificateStatus = 'Failed'; changed = true; }
      }
    }
    if (!changed) return;
    try {
      await this.arm.resources.batch(async (batch) => {
        await batch.put({ id: svc.id, parent: groupOf(svc.id), body: { ...svc.body, properties: { ...svc.body.properties, hostnameConfigurations: configurations } }, ifMatch: svc.etag, keepEtagField: true });
        await batch.put({ id: doc.id, parent: svc.id, body: { ...doc.body, properties: { hosts } }, ifMatch: doc.etag });
      });
    } catch (e) {
      // Changed meanwhile (a PUT): read again on the next tick.
      for (const key of keys) this.readMs.delete(`${instanceId.toLowerCase()}|${key}`);
      if (!(isAzureError(e) && e.status === 412)) throw e;
    }
  }

  private fetch(instanceId: string, identity: IdentityProperty | undefined, keyVaultId: string, identityClientId: string | null, at: string, knownVersion?: string): Promise<{ loaded: Loaded | undefined; version: string }> {
    return readKeyVaultPfx(this.arm, this.refresher, { instanceId, identity, keyVaultId, identityClientId, at, knownVersion });
  }

  private sealContext(instanceId: string, key: string): string { return `${instanceId.toLowerCase()}#hostname:${key}`; }

  private seal(instanceId: string, key: string, loaded: Loaded): string {
    return this.arm.box.seal(JSON.stringify({ certPem: loaded.certPem, keyPem: loaded.keyPem }), this.sealContext(instanceId, key));
  }
}

/** Key Vault's (or Entra's) answer to a read: its code, Key Vault's inner code, and its message. */
function causeOf(e: unknown): { code: string; inner?: string; message: string } {
  const message = e instanceof Error ? e.message : String(e);
  if (isAzureError(e)) {
    const inner = (e.body?.innererror as { code?: unknown } | undefined)?.code;
    return { code: e.code, ...(typeof inner === 'string' ? { inner } : {}), message };
  }
  const code = (e as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : 'InternalServerError', message };
}

/**
 * Reads a Key Vault certificate (its secret, a PFX) as the identity a reference names (null: the
 * instance's system-assigned one), through the Key Vault plane's reader, and parses it; the errors are
 * Azure's for `at`. With `knownVersion`, an unchanged version is not parsed again (loaded undefined).
 * Custom hostnames and the `certificates` entity read their Key Vault certificates with this.
 */
export async function readKeyVaultPfx(arm: ArmContext, refresher: KeyVaultRefresher, r: {
  instanceId: string; identity: IdentityProperty | undefined; keyVaultId: string; identityClientId: string | null; at: string; knownVersion?: string;
}): Promise<{ loaded: Loaded | undefined; version: string }> {
  let read: { value: string; version: string; contentType: string | null };
  try {
    read = await refresher.read({ instanceId: r.instanceId, secretIdentifier: r.keyVaultId, identity: r.identityClientId ? { clientId: r.identityClientId } : undefined });
  } catch (e) {
    throw HostnameErrors.keyVaultAccess(r.at, r.keyVaultId, await identityOf(arm, r.identity, r.identityClientId), causeOf(e));
  }
  if ((read.contentType ?? '').toLowerCase() !== PKCS12) throw HostnameErrors.contentType(r.at, r.keyVaultId, read.contentType);
  if (r.knownVersion !== undefined && read.version === r.knownVersion) return { loaded: undefined, version: read.version };
  return { loaded: loadPfx(read.value, undefined, r.at, `Key Vault secret ${r.keyVaultId}`), version: read.version };
}

/** The identity a reference is read with, as Azure's message names it. */
async function identityOf(arm: ArmContext, identity: IdentityProperty | undefined, identityClientId: string | null): Promise<{ type: string; clientId: string; objectId: string }> {
  if (identityClientId) {
    const u = userAssignedByClientId(identity, identityClientId);
    return { type: 'UserAssigned', clientId: identityClientId, objectId: u?.principalId ?? '' };
  }
  const objectId = identity?.principalId ?? '';
  const principal = objectId ? await arm.entra.directory.getByObjectId(objectId) : undefined;
  return { type: 'SystemAssigned', clientId: principal?.appId ?? '', objectId };
}
