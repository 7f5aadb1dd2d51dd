// Deployment and scope functions (template-functions-deployment, template-functions-scope):
// the values the engine put in the scope, and parameters()/variables() through the evaluator.
import { ExpressionError, Msg } from '../errors.js';
import type { JsonObject, JsonValue } from '../values.js';
import { arity, defineAll, str } from './types.js';

/** environment() of Azure's public cloud, as the docs' example output shows it. */
export const AZURE_CLOUD: JsonObject = {
  name: 'AzureCloud',
  gallery: 'https://gallery.azure.com/',
  graph: 'https://graph.windows.net/',
  portal: 'https://portal.azure.com',
  graphAudience: 'https://graph.windows.net/',
  activeDirectoryDataLake: 'https://datalake.azure.net/',
  batch: 'https://batch.core.windows.net/',
  media: 'https://rest.media.azure.net',
  sqlManagement: 'https://management.core.windows.net:8443/',
  vmImageAliasDoc: 'https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json',
  resourceManager: 'https://management.azure.com/',
  authentication: {
    loginEndpoint: 'https://login.microsoftonline.com/',
    audiences: ['https://management.core.windows.net/', 'https://management.azure.com/'],
    tenant: 'common',
    identityProvider: 'AAD',
  },
  suffixes: {
    acrLoginServer: '.azurecr.io',
    azureDatalakeAnalyticsCatalogAndJob: 'azuredatalakeanalytics.net',
    azureDatalakeStoreFileSystem: 'azuredatalakestore.net',
    azureFrontDoorEndpointSuffix: 'azurefd.net',
    keyvaultDns: '.vault.azure.net',
    sqlServerHostname: '.database.windows.net',
    storage: 'core.windows.net',
  },
};

const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as JsonValue;

export const deploymentFunctions = defineAll(
  { name: 'parameters', call: (a, c) => { arity(c.name, a, 1); return c.parameter(str(c.name, a, 0)); } },
  {
    name: 'variables', call: (a, c) => {
      arity(c.name, a, 1);
      if (c.phase === 'parameterDefault') throw new ExpressionError(Msg.functionNotExpected(c.name));
      return c.variable(str(c.name, a, 0));
    },
  },
  { name: 'deployment', call: (a, c) => { arity(c.name, a, 0); return asJson(c.scope.deployment); } },
  { name: 'environment', call: (a, c) => { arity(c.name, a, 0); return asJson(c.scope.environment ?? AZURE_CLOUD); } },
  { name: 'subscription', call: (a, c) => { arity(c.name, a, 0); return asJson(c.scope.subscription); } },
  {
    name: 'resourceGroup', call: (a, c) => {
      arity(c.name, a, 0);
      const rg = c.scope.resourceGroup;
      if (!rg) throw new ExpressionError(`${Msg.functionNotExpected('resourceGroup')} The function is not available in a deployment at subscription scope.`);
      return asJson({ id: rg.id, name: rg.name, type: rg.type ?? 'Microsoft.Resources/resourceGroups', location: rg.location, ...(rg.managedBy ? { managedBy: rg.managedBy } : {}), ...(rg.tags ? { tags: rg.tags } : {}), properties: rg.properties });
    },
  },
  {
    name: 'tenant', call: (a, c) => {
      arity(c.name, a, 0);
      return { id: `/tenants/${c.scope.tenantId}`, tenantId: c.scope.tenantId, countryCode: 'US', displayName: 'Default Directory' };
    },
  },
);
