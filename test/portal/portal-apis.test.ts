// API Management's API blades in a real browser, each result checked through Resource Manager: the Test
// tab calling an API whose policy has authentication-managed-identity (the instance's system-assigned
// identity; a local backend that verifies the bearer token) and showing the trace step by step; a policy
// saved with an XML error shown at its line and column with the caret there; an API imported from
// OpenAPI; a subscription's keys shown and regenerated; a product, a backend and an Event Hub logger
// created from their blades.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createApimInstance } from '../helpers/apim.js';
import { policyXml, startVerifyingBackend, type VerifyingBackend } from '../helpers/gateway.js';
import { SKIP, startPortal, request, type PortalHarness } from './harness.js';

let h: PortalHarness;
let backend: VerifyingBackend;
const RG = 'apis-rg';
const SVC = 'apis-apim';
const POLICY = policyXml('<authentication-managed-identity resource="api://backend" />');

describe('portal: API Management APIs', { skip: SKIP }, () => {
  let svcId = '';
  const arm = async (method: string, p: string, body?: unknown) => request(`${h.server.connection.managementEndpoint}${svcId}${p}?api-version=2024-05-01`, {
    method, token: await h.adminToken(), headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const open = async (blade: string, heading: string) => {
    await h.page.goto(`${h.portalUrl}resource${svcId}/${blade}`);
    await h.page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };

  before(async () => {
    h = await startPortal();
    backend = await startVerifyingBackend(h.server, 'api://backend');
    const { apim, service } = await createApimInstance(h.server, RG, SVC, { type: 'SystemAssigned' });
    svcId = service.id!;
    await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'echo', { displayName: 'Echo', path: 'echo', serviceUrl: backend.url, protocols: ['https'], subscriptionRequired: false });
    await apim.apiOperation.createOrUpdate(RG, SVC, 'echo', 'get', { displayName: 'Get', method: 'GET', urlTemplate: '/*' });
    await apim.apiPolicy.createOrUpdate(RG, SVC, 'echo', 'policy', { format: 'rawxml', value: POLICY });
    await apim.subscription.createOrUpdate(RG, SVC, 'sub1', { displayName: 'Sub one', scope: '/apis', state: 'active' });
    await h.signInWithLink();
  });
  after(async () => { await h?.close(); await backend?.close(); });

  test('Test tab: Send shows the response and the trace, with the authentication-managed-identity step and the backend call', async () => {
    const { page } = h;
    await open('apis?api=echo&tab=test', 'APIs');
    await page.getByRole('tab', { name: 'Test', selected: true }).waitFor();
    await page.getByRole('textbox', { name: 'Header name' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByRole('textbox', { name: 'Header name' }).fill('x-from-portal');
    await page.getByRole('textbox', { name: 'Header value' }).fill('yes');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('heading', { name: 'Trace', level: 3 }).waitFor({ timeout: 30_000 });
    const inbound = page.getByRole('region', { name: 'Trace: inbound' });
    const step = inbound.getByRole('button', { name: /authentication-managed-identity/ });
    await step.waitFor();
    assert.match(await step.innerText(), /succeeded/);
    assert.match(await step.innerText(), /elapsed \d\d:\d\d:\d\d\.\d{7}/);
    await step.click();
    const data = await inbound.getByLabel('Step data').first().innerText();
    assert.match(data, /"outcome": "succeeded"/);
    const backendSection = page.getByRole('region', { name: 'Trace: backend' });
    const call = backendSection.getByRole('button', { name: /backend-request/ });
    await call.click();
    const callData = await backendSection.getByLabel('Step data').first().innerText();
    assert.ok(callData.includes(backend.url), `the backend call names the backend: ${callData}`);
    assert.match(callData, /"authorization": "Bearer \*\*\*"/, 'the managed identity token is masked in the trace');
    await h.checkBlade('apim-apis-test-trace');
    await page.getByRole('tab', { name: 'Message' }).click();
    await page.getByText('HTTP/1.1 200').waitFor();
    const body = await page.getByLabel('Response body').innerText();
    assert.match(body, /"token": "valid"/, 'the backend verified the instance\'s token');
    assert.match(body, /"x-from-portal": "yes"/, 'the header typed in the Test tab reached the backend');
  });

  test('a policy saved with an XML error shows its line and column, puts the caret there, and changes nothing', async () => {
    const { page } = h;
    await open('apis?api=echo', 'APIs');
    const editor = page.getByRole('textbox', { name: /^Policy document \(API Echo, all operations\)/ });
    await editor.waitFor();
    assert.equal(await editor.inputValue(), POLICY, 'the stored document is shown');
    const bad = policyXml('<forward-request />');
    await editor.fill(bad);
    await page.getByRole('button', { name: 'Save' }).click();
    const problem = page.getByRole('button', { name: /^Line 4, column 5: Error in element 'forward-request'/ });
    await problem.waitFor();
    // The caret is at line 4, column 5 of the document.
    const caret = await editor.evaluate((t: HTMLTextAreaElement) => ({ start: t.selectionStart, end: t.selectionEnd, focused: document.activeElement === t }));
    const lines = bad.split('\n');
    const expected = lines.slice(0, 3).reduce((n, l) => n + l.length + 1, 0) + 4;
    assert.deepEqual(caret, { start: expected, end: expected, focused: true });
    assert.equal(bad.slice(expected, expected + 16), '<forward-request');
    const stored = await arm('GET', '/apis/echo/policies/policy');
    assert.equal(stored.body.properties.value, POLICY, 'the refused document was not stored');
    await h.checkBlade('apim-apis-policy-error');
  });

  test('Import: an OpenAPI document pasted becomes an API with its operations (checked through ARM)', async () => {
    const { page } = h;
    await open('apis', 'APIs');
    await page.getByRole('button', { name: 'Import' }).click();
    const doc = {
      openapi: '3.0.1', info: { title: 'Petstore', version: '1.0' }, servers: [{ url: backend.url }],
      paths: { '/pets': { get: { operationId: 'listPets', summary: 'List pets', responses: { 200: { description: 'ok' } } } },
        '/pets/{petId}': { get: { operationId: 'showPetById', parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } } } },
    };
    await page.getByRole('textbox', { name: 'OpenAPI specification', exact: true }).fill(JSON.stringify(doc, null, 2));
    await page.getByRole('textbox', { name: 'API URL suffix' }).fill('petstore');
    assert.equal(await page.getByRole('textbox', { name: 'Name', exact: true }).inputValue(), 'petstore', 'the name comes from the document\'s title');
    await page.getByRole('dialog').getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Petstore', level: 2 }).waitFor();
    const ops = page.getByRole('table', { name: 'Operations' });
    await ops.getByRole('button', { name: 'List pets' }).waitFor();
    await ops.getByRole('cell', { name: '/pets/{petId}' }).waitFor();
    const api = await arm('GET', '/apis/petstore');
    assert.equal(api.status, 200, api.text);
    assert.equal(api.body.properties.displayName, 'Petstore');
    assert.equal(api.body.properties.path, 'petstore');
    assert.equal(api.body.properties.serviceUrl, backend.url);
    const listed = await arm('GET', '/apis/petstore/operations');
    assert.deepEqual(listed.body.value.map((o: { name: string }) => o.name).sort(), ['listPets', 'showPetById']);
    // Its Test tab: the API requires a subscription; picking one puts its key in the key header.
    await page.getByRole('tab', { name: 'Test' }).click();
    await page.getByRole('combobox', { name: 'Subscription key' }).click();
    await page.getByRole('option', { name: 'Sub one' }).click();
    const keys = (await arm('POST', '/subscriptions/sub1/listSecrets')).body;
    await page.getByRole('textbox', { name: 'Header name' }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Header name' }).inputValue(), 'Ocp-Apim-Subscription-Key');
    assert.equal(await page.getByRole('textbox', { name: 'Header value' }).inputValue(), keys.primaryKey);
  });

  test('Subscriptions: Show/hide keys reads them through listSecrets; Regenerate primary key replaces only that one', async () => {
    const { page } = h;
    await open('subscriptions', 'Subscriptions');
    const row = page.getByRole('table', { name: 'Subscriptions' }).getByRole('row').filter({ hasText: 'Sub one' });
    await row.waitFor();
    const primary = row.getByRole('cell', { name: 'Primary key of Sub one' });
    const secondary = row.getByRole('cell', { name: 'Secondary key of Sub one' });
    assert.equal(await primary.innerText(), '••••••••', 'keys are hidden until asked for');
    await h.checkBlade('apim-subscriptions');
    await row.getByRole('button', { name: 'Show/hide keys' }).click();
    const before = (await arm('POST', '/subscriptions/sub1/listSecrets')).body;
    await page.waitForFunction((el) => el?.textContent !== '••••••••', await primary.elementHandle());
    assert.equal(await primary.innerText(), before.primaryKey);
    assert.equal(await secondary.innerText(), before.secondaryKey);
    await row.getByRole('button', { name: 'Regenerate primary key' }).click();
    await page.getByRole('status').filter({ hasText: "The primary key of 'Sub one' was regenerated." }).waitFor();
    const after = (await arm('POST', '/subscriptions/sub1/listSecrets')).body;
    assert.notEqual(after.primaryKey, before.primaryKey, 'the primary key was regenerated');
    assert.equal(after.secondaryKey, before.secondaryKey, 'the secondary key stayed');
    assert.equal(await primary.innerText(), after.primaryKey, 'the shown key is the new one');
    await row.getByRole('button', { name: 'Show/hide keys' }).click();
    await page.waitForFunction((el) => el?.textContent === '••••••••', await primary.elementHandle());
  });

  test('Products, Backends, Loggers: created from their blades (checked through ARM)', async () => {
    const { page } = h;
    await open('products', 'Products');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('textbox', { name: 'Display name' }).fill('Starter');
    await page.getByRole('checkbox', { name: 'Published' }).check();
    await page.getByRole('checkbox', { name: 'Echo' }).check();
    await page.getByRole('dialog').getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('list', { name: 'APIs of product starter' }).getByText('Echo').waitFor();
    await h.checkBlade('apim-products');
    const product = await arm('GET', '/products/starter');
    assert.equal(product.body.properties.state, 'published');
    assert.deepEqual((await arm('GET', '/products/starter/apis')).body.value.map((a: { name: string }) => a.name), ['echo']);

    await open('backends', 'Backends');
    await page.getByRole('button', { name: 'Create new backend' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('orders');
    await page.getByRole('textbox', { name: 'Runtime URL' }).fill('https://orders.contoso.com/api');
    await page.getByRole('dialog').getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('table', { name: 'Backends' }).getByRole('cell', { name: 'https://orders.contoso.com/api' }).waitFor();
    await h.checkBlade('apim-backends');
    assert.equal((await arm('GET', '/backends/orders')).body.properties.url, 'https://orders.contoso.com/api');

    await open('loggers', 'Loggers');
    await page.getByRole('button', { name: 'Add Event Hub logger' }).click();
    await page.getByRole('textbox', { name: 'Logger name' }).fill('eh-logger');
    await page.getByRole('textbox', { name: 'Event hub name' }).fill('apim-events');
    await page.getByRole('textbox', { name: 'Endpoint address' }).fill('contoso-ns.servicebus.windows.net');
    await page.getByRole('combobox', { name: 'Managed identity' }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('table', { name: 'Loggers' }).getByRole('cell', { name: /apim-events at contoso-ns\.servicebus\.windows\.net, identity system-assigned/ }).waitFor();
    await h.checkBlade('apim-loggers');
    const logger = await arm('GET', '/loggers/eh-logger');
    assert.equal(logger.body.properties.loggerType, 'azureEventHub');
    assert.deepEqual(logger.body.properties.credentials, { name: 'apim-events', endpointAddress: 'contoso-ns.servicebus.windows.net', identityClientId: 'SystemAssigned' });
  });
});
