// A restart on the same data directory keeps the tenant, subscription, admin credentials, signing keys
// and resources; a write acknowledged with a 2xx survives kill -9.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential } from '@azure/identity';
import { startTestServer, request, tempDir, type TestServer } from '../helpers/server.js';

const running: TestServer[] = [];
after(async () => { for (const s of running) await s.stop('SIGKILL'); });

async function start(dataDir: string, args: string[] = []): Promise<TestServer> {
  const s = await startTestServer({ dataDir, args });
  running.push(s);
  return s;
}

const client = (s: TestServer) => new ResourceManagementClient(s.credential(), s.connection.subscriptionId, s.armOptions());

async function jwksKids(s: TestServer): Promise<string[]> {
  const c = s.connection;
  const doc = (await request(`${c.authorityHost}/${c.tenantId}/v2.0/.well-known/openid-configuration`)).body;
  return (await request(doc.jwks_uri)).body.keys.map((k: { kid: string }) => k.kid).sort();
}

test('SIGTERM stops cleanly; a second start keeps tenant, subscription, credentials, keys and resources', async () => {
  const dataDir = tempDir();
  const first = await start(dataDir);
  const c1 = first.connection;
  for (const f of ['connection.json', 'ca.pem', 'master.key', 'apim-local.db']) assert.ok(fs.existsSync(path.join(dataDir, f)), `${f} in the data directory`);
  assert.equal(c1.caCertificatePath, path.join(dataDir, 'ca.pem'));
  await client(first).resourceGroups.createOrUpdate('rg-persist', { location: 'westeurope', tags: { v: '1' } });
  const kids1 = await jwksKids(first);
  const tokenBefore = (await first.credential().getToken('https://management.azure.com/.default')).token;
  const port = new URL(c1.managementEndpoint).port;

  const code = await first.stop('SIGTERM');
  assert.equal(code, 0, first.output());
  // One line per listener: the management listener once, with its URL; no listener twice.
  const listenerLines = first.output().split('\n').filter((l) => /\blistener\b/i.test(l)).map((l) => l.replace(/^\S+ /, ''));
  const management = listenerLines.filter((l) => /management listener/i.test(l));
  assert.equal(management.length, 1, `one line for the management listener:\n${first.output()}`);
  assert.ok(management[0].includes(c1.managementEndpoint), management[0]);
  assert.equal(new Set(listenerLines).size, listenerLines.length, `no listener logged twice:\n${first.output()}`);
  assert.match(first.output(), /SIGTERM/, 'the stop is logged');

  // Same port, so the issuer is the same and a token from before the restart still verifies.
  const second = await start(dataDir, ['--port', port]);
  const c2 = second.connection;
  assert.notEqual(c2.pid, c1.pid);
  assert.equal(c2.managementEndpoint, c1.managementEndpoint);
  assert.equal(c2.tenantId, c1.tenantId);
  assert.equal(c2.subscriptionId, c1.subscriptionId);
  assert.equal(c2.clientId, c1.clientId);
  assert.equal(c2.clientSecret, c1.clientSecret);
  assert.equal(c2.objectId, c1.objectId);
  assert.deepEqual(await jwksKids(second), kids1, 'the same signing keys');

  const subUrl = `${c2.managementEndpoint}/subscriptions/${c2.subscriptionId}/resourcegroups/rg-persist?api-version=2025-04-01`;
  const withOldToken = await request(subUrl, { token: tokenBefore });
  assert.equal(withOldToken.status, 200, withOldToken.text);
  assert.deepEqual(withOldToken.body.tags, { v: '1' });

  // The old secret, in a fresh credential (no cached token), still works.
  const fresh = new ClientSecretCredential(c1.tenantId, c1.clientId, c1.clientSecret, { authorityHost: c2.authorityHost, disableInstanceDiscovery: true });
  const rg = await new ResourceManagementClient(fresh, c1.subscriptionId, second.armOptions()).resourceGroups.get('rg-persist');
  assert.equal(rg.name, 'rg-persist');
  assert.equal(await second.stop('SIGINT'), 0, 'SIGINT stops cleanly too');

  // On another port the issuer moves with the endpoint, but tenant and resources stay.
  const third = await start(dataDir);
  assert.equal(third.connection.tenantId, c1.tenantId);
  assert.deepEqual(await jwksKids(third), kids1);
  assert.equal((await client(third).resourceGroups.get('rg-persist')).location, 'westeurope');
  assert.equal(await third.stop(), 0);
});

test('kill -9 right after a 2xx PUT: the group survives the restart', async () => {
  const dataDir = tempDir();
  const first = await start(dataDir);
  const created = await client(first).resourceGroups.createOrUpdate('rg-durable', { location: 'westeurope', tags: { acked: 'yes' } });
  assert.equal(created.name, 'rg-durable');
  first.child.kill('SIGKILL');
  assert.equal(await first.stop(), null, 'killed, no exit code');

  const second = await start(dataDir);
  assert.equal(second.connection.tenantId, first.connection.tenantId);
  const rg = await client(second).resourceGroups.get('rg-durable');
  assert.deepEqual(rg.tags, { acked: 'yes' });
  await second.stop();
});
