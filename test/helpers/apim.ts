// An API Management instance for end-to-end tests, made as a user would with the official SDKs: the
// resource group, then the instance (Developer, one unit), optionally with managed identities.
import { ResourceManagementClient } from '@azure/arm-resources';
import { ApiManagementClient, type ApiManagementServiceIdentity, type ApiManagementServiceResource } from '@azure/arm-apimanagement';
import path from 'node:path';
import Database from 'better-sqlite3';
import { request, type TestServer } from './server.js';

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

/** Every item of a paged SDK list. */
export const all = async <T>(it: AsyncIterable<T>): Promise<T[]> => { const out: T[] = []; for await (const x of it) out.push(x); return out; };

/**
 * Raw management requests under an instance (`p` relative to `.../service/{svc}`, query allowed), for
 * what the SDK would refuse to send or hides (wrong types, headers, status codes). `server` and `token`
 * are read at each call: tests set them in `before`.
 */
export function instanceRequester(server: () => TestServer, rg: string, svc: string, token: () => string) {
  const svcId = () => `/subscriptions/${server().connection.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.ApiManagement/service/${svc}`;
  return {
    svcId,
    raw: (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) =>
      request(`${server().connection.managementEndpoint}${svcId()}${p}${p.includes('?') ? '&' : '?'}api-version=2024-05-01`, {
        method, token: token(), headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
}

/** Every stored document, as text: what a reader of the database file would see. */
export function storedText(server: TestServer): string {
  const db = new Database(path.join(server.dataDir, 'apim-local.db'), { readonly: true, fileMustExist: true });
  try { return (db.prepare('select body from arm_resources').all() as { body: string }[]).map((r) => r.body).join('\n'); } finally { db.close(); }
}
