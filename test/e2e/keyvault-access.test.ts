// The seed's "Configure Key Vault access using a managed identity", step by step: an API Management
// instance's system-assigned identity reads a certificate from a vault with an access policy (Get and
// List on secrets, granted with the template's accessPolicies/add) and from a vault with Azure RBAC
// (Key Vault Certificate User); without it, 403 with Key Vault's code. Then the firewall: Deny +
// AzureServices lets only the gateway's in-process read with the system-assigned identity through.
//
// The gateway's reads are in process (KeyVaultPlane.gatewayReader), so this file runs the real server in
// its own process (src/main.ts startServer, same HTTPS listeners); everything else goes through the SDKs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { request } from '../helpers/server.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { ALL_PERMISSIONS, certificateClient, kvm, makeCertificate, openPfx, secretClient, uniqueVaultName } from '../helpers/keyvault.js';

const RG = 'kv-access-rg';
const CERT_USER = 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba';
let server: InProcessServer;
let sub: string;
let apimId: string;
let systemPrincipal: string;
let uai: { id: string; principalId: string; clientId: string };
let policyVault: { name: string; uri: string };
let rbacVault: { name: string; uri: string };
const cert = makeCertificate('api.contoso.com', 'pw');
const kvRef = (vault: string, name = 'gateway-cert', version?: string) => `https://${vault}.vault.azure.net/secrets/${name}${version ? `/${version}` : ''}`;

function expectKvError(status: number, inner: string, message?: RegExp) {
  return (e: any) => {
    assert.equal(e.status, status, e.message);
    assert.equal(e.code, 'Forbidden');
    assert.equal(e.body?.innererror?.code, inner, e.message);
    if (message) assert.match(e.message, message);
    return true;
  };
}

before(async () => {
  server = await startInProcessServer();
  sub = server.connection.subscriptionId;
  const cred = server.credential();
  await new ResourceManagementClient(cred, sub, server.armOptions()).resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
  const u = await new ManagedServiceIdentityClient(cred, sub, server.armOptions()).userAssignedIdentities.createOrUpdate(RG, 'gw-uai', { location: 'westeurope' });
  uai = { id: u.id!, principalId: u.principalId!, clientId: u.clientId! };
  const svc = await new ApiManagementClient(cred, sub, server.armOptions()).apiManagementService.beginCreateOrUpdateAndWait(RG, 'apim-kv-seed', {
    location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'admin@contoso.com', publisherName: 'Contoso',
    identity: { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [uai.id]: {} } },
  });
  apimId = svc.id!;
  systemPrincipal = svc.identity!.principalId!;

  const admin = { tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: ALL_PERMISSIONS };
  const p = await kvm(server as any).vaults.createOrUpdate(RG, uniqueVaultName('kvpol'), {
    location: 'westeurope', properties: { tenantId: server.connection.tenantId, sku: { family: 'A', name: 'standard' }, accessPolicies: [admin], enableRbacAuthorization: false },
  });
  policyVault = { name: p.name!, uri: p.properties.vaultUri! };
  // api-version 2026-02-01 (arm-keyvault 5): a new vault uses Azure RBAC unless told otherwise.
  const r = await kvm(server as any).vaults.createOrUpdate(RG, uniqueVaultName('kvrbac'), {
    location: 'westeurope', properties: { tenantId: server.connection.tenantId, sku: { family: 'A', name: 'standard' } },
  });
  assert.equal(r.properties.enableRbacAuthorization, true);
  rbacVault = { name: r.name!, uri: r.properties.vaultUri! };
  // The admin (Owner on the subscription) has no data action: give it Key Vault Administrator on the RBAC vault.
  await new AuthorizationManagementClient(cred, sub, server.armOptions()).roleAssignments.create(r.id!, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/00482a5a-887f-4fb3-b363-3b7fe8e74483`,
    principalId: server.connection.objectId, principalType: 'ServicePrincipal',
  });
  for (const v of [policyVault, rbacVault]) await certificateClient(v.uri, cred).importCertificate('gateway-cert', cert.pfx, { password: 'pw' });
});
after(async () => { await server?.close(); });

const read = (vault: string, identity?: { clientId: string }, version?: string) =>
  server.keyVault.gatewayReader.read({ instanceId: apimId, identity, secretIdentifier: kvRef(vault, 'gateway-cert', version) });

test('access policy vault: without a policy the identity gets 403 AccessDenied naming it', async () => {
  await assert.rejects(read(policyVault.name), expectKvError(403, 'AccessDenied',
    new RegExp(`'appid=[0-9a-f-]+;oid=${systemPrincipal};iss=.*' does not have secrets get permission on key vault '${policyVault.name};location=westeurope'`)));
});

test("the seed's template step (accessPolicies/add, Get and List on secrets) lets the system-assigned identity read the certificate", async () => {
  const added = await kvm(server as any).vaults.updateAccessPolicy(RG, policyVault.name, 'add', {
    properties: { accessPolicies: [{ tenantId: server.connection.tenantId, objectId: systemPrincipal, permissions: { secrets: ['get', 'list'] } }] },
  });
  assert.equal(added.properties.accessPolicies.length, 1);
  const vault = await kvm(server as any).vaults.get(RG, policyVault.name);
  assert.equal(vault.properties.accessPolicies!.length, 2);
  const got = await read(policyVault.name);
  assert.equal(got.contentType, 'application/x-pkcs12');
  assert.match(got.version, /^[0-9a-f]{32}$/);
  assert.equal(got.id, `${policyVault.uri}secrets/gateway-cert/${got.version}`);
  assert.deepEqual(openPfx(got.value).certDer, cert.certDer);
  // A new version shows up as a new version (rotation).
  const next = makeCertificate('api.contoso.com', 'pw2');
  await certificateClient(policyVault.uri, server.credential()).importCertificate('gateway-cert', next.pfx, { password: 'pw2' });
  const rotated = await read(policyVault.name);
  assert.notEqual(rotated.version, got.version);
  assert.deepEqual(openPfx(rotated.value).certDer, next.certDer);
  assert.equal((await read(policyVault.name, undefined, got.version)).version, got.version, 'a pinned version stays');
  // add merges; remove takes the permissions away again.
  await kvm(server as any).vaults.updateAccessPolicy(RG, policyVault.name, 'add', {
    properties: { accessPolicies: [{ tenantId: server.connection.tenantId, objectId: systemPrincipal, permissions: { certificates: ['get'] } }] },
  });
  const merged = (await kvm(server as any).vaults.get(RG, policyVault.name)).properties.accessPolicies!.find((p) => p.objectId === systemPrincipal)!;
  assert.deepEqual({ s: merged.permissions.secrets, c: merged.permissions.certificates }, { s: ['get', 'list'], c: ['get'] });
  await kvm(server as any).vaults.updateAccessPolicy(RG, policyVault.name, 'remove', {
    properties: { accessPolicies: [{ tenantId: server.connection.tenantId, objectId: systemPrincipal, permissions: { secrets: ['get'] } }] },
  });
  await assert.rejects(read(policyVault.name), expectKvError(403, 'AccessDenied'));
  await kvm(server as any).vaults.updateAccessPolicy(RG, policyVault.name, 'replace', {
    properties: { accessPolicies: [{ tenantId: server.connection.tenantId, objectId: systemPrincipal, permissions: { secrets: ['get', 'list'] } }] },
  });
  assert.equal((await read(policyVault.name)).version, rotated.version);
});

test('RBAC vault: 403 ForbiddenByRbac without a role; Key Vault Certificate User reads the certificate', async () => {
  await assert.rejects(read(rbacVault.name), expectKvError(403, 'ForbiddenByRbac', /Action: 'Microsoft\.KeyVault\/vaults\/secrets\/getSecret\/action'/));
  const vaultId = `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.KeyVault/vaults/${rbacVault.name}`;
  await new AuthorizationManagementClient(server.credential(), sub, server.armOptions()).roleAssignments.create(vaultId, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${CERT_USER}`, principalId: systemPrincipal, principalType: 'ServicePrincipal',
  });
  const got = await read(rbacVault.name);
  assert.deepEqual(openPfx(got.value).certDer, cert.certDer);
  // The role reads, it does not write: the same identity over HTTP cannot set a secret.
  const { token } = await server.entra.managedIdentities.tokenFor(apimId, {}, 'https://vault.azure.net');
  const r = await request(`${rbacVault.uri}secrets/new-one?api-version=2025-07-01`, { method: 'PUT', token: token.accessToken, headers: { 'content-type': 'application/json' }, body: '{"value":"x"}' });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.innererror.code, 'ForbiddenByRbac');
});

test('firewall Deny + AzureServices: only the in-process read with the system-assigned identity passes', async () => {
  // The user-assigned identity gets the same access policy, so only the firewall tells them apart.
  await kvm(server as any).vaults.updateAccessPolicy(RG, policyVault.name, 'add', {
    properties: { accessPolicies: [{ tenantId: server.connection.tenantId, objectId: uai.principalId, permissions: { secrets: ['get', 'list'] } }] },
  });
  assert.ok((await read(policyVault.name, { clientId: uai.clientId })).version, 'the user-assigned identity reads while the firewall is open');
  const updated = await kvm(server as any).vaults.update(RG, policyVault.name, { properties: { networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [] } } });
  assert.equal(updated.properties.networkAcls?.defaultAction, 'Deny');

  assert.ok((await read(policyVault.name)).version, 'the gateway with the system-assigned identity is a trusted service');
  await assert.rejects(read(policyVault.name, { clientId: uai.clientId }), expectKvError(403, 'ForbiddenByFirewall', /Client address is not authorized and caller is not a trusted service\.\r\nClient address: 127\.0\.0\.1/));
  // The system-assigned identity's own token, sent over HTTP from outside, is no trusted service.
  const { token } = await server.entra.managedIdentities.tokenFor(apimId, {}, 'https://vault.azure.net');
  const outside = await request(`${policyVault.uri}secrets/gateway-cert/?api-version=2025-07-01`, { token: token.accessToken });
  assert.equal(outside.status, 403);
  assert.equal(outside.body.error.innererror.code, 'ForbiddenByFirewall');
  assert.match(outside.body.error.message, /Client address: 127\.0\.0\.1/);
  // The admin from 127.0.0.1: refused, then allowed once 127.0.0.1 is in ipRules (az keyvault network-rule add).
  const adminSecrets = secretClient(policyVault.uri, server.credential());
  await assert.rejects(adminSecrets.getSecret('gateway-cert'), (e: any) => e.statusCode === 403 && /ForbiddenByFirewall|Client address/.test(e.message));
  const withRule = await kvm(server as any).vaults.update(RG, policyVault.name, { properties: { networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [{ value: '127.0.0.1' }] } } });
  assert.deepEqual(withRule.properties.networkAcls?.ipRules, [{ value: '127.0.0.1/32' }]);
  assert.equal((await adminSecrets.getSecret('gateway-cert')).properties.contentType, 'application/x-pkcs12');
  // bypass None: not even the system-assigned identity passes (the gateway's address is 127.0.0.1, now allowed: remove the rule).
  await kvm(server as any).vaults.update(RG, policyVault.name, { properties: { networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: [] } } });
  await assert.rejects(read(policyVault.name), expectKvError(403, 'ForbiddenByFirewall'));
});
