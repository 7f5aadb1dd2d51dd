// GET /metadata/endpoints?api-version=...: Resource Manager's cloud metadata document, the one
// `az cloud register --endpoint-resource-manager` reads (az 2.45: 2015-01-01; newer az: 2022-09-01),
// describing this server as a cloud of its own. Anonymous, as ARM's is.
//
// Every endpoint points at this server or at a name that stays on this machine (`*.localhost`), so a
// client configured from it never sends a request to Azure:
// - loginEndpoint is `{base}/adfs`: MSAL (and az, which strips the tenant for it) treats an authority
//   whose path is `/adfs` as ADFS and skips instance discovery at login.microsoftonline.com, then reads
//   `{base}/adfs/.well-known/openid-configuration` (the default tenant's v2 document, src/entra).
// - audiences are Azure's own ARM audiences, so tokens look as they do against Azure.
// - Microsoft Graph: az uses `microsoftGraphResourceId` both as Graph's base URL and as the token
//   resource, so it is this server's origin (Graph is served at `{base}/v1.0/...`).
import type { RequestContext } from '../common/http.js';
import { sendJson } from '../common/http.js';
import { ArmErrors } from './errors.js';

/** The cloud's name in the document (az names the registered cloud itself; fallbacks are looked up by this). */
export const CLOUD_NAME = 'ApimLocal';

/** ARM's audiences (the first is the one az requests tokens for). */
export const ARM_AUDIENCES = ['https://management.core.windows.net/', 'https://management.azure.com/'] as const;

/**
 * The api-versions ARM answers, by shape: 2015-01-01 the legacy flat document; 2019-05-01 and
 * 2020-06-01 an array of clouds; 2022-09-01 the current cloud as one object.
 */
const SHAPES = { '2015-01-01': 'legacy', '2019-05-01': 'list', '2020-06-01': 'list', '2022-09-01': 'single' } as const;
export const METADATA_API_VERSIONS = Object.keys(SHAPES);

export interface CloudMetadataInput {
  /** `https://localhost:PORT` (no trailing slash). */
  baseUrl: string;
  tenantId: string;
}

export function loginEndpoint(baseUrl: string): string {
  return `${baseUrl}/adfs`;
}

/** The current shape (2019-05-01 and later) of this server's cloud. */
export function cloudMetadata({ baseUrl, tenantId }: CloudMetadataInput): Record<string, unknown> {
  const root = `${baseUrl}/`;
  return {
    portal: root,
    authentication: {
      loginEndpoint: loginEndpoint(baseUrl),
      audiences: [...ARM_AUDIENCES],
      // The tokens are Entra's (v1/v2, tid of this tenant); the /adfs path only spares MSAL's discovery.
      tenant: tenantId,
      identityProvider: 'AAD',
    },
    media: root,
    graphAudience: root,
    graph: root,
    name: CLOUD_NAME,
    suffixes: {
      // No DNS names exist for these locally: `*.localhost` never leaves the machine (RFC 6761).
      azureDataLakeStoreFileSystem: 'azuredatalakestore.localhost',
      acrLoginServer: 'azurecr.localhost',
      sqlServerHostname: 'database.localhost',
      azureDataLakeAnalyticsCatalogAndJob: 'azuredatalakeanalytics.localhost',
      keyVaultDns: 'vault.localhost',
      storage: 'core.localhost',
      azureFrontDoorEndpointSuffix: 'azurefd.localhost',
      storageSyncEndpointSuffix: 'afs.localhost',
      mhsmDns: 'managedhsm.localhost',
      mysqlServerEndpoint: 'mysql.database.localhost',
      postgresqlServerEndpoint: 'postgres.database.localhost',
      mariadbServerEndpoint: 'mariadb.database.localhost',
      synapseAnalytics: 'dev.azuresynapse.localhost',
      attestationEndpoint: 'attest.localhost',
    },
    batch: root,
    resourceManager: root,
    activeDirectoryDataLake: root,
    sqlManagement: root,
    microsoftGraphResourceId: root,
    appInsightsResourceId: baseUrl,
    appInsightsTelemetryChannelResourceId: `${baseUrl}/v2/track`,
    attestationResourceId: baseUrl,
    synapseAnalyticsResourceId: baseUrl,
    logAnalyticsResourceId: baseUrl,
    ossrDbmsResourceId: baseUrl,
  };
}

/** The 2015-01-01 document (what az 2.45 reads: gallery, graph, login endpoint, audiences). */
export function legacyCloudMetadata({ baseUrl }: CloudMetadataInput): Record<string, unknown> {
  const root = `${baseUrl}/`;
  return {
    galleryEndpoint: root,
    graphEndpoint: root,
    portalEndpoint: root,
    authentication: { loginEndpoint: `${loginEndpoint(baseUrl)}/`, audiences: [...ARM_AUDIENCES] },
  };
}

/** True for the metadata route (its own path; not under /subscriptions or /providers). */
export function isCloudMetadataPath(path: string): boolean {
  return /^\/metadata\/endpoints\/?$/i.test(path);
}

/** Serves GET /metadata/endpoints; errors in ARM's envelope. */
export function handleCloudMetadata(ctx: RequestContext, input: CloudMetadataInput): void {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
    sendJson(ctx.res, 405, { error: { code: 'MethodNotAllowed', message: `The requested resource does not support http method '${ctx.method}'.` } }, { allow: 'GET' });
    return;
  }
  const v = ctx.query.get('api-version');
  const error = v === null || v === '' ? ArmErrors.missingApiVersion()
    : !(v in SHAPES) ? ArmErrors.invalidApiVersion(v, METADATA_API_VERSIONS) : undefined;
  if (error) {
    sendJson(ctx.res, error.status, error.toEnvelope(), { 'x-ms-request-id': ctx.requestId });
    return;
  }
  const shape = SHAPES[v as keyof typeof SHAPES];
  const body = shape === 'legacy' ? legacyCloudMetadata(input) : shape === 'list' ? [cloudMetadata(input)] : cloudMetadata(input);
  sendJson(ctx.res, 200, body, { 'x-ms-request-id': ctx.requestId });
}
