// Key Vault certificates with the unmodified @azure/keyvault-certificates (whose import drops `policy`):
// a PFX made here (with a password) and PEM, read back, the private key through the secrets API, a
// second version, policy, delete/recover/purge, and bad input (corrupt PFX, wrong password).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { ResourceManagementClient } from '@azure/arm-resources';
import type { CertificateClient } from '@azure/keyvault-certificates';
import type { SecretClient } from '@azure/keyvault-secrets';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ALL_PERMISSIONS, certificateClient, createVault, makeCertificate, openPfx, secretClient, uniqueVaultName } from '../helpers/keyvault.js';

const RG = 'kv-certs-rg';
let server: TestServer;
let vaultUri: string;
let certs: CertificateClient;
let secrets: SecretClient;
const first = makeCertificate('api.contoso.com', 'pfx-pass-1', ['api.contoso.com', 'www.contoso.com']);
const second = makeCertificate('api.contoso.com', 'pfx-pass-2');

before(async () => {
  server = await startTestServer();
  await new ResourceManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions()).resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
  const vault = await createVault(server, RG, uniqueVaultName('kvcert'), {
    enableRbacAuthorization: false,
    accessPolicies: [{ tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: ALL_PERMISSIONS }],
  });
  vaultUri = vault.properties.vaultUri!;
  certs = certificateClient(vaultUri, server.credential());
  secrets = secretClient(vaultUri, server.credential());
});
after(async () => { await server?.stop(); });

test('import a PFX with its password, read it back with its policy', async () => {
  const imported = await certs.importCertificate('gateway-cert', first.pfx, { password: 'pfx-pass-1', tags: { env: 'dev' } });
  assert.equal(imported.name, 'gateway-cert');
  assert.match(imported.properties.version!, /^[0-9a-f]{32}$/);
  assert.deepEqual(Buffer.from(imported.cer!), first.certDer);
  assert.equal(imported.properties.x509ThumbprintString, first.thumbprint);
  assert.equal(imported.secretId, `${vaultUri}secrets/gateway-cert/${imported.properties.version}`);
  assert.equal(imported.keyId, `${vaultUri}keys/gateway-cert/${imported.properties.version}`);
  assert.ok(imported.properties.expiresOn! > new Date());
  assert.ok(imported.properties.notBefore! < new Date());
  const got = await certs.getCertificate('gateway-cert');
  assert.equal(got.properties.version, imported.properties.version);
  assert.equal(got.policy?.contentType, 'application/x-pkcs12');
  assert.equal(got.policy?.subject, 'CN=api.contoso.com');
  assert.deepEqual(got.policy?.subjectAlternativeNames?.dnsNames, ['api.contoso.com', 'www.contoso.com']);
  assert.deepEqual(got.properties.tags, { env: 'dev' });
  const policy = await certs.getCertificatePolicy('gateway-cert');
  assert.equal(policy.contentType, 'application/x-pkcs12');
  assert.equal(policy.issuerName, 'Unknown');
});

test('the private key comes through the secrets API: a PFX without password, managed, with kid', async () => {
  const s = await secrets.getSecret('gateway-cert');
  assert.equal(s.properties.contentType, 'application/x-pkcs12');
  assert.equal(s.properties.managed, true);
  assert.match(s.properties.certificateKeyId!, /\/keys\/gateway-cert\/[0-9a-f]{32}$/);
  const { keyPem, certDer } = openPfx(s.value!);
  assert.deepEqual(certDer, first.certDer);
  assert.equal(crypto.createPublicKey(keyPem).export({ format: 'pem', type: 'spki' }), crypto.createPublicKey(first.keyPem).export({ format: 'pem', type: 'spki' }));
  // Usable as is for a TLS server (node reads a PFX with an empty password).
  tls.createSecureContext({ pfx: Buffer.from(s.value!, 'base64') });
  // The secret behind a certificate cannot be overwritten or deleted through the secrets API.
  await assert.rejects(secrets.setSecret('gateway-cert', 'x'), (e: any) => e.statusCode === 403);
});

test('a second version: latest moves, both versions stay readable', async () => {
  const v1 = (await certs.getCertificate('gateway-cert')).properties.version!;
  const v2cert = await certs.importCertificate('gateway-cert', second.pfx, { password: 'pfx-pass-2' });
  const v2 = v2cert.properties.version!;
  assert.notEqual(v2, v1);
  assert.equal((await certs.getCertificate('gateway-cert')).properties.version, v2);
  assert.deepEqual(Buffer.from((await certs.getCertificateVersion('gateway-cert', v1)).cer!), first.certDer);
  const versions: string[] = [];
  for await (const p of certs.listPropertiesOfCertificateVersions('gateway-cert')) versions.push(p.version!);
  assert.deepEqual(versions.sort(), [v1, v2].sort());
  assert.deepEqual(openPfx((await secrets.getSecret('gateway-cert')).value!).certDer, second.certDer);
  assert.deepEqual(openPfx((await secrets.getSecret('gateway-cert', { version: v1 })).value!).certDer, first.certDer);
  const names: string[] = [];
  for await (const p of certs.listPropertiesOfCertificates()) names.push(p.name!);
  assert.deepEqual(names, ['gateway-cert']);
});

test('PEM import keeps PEM: the secret is the key and the certificate', async () => {
  const pem = makeCertificate('pem.contoso.com', 'unused');
  const c = await certs.importCertificate('pem-cert', Buffer.from(pem.pem), { policy: { contentType: 'application/x-pem-file' } as any });
  assert.equal(c.policy?.contentType, 'application/x-pem-file');
  const s = await secrets.getSecret('pem-cert');
  assert.equal(s.properties.contentType, 'application/x-pem-file');
  assert.match(s.value!, /^-----BEGIN PRIVATE KEY-----[\s\S]+-----BEGIN CERTIFICATE-----/);
  assert.deepEqual(new crypto.X509Certificate(s.value!).raw, pem.certDer);
});

test('bad input: corrupt PFX, wrong password, no key: a clear 400 and nothing stored', async () => {
  await assert.rejects(certs.importCertificate('bad-cert', first.pfx, { password: 'wrong' }), (e: any) => {
    assert.equal(e.statusCode, 400);
    assert.match(e.message, /PFX password is incorrect/);
    return true;
  });
  await assert.rejects(certs.importCertificate('bad-cert', first.pfx), (e: any) => e.statusCode === 400 && /password/.test(e.message));
  const corrupt = Buffer.from(first.pfx);
  corrupt.fill(0x41, 40, 400);
  const invalidPfx = (e: any) => e.statusCode === 400 && e.code === 'BadParameter' && /^The specified PKCS#12 \(PFX\) content is invalid: /.test(e.message);
  await assert.rejects(certs.importCertificate('bad-cert', corrupt.subarray(0, 500), { password: 'pfx-pass-1' }), invalidPfx);
  await assert.rejects(certs.importCertificate('bad-cert', Buffer.from('not a certificate at all!'), {}), invalidPfx);
  const certOnly = Buffer.from(first.pem.slice(first.pem.indexOf('-----BEGIN CERTIFICATE')));
  await assert.rejects(certs.importCertificate('bad-cert', certOnly, { policy: { contentType: 'application/x-pem-file' } as any }), (e: any) => {
    assert.equal(e.statusCode, 400);
    assert.match(e.message, /Private key is not specified/);
    return true;
  });
  await assert.rejects(certs.getCertificate('bad-cert'), (e: any) => e.statusCode === 404);
  await assert.rejects(secrets.getSecret('bad-cert'), (e: any) => e.statusCode === 404);
  await assert.rejects(certs.importCertificate('bad_name', first.pfx, { password: 'pfx-pass-1' }),
    (e: any) => e.statusCode === 400 && e.code === 'BadParameter' && e.message === 'The request URI contains an invalid name: bad_name');
});

test('delete, deleted, recover, delete, purge (the secret goes with the certificate)', async () => {
  const deleted = await (await certs.beginDeleteCertificate('pem-cert')).pollUntilDone();
  assert.equal(deleted.recoveryId, `${vaultUri}deletedcertificates/pem-cert`);
  await assert.rejects(certs.getCertificate('pem-cert'), (e: any) => e.statusCode === 404);
  await assert.rejects(secrets.getSecret('pem-cert'), (e: any) => e.statusCode === 404);
  const names: string[] = [];
  for await (const d of certs.listDeletedCertificates()) names.push(d.name!);
  assert.deepEqual(names, ['pem-cert']);
  await assert.rejects(certs.importCertificate('pem-cert', first.pfx, { password: 'pfx-pass-1' }), (e: any) => e.statusCode === 409);
  await (await certs.beginRecoverDeletedCertificate('pem-cert')).pollUntilDone();
  assert.equal((await secrets.getSecret('pem-cert')).properties.contentType, 'application/x-pem-file');
  await (await certs.beginDeleteCertificate('pem-cert')).pollUntilDone();
  await certs.purgeDeletedCertificate('pem-cert');
  await assert.rejects(certs.getDeletedCertificate('pem-cert'), (e: any) => e.statusCode === 404);
  await certs.importCertificate('pem-cert', first.pfx, { password: 'pfx-pass-1' });
});

test('the SQLite file holds no private key and no PFX password in clear', async () => {
  await server.stop();
  const dbFile = path.join(server.dataDir, 'apim-local.db');
  const bytes = Buffer.concat([dbFile, `${dbFile}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
  for (const c of [first, second]) {
    const keyBody = c.keyPem.split('\n').slice(1, 3).join('');
    assert.equal(bytes.indexOf(Buffer.from(keyBody)), -1, 'a private key is in clear');
    const der = crypto.createPrivateKey(c.keyPem).export({ format: 'der', type: 'pkcs8' });
    assert.equal(bytes.indexOf(der.subarray(40, 120)), -1, 'a private key (DER) is in clear');
  }
  for (const pw of ['pfx-pass-1', 'pfx-pass-2']) assert.equal(bytes.indexOf(Buffer.from(pw)), -1, `the PFX password '${pw}' is in the database`);
  assert.notEqual(bytes.indexOf(Buffer.from(first.certDer.toString('base64').slice(0, 60))), -1, 'the public certificate is there (the search works)');
});
