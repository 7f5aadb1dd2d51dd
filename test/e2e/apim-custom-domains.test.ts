// Custom domains with certificates from Key Vault (#12), as a user sets them up with the unmodified SDKs
// (@azure/arm-apimanagement, @azure/keyvault-certificates) and real TLS clients: a PFX made here and
// imported into a vault, the instance's identity allowed to read it, and HTTPS to api.contoso.com
// (resolved to 127.0.0.1, SNI set) seeing that certificate. Rotation on the refresh interval, the
// failures (with the instance unchanged after each), the user-assigned flow on an RBAC vault, the
// firewall, the identity rules, negotiateClientCertificate and the command line. The server runs two
// gateway processes, so certificates must reach the worker as well.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { ApiManagementClient, ApiManagementServiceResource, HostnameConfiguration } from '@azure/arm-apimanagement';
import type { CertificateClient } from '@azure/keyvault-certificates';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createApimInstance, instanceRequester, storedText } from '../helpers/apim.js';
import { ALL_PERMISSIONS, certificateClient, createVault, kvm, makeCertificate, secretClient, uniqueVaultName } from '../helpers/keyvault.js';
import { runCli } from './cli-helper.js';

const RG = 'domains-rg';
const SVC = 'domains-apim';
const SVC_NONE = 'domains-noid';
const CERT_USER = 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba';
const KV_ADMIN = '00482a5a-887f-4fb3-b363-3b7fe8e74483';

let server: TestServer;
let apim: ApiManagementClient;
let svc: ApiManagementServiceResource;
let port: number;
let subscriptionKey: string;
let uai: { id: string; clientId: string; principalId: string };
let backend: http.Server;
let policyVault: string;
let policyVaultUri: string;
let certs: CertificateClient;
const contoso1 = makeCertificate('api.contoso.com', 'pw-1');
const contoso2 = makeCertificate('api.contoso.com', 'pw-2');
const pinned1 = makeCertificate('pinned.contoso.com', 'pw');
const pinned2 = makeCertificate('pinned.contoso.com', 'pw');

const azureId = (vault: string, name: string, version?: string) => `https://${vault}.vault.azure.net/secrets/${name}${version ? `/${version}` : ''}`;
const adminPolicy = () => ({ tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: ALL_PERMISSIONS });
const readPolicy = (objectId: string) => ({ tenantId: server.connection.tenantId, objectId, permissions: { secrets: ['get', 'list'] } });
const raw = instanceRequester(() => server, RG, SVC, () => token);
let token = '';

/** Every name resolves to 127.0.0.1 (curl --resolve), whatever the lookup form node asks for. */
const lookup = ((_h: string, o: { all?: boolean }, cb: (...args: unknown[]) => void) =>
  (o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4))) as unknown as https.RequestOptions['lookup'];

/** A TLS handshake with the gateway; returns the thumbprint (SHA-1, upper-case hex) of the certificate served. */
async function served(servername: string | undefined, clientCert?: { cert: string; key: string }): Promise<string> {
  const socket = tls.connect({ host: '127.0.0.1', port, ...(servername ? { servername } : {}), rejectUnauthorized: false, ...clientCert });
  try {
    await new Promise<void>((resolve, reject) => { socket.once('secureConnect', resolve); socket.once('error', reject); });
    return socket.getPeerX509Certificate()!.fingerprint.replace(/:/g, '');
  } finally {
    socket.destroy();
  }
}

const seenOn = new WeakMap<tls.TLSSocket, string>();

/** HTTPS to `host` through the gateway, verifying its certificate against `ca` for that name (as a browser would). */
function get(host: string, ca: string, path: string, o: { agent?: https.Agent; headers?: Record<string, string>; cert?: string; key?: string } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders; socket: tls.TLSSocket; thumbprint: string }> {
  return new Promise((resolve, reject) => {
    // agent false: a connection of its own, never a resumed TLS session (which shows no certificate).
    const req = https.request({ host, port, path, ca, lookup, agent: o.agent ?? false, headers: { 'ocp-apim-subscription-key': subscriptionKey, ...o.headers }, cert: o.cert, key: o.key }, (res) => {
      // The connection and the certificate it was opened with (a keep-alive socket goes back to its agent at the end).
      const socket = res.socket as tls.TLSSocket;
      // Node shows the peer certificate for a connection's first request only: remembered per connection.
      const thumbprint = socket.getPeerX509Certificate()?.fingerprint.replace(/:/g, '') ?? seenOn.get(socket) ?? 'none';
      seenOn.set(socket, thumbprint);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers, socket, thumbprint }));
    });
    req.on('error', reject);
    req.end();
  });
}

const certPem = (c: { certDer: Buffer }) => new crypto.X509Certificate(c.certDer).toString();
const upper = (t: string) => t.toUpperCase();
const custom = (s: ApiManagementServiceResource, host: string): HostnameConfiguration | undefined =>
  s.hostnameConfigurations?.find((h) => h.hostName.toLowerCase() === host);

/** A PATCH that must fail with `code` and a message matching `message`, leaving the instance as it was. */
async function refused(update: Partial<ApiManagementServiceResource> & Record<string, unknown>, code: string, message: RegExp, name = SVC): Promise<void> {
  const before = await apim.apiManagementService.get(RG, name);
  await assert.rejects(apim.apiManagementService.beginUpdateAndWait(RG, name, update as any), (e: any) => {
    assert.equal(e.statusCode, 400, e.message);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
  const after = await apim.apiManagementService.get(RG, name);
  assert.equal(after.etag, before.etag, 'the instance is unchanged');
  assert.deepEqual(after.hostnameConfigurations, before.hostnameConfigurations);
  assert.deepEqual(after.identity, before.identity);
}

before(async () => {
  server = await startTestServer({ args: ['--key-vault-refresh-interval', '1s', '--gateway-workers', '2'] });
  token = (await server.credential().getToken('https://management.azure.com/.default'))!.token;
  const cred = server.credential();
  const sub = server.connection.subscriptionId;
  backend = http.createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': 'text/plain' }); res.end(`backend saw ${req.url}`); });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  await createApimInstance(server, RG, SVC_NONE);
  const u = await new ManagedServiceIdentityClient(cred, sub, server.armOptions()).userAssignedIdentities.createOrUpdate(RG, 'domains-uai', { location: 'westeurope' });
  uai = { id: u.id!, clientId: u.clientId!, principalId: u.principalId! };
  const made = await createApimInstance(server, RG, SVC, { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [uai.id]: {} } });
  apim = made.apim;
  svc = made.service;
  port = Number(new URL(svc.gatewayUrl!).port);
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'echo', {
    displayName: 'Echo', path: 'echo', serviceUrl: `http://127.0.0.1:${(backend.address() as AddressInfo).port}`, protocols: ['https'], subscriptionRequired: true,
  });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'echo', 'get', { displayName: 'Get', method: 'GET', urlTemplate: '/*' });
  const s = await apim.subscription.createOrUpdate(RG, SVC, 'tracer', { displayName: 'Tracer', scope: '/apis', state: 'active', allowTracing: true, primaryKey: 'domains-key-0123456789' });
  subscriptionKey = s.primaryKey ?? 'domains-key-0123456789';

  policyVault = uniqueVaultName('kvdom');
  const v = await createVault(server, RG, policyVault, { enableRbacAuthorization: false, accessPolicies: [adminPolicy(), readPolicy(svc.identity!.principalId!)] });
  policyVaultUri = v.properties.vaultUri!;
  certs = certificateClient(policyVaultUri, cred);
  await certs.importCertificate('contoso', contoso1.pfx, { password: 'pw-1' });
});
after(async () => {
  await server?.stop();
  await new Promise<void>((r) => { backend?.close(() => r()); backend?.closeAllConnections(); });
});

test('system-assigned: the Key Vault certificate is served to api.contoso.com by SNI and the call reaches the API', async () => {
  const updated = await apim.apiManagementService.beginUpdateAndWait(RG, SVC, {
    hostnameConfigurations: [{ type: 'Proxy', hostName: 'api.contoso.com', keyVaultId: azureId(policyVault, 'contoso') }],
  });
  const h = custom(updated, 'api.contoso.com')!;
  assert.equal(h.certificateSource, 'KeyVault');
  assert.equal(h.certificateStatus, 'Completed');
  assert.equal(h.keyVaultId, azureId(policyVault, 'contoso'));
  assert.equal(h.certificate!.thumbprint, upper(contoso1.thumbprint));
  assert.equal(h.certificate!.subject, 'CN=api.contoso.com');
  assert.ok(h.certificate!.expiry instanceof Date && h.certificate!.expiry.getTime() > Date.now());
  assert.equal(h.encodedCertificate, undefined);
  assert.equal(h.negotiateClientCertificate, false);
  // The built-in hostname stays, and is still the default binding.
  assert.equal(custom(updated, `${SVC}.azure-api.net`)!.defaultSslBinding, true);

  // A client that verifies api.contoso.com against the test's own certificate: served and trusted.
  const r = await get('api.contoso.com', certPem(contoso1), '/echo/hello');
  assert.equal(r.status, 200, r.body);
  assert.equal(r.body, 'backend saw /hello');
  assert.equal(r.thumbprint, upper(contoso1.thumbprint));
  // Both gateway processes serve it (new handshakes alternate between them).
  for (let i = 0; i < 4; i++) assert.equal(await served('api.contoso.com'), upper(contoso1.thumbprint));
  // Other names and clients without SNI get the built-in certificate.
  assert.notEqual(await served('localhost'), upper(contoso1.thumbprint));
  assert.notEqual(await served(undefined), upper(contoso1.thumbprint));
  // The private key is nowhere in what ARM returns.
  const got = await raw.raw('GET', '');
  assert.doesNotMatch(got.text, /PRIVATE KEY|sealed/);
  // Nor in the database file: the certificate and key are sealed at rest.
  assert.doesNotMatch(storedText(server), /PRIVATE KEY|BEGIN CERTIFICATE/);
});

test('defaultSslBinding: clients that send no SNI get the custom certificate', async () => {
  const updated = await apim.apiManagementService.beginUpdateAndWait(RG, SVC, {
    hostnameConfigurations: [{ type: 'Proxy', hostName: 'api.contoso.com', keyVaultId: azureId(policyVault, 'contoso'), defaultSslBinding: true }],
  });
  assert.equal(custom(updated, 'api.contoso.com')!.defaultSslBinding, true);
  assert.equal(custom(updated, `${SVC}.azure-api.net`)!.defaultSslBinding, false);
  for (let i = 0; i < 2; i++) assert.equal(await served(undefined), upper(contoso1.thumbprint));
  assert.notEqual(await served('localhost'), upper(contoso1.thumbprint));
});

test('rotation: a new version is served to new handshakes on the interval, a keep-alive connection keeps working; a versioned id stays', async () => {
  await certs.importCertificate('pinned', pinned1.pfx, { password: 'pw' });
  const pinnedVersion = (await certs.getCertificate('pinned')).properties.version!;
  await apim.apiManagementService.beginUpdateAndWait(RG, SVC, {
    hostnameConfigurations: [
      { type: 'Proxy', hostName: 'api.contoso.com', keyVaultId: azureId(policyVault, 'contoso') },
      { type: 'Proxy', hostName: 'pinned.contoso.com', keyVaultId: azureId(policyVault, 'pinned', pinnedVersion) },
    ],
  });
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, maxCachedSessions: 0 });
  try {
    const first = await get('api.contoso.com', certPem(contoso1), '/echo/before', { agent });
    assert.equal(first.status, 200);
    assert.equal(first.thumbprint, upper(contoso1.thumbprint));
    const kept = first.socket;

    await certs.importCertificate('contoso', contoso2.pfx, { password: 'pw-2' });
    await certs.importCertificate('pinned', pinned2.pfx, { password: 'pw' });
    let seen = await served('api.contoso.com');
    for (let i = 0; i < 60 && seen !== upper(contoso2.thumbprint); i++) { await sleep(250); seen = await served('api.contoso.com'); }
    assert.equal(seen, upper(contoso2.thumbprint), 'new handshakes see the new version');

    // The connection opened before still works, on the same socket with the old certificate.
    const again = await get('api.contoso.com', certPem(contoso1), '/echo/after', { agent });
    assert.equal(again.status, 200);
    assert.equal(again.socket, kept);
    assert.equal(again.thumbprint, upper(contoso1.thumbprint));

    const now = await apim.apiManagementService.get(RG, SVC);
    assert.equal(custom(now, 'api.contoso.com')!.certificateStatus, 'Completed');
    assert.equal(custom(now, 'api.contoso.com')!.certificate!.thumbprint, upper(contoso2.thumbprint));
    // The versioned reference never changes.
    assert.equal(custom(now, 'pinned.contoso.com')!.certificate!.thumbprint, upper(pinned1.thumbprint));
    assert.equal(await served('pinned.contoso.com'), upper(pinned1.thumbprint));
  } finally {
    agent.destroy();
  }
});

test('a failed refresh keeps the current certificate and shows certificateStatus Failed; access back: Completed', async () => {
  await createVault(server, RG, policyVault, { enableRbacAuthorization: false, accessPolicies: [adminPolicy()] });
  try {
    let h = custom(await apim.apiManagementService.get(RG, SVC), 'api.contoso.com')!;
    for (let i = 0; i < 60 && h.certificateStatus !== 'Failed'; i++) { await sleep(250); h = custom(await apim.apiManagementService.get(RG, SVC), 'api.contoso.com')!; }
    assert.equal(h.certificateStatus, 'Failed');
    assert.equal(h.certificate!.thumbprint, upper(contoso2.thumbprint));
    assert.equal(await served('api.contoso.com'), upper(contoso2.thumbprint));
    assert.match(server.output(), /refreshing the certificate of api\.contoso\.com .* failed: .*does not have secrets get permission/);
  } finally {
    await createVault(server, RG, policyVault, { enableRbacAuthorization: false, accessPolicies: [adminPolicy(), readPolicy(svc.identity!.principalId!)] });
  }
  let h = custom(await apim.apiManagementService.get(RG, SVC), 'api.contoso.com')!;
  for (let i = 0; i < 60 && h.certificateStatus !== 'Completed'; i++) { await sleep(250); h = custom(await apim.apiManagementService.get(RG, SVC), 'api.contoso.com')!; }
  assert.equal(h.certificateStatus, 'Completed');
});

test('failures are Azure\'s errors, and the instance is unchanged after each', async () => {
  const hostname = (o: Partial<HostnameConfiguration>) => ({ hostnameConfigurations: [{ type: 'Proxy', hostName: 'fail.contoso.com', ...o } as HostnameConfiguration] });
  // No system-assigned identity.
  await refused(hostname({ keyVaultId: azureId(policyVault, 'contoso') }), 'InvalidOperation',
    new RegExp(`^Managed Service Identity \\(http://aka\\.ms/apimmsi\\) is not enabled on the service, which is required to access KeyVault ${azureId(policyVault, 'contoso').replace(/\./g, '\\.')}$`), SVC_NONE);
  // A vault that does not exist.
  await refused(hostname({ keyVaultId: 'https://nosuchvault77.vault.azure.net/secrets/x' }), 'InvalidOperation',
    /^Failed to access KeyVault Secret https:\/\/nosuchvault77\.vault\.azure\.net\/secrets\/x using Managed Service Identity \(http:\/\/aka\.ms\/apimmsi\) of Api Management service\. Check if Managed Identity of Type: SystemAssigned, ClientId: [0-9a-f-]{36} and ObjectId: [0-9a-f-]{36} has GET permissions/);
  // A secret that is not a certificate's (no content type, then PEM).
  const secrets = secretClient(policyVaultUri, server.credential());
  await secrets.setSecret('plain', 'not a certificate');
  await refused(hostname({ keyVaultId: azureId(policyVault, 'plain') }), 'InvalidOperation', /has content type '', but a custom domain certificate must have content type 'application\/x-pkcs12'/);
  await secrets.setSecret('pem', contoso1.pem, { contentType: 'application/x-pem-file' });
  await refused(hostname({ keyVaultId: azureId(policyVault, 'pem') }), 'InvalidOperation', /has content type 'application\/x-pem-file'/);
  // A user-assigned identity the instance does not have.
  await refused(hostname({ keyVaultId: azureId(policyVault, 'contoso'), identityClientId: crypto.randomUUID() }), 'ValidationError', /One or more fields contain incorrect values/);
  // No Get permission: the user-assigned identity has no access policy. Key Vault's 403 is the cause.
  await refused(hostname({ keyVaultId: azureId(policyVault, 'contoso'), identityClientId: uai.clientId }), 'InvalidOperation',
    new RegExp(`Type: UserAssigned, ClientId: ${uai.clientId} and ObjectId: ${uai.principalId} has GET permissions.*Key Vault answered: The user, group or application .* does not have secrets get permission on key vault '${policyVault}`));
  const r = await raw.raw('PATCH', '', { properties: hostname({ keyVaultId: azureId(policyVault, 'contoso'), identityClientId: uai.clientId }) });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.target, 'properties.hostnameConfigurations[0].keyVaultId');
  assert.equal(r.body.error.details[0].code, 'AccessDenied');
  // Inline: a wrong password; both sources at once; no certificate at all; the same name twice.
  await refused(hostname({ encodedCertificate: contoso1.pfx.toString('base64'), certificatePassword: 'wrong' }), 'InvalidOperation', /The certificate of hostname 'fail\.contoso\.com' cannot be used: The specified PFX password is incorrect/);
  await refused(hostname({ encodedCertificate: contoso1.pfx.toString('base64'), keyVaultId: azureId(policyVault, 'contoso') }), 'ValidationError', /One or more fields/);
  await refused(hostname({}), 'ValidationError', /One or more fields/);
  await refused({ hostnameConfigurations: [
    { type: 'Proxy', hostName: 'twice.contoso.com', encodedCertificate: contoso1.pfx.toString('base64'), certificatePassword: 'pw-1' },
    { type: 'Proxy', hostName: 'TWICE.contoso.com', encodedCertificate: contoso1.pfx.toString('base64'), certificatePassword: 'pw-1' },
  ] }, 'ValidationError', /One or more fields/);
  const bad = await raw.raw('PATCH', '', { properties: hostname({}) });
  assert.equal(bad.body.error.details[0].target, 'properties.hostnameConfigurations[0]');
  assert.match(bad.body.error.details[0].message, /Hostname 'fail\.contoso\.com' needs a certificate/);
});

test('user-assigned identity with Key Vault Certificate User on an RBAC vault; the system-assigned one without a role is refused', async () => {
  const cred = server.credential();
  const sub = server.connection.subscriptionId;
  const name = uniqueVaultName('kvdomr');
  const vault = await createVault(server, RG, name, { enableRbacAuthorization: true });
  const authz = new AuthorizationManagementClient(cred, sub, server.armOptions());
  const assign = (principalId: string, role: string) => authz.roleAssignments.create(vault.id!, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${role}`, principalId, principalType: 'ServicePrincipal',
  });
  await assign(server.connection.objectId, KV_ADMIN);
  const uaiCert = makeCertificate('uai.contoso.com', 'pw');
  await certificateClient(vault.properties.vaultUri!, cred).importCertificate('uai-cert', uaiCert.pfx, { password: 'pw' });
  await refused({ hostnameConfigurations: [{ type: 'Proxy', hostName: 'uai.contoso.com', keyVaultId: azureId(name, 'uai-cert'), identityClientId: uai.clientId }] },
    'InvalidOperation', /Type: UserAssigned.*Key Vault answered: Caller is not authorized to perform action on resource/s);
  await assign(uai.principalId, CERT_USER);
  const updated = await apim.apiManagementService.beginUpdateAndWait(RG, SVC, {
    hostnameConfigurations: [
      ...(await apim.apiManagementService.get(RG, SVC)).hostnameConfigurations!.filter((h) => h.certificateSource !== 'BuiltIn'),
      { type: 'Proxy', hostName: 'uai.contoso.com', keyVaultId: azureId(name, 'uai-cert'), identityClientId: uai.clientId },
    ],
  });
  const h = custom(updated, 'uai.contoso.com')!;
  assert.equal(h.identityClientId, uai.clientId);
  assert.equal(h.certificateStatus, 'Completed');
  assert.equal(h.certificate!.thumbprint, upper(uaiCert.thumbprint));
  assert.equal((await get('uai.contoso.com', certPem(uaiCert), '/echo/uai')).status, 200);
  // The other hostnames were sent back as GET shows them and kept their certificates.
  assert.equal(custom(updated, 'api.contoso.com')!.certificate!.thumbprint, upper(contoso2.thumbprint));
  assert.equal(await served('api.contoso.com'), upper(contoso2.thumbprint));
  // The same vault, the system-assigned identity (no role): Key Vault's ForbiddenByRbac.
  const r = await raw.raw('PATCH', '', { properties: { hostnameConfigurations: [{ type: 'Proxy', hostName: 'x.contoso.com', keyVaultId: azureId(name, 'uai-cert') }] } });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.details[0].code, 'ForbiddenByRbac');
});

test('firewall with trusted services: the system-assigned identity gets the certificate, a user-assigned one gets Key Vault\'s firewall error', async () => {
  const name = uniqueVaultName('kvdomf');
  const fwCert = makeCertificate('fw.contoso.com', 'pw');
  const v = await createVault(server, RG, name, { enableRbacAuthorization: false, accessPolicies: [adminPolicy(), readPolicy(svc.identity!.principalId!), readPolicy(uai.principalId)] });
  await certificateClient(v.properties.vaultUri!, server.credential()).importCertificate('fw', fwCert.pfx, { password: 'pw' });
  await kvm(server).vaults.update(RG, name, { properties: { networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [] } } });
  const current = (await apim.apiManagementService.get(RG, SVC)).hostnameConfigurations!.filter((h) => h.certificateSource !== 'BuiltIn');
  await refused({ hostnameConfigurations: [...current, { type: 'Proxy', hostName: 'fw.contoso.com', keyVaultId: azureId(name, 'fw'), identityClientId: uai.clientId }] },
    'InvalidOperation', /Type: UserAssigned.*Key Vault answered: Client address is not authorized and caller is not a trusted service\./s);
  const r = await raw.raw('PATCH', '', { properties: { hostnameConfigurations: [...current, { type: 'Proxy', hostName: 'fw.contoso.com', keyVaultId: azureId(name, 'fw'), identityClientId: uai.clientId }] } });
  assert.equal(r.body.error.details[0].code, 'ForbiddenByFirewall');
  const ok = await apim.apiManagementService.beginUpdateAndWait(RG, SVC, { hostnameConfigurations: [...current, { type: 'Proxy', hostName: 'fw.contoso.com', keyVaultId: azureId(name, 'fw') }] });
  assert.equal(custom(ok, 'fw.contoso.com')!.certificate!.thumbprint, upper(fwCert.thumbprint));
  assert.equal(await served('fw.contoso.com'), upper(fwCert.thumbprint));
});

test('negotiateClientCertificate: the handshake asks for a client certificate and the request carries it (gateway trace)', async () => {
  const mtls = makeCertificate('mtls.contoso.com', 'pw');
  const client = makeCertificate('client.contoso.com', 'pw');
  const clientCert = { cert: certPem(client), key: client.keyPem };
  const current = (await apim.apiManagementService.get(RG, SVC)).hostnameConfigurations!.filter((h) => h.certificateSource !== 'BuiltIn');
  const updated = await apim.apiManagementService.beginUpdateAndWait(RG, SVC, {
    hostnameConfigurations: [...current, { type: 'Proxy', hostName: 'mtls.contoso.com', encodedCertificate: mtls.pfx.toString('base64'), certificatePassword: 'pw', negotiateClientCertificate: true }],
  });
  const h = custom(updated, 'mtls.contoso.com')!;
  assert.equal(h.certificateSource, 'Custom');
  // Neither the uploaded PFX nor its password is kept in the clear.
  const stored = storedText(server);
  assert.ok(!stored.includes(mtls.pfx.toString('base64').slice(0, 64)));
  assert.doesNotMatch(stored, /"certificatePassword":"pw"/);
  assert.equal(h.negotiateClientCertificate, true);
  assert.equal(h.certificatePassword, undefined);
  assert.equal(h.encodedCertificate, undefined);

  const traced = async (host: string, ca: string) => {
    const r = await get(host, ca, '/echo/cert', { ...clientCert, headers: { 'ocp-apim-trace': 'true' } });
    assert.equal(r.status, 200, r.body);
    const loc = r.headers['ocp-apim-trace-location'] as string;
    const t = await get(new URL(loc).hostname, ca, new URL(loc).pathname);
    assert.equal(t.status, 200, t.body);
    const trace = JSON.parse(t.body);
    workers.add(trace.gatewayWorker);
    const request = (trace.entries as { source: string; data: any }[]).find((e) => e.source === 'request')!;
    return request.data.clientCertificate as { thumbprint: string; subject: string } | undefined;
  };
  // Asked for and presented: context.Request.Certificate is the client's, in both gateway processes
  // (connections go to them in turn: call, trace, one more handshake, call lands on the other one).
  const workers = new Set<number>();
  for (let i = 0; i < 2; i++) {
    const seen = await traced('mtls.contoso.com', certPem(mtls));
    assert.equal(seen?.thumbprint, upper(client.thumbprint));
    assert.equal(seen?.subject, 'CN=client.contoso.com');
    await served('mtls.contoso.com');
  }
  assert.deepEqual([...workers].sort(), [0, 1]);
  // A hostname without negotiateClientCertificate never asks: the client's certificate is not sent.
  assert.equal(await traced('api.contoso.com', certPem(contoso2)), undefined);
});

test('identity rules: the identity a Key Vault certificate uses cannot be removed; after switching to an inline certificate it can', async () => {
  const current = (await apim.apiManagementService.get(RG, SVC)).hostnameConfigurations!.filter((h) => h.certificateSource !== 'BuiltIn');
  // The user-assigned identity of uai.contoso.com.
  await refused({ identity: { type: 'SystemAssigned' } }, 'InvalidParameters', /user-assigned \(clientId .*\) identity cannot be removed: hostname 'uai\.contoso\.com'/);
  // The system-assigned identity of api.contoso.com (and others).
  await refused({ identity: { type: 'UserAssigned', userAssignedIdentities: { [uai.id]: {} } } }, 'InvalidParameters', /system-assigned identity cannot be removed: hostname '(api|pinned|fw)\.contoso\.com' reads its certificate from Key Vault/);
  // Switch every Key Vault hostname to an inline certificate: now the identities can go.
  const inline = current.map((h) => ({ type: h.type, hostName: h.hostName, encodedCertificate: contoso2.pfx.toString('base64'), certificatePassword: 'pw-2' }));
  const switched = await apim.apiManagementService.beginUpdateAndWait(RG, SVC, { hostnameConfigurations: inline });
  assert.ok(switched.hostnameConfigurations!.filter((h) => h.certificateSource !== 'BuiltIn').every((h) => h.certificateSource === 'Custom' && !h.keyVaultId));
  const none = await apim.apiManagementService.beginUpdateAndWait(RG, SVC, { identity: { type: 'None' } });
  assert.equal(none.identity?.type ?? 'None', 'None');
  assert.equal(await served('api.contoso.com'), upper(contoso2.thumbprint));
});

test('command line: apim hostname set, list and remove', async () => {
  const dataDir = server.dataDir;
  const cliCert = makeCertificate('cli.contoso.com', 'pw');
  const name = uniqueVaultName('kvdomc');
  // SVC_NONE gets a system-assigned identity and a vault it may read.
  const withId = await apim.apiManagementService.beginUpdateAndWait(RG, SVC_NONE, { identity: { type: 'SystemAssigned' } });
  const v = await createVault(server, RG, name, { enableRbacAuthorization: false, accessPolicies: [adminPolicy(), readPolicy(withId.identity!.principalId!)] });
  await certificateClient(v.properties.vaultUri!, server.credential()).importCertificate('cli', cliCert.pfx, { password: 'pw' });

  const set = await runCli(['apim', 'hostname', 'set', '-g', RG, '-n', SVC_NONE, '--hostname-type', 'Proxy', '--hostname', 'cli.contoso.com', '--key-vault-id', azureId(name, 'cli')], { dataDir });
  assert.equal(set.code, 0, set.stderr);
  const shown = set.json();
  assert.equal(shown.hostName, 'cli.contoso.com');
  assert.equal(shown.certificateSource, 'KeyVault');
  assert.equal(shown.certificate.thumbprint, upper(cliCert.thumbprint));
  const list = await runCli(['apim', 'hostname', 'list', '-g', RG, '-n', SVC_NONE], { dataDir });
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(list.json().map((h: any) => h.hostName).sort(), ['cli.contoso.com', `${SVC_NONE}.azure-api.net`]);
  const wrong = await runCli(['apim', 'hostname', 'set', '-g', RG, '-n', SVC_NONE, '--hostname-type', 'Proxy', '--hostname', 'bad.contoso.com', '--key-vault-id', azureId(name, 'cli'), '--identity-client-id', crypto.randomUUID()], { dataDir });
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /Can not find Managed Identity with provided IdentityClientId/);
  const removed = await runCli(['apim', 'hostname', 'remove', '-g', RG, '-n', SVC_NONE, '--hostname-type', 'Proxy', '--hostname', 'cli.contoso.com'], { dataDir });
  assert.equal(removed.code, 0, removed.stderr);
  const after = await apim.apiManagementService.get(RG, SVC_NONE);
  assert.deepEqual(after.hostnameConfigurations!.map((h) => h.hostName), [`${SVC_NONE}.azure-api.net`]);
  const missing = await runCli(['apim', 'hostname', 'remove', '-g', RG, '-n', SVC_NONE, '--hostname-type', 'Proxy', '--hostname', 'cli.contoso.com'], { dataDir });
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /cli\.contoso\.com/);
});

test('after a restart the gateway serves the same certificates', async () => {
  const before = await served('api.contoso.com');
  assert.equal(before, upper(contoso2.thumbprint));
  await server.stop();
  server = await startTestServer({ dataDir: server.dataDir, args: ['--key-vault-refresh-interval', '1s', '--gateway-workers', '2'] });
  assert.equal(await served('api.contoso.com'), before);
  assert.notEqual(await served('mtls.contoso.com'), await served('localhost'));
});
