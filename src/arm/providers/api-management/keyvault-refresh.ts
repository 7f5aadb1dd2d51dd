// Key Vault references of API Management, read and refreshed by one mechanism: named values (here) and
// the certificates of custom hostnames (hostnames.ts, a RefreshSource this refresher runs on the same
// interval). Key Vault named values: the secret is read through the Key Vault plane's in-process reader, as the
// instance's system-assigned identity (identityClientId null) or a user-assigned one, with the vault's
// own permission and firewall checks. The value is sealed at rest; keyVault.lastStatus records the
// outcome of each read (Key Vault's own code and message on failure), and a failed read keeps the last
// good value. Versionless identifiers are read again every interval (Azure: within 4 hours) and on
// refreshSecret; a versioned one is read once (and again only until a read succeeds).
import { isAzureError } from '../../../common/errors.js';
import type { StoredResource } from '../../resource-store.js';
import { PRIVATE, instanceIdOf, sealFor, type ApimChildDeps } from './child.js';
import { isVersioned } from './keyvault-reference.js';
import { NAMED_VALUE, privateOf, type KeyVaultReference, type NamedValuePrivate, type NamedValueProperties } from './children/named-values.js';

/** The Key Vault plane's reader (src/keyvault GatewayReader fits it). Throws AzureError with Key Vault's code and message. */
export interface KeyVaultSecretReader {
  read(input: { instanceId: string; identity?: { clientId?: string }; secretIdentifier: string }): Promise<{ value: string; version: string; contentType: string | null }>;
}

/** Another kind of Key Vault reference refreshed on the same interval (hostname certificates). */
export interface RefreshSource {
  /** Reads again what is due at `nowMs` (last read `intervalMs` ago or more). */
  refreshDue(nowMs: number, intervalMs: number): Promise<void>;
}

export class KeyVaultRefresher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly sources: RefreshSource[] = [];

  /** `reader` is the Key Vault plane's; without one (a plane built without Key Vault) every read fails with ServiceUnavailable. */
  constructor(private readonly deps: ApimChildDeps, readonly intervalMs: number, private readonly reader: KeyVaultSecretReader | undefined) {}

  /** Adds a kind of reference to refresh on this refresher's interval. */
  addSource(source: RefreshSource): void { this.sources.push(source); }

  /** Reads a secret through the Key Vault plane; without one, fails with ServiceUnavailable. */
  read(input: Parameters<KeyVaultSecretReader['read']>[0]): ReturnType<KeyVaultSecretReader['read']> {
    if (!this.reader) return Promise.reject(Object.assign(new Error('The Key Vault plane is not available.'), { code: 'ServiceUnavailable' }));
    return this.reader.read(input);
  }

  start(): void {
    if (this.timer) return;
    const tick = Math.min(60_000, Math.max(250, Math.floor(this.intervalMs / 5)));
    this.timer = setInterval(() => { void this.tick(); }, tick);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads every Key Vault named value that is due. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const now = this.deps.arm.clock.nowMs();
      for (const nv of await this.deps.arm.resources.listOf(NAMED_VALUE)) {
        const kv = nv.body.properties.keyVault;
        if (!kv?.secretIdentifier) continue;
        const priv = privateOf(nv);
        const hasValue = typeof priv.sealedValue === 'string';
        if (hasValue && isVersioned(kv.secretIdentifier)) continue;
        if (typeof priv.readMs === 'number' && now - priv.readMs < this.intervalMs) continue;
        await this.refresh(nv).catch((e) => this.deps.logger.error(`Key Vault refresh of ${nv.id} failed`, e));
      }
      for (const source of this.sources) {
        await source.refreshDue(now, this.intervalMs).catch((e) => this.deps.logger.error('Key Vault refresh failed', e));
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Reads the secret now and stores the outcome: a new value (sealed) and lastStatus Success, or the
   * Key Vault error in lastStatus with the last good value kept. (The store's change hook reloads the gateway.)
   */
  async refresh(nv: StoredResource<NamedValueProperties>): Promise<StoredResource<NamedValueProperties>> {
    const kv = nv.body.properties.keyVault as KeyVaultReference;
    const instanceId = instanceIdOf(nv.id);
    const priv: NamedValuePrivate = { ...privateOf(nv) };
    const now = this.deps.arm.clock.nowMs();
    let lastStatus: NonNullable<KeyVaultReference['lastStatus']>;
    try {
      const read = await this.read({
        instanceId, secretIdentifier: kv.secretIdentifier, identity: kv.identityClientId ? { clientId: kv.identityClientId } : undefined,
      });
      if (read.version !== priv.version || typeof priv.sealedValue !== 'string') {
        priv.sealedValue = sealFor(this.deps, nv.id, 'value', read.value);
        priv.version = read.version;
      }
      lastStatus = { code: 'Success', timeStampUtc: new Date(now).toISOString() };
    } catch (e) {
      const code = isAzureError(e) ? e.code : (e as { code?: string }).code ?? 'InternalServerError';
      const message = e instanceof Error ? e.message : String(e);
      if (!isAzureError(e) && !(e as { code?: string }).code) this.deps.logger.error(`reading ${kv.secretIdentifier} for ${nv.id} failed`, e);
      lastStatus = { code, message, timeStampUtc: new Date(now).toISOString() };
    }
    priv.readMs = now;
    // The named value may have been replaced or deleted during the read: apply the outcome only to the same reference.
    const current = await this.deps.arm.resources.getOf(NAMED_VALUE, nv.id);
    const ck = current?.body.properties.keyVault;
    if (!current || !ck || ck.secretIdentifier !== kv.secretIdentifier || (ck.identityClientId ?? null) !== (kv.identityClientId ?? null)) return current ?? nv;
    const body = {
      ...current.body,
      properties: { ...current.body.properties, keyVault: { ...ck, lastStatus } },
      [PRIVATE]: { ...privateOf(current), ...priv },
    };
    return (await this.deps.arm.resources.put({ id: nv.id, parent: instanceId, body })).resource;
  }
}
