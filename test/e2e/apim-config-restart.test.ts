// After a restart on the same data directory, an instance's configuration is loaded into its gateway
// again: APIs, policies, secret named values (unsealed with the same master key) and subscription keys.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { startTestServer, request, tempDir, type TestServer } from '../helpers/server.js';

const running: TestServer[] = [];
after(async () => { for (const s of running) await s.stop('SIGKILL'); });
const RG = 'restart-cfg-rg';
const SVC = 'restart-cfg';

async function start(dataDir: string): Promise<{ s: TestServer; apim: ApiManagementClient }> {
  const s = await startTestServer({ dataDir });
  running.push(s);
  return { s, apim: new ApiManagementClient(s.credential(), s.connection.subscriptionId, s.armOptions()) };
}

test('the gateway serves the same configuration after a restart', async () => {
  const dataDir = tempDir();
  const { s: first, apim } = await start(dataDir);
  await new ResourceManagementClient(first.credential(), first.connection.subscriptionId, first.armOptions()).resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
  const svc = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, SVC, {
    location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'a@contoso.com', publisherName: 'Contoso',
  });
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'greeting', { displayName: 'greeting', value: 'hello-secret', secret: true });
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'hello', { displayName: 'Hello', path: 'hello', subscriptionRequired: false });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'hello', 'get', { displayName: 'Get', method: 'GET', urlTemplate: '/' });
  await apim.apiPolicy.createOrUpdate(RG, SVC, 'hello', 'policy', {
    format: 'rawxml',
    value: '<policies><inbound><return-response><set-status code="200" reason="OK" /><set-header name="x-greeting" exists-action="override"><value>{{greeting}}</value></set-header></return-response></inbound><backend /><outbound /><on-error /></policies>',
  });
  await apim.subscription.createOrUpdate(RG, SVC, 'keep', { displayName: 'Keep', scope: '/apis', state: 'active' });
  const keys = await apim.subscription.listSecrets(RG, SVC, 'keep');
  const before = await request(`${svc.gatewayUrl}/hello/`);
  assert.equal(before.headers.get('x-greeting'), 'hello-secret');
  assert.equal(await first.stop('SIGTERM'), 0, first.output());

  const { apim: apim2 } = await start(dataDir);
  const after2 = await request(`${svc.gatewayUrl}/hello/`);
  assert.equal(after2.status, 200);
  assert.equal(after2.headers.get('x-greeting'), 'hello-secret');
  const keys2 = await apim2.subscription.listSecrets(RG, SVC, 'keep');
  assert.deepEqual([keys2.primaryKey, keys2.secondaryKey], [keys.primaryKey, keys.secondaryKey]);
  assert.equal((await apim2.namedValue.listValue(RG, SVC, 'greeting')).value, 'hello-secret');
});
