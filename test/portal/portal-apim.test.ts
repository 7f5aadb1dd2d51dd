// The seed's API Management portal steps in a real browser, each checked through Resource Manager
// afterwards: Security > Managed identities, System assigned: Status On, Save (the principal appears,
// with its Azure role assignments); User assigned: Add, search and select an identity; Custom domains:
// + Add a Proxy hostname with a certificate picked from Key Vault, read with the user-assigned identity;
// Named values: + Add from Key Vault with the system-assigned identity; then removing it all (domain,
// user-assigned identity, system-assigned identity), each after a confirmation dialog. The vault, its
// certificate and secret, and the identities' access are set up with the official SDKs.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { createApimInstance } from '../helpers/apim.js';
import { ALL_PERMISSIONS, certificateClient, createVault, kvm, makeCertificate, secretClient, uniqueVaultName } from '../helpers/keyvault.js';
import { SKIP, startPortal, request, type PortalHarness } from './harness.js';

const RG = 'portal-apim-rg';
const SVC = 'portal-apim';
const UAI = 'portal-apim-uai';
const KV_CERT_USER = 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba';
const cert = makeCertificate('api.contoso.com', 'pw-1');

let h: PortalHarness;
let apim: ApiManagementClient;
let svcId: string;
let vaultName: string;
let vaultId: string;
let vaultUri: string;
let uai: { id: string; clientId: string; principalId: string };

describe('portal: API Management instance', { skip: SKIP }, () => {
  before(async () => {
    h = await startPortal();
    const cred = h.server.credential();
    const sub = h.server.connection.subscriptionId;
    apim = (await createApimInstance(h.server, RG, SVC)).apim;
    svcId = `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;
    const u = await new ManagedServiceIdentityClient(cred, sub, h.server.armOptions()).userAssignedIdentities.createOrUpdate(RG, UAI, { location: 'westeurope' });
    uai = { id: u.id!, clientId: u.clientId!, principalId: u.principalId! };
    vaultName = uniqueVaultName('kvportal');
    // Access policies: the admin (who signs in to the portal) manages it; the user-assigned identity reads secrets.
    const v = await createVault(h.server, RG, vaultName, {
      enableRbacAuthorization: false,
      accessPolicies: [
        { tenantId: h.server.connection.tenantId, objectId: h.server.connection.objectId, permissions: ALL_PERMISSIONS },
        { tenantId: h.server.connection.tenantId, objectId: uai.principalId, permissions: { secrets: ['get', 'list'] } },
      ],
    });
    vaultId = v.id!;
    vaultUri = v.properties.vaultUri!;
    await certificateClient(vaultUri, cred).importCertificate('contoso', cert.pfx, { password: 'pw-1' });
    await secretClient(vaultUri, cred).setSecret('backend-key', 'kv-value-123');
    await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'hidden', { displayName: 'hidden', secret: true, value: 'do-not-show-42' });
    await h.signInWithLink();
  });
  after(async () => { await h?.close(); });

  const service = () => apim.apiManagementService.get(RG, SVC);
  const menu = (name: string) => h.page.getByRole('navigation', { name: 'Resource menu' }).getByRole('link', { name, exact: true });

  test('Overview, then Security > Managed identities: System assigned Status On, Save; the principal and its role assignments show', async () => {
    const { page } = h;
    await page.goto(`${h.portalUrl}resource${svcId}/overview`);
    await page.getByRole('heading', { name: SVC, level: 1 }).waitFor();
    const gatewayUrl = (await service()).gatewayUrl!;
    await page.getByText(gatewayUrl).waitFor();
    await h.checkBlade('apim-overview');

    await menu('Managed identities').click();
    await page.getByRole('heading', { name: 'Managed identities', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'System assigned' }).click();
    await h.checkBlade('apim-managed-identities');
    assert.equal(await page.getByRole('button', { name: 'Save' }).isDisabled(), true, 'nothing to save yet');
    await page.getByRole('radio', { name: 'On', exact: true }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Object (principal) ID', { exact: true }).waitFor();

    const s = await service();
    assert.equal(s.identity?.type, 'SystemAssigned');
    assert.match(s.identity!.principalId!, /^[0-9a-f-]{36}$/);
    await page.getByText(s.identity!.principalId!).waitFor();

    // The seed's RBAC step (Key Vault Certificate User on the vault), made here with the SDK: the blade lists it.
    const authz = new AuthorizationManagementClient(h.server.credential(), h.server.connection.subscriptionId, h.server.armOptions());
    await authz.roleAssignments.create(vaultId, crypto.randomUUID(), {
      roleDefinitionId: `/subscriptions/${h.server.connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KV_CERT_USER}`,
      principalId: s.identity!.principalId!, principalType: 'ServicePrincipal',
    });
    await page.getByRole('button', { name: 'Azure role assignments' }).click();
    const roles = page.getByRole('table', { name: 'Azure role assignments' });
    await roles.getByRole('row').filter({ hasText: 'Key Vault Certificate User' }).filter({ hasText: vaultName }).waitFor();
  });

  test('User assigned: Add, search and select the identity, Add', async () => {
    const { page } = h;
    await page.getByRole('tab', { name: 'User assigned' }).click();
    await page.getByText('No user assigned managed identities found on this resource.').waitFor();
    await page.getByRole('toolbar', { name: 'User assigned commands' }).getByRole('button', { name: 'Add' }).click();
    const panel = page.getByRole('dialog', { name: 'Add user assigned managed identity' });
    await panel.getByRole('searchbox').fill(UAI);
    await panel.getByRole('checkbox', { name: `${UAI} (${RG})` }).check();
    await h.checkBlade('apim-add-user-assigned');
    await panel.getByRole('button', { name: 'Add', exact: true }).click();
    const table = page.getByRole('table', { name: 'User assigned managed identities' });
    await table.getByRole('row').filter({ hasText: UAI }).filter({ hasText: uai.clientId }).waitFor();

    const s = await service();
    assert.equal(s.identity?.type, 'SystemAssigned, UserAssigned');
    const entry = Object.entries(s.identity!.userAssignedIdentities!).find(([k]) => k.toLowerCase() === uai.id.toLowerCase());
    assert.ok(entry, 'the identity is on the instance');
    assert.equal(entry[1].clientId, uai.clientId);
  });

  test('Custom domains: + Add a Proxy hostname with a Key Vault certificate read by the user-assigned identity, Save', async () => {
    const { page } = h;
    await menu('Custom domains').click();
    await page.getByRole('heading', { name: 'Custom domains', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Custom domains' }).getByRole('row').filter({ hasText: `${SVC}.azure-api.net` }).waitFor();
    await h.checkBlade('apim-custom-domains');
    await page.getByRole('toolbar', { name: 'Custom domains commands' }).getByRole('button', { name: 'Add' }).click();
    const panel = page.getByRole('dialog', { name: 'Add custom domain' });
    await panel.getByRole('textbox', { name: 'Hostname' }).fill('api.contoso.com');
    await panel.getByRole('combobox', { name: 'Key vault' }).click();
    await page.getByRole('option', { name: new RegExp(`^${vaultName} `) }).click();
    await panel.getByRole('combobox', { name: 'Certificate' }).click();
    await page.getByRole('option', { name: 'contoso' }).click();
    assert.equal(await panel.getByRole('textbox', { name: 'Secret identifier' }).inputValue(), `${vaultUri}secrets/contoso`);
    await panel.getByRole('combobox', { name: 'Client identity' }).click();
    await page.getByRole('option', { name: `${UAI} (user assigned)` }).click();
    await h.checkBlade('apim-add-custom-domain');
    await panel.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    const row = page.getByRole('table', { name: 'Custom domains' }).getByRole('row').filter({ hasText: 'api.contoso.com' });
    await row.filter({ hasText: cert.thumbprint.toUpperCase() }).filter({ hasText: 'Completed' }).waitFor();

    const hn = (await service()).hostnameConfigurations!.find((x) => x.hostName === 'api.contoso.com');
    assert.ok(hn);
    assert.equal(hn.type, 'Proxy');
    assert.equal(hn.certificateSource, 'KeyVault');
    assert.equal(hn.certificateStatus, 'Completed');
    assert.equal(hn.keyVaultId, `${vaultUri}secrets/contoso`);
    assert.equal(hn.identityClientId, uai.clientId);
    assert.equal(hn.certificate?.thumbprint, cert.thumbprint.toUpperCase());
  });

  test('Named values: + Add from Key Vault with the system-assigned identity; secrets stay masked', async () => {
    const { page } = h;
    const principalId = (await service()).identity!.principalId!;
    await kvm(h.server).vaults.updateAccessPolicy(RG, vaultName, 'add', {
      properties: { accessPolicies: [{ tenantId: h.server.connection.tenantId, objectId: principalId, permissions: { secrets: ['get', 'list'] } }] },
    });
    await menu('Named values').click();
    await page.getByRole('heading', { name: 'Named values', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Named values' });
    await table.getByRole('row').filter({ hasText: 'hidden' }).filter({ hasText: '••••••' }).waitFor();
    assert.equal(await page.getByText('do-not-show-42').count(), 0, 'a secret value is never shown');
    await h.checkBlade('apim-named-values');

    await page.getByRole('toolbar', { name: 'Named values commands' }).getByRole('button', { name: 'Add' }).click();
    const panel = page.getByRole('dialog', { name: 'Add named value' });
    await panel.getByRole('textbox', { name: 'Name', exact: true }).fill('backend-key');
    await panel.getByRole('radio', { name: 'Key vault' }).check();
    await panel.getByRole('combobox', { name: 'Key vault' }).click();
    await page.getByRole('option', { name: new RegExp(`^${vaultName} `) }).click();
    await panel.getByRole('combobox', { name: 'Secret', exact: true }).click();
    await page.getByRole('option', { name: 'backend-key' }).click();
    await panel.getByRole('combobox', { name: 'Client identity' }).click();
    await page.getByRole('option', { name: 'System assigned' }).click();
    await panel.getByRole('button', { name: 'Save' }).click();
    await table.getByRole('row').filter({ hasText: `${vaultUri}secrets/backend-key` }).filter({ hasText: 'Success' }).waitFor();

    const nv = await apim.namedValue.get(RG, SVC, 'backend-key');
    assert.equal(nv.displayName, 'backend-key');
    assert.equal(nv.keyVault?.secretIdentifier, `${vaultUri}secrets/backend-key`);
    assert.equal(nv.keyVault?.identityClientId ?? null, null);
    assert.equal(nv.keyVault?.lastStatus?.code, 'Success');
    assert.equal((await apim.namedValue.listValue(RG, SVC, 'backend-key')).value, 'kv-value-123');

    // Refresh secret reads the new version now.
    await secretClient(vaultUri, h.server.credential()).setSecret('backend-key', 'kv-value-456');
    await table.getByRole('row').filter({ hasText: 'backend-key' }).getByRole('button', { name: 'Refresh secret' }).click();
    await page.getByRole('status').getByText("The secret of 'backend-key' was read from Key Vault again.").waitFor();
    assert.equal((await apim.namedValue.listValue(RG, SVC, 'backend-key')).value, 'kv-value-456');
  });

  test('remove identities: the domain first (Delete, Save), then the user-assigned and system-assigned identities, each confirmed', async () => {
    const { page } = h;
    await menu('Custom domains').click();
    const row = page.getByRole('table', { name: 'Custom domains' }).getByRole('row').filter({ hasText: 'api.contoso.com' });
    await row.getByRole('button', { name: 'Delete' }).click();
    // The confirmation dialog too gets axe (and screenshots) while it is open.
    await h.checkBlade('apim-confirm-dialog', { dialog: true });
    await page.getByRole('alertdialog', { name: 'Delete custom domain' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await service()).hostnameConfigurations!.some((x) => x.hostName === 'api.contoso.com'), false);

    await menu('Managed identities').click();
    await page.getByRole('tab', { name: 'User assigned' }).click();
    await page.getByRole('checkbox', { name: `Select ${UAI}` }).check();
    await page.getByRole('toolbar', { name: 'User assigned commands' }).getByRole('button', { name: 'Remove' }).click();
    const confirmRemove = page.getByRole('alertdialog', { name: 'Remove user assigned managed identity' });
    await confirmRemove.getByRole('button', { name: 'Yes' }).click();
    await page.getByText('No user assigned managed identities found on this resource.').waitFor();
    assert.equal((await service()).identity?.type, 'SystemAssigned');

    await page.getByRole('tab', { name: 'System assigned' }).click();
    await page.getByRole('radio', { name: 'Off', exact: true }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    // Cancel first: nothing changes.
    await page.getByRole('alertdialog', { name: 'Disable system assigned managed identity' }).getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await service()).identity?.type, 'SystemAssigned');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alertdialog', { name: 'Disable system assigned managed identity' }).getByRole('button', { name: 'Yes' }).click();
    await page.getByText('Object (principal) ID', { exact: true }).waitFor({ state: 'detached' });
    const s = await service();
    assert.equal(s.identity === undefined || s.identity.type === 'None', true, `identity after removal: ${JSON.stringify(s.identity)}`);
  });
  test('a Reader sees Save and Add disabled, with the reason', async () => {
    const { page, server } = h;
    const token = await h.adminToken();
    const base = server.connection.managementEndpoint;
    const app = await request(`${base}/apim-local/applications`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'apim-reader' }) });
    assert.ok(app.status === 200 || app.status === 201, app.text);
    const assignment = await request(`${base}/subscriptions/${server.connection.subscriptionId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`, {
      method: 'PUT', token, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { roleDefinitionId: `/subscriptions/${server.connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`, principalId: app.body.objectId, principalType: 'ServicePrincipal' } }),
    });
    assert.equal(assignment.status, 201, assignment.text);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Application (client) ID').fill(app.body.appId);
    await page.getByLabel('Client secret').fill(app.body.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('banner').getByText(`Signed in as application ${app.body.appId}`).waitFor();
    await page.goto(`${h.portalUrl}resource${svcId}/managedidentities`);
    await page.getByRole('heading', { name: 'Managed identities', level: 1 }).waitFor();
    await page.getByText(/You do not have permission to perform 'Microsoft.ApiManagement\/service\/write' at scope '[^']+'\./).first().waitFor();
    await page.getByRole('radio', { name: 'On', exact: true }).check();
    assert.equal(await page.getByRole('button', { name: 'Save' }).isDisabled(), true, 'a Reader cannot save');
    await page.getByRole('tab', { name: 'User assigned' }).click();
    await page.getByText(/You do not have permission to perform 'Microsoft.ApiManagement\/service\/write'/).first().waitFor();
    assert.equal(await page.getByRole('toolbar', { name: 'User assigned commands' }).getByRole('button', { name: 'Add' }).isDisabled(), true);
    const after = (await service()).identity;
    assert.ok(after === undefined || after.type === 'None', 'nothing changed');
  });
});
