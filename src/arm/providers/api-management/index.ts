// Microsoft.ApiManagement: the instance (service.ts), its child resource types (children/, each a spec
// made into handlers by defineApimChild), the gateway's configuration source (gateway-config.ts) and
// the Key Vault named value refresher. One store hook tells the gateway about every change under an
// instance, so no handler reloads it by hand.
import type { ArmContext } from '../../context.js';
import type { ResourceProviderModule } from '../../registry.js';
import type { SecretBox } from '../../../common/crypto.js';
import type { Logger } from '../../../common/log.js';
import type { ResourceChange } from '../../resource-store.js';
import { instanceIdOf, type ApimChildDeps } from './child.js';
import { SERVICE, SERVICE_TYPE, serviceRegistration, startGatewayListeners } from './service.js';
import { ApimConfigSource } from './gateway-config.js';
import { KeyVaultRefresher, type KeyVaultSecretReader } from './keyvault-refresh.js';
import { HostnameCertificates } from './hostnames.js';
import { apiRegistration } from './children/apis.js';
import { operationRegistration } from './children/operations.js';
import { policyRegistrations } from './children/policies.js';
import { productRegistrations } from './children/products.js';
import { subscriptionRegistration } from './children/subscriptions.js';
import { backendRegistration } from './children/backends.js';
import { namedValueRegistration } from './children/named-values.js';
import { apiVersionSetRegistration } from './children/api-version-sets.js';
import { tagRegistrations } from './children/tags.js';
import { policyFragmentRegistration } from './children/policy-fragments.js';
import { loggerRegistration } from './children/loggers.js';
import { schemaRegistrations } from './children/schemas.js';
import { certificateRegistration } from './children/certificates.js';
import { cacheRegistration } from './children/caches.js';
import { gatewayRegistration } from './children/gateways.js';

export type { KeyVaultSecretReader } from './keyvault-refresh.js';
export { ApimConfigSource } from './gateway-config.js';
export { APIM_API_VERSIONS, SERVICE_TYPE } from './service.js';

export interface ApimOptions {
  box: SecretBox;
  logger: Logger;
  /** How often Key Vault named values are read again (Azure: within 4 hours). */
  keyVaultRefreshIntervalMs: number;
  /** The Key Vault plane's in-process reader, for Key Vault named values. */
  keyVault?: KeyVaultSecretReader;
}

export interface ApiManagementProvider extends ResourceProviderModule {
  /** The gateway's ConfigSource. */
  configSource: ApimConfigSource;
  /** Stops background work (the Key Vault named value refresher). */
  close(): void;
}

/**
 * Reloads of one instance, coalesced: a change that arrives while a reload runs waits for one more
 * reload after it, shared by every change that arrives meanwhile (each sees its own write applied).
 */
class CoalescedReloads {
  private readonly running = new Map<string, Promise<void>>();
  private readonly queued = new Map<string, Promise<void>>();

  constructor(private readonly reload: (instanceId: string) => Promise<void>) {}

  request(instanceId: string): Promise<void> {
    const key = instanceId.toLowerCase();
    const waiting = this.queued.get(key);
    if (waiting) return waiting;
    const before = this.running.get(key) ?? Promise.resolve();
    const next: Promise<void> = before.then(async () => {
      this.queued.delete(key);
      this.running.set(key, next);
      try {
        await this.reload(instanceId);
      } finally {
        if (this.running.get(key) === next) this.running.delete(key);
      }
    });
    this.queued.set(key, next);
    return next;
  }
}

export function apiManagementProvider(arm: ArmContext, o: ApimOptions): ApiManagementProvider {
  const deps: ApimChildDeps = { arm, box: o.box, logger: o.logger };
  const refresher = new KeyVaultRefresher(deps, o.keyVaultRefreshIntervalMs, o.keyVault);
  const hostnames = new HostnameCertificates(arm, refresher, o.logger);

  // Any change under an instance: its gateway reloads, and the write returns once every gateway process
  // applied it. A failed reload never fails the write (the gateway keeps its last good configuration).
  const reloads = new CoalescedReloads(async (instanceId) => {
    try {
      await arm.gateway.reload(instanceId);
    } catch (e) {
      o.logger.error(`gateway reload of ${instanceId} failed`, e);
    }
  });
  arm.resources.onChange(SERVICE_TYPE, async (changes: ResourceChange[]) => {
    const instances = new Set(changes.map((c) => instanceIdOf(c.id)));
    await Promise.all([...instances].map((id) => reloads.request(id)));
  });

  return {
    namespace: 'Microsoft.ApiManagement',
    types: [
      serviceRegistration(arm, hostnames),
      apiRegistration(deps), operationRegistration(deps), ...policyRegistrations(deps), ...productRegistrations(deps),
      subscriptionRegistration(deps), backendRegistration(deps), namedValueRegistration(deps, refresher),
      apiVersionSetRegistration(deps), ...tagRegistrations(deps), policyFragmentRegistration(deps), loggerRegistration(deps),
      ...schemaRegistrations(deps),
      certificateRegistration(deps, refresher),
      cacheRegistration(deps),
      gatewayRegistration(deps),
    ],
    configSource: new ApimConfigSource(deps, hostnames),
    // After a restart: every instance's gateway listens again and loads its configuration; then the
    // Key Vault refresher starts.
    async init() {
      await startGatewayListeners(arm);
      for (const s of await arm.resources.listOf(SERVICE)) await reloads.request(s.id);
      refresher.start();
      void refresher.tick();
    },
    close() { refresher.stop(); },
  };
}
