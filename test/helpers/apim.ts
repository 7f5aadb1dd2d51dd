// An API Management instance for end-to-end tests, made as a user would with the official SDKs: the
// resource group, then the instance (Developer, one unit), optionally with managed identities.
import { ResourceManagementClient } from '@azure/arm-resources';
import { ApiManagementClient, type ApiManagementServiceIdentity, type ApiManagementServiceResource } from '@azure/arm-apimanagement';
import type { TestServer } from './server.js';

export interface ApimInstance {
  apim: ApiManagementClient;
  service: ApiManagementServiceResource;
}

/** Creates (or updates) the resource group and the instance; returns the client and the instance. */
export async function createApimInstance(server: TestServer, rg: string, svc: string, identity?: ApiManagementServiceIdentity): Promise<ApimInstance> {
  const cred = server.credential();
  const sub = server.connection.subscriptionId;
  await new ResourceManagementClient(cred, sub, server.armOptions()).resourceGroups.createOrUpdate(rg, { location: 'westeurope' });
  const apim = new ApiManagementClient(cred, sub, server.armOptions());
  const service = await apim.apiManagementService.beginCreateOrUpdateAndWait(rg, svc, {
    location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'admin@contoso.com', publisherName: 'Contoso',
    ...(identity ? { identity } : {}),
  });
  return { apim, service };
}
