// #10 finding 8, written as the attacks: an IDENTITY_HEADER kept minting tokens after its holder lost
// access, never expired, and worked for a later resource with the same id. Now it is bound to its
// holder (who must still be allowed to write the resource), expires, is revoked by `--rotate` and by
// deleting the resource.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { createApimInstance } from '../helpers/apim.js';
import { startTestServer, request, type TestServer } from '../helpers/server.js';

const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const RG = 'mi-header-rg';
let server: TestServer;
let serviceId: string;
let adminToken: string;

before(async () => {
  server = await startTestServer();
  const { service } = await createApimInstance(server, RG, 'mi-header-apim', { type: 'SystemAssigned' });
  serviceId = service.id!;
  adminToken = (await server.credential().getToken('https://management.azure.com/.default')).token;
});
after(async () => { await server?.stop(); });

const envFor = async (token: string, body: Record<string, unknown>) => request(`${server.connection.managementEndpoint}/apim-local/identity-env`, {
  method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});
/** A managed identity token request with the App Service protocol: the status. */
const miToken = async (header: string) => (await request(`${server.connection.managementEndpoint}/msi/token?api-version=2019-08-01&resource=https://vault.azure.net`, {
  headers: { 'x-identity-header': header },
})).status;

test('a header expires after its lifetime (24 hours unless asked; 1 to 720)', async () => {
  const res = await envFor(adminToken, { resourceId: serviceId });
  assert.equal(res.status, 200);
  const hours = (Date.parse(res.body.expiresOn) - Date.now()) / 3_600_000;
  assert.ok(hours > 23.9 && hours <= 24, `expires in ${hours} hours`);
  assert.equal(await miToken(res.body.IDENTITY_HEADER), 200);
  const short = await envFor(adminToken, { resourceId: serviceId, expiresInHours: 1 });
  assert.ok(Math.abs(Date.parse(short.body.expiresOn) - Date.now() - 3_600_000) < 60_000);
  for (const bad of [0, 721, 1.5, '2']) assert.equal((await envFor(adminToken, { resourceId: serviceId, expiresInHours: bad })).status, 400, String(bad));
  // The expiry is inside the MAC: changing it breaks the header.
  const [payload, mac] = res.body.IDENTITY_HEADER.split('.');
  const p = JSON.parse(Buffer.from(payload, 'hex').toString('utf8'));
  const forged = `${Buffer.from(JSON.stringify({ ...p, e: p.e + 3600 * 24 * 365 })).toString('hex')}.${mac}`;
  assert.equal(await miToken(forged), 401);
});

test('attack: the holder loses its role; the header it got stops minting tokens', async () => {
  const app = await request(`${server.connection.managementEndpoint}/apim-local/applications`, {
    method: 'POST', token: adminToken, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'ex-employee' }),
  });
  const auth = new AuthorizationManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions());
  const scope = `/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}`;
  const ra = await auth.roleAssignments.create(scope, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${server.connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`, principalId: app.body.objectId, principalType: 'ServicePrincipal',
  });
  const appToken = (await server.credential(app.body.appId, app.body.password).getToken('https://management.azure.com/.default')).token;
  const env = await envFor(appToken, { resourceId: serviceId });
  assert.equal(env.status, 200);
  assert.equal(await miToken(env.body.IDENTITY_HEADER), 200, 'works while the holder may write the instance');
  await auth.roleAssignments.delete(scope, ra.name!);
  await new Promise((r) => setTimeout(r, 1_100)); // role assignments are cached for a second
  assert.equal(await miToken(env.body.IDENTITY_HEADER), 401, 'no token once the holder lost access');
  const imds = new URL(env.body.AZURE_POD_IDENTITY_AUTHORITY_HOST);
  const viaImds = await request(`${imds.origin}${imds.pathname}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net`, { headers: { metadata: 'true' } });
  assert.equal(viaImds.status, 401, 'nor through the IMDS form');
});

test('attack: --rotate revokes every header issued before; the new one works', async () => {
  const old = await envFor(adminToken, { resourceId: serviceId });
  assert.equal(await miToken(old.body.IDENTITY_HEADER), 200);
  const rotated = await envFor(adminToken, { resourceId: serviceId, rotate: true });
  assert.equal(await miToken(old.body.IDENTITY_HEADER), 401, 'the old header is revoked');
  assert.equal(await miToken(rotated.body.IDENTITY_HEADER), 200);
});

test('attack: a header of a deleted instance does not work for a new instance with the same id', async () => {
  const { service } = await createApimInstance(server, RG, 'mi-header-again', { type: 'SystemAssigned' });
  const env = await envFor(adminToken, { resourceId: service.id! });
  assert.equal(await miToken(env.body.IDENTITY_HEADER), 200);
  const del = await request(`${server.connection.managementEndpoint}${service.id}?api-version=2024-05-01`, { method: 'DELETE', token: adminToken });
  assert.ok(del.status === 200 || del.status === 202, String(del.status));
  await createApimInstance(server, RG, 'mi-header-again', { type: 'SystemAssigned' });
  assert.equal(await miToken(env.body.IDENTITY_HEADER), 401);
});
