// A restart on the same data directory keeps the tenant, subscription, admin credentials, signing keys
// and resources; an API Management instance's configuration is loaded into its gateway again (APIs,
// policies, secret named values unsealed with the same master key, subscription keys); a vault keeps its
// port and its secrets; a write acknowledged with a 2xx survives kill -9; a flag given at a restart
// (--token-lifetime) applies.
// One data directory, started three times: the tests run in order, each picking up the server the one
// before left running (a server start is the expensive part of these tests).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { ClientSecretCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { startTestServer, request, tempDir, type TestServer } from '../helpers/server.js';
import { createApimInstance } from '../helpers/apim.js';
import { createVault, kvm, secretClient, uniqueVaultName } from '../helpers/keyvault.js';

const running: TestServer[] = [];
after(async () => { for (const s of running) await s.stop('SIGKILL'); });

async function start(args: string[] = []): Promise<TestServer> {
  const s = await startTestServer({ dataDir, args });
  running.push(s);
  return s;
}

const client = (s: TestServer) => new ResourceManagementClient(s.credential(), s.connection.subscriptionId, s.armOptions());
const apimOf = (s: TestServer) => new ApiManagementClient(s.credential(), s.connection.subscriptionId, s.armOptions());

async function jwksKids(s: TestServer): Promise<string[]> {
  const c = s.connection;
  const doc = (await request(`${c.authorityHost}/${c.tenantId}/v2.0/.well-known/openid-configuration`)).body;
  return (await request(doc.jwks_uri)).body.keys.map((k: { kid: string }) => k.kid).sort();
}

const dataDir = tempDir();
/** The server the next test starts from. */
let current: TestServer;
// What the first server made, to compare with after each restart.
let c1: TestServer['connection'];
let kids1: string[];
let tokenBefore: string;
const RG = 'restart-cfg-rg';
const SVC = 'restart-cfg';
let gatewayUrl: string;
let subscriptionKeys: [string | undefined, string | undefined];
let vault: { name: string; uri: string };

before(async () => {
  current = await start();
  c1 = current.connection;
  await client(current).resourceGroups.createOrUpdate('rg-persist', { location: 'westeurope', tags: { v: '1' } });
  kids1 = await jwksKids(current);
  tokenBefore = (await current.credential().getToken('https://management.azure.com/.default')).token;

  // API Management: an API answered by a policy that reads a secret named value, and a subscription.
  const { apim, service } = await createApimInstance(current, RG, SVC);
  gatewayUrl = service.gatewayUrl!;
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'greeting', { displayName: 'greeting', value: 'hello-secret', secret: true });
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'hello', { displayName: 'Hello', path: 'hello', subscriptionRequired: false });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'hello', 'get', { displayName: 'Get', method: 'GET', urlTemplate: '/' });
  await apim.apiPolicy.createOrUpdate(RG, SVC, 'hello', 'policy', {
    format: 'rawxml',
    value: '<policies><inbound><return-response><set-status code="200" reason="OK" /><set-header name="x-greeting" exists-action="override"><value>{{greeting}}</value></set-header></return-response></inbound><backend /><outbound /><on-error /></policies>',
  });
  await apim.subscription.createOrUpdate(RG, SVC, 'keep', { displayName: 'Keep', scope: '/apis', state: 'active' });
  const keys = await apim.subscription.listSecrets(RG, SVC, 'keep');
  subscriptionKeys = [keys.primaryKey, keys.secondaryKey];
  const served = await request(`${gatewayUrl}/hello/`);
  assert.equal(served.headers.get('x-greeting'), 'hello-secret', 'served before the restart');

  // Key Vault: a vault with a secret of two versions.
  const name = uniqueVaultName('restart');
  const created = await createVault(current, RG, name, {
    enableRbacAuthorization: false,
    accessPolicies: [{ tenantId: c1.tenantId, objectId: c1.objectId, permissions: { secrets: ['get', 'set', 'list'] } }],
  });
  vault = { name, uri: created.properties.vaultUri! };
  const secrets = secretClient(vault.uri, current.credential());
  await secrets.setSecret('db-password', 'first-value-0a1b');
  await secrets.setSecret('db-password', 'second-value-77c1');
});

test('SIGTERM stops cleanly; a second start keeps tenant, subscription, credentials, keys and resources', async () => {
  const first = current;
  for (const f of ['connection.json', 'ca.pem', 'master.key', 'apim-local.db']) assert.ok(fs.existsSync(path.join(dataDir, f)), `${f} in the data directory`);
  assert.equal(c1.caCertificatePath, path.join(dataDir, 'ca.pem'));
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
  const second = current = await start(['--port', port]);
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
});

test('the gateway serves the same configuration after a restart', async () => {
  const served = await request(`${gatewayUrl}/hello/`);
  assert.equal(served.status, 200, served.text);
  assert.equal(served.headers.get('x-greeting'), 'hello-secret');
  const apim = apimOf(current);
  const keys = await apim.subscription.listSecrets(RG, SVC, 'keep');
  assert.deepEqual([keys.primaryKey, keys.secondaryKey], subscriptionKeys);
  assert.equal((await apim.namedValue.listValue(RG, SVC, 'greeting')).value, 'hello-secret');
});

test('the vault keeps its port and its secrets across a restart', async () => {
  const v = await kvm(current).vaults.get(RG, vault.name);
  assert.equal(v.properties.vaultUri, vault.uri);
  const secrets = secretClient(vault.uri, current.credential());
  assert.equal((await secrets.getSecret('db-password')).value, 'second-value-77c1');
  const versions: string[] = [];
  for await (const p of secrets.listPropertiesOfSecretVersions('db-password')) versions.push(p.version!);
  assert.equal(versions.length, 2, 'both versions');
});

test('kill -9 right after a 2xx PUT: the group survives the restart', async () => {
  const second = current;
  const created = await client(second).resourceGroups.createOrUpdate('rg-durable', { location: 'westeurope', tags: { acked: 'yes' } });
  assert.equal(created.name, 'rg-durable');
  second.child.kill('SIGKILL');
  assert.equal(await second.stop(), null, 'killed, no exit code');

  // On a free port this time (the tests below), with a flag the last test checks.
  const third = current = await start(['--token-lifetime', '900']);
  assert.equal(third.connection.tenantId, c1.tenantId);
  const rg = await client(third).resourceGroups.get('rg-durable');
  assert.deepEqual(rg.tags, { acked: 'yes' });
});

test('on another port the issuer moves with the endpoint, but tenant, keys and resources stay', async () => {
  const third = current;
  assert.notEqual(third.connection.managementEndpoint, c1.managementEndpoint);
  const doc = (await request(`${third.connection.authorityHost}/${c1.tenantId}/v2.0/.well-known/openid-configuration`)).body;
  assert.equal(doc.issuer, `${third.connection.managementEndpoint}/${c1.tenantId}/v2.0`, 'the issuer names the new endpoint');
  assert.equal(third.connection.tenantId, c1.tenantId);
  assert.deepEqual(await jwksKids(third), kids1);
  assert.equal((await client(third).resourceGroups.get('rg-persist')).location, 'westeurope');
});

test('the token lifetime is configurable (--token-lifetime 900 at the last start)', async () => {
  const token = await current.credential().getToken('https://management.azure.com/.default');
  const claims = decodeJwt(token.token);
  assert.equal(claims.exp! - claims.iat!, 900);
});

test('SIGINT stops cleanly too', async () => {
  assert.equal(await current.stop('SIGINT'), 0, current.output());
});
