// API Management list operations with `$filter`, driven by the unmodified @azure/arm-apimanagement:
// APIs, operations, named values (tags with any/all), products and their APIs, subscriptions and
// backends; the filter applies before $skip/$top and nextLink keeps it; a bad filter is 400 ValidationError.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { createApimInstance } from '../helpers/apim.js';
import { startTestServer, request, postgresStoreUrl, type TestServer } from '../helpers/server.js';

let server: TestServer;
let apim: ApiManagementClient;
let token: string;
const RG = 'filter-rg';
const SVC = 'filter-apim';

const names = async (it: AsyncIterable<{ name?: string }>): Promise<string[]> => {
  const out: string[] = [];
  for await (const x of it) out.push(x.name!);
  return out.sort();
};
const svcUrl = () => `${server.connection.managementEndpoint}/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;
const rawGet = (path: string, query: Record<string, string>) => {
  const q = new URLSearchParams({ ...query, 'api-version': '2024-05-01' });
  return request(`${svcUrl()}${path}?${q.toString()}`, { method: 'GET', token });
};
/** A list whose first page is refused. */
const rejectsValidation = (list: AsyncIterable<{ name?: string }>, message: string | RegExp) => assert.rejects(names(list), (e: any) => {
  assert.equal(e.statusCode, 400);
  assert.equal(e.code, 'ValidationError');
  if (typeof message === 'string') assert.equal(e.message, message); else assert.match(e.message, message);
  return true;
});

before(async () => {
  server = await startTestServer({ store: postgresStoreUrl() });
  ({ apim } = await createApimInstance(server, RG, SVC));
  token = (await server.credential().getToken('https://management.azure.com/.default')).token;

  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'alpha', { displayName: 'Alpha API', path: 'alpha', serviceUrl: 'https://alpha.example.com' });
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'beta', { displayName: 'Beta API', path: 'shop/beta', description: 'Orders and baskets' });
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'gamma', { displayName: "Gamma's API", path: 'gamma' });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'alpha', 'get-user', {
    displayName: 'Get user', method: 'GET', urlTemplate: '/users/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }],
  });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'alpha', 'create-user', { displayName: 'Create user', method: 'POST', urlTemplate: '/users' });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'alpha', 'list-orders', { displayName: 'List orders', method: 'GET', urlTemplate: '/orders' });
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'nv-a', { displayName: 'alpha-key', value: '1', tags: ['env-prod', 'team-a'] });
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'nv-b', { displayName: 'beta-key', value: '2', tags: ['env-dev'] });
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'nv-c', { displayName: 'gamma-url', value: '3' });
  await apim.product.createOrUpdate(RG, SVC, 'gold', { displayName: 'Gold', description: 'Everything', terms: 'Pay monthly', state: 'published' });
  await apim.product.createOrUpdate(RG, SVC, 'silver', { displayName: 'Silver', description: 'Some things' });
  await apim.productApi.createOrUpdate(RG, SVC, 'gold', 'alpha');
  await apim.productApi.createOrUpdate(RG, SVC, 'gold', 'beta');
  await apim.subscription.createOrUpdate(RG, SVC, 's1', { displayName: 'Gold subscriber', scope: '/products/gold', state: 'active' });
  await apim.subscription.createOrUpdate(RG, SVC, 's2', { displayName: 'All APIs', scope: '/apis', state: 'suspended' });
  await apim.subscription.createOrUpdate(RG, SVC, 's3', { displayName: 'Alpha only', scope: '/apis/alpha', state: 'active' });
  await apim.backend.createOrUpdate(RG, SVC, 'orders', { url: 'https://orders.example.com/api', protocol: 'http', title: 'Orders' });
  await apim.backend.createOrUpdate(RG, SVC, 'billing', { url: 'http://billing.internal', protocol: 'http', title: 'Billing' });
});
after(async () => { await server?.stop(); });

test('apis: name, properties and isCurrent filters, case-insensitive values and field names', async () => {
  assert.deepEqual(await names(apim.api.listByService(RG, SVC, { filter: "startswith(name,'a')" })), ['alpha']);
  assert.deepEqual(await names(apim.api.listByService(RG, SVC, { filter: "contains(properties/path,'SHOP')" })), ['beta']);
  assert.deepEqual(await names(apim.api.listByService(RG, SVC, { filter: "displayName eq 'gamma''s api'" })), ['gamma']);
  assert.deepEqual(await names(apim.api.listByService(RG, SVC, { filter: "isCurrent eq true and (name eq 'alpha' or name eq 'GAMMA')" })), ['alpha', 'gamma']);
  assert.deepEqual(await names(apim.api.listByService(RG, SVC, { filter: 'serviceUrl eq null' })), ['beta', 'gamma']);
  assert.deepEqual(await names(apim.api.listByService(RG, SVC, { filter: "not substringof('orders', description) and name ge 'b'" })), ['gamma']);
  assert.deepEqual(await names(apim.api.listByService(RG, SVC, { filter: "name eq 'nothing'" })), []);
});

test('apis: the filter applies before $skip and $top; nextLink keeps it; count is the matches', async () => {
  // Through the SDK: one item a page, all pages followed by nextLink.
  assert.deepEqual(await names(apim.api.listByService(RG, SVC, { filter: "name ne 'beta'", top: 1 })), ['alpha', 'gamma']);
  assert.deepEqual(await names(apim.api.listByService(RG, SVC, { filter: "name ne 'beta'", skip: 1 })), ['gamma']);
  const first = await rawGet('/apis', { $filter: "name ne 'beta'", $top: '1' });
  assert.equal(first.status, 200);
  const body = first.body as { value: { name: string }[]; count: number; nextLink: string };
  assert.deepEqual(body.value.map((a) => a.name), ['alpha']);
  assert.equal(body.count, 2);
  assert.equal(new URL(body.nextLink).searchParams.get('$filter'), "name ne 'beta'");
  const second = await request(body.nextLink, { method: 'GET', token });
  const page2 = second.body as { value: { name: string }[]; nextLink?: string };
  assert.deepEqual(page2.value.map((a) => a.name), ['gamma']);
  assert.equal(page2.nextLink, undefined);
});

test('operations: method, urlTemplate, displayName', async () => {
  assert.deepEqual(await names(apim.apiOperation.listByApi(RG, SVC, 'alpha', { filter: "method eq 'get'" })), ['get-user', 'list-orders']);
  assert.deepEqual(await names(apim.apiOperation.listByApi(RG, SVC, 'alpha', { filter: "startswith(urlTemplate,'/users')" })), ['create-user', 'get-user']);
  assert.deepEqual(await names(apim.apiOperation.listByApi(RG, SVC, 'alpha', { filter: "endswith(displayName,'user') and method ne 'POST'" })), ['get-user']);
  // An API without operations still checks the filter.
  await rejectsValidation(apim.apiOperation.listByApi(RG, SVC, 'gamma', { filter: "path eq 'x'" }),
    "Filtering by 'path' is not supported (position 0 in 'path eq 'x''). Supported fields: name, displayName, method, description, urlTemplate.");
});

test('named values: tags with any/all, displayName; tags eq is refused as Azure does', async () => {
  assert.deepEqual(await names(apim.namedValue.listByService(RG, SVC, { filter: "tags/any(t: t eq 'env-prod')" })), ['nv-a']);
  assert.deepEqual(await names(apim.namedValue.listByService(RG, SVC, { filter: "tags/any(t: startswith(t,'env-'))" })), ['nv-a', 'nv-b']);
  assert.deepEqual(await names(apim.namedValue.listByService(RG, SVC, { filter: "tags/all(t: t ne 'env-dev')" })), ['nv-a', 'nv-c']);
  assert.deepEqual(await names(apim.namedValue.listByService(RG, SVC, { filter: 'not tags/any()' })), ['nv-c']);
  assert.deepEqual(await names(apim.namedValue.listByService(RG, SVC, { filter: "contains(displayName,'-KEY')" })), ['nv-a', 'nv-b']);
  await rejectsValidation(apim.namedValue.listByService(RG, SVC, { filter: "tags eq 'env-prod'" }),
    "The operand for a binary operator 'Equal' is not a single value. Binary operators require both operands to be single values.");
  await rejectsValidation(apim.namedValue.listByService(RG, SVC, { filter: "name eq 'nv-a'" }), /^Filtering by 'name' is not supported .*Supported fields: tags, displayName\.$/);
});

test('products and the APIs of a product', async () => {
  assert.deepEqual(await names(apim.product.listByService(RG, SVC, { filter: "state eq 'published'" })), ['gold']);
  assert.deepEqual(await names(apim.product.listByService(RG, SVC, { filter: "contains(terms,'month') or description eq 'some things'" })), ['gold', 'silver']);
  await rejectsValidation(apim.product.listByService(RG, SVC, { filter: "state ne 'published'" }),
    "The operator 'ne' is not supported for 'state' (position 6 in 'state ne 'published''). Supported operators for 'state': eq.");
  assert.deepEqual(await names(apim.productApi.listByProduct(RG, SVC, 'gold', { filter: "path eq 'shop/beta'" })), ['beta']);
  assert.deepEqual(await names(apim.productApi.listByProduct(RG, SVC, 'gold', {})), ['alpha', 'beta']);
  await rejectsValidation(apim.productApi.listByProduct(RG, SVC, 'gold', { filter: 'isCurrent eq true' }), /^Filtering by 'isCurrent' is not supported/);
});

test('subscriptions: productId, scope, state', async () => {
  assert.deepEqual(await names(apim.subscription.list(RG, SVC, { filter: "productId eq 'gold'" })), ['s1']);
  assert.deepEqual(await names(apim.subscription.list(RG, SVC, { filter: "state eq 'active'" })), ['s1', 's3']);
  assert.deepEqual(await names(apim.subscription.list(RG, SVC, { filter: "endswith(scope,'/apis/alpha') or displayName eq 'all apis'" })), ['s2', 's3']);
  await rejectsValidation(apim.subscription.list(RG, SVC, { filter: "startswith(state,'a')" }),
    "The function 'startswith' is not supported for 'state' (position 0 in 'startswith(state,'a')'). Supported functions for 'state': none.");
});

test('backends: name, title, url', async () => {
  assert.deepEqual(await names(apim.backend.listByService(RG, SVC, { filter: "startswith(url,'https://')" })), ['orders']);
  assert.deepEqual(await names(apim.backend.listByService(RG, SVC, { filter: "title eq 'BILLING' or name eq 'orders'" })), ['billing', 'orders']);
});

test("syntax and type errors are 400 ValidationError with Microsoft.OData's text and the position", async () => {
  await rejectsValidation(apim.api.listByService(RG, SVC, { filter: "name eq 'alpha" }), "There is an unterminated string literal at position 8 in 'name eq 'alpha'.");
  await rejectsValidation(apim.api.listByService(RG, SVC, { filter: 'name eq "alpha"' }), `Syntax error: character '"' is not valid at position 8 in 'name eq "alpha"'.`);
  await rejectsValidation(apim.api.listByService(RG, SVC, { filter: "name eq 'a' and" }), "Expression expected at position 15 in 'name eq 'a' and'.");
  await rejectsValidation(apim.api.listByService(RG, SVC, { filter: "isCurrent eq 'true'" }),
    "A binary operator with incompatible types was detected. Found operand types 'Edm.Boolean' and 'Edm.String' for operator kind 'Equal'.");
  await rejectsValidation(apim.backend.listByService(RG, SVC, { filter: "tolower(title) eq 'orders'" }), /^The function 'tolower' is not supported \(position 0 in /);
  const res = await rawGet('/apis', { $filter: 'name' });
  assert.equal(res.status, 400);
  assert.deepEqual(res.body, { error: { code: 'ValidationError', message: 'The $filter expression must evaluate to a single boolean value.' } });
});
