// The Key Vault data plane: one HTTPS listener per vault, the request pipeline, the stores of secrets and
// certificates (kv_* tables, values sealed at rest), and the gateway's in-process reader. Resource
// Manager tells it which vaults exist and their settings (KeyVaultVaults); it never reads ARM's tables.
import type https from 'node:https';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Clock } from '../common/clock.js';
import type { SecretBox } from '../common/crypto.js';
import type { Logger } from '../common/log.js';
import type { AuthzPlane } from '../authz/index.js';
import type { ManagedIdentities, TokenVerifier } from '../entra/index.js';
import { VaultAuth } from './auth.js';
import { ObjectStore, checkName } from './objects.js';
import { SecretStore, type SecretInput, type SecretVersion } from './secrets.js';
import { isAzureError } from '../common/errors.js';
import { CertificateStore } from './certificates.js';
import { VaultPipeline } from './pipeline.js';
import { closeServer, startVaultListener } from './listener.js';
import { GatewayReader } from './gateway-reader.js';
import { compileVault, vaultKey, type VaultSettings } from './vault-config.js';
import type { VaultView } from './bundles.js';

export type { VaultSettings, AccessPolicyEntry } from './vault-config.js';
export { normalizeIpRule, ipMatcher } from './vault-config.js';
export type { GatewaySecretRead, GatewayReadInput } from './gateway-reader.js';
export { GatewayReader, parseIdentifier } from './gateway-reader.js';
export { KvErrors } from './errors.js';

/** What Resource Manager asks of the data plane as vaults come, change, go and are purged. */
export interface KeyVaultVaults {
  /** Starts (or reconfigures) a vault's listener; `port` 0 picks a free one. Returns the port. */
  ensureVault(settings: VaultSettings, port: number): Promise<number>;
  /** Stops a vault's listener (the vault was deleted); its objects stay for a recovery. */
  stopVault(name: string): Promise<void>;
  /** Deletes everything a vault holds (purged, or deleted without soft delete). */
  purgeVault(name: string): Promise<void>;
  /**
   * Resource Manager's vaults/secrets (how a template sets a secret): the current version of each secret
   * of a vault, without values (the secrets behind certificates are not listed), one of them, a new version.
   */
  listSecrets(vault: string): Promise<VaultSecretInfo[]>;
  getSecret(vault: string, name: string): Promise<VaultSecretInfo | undefined>;
  setSecret(vault: string, name: string, input: SecretInput): Promise<VaultSecretInfo>;
  /** PATCH: the current version's content type, tags and attributes (undefined when there is no such secret). */
  updateSecret(vault: string, name: string, patch: Omit<SecretInput, 'value'>): Promise<VaultSecretInfo | undefined>;
}

/** A secret's current version as Resource Manager shows it: never its value. */
export type VaultSecretInfo = Omit<SecretVersion, 'value' | 'managed'>;
export type { SecretInput } from './secrets.js';

const infoOf = ({ value: _v, managed: _m, ...info }: SecretVersion): VaultSecretInfo => info;

export interface KeyVaultOptions {
  db: Kysely<Database>;
  box: SecretBox;
  clock: Clock;
  logger: Logger;
  host: string;
  certPem: string;
  keyPem: string;
  verifier: TokenVerifier;
  authz: AuthzPlane;
  managedIdentities: ManagedIdentities;
  /** `https://localhost:PORT`: the authority of the challenge. */
  authorityHost: string;
  /** The portal's origins, whose scripts may call vaults (CORS); default: none. */
  browserOrigins?: readonly string[];
  tenantId: string;
}

interface VaultRuntime { view: VaultView; server: https.Server; port: number }

export class KeyVaultPlane implements KeyVaultVaults {
  private readonly vaults = new Map<string, VaultRuntime>();
  private readonly objects: ObjectStore;
  private readonly secrets: SecretStore;
  readonly pipeline: VaultPipeline;
  /** The gateway's reads of secrets and certificates as an instance's managed identity. */
  readonly gatewayReader: GatewayReader;

  constructor(private readonly o: KeyVaultOptions) {
    this.objects = new ObjectStore(o.db, o.clock);
    const secrets = this.secrets = new SecretStore(this.objects, o.box);
    const certificates = new CertificateStore(this.objects, secrets);
    const auth = new VaultAuth({ verifier: o.verifier, authz: o.authz, clock: o.clock, authorityHost: o.authorityHost, tenantId: o.tenantId });
    this.pipeline = new VaultPipeline(auth, { secrets, certificates });
    this.gatewayReader = new GatewayReader({ pipeline: this.pipeline, managedIdentities: o.managedIdentities, findVault: (by) => this.findVault(by) });
  }

  async ensureVault(settings: VaultSettings, port: number): Promise<number> {
    const key = vaultKey(settings.name);
    const existing = this.vaults.get(key);
    if (existing) {
      existing.view = { vault: compileVault(settings), uri: existing.view.uri };
      return existing.port;
    }
    const { server, port: bound } = await startVaultListener({
      host: this.o.host, port, certPem: this.o.certPem, keyPem: this.o.keyPem, logger: this.o.logger, pipeline: this.pipeline,
      view: () => this.vaults.get(key)?.view, browserOrigins: this.o.browserOrigins ?? [],
    });
    this.vaults.set(key, { server, port: bound, view: { vault: compileVault(settings), uri: `https://localhost:${bound}/` } });
    this.o.logger.info(`key vault listener for ${settings.name} on https://localhost:${bound}/`);
    return bound;
  }

  async stopVault(name: string): Promise<void> {
    const key = vaultKey(name);
    const runtime = this.vaults.get(key);
    if (!runtime) return;
    this.vaults.delete(key);
    await closeServer(runtime.server);
  }

  async purgeVault(name: string): Promise<void> {
    await this.stopVault(name);
    await this.objects.purgeVault(vaultKey(name));
  }

  async listSecrets(vault: string): Promise<VaultSecretInfo[]> {
    return (await this.secrets.list(vaultKey(vault))).filter((s) => !s.version.managed).map((s) => infoOf(s.version));
  }

  async getSecret(vault: string, name: string): Promise<VaultSecretInfo | undefined> {
    try {
      const s = await this.secrets.get(vaultKey(vault), name, undefined, false);
      return s.version.managed ? undefined : infoOf(s.version);
    } catch (e) {
      if (isAzureError(e) && e.status === 404) return undefined;
      throw e;
    }
  }

  async setSecret(vault: string, name: string, input: SecretInput): Promise<VaultSecretInfo> {
    checkName(name);
    return infoOf((await this.secrets.set(vaultKey(vault), name, input)).version);
  }

  async updateSecret(vault: string, name: string, patch: Omit<SecretInput, 'value'>): Promise<VaultSecretInfo | undefined> {
    if (!(await this.getSecret(vault, name))) return undefined;
    return infoOf((await this.secrets.update(vaultKey(vault), name, '', patch)).version);
  }

  async close(): Promise<void> {
    const all = [...this.vaults.values()];
    this.vaults.clear();
    await Promise.all(all.map((r) => closeServer(r.server)));
  }

  private findVault(by: { name?: string; port?: number }): VaultView | undefined {
    if (by.name !== undefined) return this.vaults.get(vaultKey(by.name))?.view;
    for (const r of this.vaults.values()) if (r.port === by.port) return r.view;
    return undefined;
  }
}
export { parseCertificateContent, PKCS12, type CertificateMaterial } from './pkcs12.js';
