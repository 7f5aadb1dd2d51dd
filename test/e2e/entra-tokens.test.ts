// The Entra ID token service, driven by @azure/identity (MSAL underneath) and by plain HTTP: discovery,
// JWKS, v1 and v2 token endpoints, token claims verified with jose, client assertions, Entra's errors.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ClientCertificateCredential } from '@azure/identity';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader, decodeJwt, SignJWT } from 'jose';
import { request } from '../helpers/server.js';
import { startInProcessServer, selfSignedCertificate, type InProcessServer } from '../helpers/in-process.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let server: InProcessServer;
let base: string;
let tenant: string;

before(async () => {
  server = await startInProcessServer();
  base = server.connection.authorityHost;
  tenant = server.connection.tenantId;
});
after(async () => { await server?.close(); });

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
  body: new URLSearchParams(fields).toString(),
});

async function discovery(version: 1 | 2): Promise<Record<string, any>> {
  const res = await request(`${base}/${tenant}/${version === 2 ? 'v2.0/' : ''}.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  return res.body;
}

describe('discovery and JWKS', () => {
  test('v2 and v1 documents point at this server, with distinct issuers', async () => {
    const v2 = await discovery(2);
    const v1 = await discovery(1);
    assert.equal(v2.issuer, `${base}/${tenant}/v2.0`);
    assert.equal(v2.token_endpoint, `${base}/${tenant}/oauth2/v2.0/token`);
    assert.equal(v2.authorization_endpoint, `${base}/${tenant}/oauth2/v2.0/authorize`);
    assert.equal(v2.jwks_uri, `${base}/${tenant}/discovery/v2.0/keys`);
    assert.equal(v1.issuer, `${base}/${tenant}/`);
    assert.equal(v1.token_endpoint, `${base}/${tenant}/oauth2/token`);
    assert.equal(v1.jwks_uri, `${base}/${tenant}/discovery/keys`);
    assert.ok(v2.id_token_signing_alg_values_supported.includes('RS256'));
  });

  test('JWKS publishes RSA signing keys with kid', async () => {
    const { jwks_uri } = await discovery(2);
    const res = await request(jwks_uri);
    assert.equal(res.status, 200);
    assert.ok(res.body.keys.length >= 1);
    for (const k of res.body.keys) {
      assert.equal(k.kty, 'RSA');
      assert.equal(k.use, 'sig');
      assert.ok(typeof k.kid === 'string' && k.kid.length > 0);
      assert.ok(k.n && k.e);
      assert.equal(k.d, undefined, 'no private part');
    }
  });

  test('another tenant is AADSTS90002', async () => {
    const res = await request(`${base}/${crypto.randomUUID()}/v2.0/.well-known/openid-configuration`);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.error_codes, [90002]);
  });
});

describe('ClientSecretCredential', () => {
  test('gets an ARM token that verifies against the discovered JWKS and issuer, with app-only claims', async () => {
    const token = await server.credential().getToken('https://management.azure.com/.default');
    assert.ok(token.expiresOnTimestamp - Date.now() >= 3500_000, 'at least an hour');
    const header = decodeProtectedHeader(token.token);
    assert.equal(header.alg, 'RS256');
    assert.equal(header.typ, 'JWT');
    assert.ok(header.kid);

    const claims = decodeJwt(token.token);
    const doc = await discovery(claims.ver === '2.0' ? 2 : 1);
    const jwks = createRemoteJWKSet(new URL(doc.jwks_uri));
    const { payload } = await jwtVerify(token.token, jwks, { issuer: doc.issuer, audience: 'https://management.azure.com' });
    const published = (await request(doc.jwks_uri)).body.keys.map((k: { kid: string }) => k.kid);
    assert.ok(published.includes(header.kid), 'the kid is published in JWKS');

    const c = server.connection;
    assert.equal(payload.ver, '1.0', 'ARM tokens are v1 tokens, as Entra issues them');
    assert.equal(payload.iss, `${base}/${tenant}/`);
    assert.equal(payload.aud, 'https://management.azure.com');
    assert.equal(payload.tid, tenant);
    assert.equal(payload.oid, c.objectId);
    assert.equal(payload.sub, c.objectId);
    assert.equal(payload.appid, c.clientId);
    assert.equal(payload.idtyp, 'app');
    assert.ok(typeof payload.uti === 'string' && (payload.uti as string).length > 0);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(Math.abs(payload.iat! - now) < 60);
    assert.equal(payload.nbf, payload.iat);
    assert.ok(payload.exp! - payload.iat! >= 3600);
  });

  test('gets a Key Vault token: aud is the scope without /.default', async () => {
    const token = await server.credential().getToken('https://vault.azure.net/.default');
    const claims = decodeJwt(token.token);
    assert.equal(claims.aud, 'https://vault.azure.net');
    const doc = await discovery(1);
    await jwtVerify(token.token, createRemoteJWKSet(new URL(doc.jwks_uri)), { issuer: doc.issuer, audience: 'https://vault.azure.net' });
  });

  test('a token does not verify with the other version\'s issuer', async () => {
    const token = await server.credential().getToken('https://vault.azure.net/.default');
    const v2 = await discovery(2);
    await assert.rejects(jwtVerify(token.token, createRemoteJWKSet(new URL(v2.jwks_uri)), { issuer: v2.issuer }), /iss/);
  });

  test('a wrong secret fails in the credential with AADSTS7000215', async () => {
    await assert.rejects(server.credential(server.connection.clientId, 'not-the-secret').getToken('https://management.azure.com/.default'), /7000215/);
  });
});

describe('token endpoint over HTTP', () => {
  test('v2: client_credentials with scope; unknown fields (claims, x-client-*) are ignored', async () => {
    const c = server.connection;
    const res = await request(`${base}/${tenant}/oauth2/v2.0/token?client-request-id=${crypto.randomUUID()}`, form({
      client_id: c.clientId, scope: 'https://management.azure.com/.default', grant_type: 'client_credentials',
      'x-client-SKU': 'msal.js.node', 'x-client-VER': '5.6.0', 'x-client-OS': 'linux', 'x-ms-lib-capability': 'retry-after, h429',
      claims: '{"access_token":{"xms_cc":{"values":["cp1"]}}}', 'client-request-id': crypto.randomUUID(),
      client_secret: c.clientSecret,
    }));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(typeof res.body.expires_in, 'number');
    assert.ok(res.body.expires_in >= 3600);
    assert.equal(decodeJwt(res.body.access_token).aud, 'https://management.azure.com');
  });

  test('v1: resource= gives a token for that resource, with expires_on', async () => {
    const c = server.connection;
    const res = await request(`${base}/${tenant}/oauth2/token`, form({
      client_id: c.clientId, client_secret: c.clientSecret, grant_type: 'client_credentials', resource: 'https://management.core.windows.net/',
    }));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.resource, 'https://management.core.windows.net/');
    assert.ok(Number(res.body.expires_on) > Date.now() / 1000 + 3500);
    const claims = decodeJwt(res.body.access_token);
    assert.equal(claims.aud, 'https://management.core.windows.net/');
    assert.equal(claims.ver, '1.0');
    const doc = await discovery(1);
    await jwtVerify(res.body.access_token, createRemoteJWKSet(new URL(doc.jwks_uri)), { issuer: doc.issuer });
  });

  test('a wrong secret: 401 invalid_client [7000215] with Entra\'s error body', async () => {
    const c = server.connection;
    const clientRequestId = crypto.randomUUID();
    const res = await request(`${base}/${tenant}/oauth2/v2.0/token?client-request-id=${clientRequestId}`, form({
      client_id: c.clientId, client_secret: 'wrong', scope: 'https://management.azure.com/.default', grant_type: 'client_credentials',
    }));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
    assert.deepEqual(res.body.error_codes, [7000215]);
    assert.match(res.body.error_description, new RegExp(`^AADSTS7000215: Invalid client secret provided\\. .*for a secret added to app '${c.clientId}'\\.`));
    assert.match(res.body.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    assert.match(res.body.trace_id, /^[0-9a-f-]{36}$/);
    assert.equal(res.body.correlation_id, clientRequestId, 'correlation_id is the client-request-id');
    assert.ok(res.body.error_description.includes(`Trace ID: ${res.body.trace_id}`));
    assert.ok(res.body.error_description.includes(`Correlation ID: ${res.body.correlation_id}`));
    assert.equal(res.headers.get('x-ms-request-id'), res.body.trace_id, 'trace_id is the request id, as Entra');
    assert.equal(res.body.access_token, undefined);
  });

  test('an unknown client: 400 unauthorized_client [700016]', async () => {
    const id = crypto.randomUUID();
    const res = await request(`${base}/${tenant}/oauth2/v2.0/token`, form({
      client_id: id, client_secret: 'x', scope: 'https://management.azure.com/.default', grant_type: 'client_credentials',
    }));
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'unauthorized_client');
    assert.deepEqual(res.body.error_codes, [700016]);
    assert.match(res.body.error_description, new RegExp(`^AADSTS700016: Application with identifier '${id}' was not found in the directory '${tenant}'\\.`));
  });

  test('missing grant_type and missing scope: 400 invalid_request [900144] naming the parameter', async () => {
    const c = server.connection;
    let res = await request(`${base}/${tenant}/oauth2/v2.0/token`, form({ client_id: c.clientId, client_secret: c.clientSecret, scope: 'https://management.azure.com/.default' }));
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_request');
    assert.deepEqual(res.body.error_codes, [900144]);
    assert.match(res.body.error_description, /^AADSTS900144: The request body must contain the following parameter: 'grant_type'\./);

    res = await request(`${base}/${tenant}/oauth2/v2.0/token`, form({ client_id: c.clientId, client_secret: c.clientSecret, grant_type: 'client_credentials' }));
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.error_codes, [900144]);
    assert.match(res.body.error_description, /^AADSTS900144: The request body must contain the following parameter: 'scope'\./);

    res = await request(`${base}/${tenant}/oauth2/token`, form({ client_id: c.clientId, client_secret: c.clientSecret, grant_type: 'client_credentials' }));
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.error_codes, [900144]);
    assert.match(res.body.error_description, /^AADSTS900144: The request body must contain the following parameter: 'resource'\./);
  });

  test('client_secret_basic (advertised in discovery): credentials in an Authorization: Basic header', async () => {
    const c = server.connection;
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    let res = await request(`${base}/${tenant}/oauth2/v2.0/token`, {
      ...form({ grant_type: 'client_credentials', scope: 'https://management.azure.com/.default' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(c.clientId, c.clientSecret) },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(decodeJwt(res.body.access_token).appid, c.clientId);
    res = await request(`${base}/${tenant}/oauth2/v2.0/token`, {
      ...form({ grant_type: 'client_credentials', scope: 'https://management.azure.com/.default' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(c.clientId, 'wrong') },
    });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body.error_codes, [7000215]);
  });

  test('a scope without /.default is invalid_scope; another grant type is unsupported_grant_type', async () => {
    const c = server.connection;
    let res = await request(`${base}/${tenant}/oauth2/v2.0/token`, form({ client_id: c.clientId, client_secret: c.clientSecret, grant_type: 'client_credentials', scope: 'https://management.azure.com/user_impersonation' }));
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_scope');
    res = await request(`${base}/${tenant}/oauth2/v2.0/token`, form({ client_id: c.clientId, client_secret: c.clientSecret, grant_type: 'password', scope: 'https://management.azure.com/.default' }));
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'unsupported_grant_type');
  });
});

// Client assertions need an application with a certificate. Registering one is Microsoft Graph's job,
// which apim-local does not serve, so this file runs the real server in its own process (src/main.ts
// startServer, same HTTPS listener) and adds the certificate through its Directory: an Entra
// unit-level test over real HTTP, with the unmodified ClientCertificateCredential.
describe('client assertions (in-process server)', () => {
  let local: InProcessServer;
  let app: { appId: string; objectId: string };
  let cert: Awaited<ReturnType<typeof selfSignedCertificate>>;
  let tokenEndpoint: string;

  before(async () => {
    local = server;
    const created = await local.entra.directory.create({ displayName: 'cert-app', principalType: 'Application' });
    app = { appId: created.appId, objectId: created.objectId };
    cert = await selfSignedCertificate();
    await local.entra.directory.addCertificate(app.objectId, cert.certPem);
    tokenEndpoint = `${local.connection.authorityHost}/${local.connection.tenantId}/oauth2/v2.0/token`;
  });

  const credentialOptions = () => ({ authorityHost: local.connection.authorityHost, disableInstanceDiscovery: true });

  async function assertionToken(opts: { alg: 'RS256' | 'PS256'; header: Record<string, string>; aud?: string; key?: crypto.KeyObject; sub?: string }) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: opts.alg, typ: 'JWT', ...opts.header })
      .setIssuer(opts.sub ?? app.appId).setSubject(opts.sub ?? app.appId).setAudience(opts.aud ?? tokenEndpoint)
      .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 600)
      .sign(opts.key ?? cert.privateKey);
  }

  const postAssertion = (assertion: string, extra: Record<string, string> = {}) => request(tokenEndpoint, form({
    client_id: app.appId, scope: 'https://management.azure.com/.default', grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, ...extra,
  }));

  test('ClientCertificateCredential (PS256, x5t#S256) gets a token for the application', async () => {
    const credential = new ClientCertificateCredential(local.connection.tenantId, app.appId, { certificate: cert.pem }, credentialOptions());
    const token = await credential.getToken('https://management.azure.com/.default');
    const claims = decodeJwt(token.token);
    assert.equal(claims.appid, app.appId);
    assert.equal(claims.oid, app.objectId);
  });

  test('an RS256 assertion naming its certificate by x5t (SHA-1) is accepted', async () => {
    const res = await postAssertion(await assertionToken({ alg: 'RS256', header: { x5t: cert.x5t } }));
    assert.equal(res.status, 200, res.text);
    assert.equal(decodeJwt(res.body.access_token).oid, app.objectId);
  });

  test('a PS256 assertion by hand with x5t#S256 is accepted', async () => {
    const res = await postAssertion(await assertionToken({ alg: 'PS256', header: { 'x5t#S256': cert.x5tS256 } }));
    assert.equal(res.status, 200, res.text);
  });

  test('a certificate the application does not have: 401 invalid_client [700027]', async () => {
    const other = await selfSignedCertificate('CN=someone else');
    const credential = new ClientCertificateCredential(local.connection.tenantId, app.appId, { certificate: other.pem }, credentialOptions());
    await assert.rejects(credential.getToken('https://management.azure.com/.default'), /700027/);
    const res = await postAssertion(await assertionToken({ alg: 'RS256', header: { x5t: other.x5t }, key: other.privateKey }));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
    assert.deepEqual(res.body.error_codes, [700027]);
    assert.ok(res.body.error_description.includes(other.x5t));
  });

  test('the registered thumbprint but another key: 401 invalid_client', async () => {
    const other = await selfSignedCertificate('CN=impostor');
    const res = await postAssertion(await assertionToken({ alg: 'RS256', header: { x5t: cert.x5t }, key: other.privateKey }));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
    assert.equal(res.body.access_token, undefined);
  });

  test('an assertion for another audience is refused', async () => {
    const res = await postAssertion(await assertionToken({ alg: 'RS256', header: { x5t: cert.x5t }, aud: 'https://login.microsoftonline.com/common/oauth2/v2.0/token' }));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
    assert.equal(res.body.access_token, undefined);
  });

  test('app roles assigned to the client appear in the roles claim of tokens for that resource', async () => {
    const roleId = crypto.randomUUID();
    const api = await local.entra.directory.create({
      displayName: 'orders-api', principalType: 'Application', identifierUris: ['api://orders'],
      appRoles: [{ id: roleId, value: 'Orders.Read', allowedMemberTypes: ['Application'] }],
    });
    const client = await local.entra.directory.create({ displayName: 'orders-client', principalType: 'Application', appRoleAssignments: [{ resourceAppId: api.appId, appRoleId: roleId }] });
    const { secret } = await local.entra.directory.addSecret(client.objectId);
    const token = await local.credential(client.appId, secret).getToken('api://orders/.default');
    assert.deepEqual(decodeJwt(token.token).roles, ['Orders.Read']);
    const other = await local.credential(client.appId, secret).getToken('https://vault.azure.net/.default');
    assert.equal(decodeJwt(other.token).roles, undefined, 'no roles for another resource');
  });

  // The token lifetime (--token-lifetime) is checked in restart.test.ts, which starts servers anyway.

  test('an application with a v2 access token version gets v2 tokens that verify with the v2 issuer', async () => {
    const api = await local.entra.directory.create({ displayName: 'api', principalType: 'Application', identifierUris: ['api://my-api'], accessTokenVersion: 2 });
    const token = await local.credential().getToken('api://my-api/.default');
    const claims = decodeJwt(token.token);
    assert.equal(claims.ver, '2.0');
    assert.equal(claims.azp, local.connection.clientId);
    assert.equal(claims.idtyp, 'app');
    const base2 = local.connection.authorityHost;
    const doc = (await request(`${base2}/${local.connection.tenantId}/v2.0/.well-known/openid-configuration`)).body;
    const { payload } = await jwtVerify(token.token, createRemoteJWKSet(new URL(doc.jwks_uri)), { issuer: doc.issuer, audience: 'api://my-api' });
    assert.equal(payload.iss, `${base2}/${local.connection.tenantId}/v2.0`);
    assert.ok(api.appId);
  });
});
