// Resource Manager authentication: only this server's tokens, for an ARM audience, unexpired, pass.
// Forged tokens are signed with a key of the test's own, or with the server's real key read from its
// data directory the way the server reads it (test/helpers/in-process.ts serverSigningKey), so only the
// claim under test is wrong.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, base64url } from 'jose';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { serverSigningKey } from '../helpers/in-process.js';

let server: TestServer;
let realKey: { kid: string; privateKey: crypto.KeyObject };
let goodToken: string;
let subUrl: string;

before(async () => {
  server = await startTestServer();
  realKey = await serverSigningKey(server.dataDir);
  goodToken = (await server.credential().getToken('https://management.azure.com/.default')).token;
  subUrl = `${server.connection.managementEndpoint}/subscriptions/${server.connection.subscriptionId}?api-version=2022-12-01`;
});
after(async () => { await server?.stop(); });

/** The claims of a real token, with changes, signed RS256 with `key` under the real kid. */
async function forge(changes: Record<string, unknown>, key: crypto.KeyObject = realKey.privateKey): Promise<string> {
  const claims = { ...decodeJwt(goodToken), ...changes };
  const header = decodeProtectedHeader(goodToken);
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: header.kid!, x5t: header.kid! }).sign(key);
}

function assertArmError(res: { status: number; headers: Headers; body: any }, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.error?.code, code, JSON.stringify(res.body));
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.headers.get('x-ms-request-id'));
}

function assertChallenge(res: { headers: Headers }): void {
  const h = res.headers.get('www-authenticate') ?? '';
  const c = server.connection;
  assert.match(h, /^Bearer authorization_uri="[^"]+", error="invalid_token"/, h);
  assert.ok(h.includes(`authorization_uri="${c.authorityHost}/${c.tenantId}"`), h);
}

test('the real token is accepted (control)', async () => {
  const correlation = crypto.randomUUID();
  const res = await request(subUrl, { token: goodToken, headers: { 'x-ms-correlation-request-id': correlation } });
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('x-ms-request-id') ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(res.headers.get('x-ms-correlation-request-id'), correlation, 'the correlation id is echoed');
  assert.equal(res.body.subscriptionId, server.connection.subscriptionId);
  assert.equal(res.body.tenantId, server.connection.tenantId);
  // A token forged with the real key and unchanged claims passes too: the forging itself is sound.
  assert.equal((await request(subUrl, { token: await forge({}) })).status, 200);
});

test('no token: 401 AuthenticationFailed with a Bearer challenge', async () => {
  const res = await request(subUrl);
  assertArmError(res, 401, 'AuthenticationFailed');
  assert.equal(res.body.error.message, "Authentication failed. The 'Authorization' header is missing.");
  assertChallenge(res);
  assert.match(res.headers.get('www-authenticate')!, /error_description="The authentication failed because of missing 'Authorization' header\."/);
});

test('a token signed by another key (same kid and claims): 401 InvalidAuthenticationToken', async () => {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const res = await request(subUrl, { token: await forge({}, privateKey) });
  assertArmError(res, 401, 'InvalidAuthenticationToken');
  assert.match(res.body.error.message, /^The access token is invalid\./);
  assertChallenge(res);
});

test('alg none: 401 InvalidAuthenticationToken', async () => {
  const header = { ...decodeProtectedHeader(goodToken), alg: 'none' };
  const enc = (o: unknown) => base64url.encode(JSON.stringify(o));
  for (const token of [`${enc(header)}.${enc(decodeJwt(goodToken))}.`, `${enc(header)}.${enc(decodeJwt(goodToken))}.${goodToken.split('.')[2]}`]) {
    const res = await request(subUrl, { token });
    assertArmError(res, 401, 'InvalidAuthenticationToken');
    assertChallenge(res);
  }
});

test('HS256 keyed with the public key (algorithm confusion): 401 InvalidAuthenticationToken', async () => {
  const pub = crypto.createPublicKey(realKey.privateKey).export({ format: 'pem', type: 'spki' });
  const token = await new SignJWT(decodeJwt(goodToken)).setProtectedHeader({ alg: 'HS256', kid: realKey.kid }).sign(Buffer.from(pub));
  assertArmError(await request(subUrl, { token }), 401, 'InvalidAuthenticationToken');
});

test('garbage and an unknown kid: 401 InvalidAuthenticationToken', async () => {
  assertArmError(await request(subUrl, { token: 'not-a-jwt' }), 401, 'InvalidAuthenticationToken');
  const claims = decodeJwt(goodToken);
  const token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'no-such-kid' }).sign(realKey.privateKey);
  assertArmError(await request(subUrl, { token }), 401, 'InvalidAuthenticationToken');
});

test('an expired token (real key): 401 ExpiredAuthenticationToken with ARM\'s message', async () => {
  const now = Math.floor(Date.now() / 1000);
  const res = await request(subUrl, { token: await forge({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 }) });
  assertArmError(res, 401, 'ExpiredAuthenticationToken');
  // ARM's times are .NET's en-US general format: M/d/yyyy h:mm:ss AM|PM.
  assert.match(res.body.error.message, /^The access token expiry UTC time '\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d\d:\d\d [AP]M' is earlier than current UTC time '\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d\d:\d\d [AP]M'\.$/);
  assertChallenge(res);
});

test('a token that is not valid yet (real key): 401', async () => {
  const now = Math.floor(Date.now() / 1000);
  const res = await request(subUrl, { token: await forge({ nbf: now + 3600, iat: now + 3600, exp: now + 7200 }) });
  assert.equal(res.status, 401);
  assert.match(res.body.error.code, /AuthenticationToken/);
});

test('another issuer (real key): 401 InvalidAuthenticationToken', async () => {
  const res = await request(subUrl, { token: await forge({ iss: `https://sts.windows.net/${server.connection.tenantId}/` }) });
  assert.equal(res.status, 401);
  assert.match(res.body.error.code, /^InvalidAuthenticationToken/);
});

test('a token for another audience (Key Vault): 401 InvalidAuthenticationTokenAudience', async () => {
  const vault = (await server.credential().getToken('https://vault.azure.net/.default')).token;
  const res = await request(subUrl, { token: vault });
  assertArmError(res, 401, 'InvalidAuthenticationTokenAudience');
  assert.equal(res.body.error.message,
    "The access token has been obtained for wrong audience or resource 'https://vault.azure.net'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.");
  assertChallenge(res);
});

test('accepted audiences: management.azure.com, management.core.windows.net (v1 resource=) and the endpoint itself', async () => {
  const c = server.connection;
  for (const resource of ['https://management.azure.com/', 'https://management.core.windows.net/', 'https://management.azure.com']) {
    const res = await request(`${c.authorityHost}/${c.tenantId}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, resource }).toString(),
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(decodeJwt(res.body.access_token).aud, resource);
    assert.equal((await request(subUrl, { token: res.body.access_token })).status, 200, `aud ${resource}`);
  }
  // The SDK's default scope is `${endpoint}/.default` when credentialScopes is not given.
  const client = new ResourceManagementClient(server.credential(), c.subscriptionId, { endpoint: c.managementEndpoint });
  const rg = await client.resourceGroups.createOrUpdate('rg-default-scope', { location: 'westeurope' });
  assert.equal(rg.name, 'rg-default-scope');
  const token = (await server.credential().getToken(`${c.managementEndpoint}/.default`)).token;
  assert.equal(decodeJwt(token).aud, c.managementEndpoint);
});

test('a rejected token stores nothing', async () => {
  const c = server.connection;
  const url = `${c.managementEndpoint}/subscriptions/${c.subscriptionId}/resourcegroups/rg-refused?api-version=2025-04-01`;
  const vault = (await server.credential().getToken('https://vault.azure.net/.default')).token;
  const refusals: [string | undefined, string, RegExp][] = [
    [undefined, 'AuthenticationFailed', /^Authentication failed\. The 'Authorization' header is missing\.$/],
    [vault, 'InvalidAuthenticationTokenAudience', /^The access token has been obtained for wrong audience or resource 'https:\/\/vault\.azure\.net'\./],
    [await forge({ exp: Math.floor(Date.now() / 1000) - 3600 }), 'ExpiredAuthenticationToken', /^The access token expiry UTC time '.+' is earlier than current UTC time '.+'\.$/],
  ];
  for (const [token, code, message] of refusals) {
    const res = await request(url, { method: 'PUT', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ location: 'westeurope' }) });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, code);
    assert.match(res.body.error.message, message);
  }
  assert.equal((await request(url, { token: goodToken })).status, 404);
});
