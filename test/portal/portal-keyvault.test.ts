// The seed's Key Vault portal steps in a browser, each checked through Resource Manager or the vault
// afterwards: Access configuration (the permission model), an access policy with Get/List on secrets and
// certificates for an API Management instance's system-assigned identity (+ Create: Permissions,
// Principal, Review + create), "Key Vault Certificate User" for a managed identity through Access
// control (IAM) > Add role assignment (Role, Members > Managed identity > + Select members), a secret and
// a PFX certificate imported and listed through the vault's data plane, and Networking with trusted
// Microsoft services allowed and the client's IP in the firewall.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { SKIP, startPortal, type PortalHarness } from './harness.js';
import { createApimInstance, all } from '../helpers/apim.js';
import { certificateClient, createVault, kvm, makeCertificate, secretClient, ALL_PERMISSIONS } from '../helpers/keyvault.js';
import { tempDir } from '../helpers/server.js';

const RG = 'rg-portal-kv';
const VAULT = 'kv-portal-seed';
const APIM = 'apim-portal-kv';
const UAI = 'id-portal-kv';
const CERT_USER = 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba';

let h: PortalHarness;
let vaultId: string;
let vaultUri: string;
let apimPrincipal: string;
let uaiPrincipal: string;

const blade = (name: string) => `${h.portalUrl}resource${vaultId}/${name}`;
const oidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { oid: string }).oid;

describe('portal: key vault', { skip: SKIP }, () => {
  before(async () => {
    h = await startPortal();
    const { service } = await createApimInstance(h.server, RG, APIM, { type: 'SystemAssigned' });
    apimPrincipal = service.identity!.principalId!;
    const msi = new ManagedServiceIdentityClient(h.server.credential(), h.server.connection.subscriptionId, h.server.armOptions());
    uaiPrincipal = (await msi.userAssignedIdentities.createOrUpdate(RG, UAI, { location: 'westeurope' })).principalId!;
    // The admin may use the vault's data plane (as the vault's creator does in Azure's portal); the firewall starts off
    // without the trusted-services bypass so that the Networking step has something to turn on.
    const vault = await createVault(h.server, RG, VAULT, {
      accessPolicies: [{ tenantId: h.server.connection.tenantId, objectId: oidOf(await h.adminToken()), permissions: ALL_PERMISSIONS }],
      enableRbacAuthorization: true,
      networkAcls: { bypass: 'None', defaultAction: 'Allow', ipRules: [], virtualNetworkRules: [] },
    });
    vaultId = vault.id!;
    vaultUri = vault.properties.vaultUri!;
    await h.signInWithLink();
  });
  after(async () => { await h?.close(); });

  test('Overview and Access configuration: the permission model noted, then set to Vault access policy', async () => {
    await h.page.goto(blade('overview'));
    await h.page.getByText(vaultUri).waitFor();
    await h.page.getByText('Azure role-based access control').waitFor();
    await h.checkBlade('keyvault-overview');
    await h.page.getByRole('navigation', { name: 'Resource menu' }).getByRole('link', { name: 'Access configuration' }).click();
    await h.page.getByRole('heading', { name: 'Access configuration', level: 1 }).waitFor();
    const rbac = h.page.getByRole('radio', { name: /Azure role-based access control/ });
    await rbac.waitFor();
    assert.equal(await rbac.isChecked(), true);
    await h.checkBlade('keyvault-access-configuration');
    await h.page.getByRole('radio', { name: 'Vault access policy' }).check();
    await h.page.getByRole('button', { name: 'Apply' }).click();
    await h.page.getByText('The permission model was updated.').waitFor();
    assert.equal((await kvm(h.server).vaults.get(RG, VAULT)).properties.enableRbacAuthorization, false);
  });

  test('Access policies > + Create: Get and List on secrets and certificates for the instance\'s system-assigned identity', async () => {
    await h.page.goto(blade('accesspolicies'));
    await h.page.getByRole('heading', { name: 'Access policies', level: 1 }).waitFor();
    await h.page.getByRole('table', { name: 'Access policies' }).waitFor();
    await h.checkBlade('keyvault-access-policies');
    await h.page.getByRole('toolbar').getByRole('button', { name: 'Create' }).click();
    for (const group of ['Secret permissions', 'Certificate permissions']) {
      const g = h.page.getByRole('group', { name: group, exact: true });
      await g.getByRole('checkbox', { name: 'Get', exact: true }).check();
      await g.getByRole('checkbox', { name: 'List', exact: true }).check();
    }
    await h.page.getByRole('button', { name: 'Next' }).click();
    await h.page.getByRole('searchbox', { name: 'Select principal' }).fill(APIM);
    await h.page.getByRole('radio', { name: new RegExp(`^${APIM} \\(API Management\\)`) }).check();
    await h.page.getByRole('button', { name: 'Next' }).click();
    await h.page.getByText(`Principal: ${APIM} (${apimPrincipal})`).waitFor();
    await h.page.getByRole('region', { name: 'Create an access policy' }).getByRole('button', { name: 'Create', exact: true }).click();
    await h.page.getByText(`The access policy for '${APIM}' was created.`).waitFor();
    await h.page.getByRole('table', { name: 'Access policies' }).getByRole('cell', { name: APIM, exact: true }).waitFor();

    const vault = await kvm(h.server).vaults.get(RG, VAULT);
    const policy = vault.properties.accessPolicies?.find((p) => p.objectId === apimPrincipal);
    assert.ok(policy, 'the policy is in the vault');
    assert.deepEqual(policy.permissions.secrets?.map((x) => x.toLowerCase()).sort(), ['get', 'list']);
    assert.deepEqual(policy.permissions.certificates?.map((x) => x.toLowerCase()).sort(), ['get', 'list']);
    assert.deepEqual(policy.permissions.keys ?? [], []);
  });

  test('Access control (IAM) > Add role assignment: Key Vault Certificate User for a managed identity, then Remove', async () => {
    await h.page.goto(blade('iam'));
    await h.page.getByRole('heading', { name: 'Access control (IAM)', level: 1 }).waitFor();
    await h.page.getByRole('button', { name: 'Add role assignment' }).click();
    await h.page.getByRole('searchbox', { name: 'Search by role name or description' }).fill('Key Vault Certificate');
    await h.page.getByRole('radio', { name: 'Key Vault Certificate User', exact: true }).check();
    await h.page.getByRole('button', { name: 'Next' }).click();
    await h.page.getByRole('radio', { name: 'Managed identity' }).check();
    await h.page.getByRole('button', { name: 'Select members' }).click();
    const dialog = h.page.getByRole('dialog', { name: 'Select managed identities' });
    await dialog.getByRole('combobox', { name: 'Managed identity' }).click();
    await h.page.getByRole('option', { name: 'User-assigned managed identity' }).click();
    await dialog.getByRole('checkbox', { name: UAI }).check();
    await dialog.getByRole('button', { name: 'Select', exact: true }).click();
    await h.page.getByRole('table', { name: 'Selected members' }).getByRole('cell', { name: uaiPrincipal }).waitFor();
    await h.page.getByRole('button', { name: 'Next' }).click();
    await h.page.getByText(`Members: ${UAI}`).waitFor();
    await h.page.getByRole('region', { name: 'Add role assignment' }).getByRole('button', { name: 'Review + assign' }).click();
    const row = h.page.getByRole('table', { name: 'Role assignments' }).getByRole('row').filter({ hasText: 'Key Vault Certificate User' }).filter({ hasText: UAI });
    await row.waitFor();
    await h.checkBlade('keyvault-iam');

    const authz = new AuthorizationManagementClient(h.server.credential(), h.server.connection.subscriptionId, h.server.armOptions());
    const mine = async () => (await all(authz.roleAssignments.listForScope(vaultId))).filter((a) => a.principalId === uaiPrincipal);
    const made = await mine();
    assert.equal(made.length, 1);
    assert.match(made[0].roleDefinitionId!, new RegExp(`/roleDefinitions/${CERT_USER}$`, 'i'));
    assert.equal(made[0].scope!.toLowerCase(), vaultId.toLowerCase());

    await row.getByRole('button', { name: 'Remove' }).click();
    await h.page.getByText('The role assignment was removed.').waitFor();
    assert.deepEqual(await mine(), []);
  });

  test('Secrets and Certificates: a secret and a PFX certificate imported, listed with their versions', async () => {
    await h.page.goto(blade('secrets'));
    await h.page.getByText('There are no secrets available.').or(h.page.getByRole('alert')).first().waitFor();
    assert.equal(await h.page.getByRole('alert').count(), 0, await h.page.getByRole('alert').allInnerTexts().then((t) => t.join()));
    await h.page.getByRole('button', { name: 'Generate/Import' }).click();
    await h.page.getByRole('textbox', { name: 'Name' }).fill('backend-key');
    await h.page.getByLabel('Secret value').fill('s3cr3t-from-the-portal');
    await h.page.getByRole('button', { name: 'Create', exact: true }).click();
    await h.page.getByText("The secret 'backend-key' was created.").waitFor();
    await h.page.getByRole('table', { name: 'Secrets' }).getByRole('button', { name: 'backend-key' }).click();
    await h.page.getByRole('table', { name: 'backend-key: versions' }).getByRole('row').nth(1).waitFor();
    await h.checkBlade('keyvault-secrets');
    assert.equal((await secretClient(vaultUri, h.server.credential()).getSecret('backend-key')).value, 's3cr3t-from-the-portal');

    const cert = makeCertificate('api.contoso.com', 'pfx-pass');
    const file = path.join(tempDir('apim-local-portal-kv-'), 'gateway.pfx');
    fs.writeFileSync(file, cert.pfx);
    await h.page.goto(blade('certificates'));
    await h.page.getByText('There are no certificates available.').waitFor();
    await h.page.getByRole('button', { name: 'Generate/Import' }).click();
    await h.page.getByRole('textbox', { name: 'Certificate Name' }).fill('gateway-cert');
    await h.page.getByLabel('Upload Certificate File').setInputFiles(file);
    await h.page.getByLabel('Password').fill('pfx-pass');
    await h.page.getByRole('button', { name: 'Create', exact: true }).click();
    await h.page.getByText("The certificate 'gateway-cert' was imported.").waitFor();
    const listed = h.page.getByRole('table', { name: 'Certificates' }).getByRole('row').filter({ hasText: 'gateway-cert' });
    await listed.getByText(cert.thumbprint.toUpperCase()).waitFor();
    await listed.getByRole('button', { name: 'gateway-cert' }).click();
    await h.page.getByRole('table', { name: 'gateway-cert: versions' }).getByRole('row').nth(1).waitFor();
    await h.checkBlade('keyvault-certificates');
    const stored = await certificateClient(vaultUri, h.server.credential()).getCertificate('gateway-cert');
    assert.equal(Buffer.from(stored.properties.x509Thumbprint!).toString('hex'), cert.thumbprint);
  });

  test('Networking: selected networks, trusted Microsoft services allowed, the client IP added; the vault still answers the portal', async () => {
    await h.page.goto(blade('networking'));
    await h.page.getByRole('heading', { name: 'Networking', level: 1 }).waitFor();
    const trusted = h.page.getByRole('checkbox', { name: 'Allow trusted Microsoft services to bypass this firewall' });
    assert.equal(await trusted.isChecked(), false);
    await h.page.getByRole('radio', { name: 'Allow public access from specific virtual networks and IP addresses' }).check();
    await trusted.check();
    await h.page.getByRole('textbox', { name: 'IPv4 address or CIDR' }).fill('127.0.0.1');
    await h.page.getByRole('button', { name: 'Add IP address' }).click();
    await h.page.getByRole('textbox', { name: 'IPv4 address or CIDR' }).fill('203.0.113.7');
    await h.page.getByRole('button', { name: 'Add IP address' }).click();
    await h.page.getByRole('button', { name: 'Remove 203.0.113.7' }).click();
    await h.checkBlade('keyvault-networking');
    await h.page.getByRole('button', { name: 'Apply' }).click();
    await h.page.getByText('The firewall settings were saved.').waitFor();

    const acls = (await kvm(h.server).vaults.get(RG, VAULT)).properties.networkAcls!;
    assert.equal(acls.defaultAction, 'Deny');
    assert.equal(acls.bypass, 'AzureServices');
    assert.deepEqual(acls.ipRules?.map((r) => r.value.replace(/\/32$/, '')), ['127.0.0.1']);
    // The browser's address is the one allowed: the data plane still lists the secret.
    await h.page.goto(blade('secrets'));
    await h.page.getByRole('table', { name: 'Secrets' }).getByRole('button', { name: 'backend-key' }).waitFor();
  });
});
