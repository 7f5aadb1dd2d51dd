// The Resource Manager plane: provider registry, resource store, front door; the default subscription
// and the admin's Owner role on it, created at first start.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/log.js';
import type { RequestContext } from '../common/http.js';
import type { AuthzPlane } from '../authz/index.js';
import { OWNER_ROLE_ID } from '../authz/index.js';
import type { EntraPlane } from '../entra/index.js';
import { newGuid } from '../common/ids.js';
import { getOrCreateMeta } from '../store/meta.js';
import { ProviderRegistry, type ResourceProviderModule } from './registry.js';
import { ResourceStore } from './resource-store.js';
import { ArmFrontDoor } from './front-door.js';
import type { ArmContext } from './context.js';
import { resourcesProvider, subscriptionBody } from './providers/resources.js';
import { authorizationProvider } from './providers/authorization.js';
import { managedIdentityProvider } from './providers/managed-identity.js';
import { apiManagementProvider, type ApiManagementProvider, type KeyVaultSecretReader } from './providers/api-management/index.js';
import type { GatewayPlane } from '../gateway/index.js';
import type { KeyVaultVaults } from '../keyvault/index.js';
import type { EventHubsNamespaces } from '../eventhubs/index.js';
import type { SecretBox } from '../common/crypto.js';
import { keyVaultProvider } from './providers/key-vault.js';
import { eventHubProvider } from './providers/event-hub.js';
import { deploymentsProvider, type DeploymentsProvider } from './providers/resources-deployments/index.js';
import { handleCloudMetadata, isCloudMetadataPath } from './cloud-metadata.js';

export type { ArmContext } from './context.js';
export { ArmErrors } from './errors.js';

export interface ArmOptions {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  authz: AuthzPlane;
  entra: EntraPlane;
  baseUrl: string;
  maxBodyBytes: number;
  /** The gateway plane; bound here to API Management's configuration source (see the constructor). */
  gateway: Pick<GatewayPlane, 'bind'>;
  keyVault: KeyVaultVaults;
  eventHubs: EventHubsNamespaces;
  /** Seals secrets of API Management entities (secret named values, subscription keys) at rest. */
  box: SecretBox;
  /** How often Key Vault named values are read again (Azure: within 4 hours). */
  keyVaultRefreshIntervalMs: number;
  /** The Key Vault plane's in-process reader, for Key Vault named values. */
  keyVaultSecrets?: KeyVaultSecretReader;
}

/** Each provider module in one list: a new provider is one line here. */
const PROVIDERS: ((arm: ArmContext, plane: ArmPlane) => ResourceProviderModule)[] = [
  (arm, plane) => resourcesProvider(arm, { exportTemplate: (req) => plane.deployments.exportTemplate(req) }),
  (_arm, plane) => plane.deployments, authorizationProvider, managedIdentityProvider, (_arm, plane) => plane.apim, keyVaultProvider, eventHubProvider,
];

export class ArmPlane {
  readonly registry = new ProviderRegistry();
  readonly resources: ResourceStore;
  readonly context: ArmContext;
  readonly frontDoor: ArmFrontDoor;
  /** API Management: its resource types, the gateway's ConfigSource and the Key Vault named value refresher. */
  readonly apim: ApiManagementProvider;
  /** Template deployments: their resource types and exportTemplate. */
  readonly deployments: DeploymentsProvider;

  /**
   * The plane, started: the default subscription and the admin application's Owner role on it (made at
   * first start), then each provider's start-up (the gateway and vault listeners of existing resources,
   * the gateway's configuration, the Key Vault refresher).
   */
  static async create(o: ArmOptions): Promise<ArmPlane> {
    const subscriptionId = await getOrCreateMeta(o.db, 'arm.subscriptionId', () => newGuid());
    const plane = new ArmPlane(o, subscriptionId);
    await plane.ensureDefaultSubscription();
    await plane.registry.initAll();
    return plane;
  }

  private constructor(private readonly o: ArmOptions, readonly subscriptionId: string) {
    this.resources = new ResourceStore(o.db, o.clock);
    // The gateway reads an instance's configuration from API Management's config source, which is made
    // (below) from this context, which holds the gateway: a cycle. The gateway is bound to a source
    // that reads `this.apim` when asked, which is never before this constructor returns (the gateway
    // loads only when told to reload, by a write or by create()'s start-up).
    const gateway = o.gateway.bind({ load: (instanceId) => this.apim.configSource.load(instanceId) });
    this.context = {
      resources: this.resources, registry: this.registry, authz: o.authz, entra: o.entra, clock: o.clock,
      tenantId: o.entra.tenantId, baseUrl: o.baseUrl, gateway, keyVault: o.keyVault, eventHubs: o.eventHubs, box: o.box,
    };
    this.apim = apiManagementProvider(this.context, { box: o.box, logger: o.logger, keyVaultRefreshIntervalMs: o.keyVaultRefreshIntervalMs, keyVault: o.keyVaultSecrets });
    // A deployment writes its resources through the front door, which exists once the providers do.
    this.deployments = deploymentsProvider(this.context, (call) => this.frontDoor.dispatch(call), o.logger);
    for (const provider of PROVIDERS) this.registry.register(provider(this.context, this));
    this.frontDoor = new ArmFrontDoor({
      registry: this.registry, verifier: o.entra.verifier, authz: o.authz, resources: this.resources,
      tenantId: o.entra.tenantId, baseUrl: o.baseUrl, maxBodyBytes: o.maxBodyBytes, logger: o.logger,
    });
  }

  /** Creates the default subscription and gives the admin application Owner on it, once. */
  private async ensureDefaultSubscription(): Promise<void> {
    const id = `/subscriptions/${this.subscriptionId}`;
    if (!(await this.resources.exists(id))) {
      await this.resources.put({ id, parent: '/', body: subscriptionBody(this.subscriptionId, this.o.entra.tenantId, 'apim-local') });
    }
    const admin = this.o.entra.admin;
    if (!(await this.o.authz.assignments.findExisting(id, admin.objectId, OWNER_ROLE_ID))) {
      await this.o.authz.assignments.create({
        name: newGuid(), scope: id, roleDefinitionId: `${id}/providers/Microsoft.Authorization/roleDefinitions/${OWNER_ROLE_ID}`,
        roleDefinitionGuid: OWNER_ROLE_ID, principalId: admin.objectId, principalType: 'ServicePrincipal', createdBy: null,
      });
    }
  }

  /** Stops background work (the Key Vault named value refresher). */
  close(): void {
    this.apim.close();
  }

  /** True for paths this plane serves. */
  matches(path: string): boolean {
    return /^\/(subscriptions|providers)(\/|$)/i.test(path) || isCloudMetadataPath(path);
  }

  handle(ctx: RequestContext): Promise<void> {
    // The cloud metadata document is anonymous (clients read it before they can sign in).
    if (isCloudMetadataPath(ctx.path)) { handleCloudMetadata(ctx, { baseUrl: this.o.baseUrl, tenantId: this.o.entra.tenantId }); return Promise.resolve(); }
    return this.frontDoor.handle(ctx);
  }
}
