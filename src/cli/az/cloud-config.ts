// Resource Manager's cloud metadata (api-version 2022-09-01) as az's `--cloud-config` JSON: the same
// mapping newer az applies to that document itself (azure.cli.core.cloud._arm_to_cli_mapper). az 2.45
// reads only the 2015-01-01 document (login endpoint, audience, graph, gallery), so apim-local registers
// its cloud with this config, and every az version gets the whole cloud (Microsoft Graph, Key Vault DNS).

/** The cloud's name in the isolated az configuration. */
export const AZ_CLOUD_NAME = 'ApimLocal';

export interface AzCloudConfig {
  endpoints: Record<string, string>;
  suffixes: Record<string, string>;
}

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const dotted = (v: string | undefined): string | undefined => (v === undefined || v.startsWith('.') ? v : `.${v}`);

/** az's endpoint name ← the metadata's field (az's mapper, in the order az lists them). */
const ENDPOINTS: [string, string][] = [
  ['resourceManager', 'resourceManager'], ['sqlManagement', 'sqlManagement'], ['batchResourceId', 'batch'],
  ['gallery', 'gallery'], ['activeDirectoryGraphResourceId', 'graphAudience'],
  ['microsoftGraphResourceId', 'microsoftGraphResourceId'], ['mediaResourceId', 'media'],
  ['ossrdbmsResourceId', 'ossrDbmsResourceId'], ['activeDirectoryDataLakeResourceId', 'activeDirectoryDataLake'],
  ['appInsightsResourceId', 'appInsightsResourceId'], ['logAnalyticsResourceId', 'logAnalyticsResourceId'],
  ['synapseAnalyticsResourceId', 'synapseAnalyticsResourceId'],
  ['appInsightsTelemetryChannelResourceId', 'appInsightsTelemetryChannelResourceId'],
  ['attestationResourceId', 'attestationResourceId'], ['portal', 'portal'],
];

/** az's suffix name ← the metadata's suffix, and whether az prefixes it with a dot. */
const SUFFIXES: [string, string, boolean][] = [
  ['storageEndpoint', 'storage', false], ['storageSyncEndpoint', 'storageSyncEndpointSuffix', false],
  ['keyvaultDns', 'keyVaultDns', true], ['mhsmDns', 'mhsmDns', true], ['sqlServerHostname', 'sqlServerHostname', true],
  ['mysqlServerEndpoint', 'mysqlServerEndpoint', true], ['postgresqlServerEndpoint', 'postgresqlServerEndpoint', true],
  ['mariadbServerEndpoint', 'mariadbServerEndpoint', true],
  ['azureDatalakeStoreFileSystemEndpoint', 'azureDataLakeStoreFileSystem', false],
  ['azureDatalakeAnalyticsCatalogAndJobEndpoint', 'azureDataLakeAnalyticsCatalogAndJob', false],
  ['synapseAnalyticsEndpoint', 'synapseAnalytics', true], ['acrLoginServerEndpoint', 'acrLoginServer', true],
  ['attestationEndpoint', 'attestationEndpoint', true],
];

/**
 * The `--cloud-config` for a 2022-09-01 metadata document; throws an Error naming the field when the
 * document lacks what az cannot do without (resource manager, login endpoint, audience).
 */
export function azCloudConfig(metadata: unknown): AzCloudConfig {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new Error('the cloud metadata is not a JSON object');
  const m = metadata as Json;
  const auth = (m.authentication ?? {}) as Json;
  const audiences = Array.isArray(auth.audiences) ? auth.audiences : [];
  const audience = str(audiences[0]);
  const login = str(auth.loginEndpoint);
  const resourceManager = str(m.resourceManager);
  const missing = [!resourceManager && 'resourceManager', !login && 'authentication.loginEndpoint', !audience && 'authentication.audiences[0]'].filter(Boolean);
  if (missing.length > 0) throw new Error(`the cloud metadata lacks ${missing.join(', ')}`);
  const endpoints: Record<string, string> = { management: audience!, activeDirectory: login!, activeDirectoryResourceId: audience! };
  for (const [az, field] of ENDPOINTS) {
    const v = str(m[field]);
    if (v !== undefined) endpoints[az] = v;
  }
  const suffixes: Record<string, string> = {};
  const given = (m.suffixes ?? {}) as Json;
  for (const [az, field, dot] of SUFFIXES) {
    const v = dot ? dotted(str(given[field])) : str(given[field]);
    if (v !== undefined) suffixes[az] = v;
  }
  return { endpoints, suffixes };
}
