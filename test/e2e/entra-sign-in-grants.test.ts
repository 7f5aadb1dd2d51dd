// The portal's sign-in grants at the real token endpoint over HTTPS: an authorization code minted for an
// application (the sign-in link) is single use, expires, and is bound to its client; the refresh token
// it yields buys tokens for the other audiences (Key Vault, Event Hubs) for that client only; a
// refresh token does not survive a restart. Also the admin route that mints a new link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { request } from '../helpers/server.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { runCli } from './cli-helper.js';

let offsetMs = 0;
const clock = { nowMs: () => Date.now() + offsetMs };
let server: InProcessServer;
let tokenUrl: string;
let adminToken: string;

const post = (fields: Record<string, string>) => request(tokenUrl, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
});

/** A sign-in link through the admin route, as `apim-local portal` gets one; returns its code and client id. */
async function signInLink(token = adminToken): Promise<{ code: string; clientId: string; url: string; status: number; body: any }> {
  const r = await request(`${server.connection.managementEndpoint}/apim-local/portal/signInLink`, { method: 'POST', token });
  const url = String(r.body?.url ?? '');
  const fragment = new URLSearchParams(url.split('#')[1] ?? '');
  return { code: fragment.get('code') ?? '', clientId: fragment.get('client_id') ?? '', url, status: r.status, body: r.body };
}

before(async () => {
  server = await startInProcessServer({}, { clock });
  tokenUrl = `${server.connection.authorityHost}/${server.connection.tenantId}/oauth2/v2.0/token`;
  adminToken = (await server.credential().getToken('https://management.azure.com/.default'))!.token;
});
after(async () => { await server?.close(); });

test('a sign-in link is a portal URL with a code for the admin in its fragment', async () => {
  const link = await signInLink();
  assert.equal(link.status, 200);
  assert.ok(link.url.startsWith(`${server.connection.managementEndpoint}/portal/#code=`), link.url);
  assert.equal(link.clientId, server.connection.clientId);
  assert.ok(link.code.length >= 40);
  assert.ok(Date.parse(link.body.expiresOn) > Date.now());
});

test('the code is redeemed once for a Resource Manager token and a refresh token; the refresh token buys Key Vault and Event Hubs tokens', async () => {
  const { code, clientId } = await signInLink();
  const r = await post({ grant_type: 'authorization_code', client_id: clientId, code, scope: 'https://management.azure.com/.default offline_access' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.token_type, 'Bearer');
  assert.equal(typeof r.body.refresh_token, 'string');
  const arm = decodeJwt(r.body.access_token);
  assert.equal(arm.aud, 'https://management.azure.com');
  assert.equal(arm.oid, server.connection.objectId);
  // The token works against Resource Manager.
  const subs = await request(`${server.connection.managementEndpoint}/subscriptions?api-version=2022-12-01`, { token: r.body.access_token });
  assert.equal(subs.status, 200);
  assert.equal(subs.body.value[0].subscriptionId, server.connection.subscriptionId);

  const again = await post({ grant_type: 'authorization_code', client_id: clientId, code, scope: 'https://management.azure.com/.default offline_access' });
  assert.equal(again.status, 400);
  assert.equal(again.body.error, 'invalid_grant');
  assert.deepEqual(again.body.error_codes, [54005]);

  for (const [scope, aud] of [['https://vault.azure.net/.default', 'https://vault.azure.net'], ['https://eventhubs.azure.net/.default', 'https://eventhubs.azure.net']]) {
    const t = await post({ grant_type: 'refresh_token', client_id: clientId, refresh_token: r.body.refresh_token, scope: `${scope} offline_access` });
    assert.equal(t.status, 200, t.text);
    const claims = decodeJwt(t.body.access_token);
    assert.equal(claims.aud, aud);
    assert.equal(claims.oid, server.connection.objectId);
    assert.equal(typeof t.body.refresh_token, 'string');
  }
});

test('without offline_access there is no refresh token', async () => {
  const { code, clientId } = await signInLink();
  const r = await post({ grant_type: 'authorization_code', client_id: clientId, code, scope: 'https://management.azure.com/.default' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.refresh_token, undefined);
});

test('codes and refresh tokens are bound to their client; unknown ones are refused', async () => {
  const other = await server.createApplication('portal-other-client');
  const { code, clientId } = await signInLink();
  const wrong = await post({ grant_type: 'authorization_code', client_id: other.clientId, code, scope: 'https://management.azure.com/.default offline_access' });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error, 'invalid_grant');
  assert.deepEqual(wrong.body.error_codes, [70000]);
  // The wrong client's attempt did not use the code up.
  const r = await post({ grant_type: 'authorization_code', client_id: clientId, code, scope: 'https://management.azure.com/.default offline_access' });
  assert.equal(r.status, 200, r.text);

  const stolen = await post({ grant_type: 'refresh_token', client_id: other.clientId, refresh_token: r.body.refresh_token, scope: 'https://vault.azure.net/.default' });
  assert.equal(stolen.status, 400);
  assert.equal(stolen.body.error, 'invalid_grant');
  // Nor with the other client's own secret.
  const withSecret = await post({ grant_type: 'refresh_token', client_id: other.clientId, client_secret: other.secret, refresh_token: r.body.refresh_token, scope: 'https://vault.azure.net/.default' });
  assert.equal(withSecret.status, 400);

  const bogus = await post({ grant_type: 'refresh_token', client_id: clientId, refresh_token: 'not-a-refresh-token', scope: 'https://vault.azure.net/.default' });
  assert.equal(bogus.status, 400);
  assert.deepEqual(bogus.body.error_codes, [70000]);
  const missing = await post({ grant_type: 'authorization_code', client_id: clientId, scope: 'https://management.azure.com/.default' });
  assert.equal(missing.status, 400);
  assert.match(missing.body.error_description, /'code'/);
});

test('a code expires after 10 minutes', async () => {
  const { code, clientId } = await signInLink();
  offsetMs = 10 * 60_000 + 1000;
  try {
    const r = await post({ grant_type: 'authorization_code', client_id: clientId, code, scope: 'https://management.azure.com/.default offline_access' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.error_codes, [70008]);
  } finally { offsetMs = 0; }
});

test('only an administrator gets a sign-in link', async () => {
  const other = await server.createApplication('portal-not-admin');
  const token = (await server.credential(other.clientId, other.secret).getToken('https://management.azure.com/.default'))!.token;
  const denied = await signInLink(token);
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error.code, 'AuthorizationFailed');
  const anonymous = await request(`${server.connection.managementEndpoint}/apim-local/portal/signInLink`, { method: 'POST' });
  assert.equal(anonymous.status, 401);
});

test('`apim-local portal` prints a new sign-in link that works once', async () => {
  const r = await runCli(['portal'], { dataDir: server.dataDir });
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  const fragment = new URLSearchParams(String(out.url).split('#')[1] ?? '');
  assert.equal(out.appId, server.connection.clientId);
  const t = await post({ grant_type: 'authorization_code', client_id: fragment.get('client_id')!, code: fragment.get('code')!, scope: 'https://management.azure.com/.default' });
  assert.equal(t.status, 200, t.text);
});

test('a restart revokes refresh tokens', async () => {
  const { code, clientId } = await signInLink();
  const r = await post({ grant_type: 'authorization_code', client_id: clientId, code, scope: 'https://management.azure.com/.default offline_access' });
  assert.equal(r.status, 200);
  const dataDir = server.dataDir;
  await server.close();
  server = await startInProcessServer({ dataDir }, { clock });
  tokenUrl = `${server.connection.authorityHost}/${server.connection.tenantId}/oauth2/v2.0/token`;
  const t = await post({ grant_type: 'refresh_token', client_id: clientId, refresh_token: r.body.refresh_token, scope: 'https://vault.azure.net/.default' });
  assert.equal(t.status, 400);
  assert.equal(t.body.error, 'invalid_grant');
});
