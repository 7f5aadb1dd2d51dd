// @azure/keyvault-secrets and @azure/keyvault-certificates as a managed identity: the real
// ManagedIdentityCredential (App Service protocol, IDENTITY_ENDPOINT + IDENTITY_HEADER from
// POST /apim-local/identity-env) acting as an API Management instance's system-assigned identity, which
// an access policy lets manage secrets and certificates. MSAL keeps one managed identity source per
// process, so this file uses only this one identity through ManagedIdentityCredential.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManagedIdentityCredential } from '@azure/identity';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { CertificateClient } from '@azure/keyvault-certificates';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { identityEnv } from '../helpers/mi.js';
import { ALL_PERMISSIONS, certificateClient, createVault, makeCertificate, openPfx, secretClient, uniqueVaultName } from '../helpers/keyvault.js';

const RG = 'kv-mi-rg';
let server: TestServer;
let secrets: SecretClient;
let certs: CertificateClient;
let principalId: string;

before(async () => {
  server = await startTestServer();
  const cred = server.credential();
  const sub = server.connection.subscriptionId;
  await new ResourceManagementClient(cred, sub, server.armOptions()).resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
  const svc = await new ApiManagementClient(cred, sub, server.armOptions()).apiManagementService.beginCreateOrUpdateAndWait(RG, 'apim-kv-mi', {
    location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'admin@contoso.com', publisherName: 'Contoso',
    identity: { type: 'SystemAssigned' },
  });
  principalId = svc.identity!.principalId!;
  const vault = await createVault(server, RG, uniqueVaultName('kvmi'), {
    enableRbacAuthorization: false,
    accessPolicies: [{ tenantId: server.connection.tenantId, objectId: principalId, permissions: ALL_PERMISSIONS }],
  });
  const env = await identityEnv(server, svc.id!);
  process.env.IDENTITY_ENDPOINT = env.IDENTITY_ENDPOINT;
  process.env.IDENTITY_HEADER = env.IDENTITY_HEADER;
  const mi = new ManagedIdentityCredential();
  secrets = secretClient(vault.properties.vaultUri!, mi);
  certs = certificateClient(vault.properties.vaultUri!, mi);
});
after(async () => { await server?.stop(); });

test('as the managed identity: secrets set, get, list, versions, delete, recover, purge', async () => {
  const v1 = await secrets.setSecret('mi-secret', 'from-managed-identity-1');
  await secrets.setSecret('mi-secret', 'from-managed-identity-2');
  assert.equal((await secrets.getSecret('mi-secret')).value, 'from-managed-identity-2');
  assert.equal((await secrets.getSecret('mi-secret', { version: v1.properties.version })).value, 'from-managed-identity-1');
  const names: string[] = [];
  for await (const p of secrets.listPropertiesOfSecrets()) names.push(p.name);
  assert.deepEqual(names, ['mi-secret']);
  let versions = 0;
  for await (const _ of secrets.listPropertiesOfSecretVersions('mi-secret')) versions++;
  assert.equal(versions, 2);
  await (await secrets.beginDeleteSecret('mi-secret')).pollUntilDone();
  await (await secrets.beginRecoverDeletedSecret('mi-secret')).pollUntilDone();
  assert.equal((await secrets.getSecret('mi-secret')).value, 'from-managed-identity-2');
  await (await secrets.beginDeleteSecret('mi-secret')).pollUntilDone();
  await secrets.purgeDeletedSecret('mi-secret');
  await assert.rejects(secrets.getDeletedSecret('mi-secret'), (e: any) => e.statusCode === 404);
});

test('as the managed identity: import a PFX, read it, download its private key, import a second version', async () => {
  const first = makeCertificate('mi.contoso.com', 'mi-pass');
  const c1 = await certs.importCertificate('mi-cert', first.pfx, { password: 'mi-pass' });
  assert.deepEqual(Buffer.from((await certs.getCertificate('mi-cert')).cer!), first.certDer);
  const s = await secrets.getSecret('mi-cert');
  assert.equal(s.properties.contentType, 'application/x-pkcs12');
  assert.deepEqual(openPfx(s.value!).certDer, first.certDer);
  const second = makeCertificate('mi.contoso.com', 'mi-pass-2');
  const c2 = await certs.importCertificate('mi-cert', second.pfx, { password: 'mi-pass-2' });
  assert.notEqual(c2.properties.version, c1.properties.version);
  assert.deepEqual(openPfx((await secrets.getSecret('mi-cert')).value!).certDer, second.certDer);
});

test('the same vault refuses the admin application, which has no access policy there', async () => {
  const admin = secretClient((await secrets.getSecret('mi-cert')).properties.vaultUrl + '/', server.credential());
  await assert.rejects(admin.getSecret('mi-cert'), (e: any) => {
    assert.equal(e.statusCode, 403);
    assert.match(e.message, new RegExp(`oid=${server.connection.objectId};.*does not have secrets get permission`));
    return true;
  });
});
