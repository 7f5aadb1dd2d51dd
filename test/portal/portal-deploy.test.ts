// "Deploy a custom template" in a real browser: the seed's system-assigned template uploaded from a
// file (Load file) and deployed, checked through Resource Manager; then a pasted template whose
// parameters of every type make the form (defaults, allowedValues, a masked secureString, validation),
// with live per-resource progress and outputs.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT } from '../helpers/server.js';
import { SKIP, startPortal, request, type PortalHarness } from './harness.js';

let h: PortalHarness;
const RG = 'deploy-rg';

describe('portal: deploy a custom template', { skip: SKIP }, () => {
  before(async () => {
    h = await startPortal();
    const r = await request(`${h.server.connection.managementEndpoint}/subscriptions/${h.server.connection.subscriptionId}/resourcegroups/${RG}?api-version=2021-04-01`, {
      method: 'PUT', token: await h.adminToken(), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ location: 'westeurope' }),
    });
    assert.equal(r.status, 201);
    await h.signInWithLink();
  });
  after(async () => { await h?.close(); });

  const rgId = () => `/subscriptions/${h.server.connection.subscriptionId}/resourceGroups/${RG}`;

  test('the seed\'s system-assigned template, uploaded: the instance is deployed with a system-assigned identity', async () => {
    const { page } = h;
    await page.getByRole('navigation', { name: 'Portal menu' }).getByRole('link', { name: 'Deploy a custom template' }).click();
    await page.getByRole('heading', { name: 'Custom deployment', level: 1 }).waitFor();
    await h.checkBlade('deploy-select-template');
    await page.getByLabel('Load file').setInputFiles(path.join(ROOT, 'test/fixtures/templates/seed/system-assigned.json'));
    await page.getByRole('textbox', { name: 'Template' }).filter({ hasText: 'Microsoft.ApiManagement/service' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('This template has no parameters.').waitFor();
    await page.getByRole('combobox', { name: 'Resource group' }).click();
    await page.getByRole('option', { name: RG }).click();
    await page.getByRole('textbox', { name: 'Deployment name' }).fill('seed-system-assigned');
    await h.checkBlade('deploy-basics');
    await page.getByRole('button', { name: 'Review + create' }).click();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'seed-system-assigned | Overview', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Your deployment is complete' }).waitFor({ timeout: 120_000 });
    const details = page.getByRole('table', { name: 'Deployment details' });
    await details.getByRole('row').filter({ hasText: 'contoso' }).filter({ hasText: 'Succeeded' }).waitFor();
    await h.checkBlade('deployment-overview');

    const token = await h.adminToken();
    const base = h.server.connection.managementEndpoint;
    const d = await request(`${base}${rgId()}/providers/Microsoft.Resources/deployments/seed-system-assigned?api-version=2021-04-01`, { token });
    assert.equal(d.body.properties.provisioningState, 'Succeeded');
    const svc = await request(`${base}${rgId()}/providers/Microsoft.ApiManagement/service/contoso?api-version=2024-05-01`, { token });
    assert.equal(svc.status, 200);
    assert.equal(svc.body.identity.type, 'SystemAssigned');
    assert.match(svc.body.identity.principalId, /^[0-9a-f-]{36}$/);
  });

  test('a pasted template: a parameters form from its parameters, a masked secureString, live progress and outputs', async () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: {
        identityName: { type: 'string', minLength: 3, metadata: { description: 'Name of the user-assigned identity.' } },
        location: { type: 'string', defaultValue: '[resourceGroup().location]' },
        tier: { type: 'string', defaultValue: 'Basic', allowedValues: ['Basic', 'Premium'] },
        count: { type: 'int', defaultValue: 2, minValue: 1, maxValue: 5 },
        enabled: { type: 'bool', defaultValue: true },
        adminPassword: { type: 'securestring' },
        extraTags: { type: 'object', defaultValue: { team: 'api' } },
      },
      resources: [{
        type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: "[parameters('identityName')]", location: "[parameters('location')]",
        tags: "[union(parameters('extraTags'), createObject('tier', parameters('tier'), 'count', string(parameters('count')), 'enabled', string(parameters('enabled'))))]",
      }],
      outputs: {
        principalId: { type: 'string', value: "[reference(parameters('identityName')).principalId]" },
        tier: { type: 'string', value: "[parameters('tier')]" },
      },
    };
    const { page } = h;
    await page.goto(`${h.portalUrl}create/Microsoft.Template`);
    await page.getByRole('textbox', { name: 'Template' }).fill('{ "resources": [ }');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText(/The template is not valid JSON/).waitFor();
    await page.getByRole('textbox', { name: 'Template' }).fill(JSON.stringify(template, null, 2));
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('combobox', { name: 'Resource group' }).click();
    await page.getByRole('option', { name: RG }).click();
    await page.getByRole('textbox', { name: 'Deployment name' }).fill('pasted');
    // One field per parameter, labelled as Azure's portal labels them, with the template's defaults.
    assert.equal(await page.getByRole('textbox', { name: 'Location' }).inputValue(), '[resourceGroup().location]');
    assert.equal(await page.getByRole('textbox', { name: 'Count' }).inputValue(), '2');
    await page.getByRole('textbox', { name: 'Identity Name' }).fill('ab');
    await page.getByText('The value must have at least 3 characters.').waitFor();
    await page.getByRole('textbox', { name: 'Identity Name' }).fill('pasted-identity');
    await page.getByRole('textbox', { name: 'Count' }).fill('9');
    await page.getByText('The value must be at most 5.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Review + create' }).isDisabled(), true);
    await page.getByRole('textbox', { name: 'Count' }).fill('3');
    await page.getByRole('combobox', { name: 'Tier' }).click();
    await page.getByRole('option', { name: 'Premium' }).click();
    await page.getByRole('combobox', { name: 'Enabled' }).click();
    await page.getByRole('option', { name: 'false' }).click();
    const password = page.getByLabel('Admin Password');
    assert.equal(await password.getAttribute('type'), 'password');
    await password.fill('S3cret-value!');
    await h.checkBlade('deploy-parameters');
    await page.getByRole('button', { name: 'Review + create' }).click();
    await page.getByText('••••••••').waitFor();
    assert.equal(await page.getByText('S3cret-value!').count(), 0);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Your deployment is complete' }).waitFor({ timeout: 60_000 });
    await page.getByRole('table', { name: 'Deployment details' }).getByRole('row').filter({ hasText: 'pasted-identity' }).filter({ hasText: 'Succeeded' }).waitFor();
    const outputs = page.getByRole('table', { name: 'Outputs' });
    await outputs.getByRole('row').filter({ hasText: 'tier' }).filter({ hasText: 'Premium' }).waitFor();

    const token = await h.adminToken();
    const base = h.server.connection.managementEndpoint;
    const identity = await request(`${base}${rgId()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/pasted-identity?api-version=2023-01-31`, { token });
    assert.equal(identity.status, 200);
    assert.equal(identity.body.location, 'westeurope');
    assert.deepEqual(identity.body.tags, { team: 'api', tier: 'Premium', count: '3', enabled: 'False' });
    await outputs.getByRole('row').filter({ hasText: identity.body.properties.principalId }).waitFor();
    const d = await request(`${base}${rgId()}/providers/Microsoft.Resources/deployments/pasted?api-version=2021-04-01`, { token });
    assert.equal(d.body.properties.parameters.adminPassword.type, 'SecureString');
    assert.equal(d.body.properties.parameters.adminPassword.value, undefined);
  });
});
