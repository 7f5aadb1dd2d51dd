// Entry: typed config → store → planes → listeners; writes connection.json once every listener is up.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { openStore, type Store } from './store/db.js';
import { SecretBox } from './common/crypto.js';
import { systemClock, type Clock } from './common/clock.js';
import { createLogger, type Logger } from './common/log.js';
import { loadOrCreateCa, loadOrIssueServerCertificate } from './tls/ca.js';
import { EntraPlane } from './entra/index.js';
import { AuthzPlane } from './authz/index.js';
import { ArmPlane } from './arm/index.js';
import { startManagementListener } from './management/listener.js';
import { GatewayPlane, StoreQuotaCounters } from './gateway/index.js';
import { KeyVaultPlane } from './keyvault/index.js';
import { EventHubsPlane } from './eventhubs/index.js';
import { GatewayProxy } from './management/gateway-proxy-route.js';
import { portalOrigins } from './common/cors.js';

export interface ConnectionInfo {
  managementEndpoint: string;
  /** Microsoft Graph's base URL (the management endpoint; requests go to `{graphEndpoint}/v1.0/...`). */
  graphEndpoint: string;
  authorityHost: string;
  tenantId: string;
  subscriptionId: string;
  clientId: string;
  clientSecret: string;
  objectId: string;
  caCertificatePath: string;
  dataDir: string;
  pid: number;
}

export interface RunningServer {
  connection: ConnectionInfo;
  connectionFile: string;
  store: Store;
  entra: EntraPlane;
  arm: ArmPlane;
  authz: AuthzPlane;
  gateway: GatewayPlane;
  keyVault: KeyVaultPlane;
  eventHubs: EventHubsPlane;
  close(): Promise<void>;
}

/** The planes, in dependency order, each built finished by its constructor or async factory. */
async function buildPlanes(o: { config: Config; store: Store; box: SecretBox; clock: Clock; logger: Logger; tls: { certPem: string; keyPem: string }; caCertPem: string; baseUrl: string }) {
  const { config, store, box, clock, logger, tls, caCertPem, baseUrl } = o;
  const authz = new AuthzPlane(store.db, clock);
  const entra = await EntraPlane.create({
    db: store.db, box, clock, baseUrl, tokenLifetimeSeconds: config.tokenLifetimeSeconds,
    identityEndpointGuard: (holder, action, resourceId) => authz.isAllowed(holder, action, resourceId),
  });
  const eventHubs = new EventHubsPlane({
    db: store.db, appender: store.appender, clock, logger, host: config.host, ...tls, verifier: entra.verifier, authz,
  });
  const gateway = new GatewayPlane({
    eventHubs, host: config.host, ...tls, logger, managedIdentities: entra.managedIdentities, workers: config.gatewayWorkers, quiet: config.quiet, trustedCaPem: caCertPem,
    quotas: new StoreQuotaCounters(store.db, logger),
  });
  const keyVault = new KeyVaultPlane({
    db: store.db, box, clock, logger, host: config.host, ...tls,
    verifier: entra.verifier, authz, managedIdentities: entra.managedIdentities, authorityHost: baseUrl, tenantId: entra.tenantId,
    browserOrigins: portalOrigins(baseUrl),
  });
  try {
    // Resource Manager binds the gateway to its configuration source (src/arm/index.ts), and starts the
    // gateway and vault listeners of the resources it has.
    const arm = await ArmPlane.create({
      db: store.db, clock, logger, authz, entra, baseUrl, maxBodyBytes: config.maxBodyBytes, gateway, keyVault, eventHubs, box,
      keyVaultRefreshIntervalMs: config.keyVaultRefreshIntervalMs, keyVaultSecrets: keyVault.gatewayReader,
    });
    return { baseUrl, entra, authz, gateway, keyVault, eventHubs, arm, gatewayProxy: new GatewayProxy(caCertPem) };
  } catch (e) {
    await gateway.close();
    await keyVault.close();
    await eventHubs.close();
    throw e;
  }
}

export async function startServer(config: Config, deps: { clock?: Clock; logger?: Logger } = {}): Promise<RunningServer> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger(config.quiet);
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  const box = SecretBox.fromDataDir(config.dataDir, config.masterKey);
  const names = ['localhost', '127.0.0.1', '::1'];
  if (!['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(config.host)) names.push(config.host);
  const ca = await loadOrCreateCa(config.dataDir, names.slice(3));
  const serverCert = await loadOrIssueServerCertificate(ca, config.dataDir, names);

  const store = await openStore(config.store.kind === 'postgres'
    ? { kind: 'postgres', url: config.store.url }
    : { kind: 'sqlite', file: config.store.inMemory ? ':memory:' : path.join(config.dataDir, 'apim-local.db') });

  // The management listener is bound first: the planes need its port for their URLs (issuer, authority
  // host), and it serves them once they are built (management/listener.ts).
  const tls = { certPem: serverCert.certPem, keyPem: serverCert.keyPem };
  const listener = await startManagementListener({ host: config.host, port: config.port, ...tls, logger },
    (port) => buildPlanes({ config, store, box, clock, logger, tls, caCertPem: ca.caCertPem, baseUrl: `https://localhost:${port}` }))
    .catch(async (e: unknown) => { await store.close(); throw e; });
  const { baseUrl, entra, authz, gateway, keyVault, eventHubs, arm, gatewayProxy } = listener.planes;
  try {
    logger.info(`management listener (Resource Manager, Entra ID) on ${baseUrl} (bound to ${config.host}:${listener.port})`);

    const connection: ConnectionInfo = {
      managementEndpoint: baseUrl, graphEndpoint: entra.graph.graphUrl, authorityHost: baseUrl, tenantId: entra.tenantId, subscriptionId: arm.subscriptionId,
      clientId: entra.admin.clientId, clientSecret: entra.admin.clientSecret, objectId: entra.admin.objectId,
      caCertificatePath: ca.caCertPath, dataDir: config.dataDir, pid: process.pid,
    };
    const connectionFile = path.join(config.dataDir, 'connection.json');
    const tmp = `${connectionFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(connection, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, connectionFile);
    logger.info(`connection file ${connectionFile}`);

    let closed = false;
    return {
      connection, connectionFile, store, entra, arm, authz, gateway, keyVault, eventHubs,
      async close() {
        if (closed) return;
        closed = true;
        await listener.close();
        await gatewayProxy.close();
        arm.close();
        await gateway.close();
        await keyVault.close();
        await eventHubs.close();
        await store.close();
      },
    };
  } catch (e) {
    await listener.close();
    await store.close();
    throw e;
  }
}
