// The command line's `account show|list|get-access-token` and `keys rotate` against the real server:
// az's output shapes, tokens that verify against the server's JWKS, and a rotation that keeps tokens
// issued before it valid.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { runCli, cliOk, dataDirFor, jwtClaims, jwtHeader } from './cli-helper.js';

let server: TestServer;
let dir: string;

before(async () => {
  server = await startTestServer();
  dir = server.dataDir;
});
after(async () => { await server?.stop(); });

const jwksUri = () => `${server.connection.authorityHost}/${server.connection.tenantId}/discovery/v2.0/keys`;
const armGet = (token: string) =>
  request(`${server.connection.managementEndpoint}/subscriptions/${server.connection.subscriptionId}?api-version=2022-12-01`, { token });

describe('account', () => {
  test('show: az\'s shape, from connection.json and the subscription', async () => {
    const c = server.connection;
    const r = await cliOk(['account', 'show'], dir);
    assert.deepEqual(r.json(), {
      environmentName: 'AzureCloud', homeTenantId: c.tenantId, id: c.subscriptionId, isDefault: true, managedByTenants: [],
      name: 'apim-local', state: 'Enabled', tenantId: c.tenantId, user: { name: c.clientId, type: 'servicePrincipal' },
    });
    const bad = await runCli(['account', 'show', '--subscription', 'nope'], { dataDir: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Subscription 'nope' not found/);
  });

  test('list: one subscription; the table has az\'s columns', async () => {
    const list = (await cliOk(['account', 'list'], dir)).json();
    assert.equal(list.length, 1);
    assert.equal(list[0].id, server.connection.subscriptionId);
    assert.equal(list[0].cloudName, 'AzureCloud');
    const table = (await cliOk(['account', 'list', '-o', 'table'], dir)).stdout.split('\n');
    assert.match(table[0], /^Name\s+CloudName\s+SubscriptionId\s+TenantId\s+State\s+IsDefault$/);
    assert.match(table[2], new RegExp(`^apim-local\\s+AzureCloud\\s+${server.connection.subscriptionId}\\s+${server.connection.tenantId}\\s+Enabled\\s+True$`));
  });
});

describe('account get-access-token', () => {
  test('default resource: Resource Manager\'s classic audience; az\'s shape; the token verifies and works', async () => {
    const c = server.connection;
    const before = Math.floor(Date.now() / 1000);
    const t = (await cliOk(['account', 'get-access-token'], dir)).json();
    assert.deepEqual(Object.keys(t).sort(), ['accessToken', 'expiresOn', 'expires_on', 'subscription', 'tenant', 'tokenType']);
    assert.equal(t.tokenType, 'Bearer');
    assert.equal(t.subscription, c.subscriptionId);
    assert.equal(t.tenant, c.tenantId);
    assert.equal(typeof t.expires_on, 'number');
    assert.ok(t.expires_on >= before + 3000, 'an hour of lifetime');
    const local = new Date(t.expires_on * 1000);
    const pad = (n: number) => String(n).padStart(2, '0');
    assert.equal(t.expiresOn, `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ${pad(local.getHours())}:${pad(local.getMinutes())}:${pad(local.getSeconds())}.000000`);
    const claims = jwtClaims(t.accessToken);
    assert.equal(claims.aud, 'https://management.core.windows.net/');
    assert.equal(claims.appid, c.clientId);
    assert.equal(claims.tid, c.tenantId);
    assert.equal(claims.exp, t.expires_on);
    const { payload } = await jwtVerify(t.accessToken, createRemoteJWKSet(new URL(jwksUri())), { audience: 'https://management.core.windows.net/' });
    assert.equal(payload.oid, c.objectId);
    assert.equal((await armGet(t.accessToken)).status, 200);
  });

  test('--resource and --scope choose the audience; both at once is a usage error', async () => {
    const vault = (await cliOk(['account', 'get-access-token', '--resource', 'https://vault.azure.net'], dir)).json();
    assert.equal(jwtClaims(vault.accessToken).aud, 'https://vault.azure.net');
    const arm = (await cliOk(['account', 'get-access-token', '--scope', 'https://management.azure.com/.default'], dir)).json();
    assert.equal(jwtClaims(arm.accessToken).aud, 'https://management.azure.com');
    assert.equal((await armGet(arm.accessToken)).status, 200);
    const both = await runCli(['account', 'get-access-token', '--resource', 'https://vault.azure.net', '--scope', 'x/.default'], { dataDir: dir });
    assert.equal(both.code, 2);
    const badScope = await runCli(['account', 'get-access-token', '--scope', 'not-a-scope'], { dataDir: dir });
    assert.equal(badScope.code, 1);
    assert.match(badScope.stderr, /^ERROR: \(invalid_scope\)/);
  });

  test('wrong admin credentials in connection.json: Entra\'s error, exit 1', async () => {
    const wrong = dataDirFor(server.connection, server.connection.clientId, 'not-the-secret');
    const r = await runCli(['account', 'get-access-token'], { dataDir: wrong });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ERROR: \(invalid_client\) AADSTS7000215/);
  });
});

describe('keys rotate', () => {
  test('adds a key; JWKS lists both; a token issued before the rotation still works and verifies', async () => {
    const old = (await cliOk(['account', 'get-access-token'], dir)).json().accessToken;
    const oldKid = jwtHeader(old).kid;
    const r = await cliOk(['keys', 'rotate'], dir);
    const rotated = r.json();
    assert.notEqual(rotated.kid, oldKid);
    assert.deepEqual(rotated.keys, [rotated.kid, oldKid]);

    const jwks = await request(jwksUri());
    assert.equal(jwks.status, 200);
    assert.deepEqual(jwks.body.keys.map((k: any) => k.kid).sort(), [rotated.kid, oldKid].sort());

    assert.equal((await armGet(old)).status, 200, 'the old key still verifies its tokens');
    await jwtVerify(old, createRemoteJWKSet(new URL(jwksUri())));
    const fresh = (await cliOk(['account', 'get-access-token'], dir)).json().accessToken;
    assert.equal(jwtHeader(fresh).kid, rotated.kid, 'new tokens are signed with the new key');
    assert.equal((await armGet(fresh)).status, 200);
  });

  test('rotation is for administrators: tsv output of the kid, and a refused non-admin', async () => {
    const tsv = await cliOk(['keys', 'rotate', '--query', 'kid', '-o', 'tsv'], dir);
    assert.match(tsv.stdout, /^[\w-]{20,}\n$/);
    const app = (await cliOk(['ad', 'sp', 'create-for-rbac', '--name', 'not-admin', '--only-show-errors'], dir)).json();
    const r = await runCli(['keys', 'rotate'], { dataDir: dataDirFor(server.connection, app.appId, app.password) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ERROR: \(AuthorizationFailed\)/);
    const jwks = await request(jwksUri());
    assert.equal(jwks.body.keys.length, 3, 'two rotations by the admin, none by the other app');
  });
});
