// Authentication policies (#14) and the `certificates` entity, as a user sets them up with the unmodified
// SDKs (@azure/arm-apimanagement, @azure/keyvault-certificates) and real TLS clients and servers:
// - certificates: uploaded (a PFX with its password) or read from Key Vault with the instance's
//   system-assigned identity; subject, thumbprint, expirationDate and keyVault.lastStatus shown; the
//   PFX, its key and the password never returned nor stored in the clear;
// - authentication-basic (Learn: "Authenticate with Basic");
// - authentication-certificate (Learn: "Authenticate with client certificate"), against an HTTPS
//   backend that requires a client certificate from its own CA and reports the one it got;
// - validate-client-certificate (Learn: "Validate client certificate"), on a custom hostname with
//   negotiateClientCertificate, clients presenting certificates of a CA the instance trusts (its CA
//   certificates), expired, self-signed, revoked by a CRL;
// - validate-jwt issuer-signing-keys with certificate-id (Learn: "Validate JWT").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import forge from 'node-forge';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { SignJWT } from 'jose';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { all, createApimInstance, instanceRequester, storedText } from '../helpers/apim.js';
import { ALL_PERMISSIONS, certificateClient, createVault, uniqueVaultName } from '../helpers/keyvault.js';

const RG = 'auth-rg';
const SVC = 'auth-apim';

// ---- a small PKI: node's RSA keys (fast), forge to issue certificates ----

interface Issued { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey; certPem: string; keyPem: string; der: Buffer; thumbprint: string; serial: string }

function issue(cn: string, o: { issuer?: Issued; ca?: boolean; subject?: forge.pki.CertificateField[]; notBefore?: Date; notAfter?: Date; dns?: string[]; ips?: string[]; server?: boolean; crl?: string } = {}): Issued {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  const serial = '01' + crypto.randomBytes(8).toString('hex');
  cert.serialNumber = serial;
  cert.validity.notBefore = o.notBefore ?? new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = o.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  const subject = o.subject ?? [{ name: 'commonName', value: cn }];
  cert.setSubject(subject);
  cert.setIssuer(o.issuer ? o.issuer.cert.subject.attributes : subject);
  const sans = [...(o.dns ?? []).map((value) => ({ type: 2, value })), ...(o.ips ?? []).map((ip) => ({ type: 7, ip }))];
  cert.setExtensions([
    ...(o.ca ? [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true }] : [{ name: 'keyUsage', digitalSignature: true, keyEncipherment: true }]),
    ...(o.ca ? [] : [{ name: 'extKeyUsage', serverAuth: !!o.server, clientAuth: !o.server }]),
    ...(sans.length ? [{ name: 'subjectAltName', altNames: sans }] : []),
    ...(o.crl ? [{ name: 'cRLDistributionPoints', altNames: [{ type: 6, value: o.crl }] }] : []),
  ]);
  cert.sign(o.issuer?.key ?? key, forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { cert, key, certPem: forge.pki.certificateToPem(cert), keyPem, der, thumbprint: crypto.createHash('sha1').update(der).digest('hex').toUpperCase(), serial };
}

const pfxOf = (c: Issued, password: string, chain: Issued[] = []) =>
  Buffer.from(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(c.key, [c.cert, ...chain.map((x) => x.cert)], password, { algorithm: '3des' })).getBytes(), 'binary');

/** The test CA (NODE_EXTRA_CA_CERTS trusts it, in the server too): it issues the backend's certificate. */
function testCa(): Issued {
  const dir = process.env.APIM_LOCAL_TEST_CA_DIR!;
  const certPem = fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8');
  const keyPem = fs.readFileSync(path.join(dir, 'ca-key.pem'), 'utf8');
  const cert = forge.pki.certificateFromPem(certPem);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { cert, key: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey, certPem, keyPem, der, thumbprint: '', serial: '' };
}

const clientCa = issue('Contoso Client CA', { ca: true });
const gatewayClient = issue('apim-gateway-client', { issuer: clientCa });
const kvClient = issue('apim-kv-client', { issuer: clientCa });
const bodyClient = issue('apim-body-client', { issuer: clientCa });
const hostCert = issue('mtls.contoso.com', { server: true, dns: ['mtls.contoso.com'] });
const alice = issue('alice', { issuer: clientCa, subject: [{ name: 'countryName', value: 'US' }, { name: 'organizationName', value: 'Contoso, Inc.' }, { name: 'commonName', value: 'alice' }], dns: ['alice.contoso.com'] });
const bob = issue('bob', { issuer: clientCa });
const expired = issue('expired', { issuer: clientCa, notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
const stranger = issue('stranger');
const jwtSigner = issue('jwt-signer');
let crlUrl = '';
let revokedCert: Issued;
let goodWithCrl: Issued;

let server: TestServer;
let apim: ApiManagementClient;
let token = '';
let port = 0;
let plainBackend: http.Server;
let tlsBackend: https.Server;
let crlServer: http.Server;
let vaultName = '';
let vaultUri = '';
const raw = instanceRequester(() => server, RG, SVC, () => token);
const tlsSeen: { url: string; client: string | null }[] = [];
const urlOf = (s: http.Server, scheme = 'http', host = '127.0.0.1') => `${scheme}://${host}:${(s.address() as AddressInfo).port}`;
const azureId = (vault: string, name: string) => `https://${vault}.vault.azure.net/secrets/${name}`;

/** Every name resolves to 127.0.0.1 (curl --resolve). */
const lookup = ((_h: string, o: { all?: boolean }, cb: (...args: unknown[]) => void) =>
  (o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4))) as unknown as https.RequestOptions['lookup'];

/** HTTPS through the gateway on mtls.contoso.com (which asks for a client certificate), presenting `client` (and its chain). */
function call(p: string, client?: Issued, o: { headers?: Record<string, string>; chain?: Issued[] } = {}): Promise<{ status: number; body: string; json: () => any }> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: 'mtls.contoso.com', port, path: p, ca: hostCert.certPem, lookup, agent: false, headers: o.headers ?? {},
      ...(client ? { cert: [client.certPem, ...(o.chain ?? []).map((c) => c.certPem)].join(''), key: client.keyPem } : {}),
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body, json: () => JSON.parse(body) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function api(name: string, serviceUrl: string, ops: Record<string, string | undefined>): Promise<void> {
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, name, { displayName: name, path: name, serviceUrl, protocols: ['https'], subscriptionRequired: false });
  for (const [op, inbound] of Object.entries(ops)) {
    await apim.apiOperation.createOrUpdate(RG, SVC, name, op, { displayName: op, method: 'GET', urlTemplate: `/${op}` });
    if (inbound !== undefined) {
      await apim.apiOperationPolicy.createOrUpdate(RG, SVC, name, op, 'policy', { format: 'rawxml', value: `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>` });
    }
  }
}

before(async () => {
  // Two gateway processes: certificates, CA certificates and keys must reach the worker too.
  server = await startTestServer({ args: ['--key-vault-refresh-interval', '1s', '--gateway-workers', '2'] });
  token = (await server.credential().getToken('https://management.azure.com/.default'))!.token;

  // A plain backend that tells what it received, and an HTTPS one that requires a client certificate of clientCa.
  plainBackend = http.createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ url: req.url, authorization: req.headers.authorization ?? null, thumb: req.headers['x-client-thumbprint'] ?? null })); });
  const ca = testCa();
  const backendCert = issue('localhost', { issuer: ca, server: true, dns: ['localhost'], ips: ['127.0.0.1'] });
  tlsBackend = https.createServer({ cert: backendCert.certPem, key: backendCert.keyPem, ca: clientCa.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    req.resume();
    const peer = (req.socket as tls.TLSSocket).getPeerX509Certificate();
    tlsSeen.push({ url: req.url ?? '', client: peer?.fingerprint.replace(/:/g, '') ?? null });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: req.url, client: peer?.fingerprint.replace(/:/g, '') ?? null, subject: peer?.subject ?? null }));
  });
  // A CRL of clientCa that revokes one certificate.
  let crlDer = Buffer.alloc(0);
  crlServer = http.createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': 'application/pkix-crl' }); res.end(crlDer); });
  await Promise.all([plainBackend, crlServer].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  await new Promise<void>((r) => tlsBackend.listen(0, '127.0.0.1', r));
  crlUrl = `${urlOf(crlServer)}/client-ca.crl`;
  revokedCert = issue('revoked', { issuer: clientCa, crl: crlUrl });
  goodWithCrl = issue('good', { issuer: clientCa, crl: crlUrl });
  const signingKey = await crypto.webcrypto.subtle.importKey('pkcs8', crypto.createPrivateKey(clientCa.keyPem).export({ format: 'der', type: 'pkcs8' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  const crl = await x509.X509CrlGenerator.create({
    issuer: new x509.X509Certificate(clientCa.certPem).subject, thisUpdate: new Date(), nextUpdate: new Date(Date.now() + 86_400_000),
    entries: [{ serialNumber: revokedCert.serial, revocationDate: new Date() }], signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm, signingKey,
  });
  crlDer = Buffer.from(crl.rawData);

  const made = await createApimInstance(server, RG, SVC, { type: 'SystemAssigned' });
  apim = made.apim;
  port = Number(new URL(made.service.gatewayUrl!).port);
  // The custom hostname that asks clients for a certificate, and clientCa as the instance's trusted root.
  await apim.apiManagementService.beginUpdateAndWait(RG, SVC, {
    hostnameConfigurations: [{ type: 'Proxy', hostName: 'mtls.contoso.com', encodedCertificate: pfxOf(hostCert, 'pw').toString('base64'), certificatePassword: 'pw', negotiateClientCertificate: true }],
    certificates: [{ encodedCertificate: clientCa.der.toString('base64'), storeName: 'Root', certificatePassword: 'not-kept' }],
  });
  // The CA certificate is kept with its information; its password never (nor returned).
  const svc = await apim.apiManagementService.get(RG, SVC);
  assert.equal(svc.certificates?.length, 1);
  assert.equal(svc.certificates![0].certificate?.thumbprint, new crypto.X509Certificate(clientCa.der).fingerprint.replace(/:/g, ''));
  assert.equal(svc.certificates![0].certificatePassword, undefined);
  assert.doesNotMatch(JSON.stringify(svc), /not-kept/);
  // A vault the instance's system-assigned identity may read, holding a client certificate.
  vaultName = uniqueVaultName('kvauth');
  const v = await createVault(server, RG, vaultName, {
    enableRbacAuthorization: false,
    accessPolicies: [
      { tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: ALL_PERMISSIONS },
      { tenantId: server.connection.tenantId, objectId: made.service.identity!.principalId!, permissions: { secrets: ['get'] } },
    ],
  });
  vaultUri = v.properties.vaultUri!;
  await certificateClient(vaultUri, server.credential()).importCertificate('kv-client', pfxOf(kvClient, 'kvpw'), { password: 'kvpw' });
});

after(async () => {
  await server?.stop();
  for (const s of [plainBackend, tlsBackend, crlServer]) await new Promise<void>((r) => { if (!s) return r(); s.close(() => r()); s.closeAllConnections(); });
});

test('certificates: uploaded (data + password) and from Key Vault (system-assigned identity), with the facts Azure shows and no secret returned or stored in the clear', async () => {
  const up = await apim.certificate.createOrUpdate(RG, SVC, 'backend-client', { data: pfxOf(gatewayClient, 'p@ss').toString('base64'), password: 'p@ss' });
  assert.equal(up.subject, 'CN=apim-gateway-client');
  assert.equal(up.thumbprint, gatewayClient.thumbprint);
  assert.equal(up.expirationDate!.toISOString().slice(0, 10), gatewayClient.cert.validity.notAfter.toISOString().slice(0, 10));
  assert.equal(up.keyVault, undefined);
  const got = await raw.raw('GET', '/certificates/backend-client');
  assert.equal(got.status, 200);
  assert.deepEqual(Object.keys(got.body.properties).sort(), ['expirationDate', 'subject', 'thumbprint']);
  assert.match(got.body.properties.expirationDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  const kv = await apim.certificate.createOrUpdate(RG, SVC, 'kv-client', { keyVault: { secretIdentifier: azureId(vaultName, 'kv-client') } });
  assert.equal(kv.thumbprint, kvClient.thumbprint);
  assert.equal(kv.subject, 'CN=apim-kv-client');
  assert.equal(kv.keyVault!.secretIdentifier, azureId(vaultName, 'kv-client'));
  assert.equal(kv.keyVault!.lastStatus!.code, 'Success');
  const refreshed = await raw.raw('POST', '/certificates/kv-client/refreshSecret');
  assert.equal(refreshed.status, 200, refreshed.text);
  assert.equal(refreshed.body.properties.thumbprint, kvClient.thumbprint);

  await apim.certificate.createOrUpdate(RG, SVC, 'client-ca', { data: pfxOf(clientCa, 'ca').toString('base64'), password: 'ca' });
  await apim.certificate.createOrUpdate(RG, SVC, 'jwt-signer', { data: pfxOf(jwtSigner, 'j').toString('base64'), password: 'j' });
  const list = await all(apim.certificate.listByService(RG, SVC));
  assert.deepEqual(list.map((c) => c.name).sort(), ['backend-client', 'client-ca', 'jwt-signer', 'kv-client']);
  const filtered = await all(apim.certificate.listByService(RG, SVC, { filter: `thumbprint eq '${kvClient.thumbprint}'` }));
  assert.deepEqual(filtered.map((c) => c.name), ['kv-client']);

  // Refused: a wrong password, neither source, both, a secret the identity cannot read; nothing stored.
  const bad = await raw.raw('PUT', '/certificates/bad', { properties: { data: pfxOf(bob, 'right').toString('base64'), password: 'wrong' } });
  assert.equal(bad.status, 400, bad.text);
  assert.match(bad.text, /password/i);
  const none = await raw.raw('PUT', '/certificates/bad', { properties: {} });
  assert.equal(none.status, 400);
  assert.equal(none.body.error.details[0].target, 'data');
  const both = await raw.raw('PUT', '/certificates/bad', { properties: { data: 'AAAA', keyVault: { secretIdentifier: azureId(vaultName, 'kv-client') } } });
  assert.equal(both.status, 400);
  const missing = await raw.raw('PUT', '/certificates/bad', { properties: { keyVault: { secretIdentifier: azureId(vaultName, 'no-such-cert') } } });
  assert.equal(missing.status, 400, missing.text);
  assert.equal(missing.body.error.code, 'InvalidOperation');
  assert.match(missing.body.error.message, /Failed to access KeyVault Secret .*no-such-cert using Managed Service Identity/);
  assert.equal((await raw.raw('GET', '/certificates/bad')).status, 404);
  assert.equal((await raw.raw('PUT', `/certificates/${'c'.repeat(81)}`, { properties: { data: 'AAAA', password: 'x' } })).status, 400);
  // No PATCH in Azure's API for certificates (a PUT replaces one).
  assert.equal((await raw.raw('PATCH', '/certificates/backend-client', { properties: {} }, { 'if-match': '*' })).status, 405);

  // The PFX, the password and the private key are not in the store in the clear.
  const stored = storedText(server);
  for (const secret of [pfxOf(gatewayClient, 'p@ss').toString('base64').slice(0, 40), '"p@ss"', gatewayClient.keyPem.split('\n')[1], kvClient.keyPem.split('\n')[1]]) {
    assert.ok(!stored.includes(secret), `stored in the clear: ${secret}`);
  }
});

test('authentication-basic (Learn: "Authenticate with Basic"): the backend gets Authorization: Basic base64(username:password), replacing the caller\'s', async () => {
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'basic-pw', { displayName: 'basic-pw', value: 'secret-from-named-value', secret: true });
  await api('basic', urlOf(plainBackend), {
    fixed: '<authentication-basic username="alice" password="p@ss:w0rd é" />',
    expr: '<authentication-basic username="@(context.Request.Headers.GetValueOrDefault(&quot;x-user&quot;, &quot;nobody&quot;))" password="{{basic-pw}}" />',
  });
  const r = await call('/basic/fixed', undefined, { headers: { authorization: 'Bearer caller-token' } });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json().authorization, `Basic ${Buffer.from('alice:p@ss:w0rd é', 'utf8').toString('base64')}`);
  const e = await call('/basic/expr', undefined, { headers: { 'x-user': 'carol' } });
  assert.equal(e.json().authorization, `Basic ${Buffer.from('carol:secret-from-named-value').toString('base64')}`);
});

test('authentication-certificate (Learn: "Authenticate with client certificate"): mutual TLS to a backend that requires a client certificate, by certificate-id, thumbprint, Key Vault certificate and body', async () => {
  await api('mtls', urlOf(tlsBackend, 'https', 'localhost'), {
    none: undefined,
    'by-id': '<authentication-certificate certificate-id="backend-client" />',
    'by-thumbprint': `<authentication-certificate thumbprint="${gatewayClient.thumbprint.toLowerCase()}" />`,
    'by-kv': '<authentication-certificate certificate-id="kv-client" />',
    'by-body': '<authentication-certificate body="@(Convert.FromBase64String(context.Request.Headers.GetValueOrDefault(&quot;x-pfx&quot;, &quot;&quot;)))" password="bodypw" />',
    unknown: '<authentication-certificate certificate-id="no-such-certificate" />',
  });
  const byId = await call('/mtls/by-id');
  assert.equal(byId.status, 200, byId.body);
  assert.deepEqual(byId.json(), { url: '/by-id', client: gatewayClient.thumbprint, subject: 'CN=apim-gateway-client' });
  assert.equal((await call('/mtls/by-thumbprint')).json().client, gatewayClient.thumbprint);
  assert.equal((await call('/mtls/by-kv')).json().client, kvClient.thumbprint);
  // Rotation: a new version of the Key Vault certificate reaches the backend calls on the refresh interval (1 s here).
  const rotated = issue('apim-kv-client', { issuer: clientCa });
  await certificateClient(vaultUri, server.credential()).importCertificate('kv-client', pfxOf(rotated, 'kvpw'), { password: 'kvpw' });
  let presented = '';
  for (let i = 0; i < 100 && presented !== rotated.thumbprint; i++) { await sleep(100); presented = (await call('/mtls/by-kv')).json().client; }
  assert.equal(presented, rotated.thumbprint);
  const after = await apim.certificate.get(RG, SVC, 'kv-client');
  assert.equal(after.thumbprint, rotated.thumbprint);
  assert.equal(after.keyVault!.lastStatus!.code, 'Success');
  const byBody = await call('/mtls/by-body', undefined, { headers: { 'x-pfx': pfxOf(bodyClient, 'bodypw').toString('base64') } });
  assert.equal(byBody.status, 200, byBody.body);
  assert.equal(byBody.json().client, bodyClient.thumbprint);
  // Without a certificate the backend refuses the handshake: the gateway's 500 (BackendConnectionFailure).
  const none = await call('/mtls/none');
  assert.equal(none.status, 500);
  assert.equal(none.json().statusCode, 500);
  // The same origin with and without a certificate never shares a connection: by-id works again after none.
  assert.equal((await call('/mtls/by-id')).json().client, gatewayClient.thumbprint);
  const unknown = await call('/mtls/unknown');
  assert.equal(unknown.status, 500);
});

test('authentication-certificate inside send-request and send-one-way-request (Learn: "Send request", "Send one way request"): the child request presents the client certificate and trusts the local CA', async () => {
  const target = urlOf(tlsBackend, 'https', 'localhost');
  const read = `<return-response><set-status code="200" /><set-body>@(context.Variables["r"] == null ? "failed" : ((IResponse)context.Variables["r"]).Body.As<string>())</set-body></return-response>`;
  await api('mtls-send', urlOf(plainBackend), {
    'sr-id': `<send-request mode="new" response-variable-name="r" ignore-error="true"><set-url>${target}/sr-id</set-url><set-method>GET</set-method><authentication-certificate certificate-id="backend-client" /></send-request>${read}`,
    'sr-kv': `<send-request mode="new" response-variable-name="r"><set-url>${target}/sr-kv</set-url><authentication-certificate certificate-id="kv-client" /></send-request>${read}`,
    'sr-none': `<send-request mode="new" response-variable-name="r" ignore-error="true"><set-url>${target}/sr-none</set-url></send-request>${read}`,
    'sr-unknown': `<send-request mode="new" response-variable-name="r" ignore-error="true"><set-url>${target}/sr-unknown</set-url><authentication-certificate certificate-id="no-such-certificate" /></send-request>${read}`,
    'one-way': `<send-one-way-request mode="new"><set-url>${target}/one-way</set-url><authentication-certificate thumbprint="${gatewayClient.thumbprint}" /></send-one-way-request>`,
  });
  const byId = await call('/mtls-send/sr-id');
  assert.equal(byId.status, 200, byId.body);
  assert.deepEqual(byId.json(), { url: '/sr-id', client: gatewayClient.thumbprint, subject: 'CN=apim-gateway-client' });
  const kv = await call('/mtls-send/sr-kv');
  assert.equal(kv.status, 200, kv.body);
  assert.equal(kv.json().url, '/sr-kv');
  assert.notEqual(kv.json().client, gatewayClient.thumbprint); // the Key Vault certificate, not the other one
  // Without a certificate the backend refuses the handshake: send-request fails (ignore-error: null).
  assert.equal((await call('/mtls-send/sr-none')).body, 'failed');
  // A certificate that does not exist is the policy's error, not hidden by ignore-error.
  assert.equal((await call('/mtls-send/sr-unknown')).status, 500);
  const oneWay = await call('/mtls-send/one-way');
  assert.equal(oneWay.status, 200, oneWay.body);
  for (let i = 0; i < 100 && !tlsSeen.some((x) => x.url === '/one-way'); i++) await sleep(20);
  assert.deepEqual(tlsSeen.find((x) => x.url === '/one-way'), { url: '/one-way', client: gatewayClient.thumbprint });
  // The element is checked at PUT as authentication-certificate is.
  for (const bad of ['<authentication-certificate />', '<authentication-certificate certificate-id="a" thumbprint="b" />', '<authentication-certificate certificate-id="a" password="p" />', '<authentication-certificate certificate-id="a" /><authentication-certificate certificate-id="b" />']) {
    await assert.rejects(apim.apiOperationPolicy.createOrUpdate(RG, SVC, 'mtls-send', 'sr-id', 'policy', {
      format: 'rawxml', value: `<policies><inbound><send-request mode="new" response-variable-name="r"><set-url>${target}/x</set-url>${bad}</send-request></inbound><backend><base /></backend><outbound /><on-error /></policies>`,
    }), (e: { statusCode?: number }) => e.statusCode === 400, bad);
  }
});

test('validate-client-certificate (Learn: "Validate client certificate"): trust, validity, revocation and identities against the certificate the client presented; 401 otherwise', async () => {
  const identity = (attrs: string) => `<validate-client-certificate validate-revocation="false"><identities><identity ${attrs} /></identities></validate-client-certificate>`;
  await api('vcc', urlOf(plainBackend), {
    rules: '<validate-client-certificate validate-revocation="false" /><set-header name="x-client-thumbprint" exists-action="override"><value>@(context.Request.Certificate.Thumbprint)</value></set-header>',
    revocation: '<validate-client-certificate />',
    'no-trust': '<validate-client-certificate validate-revocation="false" validate-trust="false" validate-not-after="false" />',
    ignore: '<validate-client-certificate validate-revocation="false" ignore-error="true" />',
    thumbprint: identity(`thumbprint="${alice.thumbprint.toLowerCase()}"`),
    serial: identity(`serial-number="${alice.serial.toUpperCase()}"`),
    'common-name': identity('common-name="alice"'),
    subject: identity('subject="CN=alice, O=&quot;Contoso, Inc.&quot;, C=US"'),
    'dns-name': identity('dns-name="alice.contoso.com"'),
    'issuer-subject': identity('issuer-subject="CN=Contoso Client CA"'),
    'issuer-thumbprint': identity(`issuer-thumbprint="${clientCa.thumbprint}"`),
    'issuer-id': `<validate-client-certificate validate-revocation="false" validate-trust="false"><identities><identity issuer-certificate-id="client-ca" /></identities></validate-client-certificate>`,
    any: `<validate-client-certificate validate-revocation="false"><identities><identity thumbprint="${bob.thumbprint}" /><identity common-name="nobody" /><identity common-name="alice" dns-name="alice.contoso.com" /></identities></validate-client-certificate>`,
    'on-error': undefined,
    // Learn, "How to secure APIs using client certificate authentication": the thumbprint checked against the uploaded certificates.
    uploaded: '<choose><when condition="@(context.Request.Certificate == null || !context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))"><return-response><set-status code="403" reason="Invalid client certificate" /></return-response></when></choose>',
  });
  await apim.apiOperationPolicy.createOrUpdate(RG, SVC, 'vcc', 'on-error', 'policy', {
    format: 'rawxml',
    value: '<policies><inbound><base /><validate-client-certificate validate-revocation="false" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><return-response><set-status code="403" reason="Forbidden" /><set-body>@(context.LastError.Source + "|" + context.LastError.Reason)</set-body></return-response></on-error></policies>',
  });
  const denied = (r: { status: number; body: string }, why: string) => {
    assert.equal(r.status, 401, `${why}: ${r.body}`);
    assert.deepEqual(JSON.parse(r.body), { statusCode: 401, message: 'Invalid client certificate.' });
  };
  // The rules of the top-level attributes: trusted, within its validity period.
  const ok = await call('/vcc/rules', alice);
  assert.equal(ok.status, 200, ok.body);
  assert.equal(ok.json().thumb, alice.thumbprint, 'context.Request.Certificate is the certificate the client presented');
  denied(await call('/vcc/rules'), 'no certificate');
  denied(await call('/vcc/rules', stranger), 'self-signed, not trusted');
  denied(await call('/vcc/rules', expired), 'expired');
  // validate-trust="false" and validate-not-after="false": the same certificates pass.
  assert.equal((await call('/vcc/no-trust', stranger)).status, 200);
  assert.equal((await call('/vcc/no-trust', expired)).status, 200);
  // validate-revocation (default true): no CRL to check is a failure; the CRL says which is revoked.
  denied(await call('/vcc/revocation', alice), 'no revocation information');
  assert.equal((await call('/vcc/revocation', goodWithCrl)).status, 200);
  denied(await call('/vcc/revocation', revokedCert), 'revoked');
  // ignore-error: the request goes on.
  assert.equal((await call('/vcc/ignore', stranger)).status, 200);
  // Each identity claim: alice matches, bob (same CA) does not.
  for (const op of ['thumbprint', 'serial', 'common-name', 'subject', 'dns-name']) {
    assert.equal((await call(`/vcc/${op}`, alice)).status, 200, `${op} matches alice`);
    denied(await call(`/vcc/${op}`, bob), `${op} does not match bob`);
  }
  for (const op of ['issuer-subject', 'issuer-thumbprint', 'issuer-id']) {
    assert.equal((await call(`/vcc/${op}`, bob)).status, 200, `${op} matches bob's issuer`);
  }
  denied(await call('/vcc/issuer-id', stranger), 'issuer-certificate-id: another issuer');
  assert.equal((await call('/vcc/any', alice)).status, 200, 'one identity of several is enough');
  denied(await call('/vcc/any', issue('carol', { issuer: clientCa })), 'no identity matches');
  // context.Deployment.Certificates: the `certificates` entities.
  assert.equal((await call('/vcc/uploaded', gatewayClient)).status, 200);
  assert.equal((await call('/vcc/uploaded', alice)).status, 403);
  assert.equal((await call('/vcc/uploaded')).status, 403);
  // The failure goes to on-error like any policy error.
  const handled = await call('/vcc/on-error', stranger);
  assert.equal(handled.status, 403);
  assert.equal(handled.body, 'validate-client-certificate|ClientCertificateValidationFailed');
});

test('validate-jwt (Learn: "Validate JWT"): an issuer signing key by certificate-id is that certificate\'s public key, and goes with it', async () => {
  await api('jwt', urlOf(plainBackend), {
    check: '<validate-jwt header-name="Authorization"><issuer-signing-keys><key certificate-id="jwt-signer" /></issuer-signing-keys></validate-jwt>',
  });
  const sign = (pem: string) => new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('5m').sign(crypto.createPrivateKey(pem));
  const good = await call('/jwt/check', undefined, { headers: { authorization: `Bearer ${await sign(jwtSigner.keyPem)}` } });
  assert.equal(good.status, 200, good.body);
  const forged = await call('/jwt/check', undefined, { headers: { authorization: `Bearer ${await sign(stranger.keyPem)}` } });
  assert.equal(forged.status, 401);
  assert.deepEqual(forged.json(), { statusCode: 401, message: 'Invalid JWT.' });
  // The certificate deleted: no key, every token refused.
  await apim.certificate.delete(RG, SVC, 'jwt-signer', '*');
  assert.equal((await call('/jwt/check', undefined, { headers: { authorization: `Bearer ${await sign(jwtSigner.keyPem)}` } })).status, 401);
});
