// What every resource provider module is given: the ARM plane's own store and registry, and the
// public APIs of the other planes it may use.
import type { Clock } from '../common/clock.js';
import type { SecretBox } from '../common/crypto.js';
import type { AuthzPlane } from '../authz/index.js';
import type { EntraPlane } from '../entra/index.js';
import type { ProviderRegistry } from './registry.js';
import type { ResourceStore } from './resource-store.js';
import type { GatewayInstances } from '../gateway/index.js';
import type { KeyVaultVaults } from '../keyvault/index.js';
import type { EventHubsNamespaces } from '../eventhubs/index.js';

export interface ArmContext {
  resources: ResourceStore;
  registry: ProviderRegistry;
  authz: AuthzPlane;
  entra: EntraPlane;
  clock: Clock;
  /** The gateway's listeners, started and stopped with API Management instances. */
  gateway: GatewayInstances;
  /** The Key Vault data plane: vault listeners and their settings, purges. */
  keyVault: KeyVaultVaults;
  /** The Event Hubs data plane: namespace listeners and their settings, events purged with hubs. */
  eventHubs: EventHubsNamespaces;
  /** Seals what a provider keeps or hands out that must not be read or forged (secrets, operation tokens). */
  box: SecretBox;
  tenantId: string;
  /** `https://localhost:PORT` */
  baseUrl: string;
}
