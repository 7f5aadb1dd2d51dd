// API Management configuration with the unmodified @azure/arm-apimanagement: subscriptions (keys hidden,
// listSecrets, regenerate), named values (plain and secret, listValue, in use by a policy), and policies
// at the four scopes. Secrets are sealed at rest: the store never holds them in clear.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { all, createApimInstance, instanceRequester, storedText } from '../helpers/apim.js';
import { startTestServer, request, type TestServer } from '../helpers/server.js';

let server: TestServer;
let apim: ApiManagementClient;
let token: string;
const RG = 'cfg-sec-rg';
const SVC = 'cfg-secrets';

const { svcId, raw } = instanceRequester(() => server, RG, SVC, () => token);
const fieldError = (e: any) => e.details?.error?.details?.[0];

before(async () => {
  server = await startTestServer();
  const cred = server.credential();
  ({ apim } = await createApimInstance(server, RG, SVC));
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'orders', { displayName: 'Orders', path: 'orders' });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'orders', 'list', { displayName: 'List', method: 'GET', urlTemplate: '/' });
  await apim.product.createOrUpdate(RG, SVC, 'gold', { displayName: 'Gold', state: 'published' });
  token = (await cred.getToken('https://management.azure.com/.default')).token;
});
after(async () => { await server?.stop(); });

test('subscriptions: keys generated, hidden on GET and list, returned by listSecrets, regenerated', async () => {
  const created = await apim.subscription.createOrUpdate(RG, SVC, 'sub1', { displayName: 'Sub 1', scope: '/apis', state: 'active', allowTracing: true });
  assert.equal(created.type, 'Microsoft.ApiManagement/service/subscriptions');
  assert.equal(created.scope, `${svcId()}/apis`, 'the scope is answered as a full id');
  assert.equal(created.state, 'active');
  assert.equal(created.allowTracing, true);
  assert.equal(created.primaryKey, undefined);
  assert.equal(created.secondaryKey, undefined);
  const got = await apim.subscription.get(RG, SVC, 'sub1');
  assert.equal(got.primaryKey, undefined);
  for (const s of await all(apim.subscription.list(RG, SVC))) assert.equal(s.primaryKey, undefined);

  const keys = await apim.subscription.listSecrets(RG, SVC, 'sub1');
  assert.match(keys.primaryKey!, /^[0-9a-f]{32}$/);
  assert.match(keys.secondaryKey!, /^[0-9a-f]{32}$/);
  assert.notEqual(keys.primaryKey, keys.secondaryKey);
  assert.ok(!storedText(server).includes(keys.primaryKey!), 'the primary key is not stored in clear');

  await apim.subscription.regeneratePrimaryKey(RG, SVC, 'sub1');
  const after1 = await apim.subscription.listSecrets(RG, SVC, 'sub1');
  assert.notEqual(after1.primaryKey, keys.primaryKey);
  assert.equal(after1.secondaryKey, keys.secondaryKey);
  await apim.subscription.regenerateSecondaryKey(RG, SVC, 'sub1');
  const after2 = await apim.subscription.listSecrets(RG, SVC, 'sub1');
  assert.equal(after2.primaryKey, after1.primaryKey);
  assert.notEqual(after2.secondaryKey, keys.secondaryKey);

  // Given keys are kept; a PATCH keeps the keys and changes the state.
  const given = await apim.subscription.createOrUpdate(RG, SVC, 'sub2', { displayName: 'Sub 2', scope: 'apis/orders'.replace(/^/, '/'), primaryKey: 'my-primary-key', secondaryKey: 'my-secondary-key' });
  assert.equal(given.scope, `${svcId()}/apis/orders`);
  assert.equal(given.state, 'submitted', 'created as Submitted when no state is given, as Azure');
  const patched = await apim.subscription.update(RG, SVC, 'sub2', '*', { state: 'suspended' });
  assert.equal(patched.state, 'suspended');
  const givenKeys = await apim.subscription.listSecrets(RG, SVC, 'sub2');
  assert.deepEqual([givenKeys.primaryKey, givenKeys.secondaryKey], ['my-primary-key', 'my-secondary-key']);

  const product = await apim.subscription.createOrUpdate(RG, SVC, 'sub3', { displayName: 'Sub 3', scope: `${svcId()}/products/gold` });
  assert.equal(product.scope, `${svcId()}/products/gold`);

  await assert.rejects(apim.subscription.createOrUpdate(RG, SVC, 'bad', { displayName: 'Bad', scope: '/products/none' }),
    (e: any) => e.statusCode === 400 && fieldError(e)?.target === 'scope');
  await assert.rejects(apim.subscription.createOrUpdate(RG, SVC, 'bad', { displayName: 'Bad', scope: '/users/1' }),
    (e: any) => e.statusCode === 400 && e.code === 'ValidationError');

  await apim.subscription.delete(RG, SVC, 'sub3', '*');
  await assert.rejects(apim.subscription.get(RG, SVC, 'sub3'), (e: any) => e.statusCode === 404);
  await assert.rejects(apim.subscription.listSecrets(RG, SVC, 'sub3'), (e: any) => e.statusCode === 404);
});

test('named values: plain shown, secret hidden (and sealed at rest), listValue returns both', async () => {
  const plain = await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'backend-host', { displayName: 'backend-host', value: 'orders.internal', tags: ['env'] });
  assert.equal(plain.type, 'Microsoft.ApiManagement/service/namedValues');
  assert.equal(plain.value, 'orders.internal');
  assert.equal(plain.secret, false);
  assert.deepEqual(plain.tags, ['env']);

  const secretValue = `s3cr3t-${crypto.randomUUID()}`;
  const secret = await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'api-key', { displayName: 'api-key', value: secretValue, secret: true });
  assert.equal(secret.secret, true);
  assert.equal(secret.value, undefined);
  assert.equal((await apim.namedValue.get(RG, SVC, 'api-key')).value, undefined);
  for (const nv of await all(apim.namedValue.listByService(RG, SVC))) if (nv.secret) assert.equal(nv.value, undefined);
  assert.equal((await apim.namedValue.listValue(RG, SVC, 'api-key')).value, secretValue);
  assert.equal((await apim.namedValue.listValue(RG, SVC, 'backend-host')).value, 'orders.internal');
  assert.ok(!storedText(server).includes(secretValue), 'the secret value is not stored in clear');

  // PATCH (an LRO with If-Match) keeps the secret value when it changes other things.
  const tag = await apim.namedValue.getEntityTag(RG, SVC, 'api-key');
  const upd = await apim.namedValue.beginUpdateAndWait(RG, SVC, 'api-key', tag.eTag!, { tags: ['rotated'] });
  assert.deepEqual(upd.tags, ['rotated']);
  assert.equal((await apim.namedValue.listValue(RG, SVC, 'api-key')).value, secretValue);
  // Secret to plain: the value shows again.
  const toPlain = await apim.namedValue.beginUpdateAndWait(RG, SVC, 'api-key', '*', { secret: false, value: 'visible' });
  assert.equal(toPlain.value, 'visible');
});

test('named values: validation', async () => {
  const reject = async (body: any, target: string) => {
    await assert.rejects(apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'nv-bad', body), (e: any) => {
      assert.equal(e.statusCode, 400, e.message);
      assert.equal(fieldError(e)?.target, target);
      return true;
    });
  };
  // The SDK checks the displayName pattern itself; send the raw request.
  const badName = await raw('PUT', '/namedValues/nv-bad', { properties: { displayName: 'has space', value: 'x' } });
  assert.equal(badName.status, 400);
  assert.equal(badName.body.error.code, 'ValidationError');
  assert.equal(badName.body.error.details[0].target, 'displayName');
  const tooLong = await raw('PUT', '/namedValues/nv-bad', { properties: { displayName: 'nv-bad', value: 'x'.repeat(4097) } });
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.body.error.details[0].target, 'value');
  await reject({ displayName: 'nv-bad' }, 'value');
  await reject({ displayName: 'backend-host', value: 'dup' }, 'displayName');
  // A Key Vault reference with an identity the instance does not have (Azure's text).
  await assert.rejects(apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'nv-kv', {
    displayName: 'nv-kv', secret: true, keyVault: { secretIdentifier: 'https://vault1.vault.azure.net/secrets/s1', identityClientId: '00000000-0000-0000-0000-000000000001' },
  }), (e: any) => {
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, 'ValidationError');
    assert.equal(fieldError(e).target, 'identityClientId');
    assert.equal(fieldError(e).message, 'Can not find Managed Identity with provided IdentityClientId : 00000000-0000-0000-0000-000000000001. For more information please see aka.ms/apimmsi.');
    return true;
  });
  await assert.rejects(apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'nv-kv', {
    displayName: 'nv-kv', secret: true, keyVault: { secretIdentifier: 'https://vault1.vault.azure.net/secrets/s1' },
  }), (e: any) => e.statusCode === 400 && e.code === 'InvalidOperation' && /Managed Service Identity/.test(e.message));
  await assert.rejects(apim.namedValue.beginRefreshSecretAndWait(RG, SVC, 'backend-host'), (e: any) => e.statusCode === 400
    && fieldError(e)?.target === 'keyVault' && fieldError(e)?.message === "Named value 'backend-host' is not a Key Vault named value.");
});

const policy = (inner: string) => `<policies><inbound><base />${inner}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

test('policies at the four scopes: put, get (ETag, format), list, delete', async () => {
  const g = await apim.policy.createOrUpdate(RG, SVC, 'policy', { value: policy('<set-header name="x-global" exists-action="override"><value>1</value></set-header>'), format: 'rawxml' });
  assert.equal(g.type, 'Microsoft.ApiManagement/service/policies');
  assert.equal(g.name, 'policy');
  assert.match(g.value!, /x-global/);
  const a = await apim.apiPolicy.createOrUpdate(RG, SVC, 'orders', 'policy', { value: policy('<set-header name="x-host" exists-action="override"><value>{{backend-host}}</value></set-header>'), format: 'xml' });
  assert.equal(a.type, 'Microsoft.ApiManagement/service/apis/policies');
  await apim.apiOperationPolicy.createOrUpdate(RG, SVC, 'orders', 'list', 'policy', { value: policy(''), format: 'rawxml' });
  await apim.productPolicy.createOrUpdate(RG, SVC, 'gold', 'policy', { value: policy('') });

  const rawGot = await raw('GET', '/apis/orders/policies/policy?format=rawxml');
  assert.equal(rawGot.body.properties.format, 'rawxml', rawGot.text);
  // apiPolicy.get of the SDK reads its answer with its XML serializer (isXML in the operation spec), which
  // finds no 'properties.value' in the JSON answer that Azure (and this) sends: check through the raw API.
  assert.match(rawGot.body.properties.value, /\{\{backend-host\}\}/);
  const global = await apim.policy.get(RG, SVC, 'policy');
  assert.match(global.value!, /x-global/);
  assert.ok((await apim.apiPolicy.getEntityTag(RG, SVC, 'orders', 'policy')).eTag);
  assert.equal((await all(apim.policy.listByService(RG, SVC))).length, 1);
  assert.equal((await apim.apiPolicy.listByApi(RG, SVC, 'orders')).value!.length, 1);
  assert.equal((await all(apim.productPolicy.listByProduct(RG, SVC, 'gold'))).length, 1);
  assert.equal((await apim.apiOperationPolicy.listByOperation(RG, SVC, 'orders', 'list')).value!.length, 1);

  // A policy naming a named value that does not exist is refused (Azure's text).
  await assert.rejects(apim.apiPolicy.createOrUpdate(RG, SVC, 'orders', 'policy', { value: policy('<set-header name="a"><value>{{nope}}</value></set-header>') }),
    (e: any) => {
      assert.equal(e.statusCode, 400);
      assert.equal(e.code, 'ValidationError');
      assert.equal(fieldError(e).target, 'set-header');
      assert.equal(fieldError(e).message, "Error in element 'set-header' on line 1, column 28: Cannot find a property 'nope'");
      return true;
    });
  const badFormat = await raw('PUT', '/policies/policy', { properties: { value: policy(''), format: 'json' } });
  assert.equal(badFormat.status, 400);
  assert.deepEqual(badFormat.body.error.details, [{ code: 'ValidationError', target: 'format', message: "Policy format 'json' is not supported. Supported formats: xml, rawxml, xml-link, rawxml-link." }]);
  const notPolicy = await raw('GET', '/policies/other');
  assert.equal(notPolicy.status, 404);
  assert.deepEqual(notPolicy.body, { error: { code: 'ResourceNotFound', message: 'Policy not found.' } });

  await apim.apiOperationPolicy.delete(RG, SVC, 'orders', 'list', 'policy', '*');
  await assert.rejects(apim.apiOperationPolicy.get(RG, SVC, 'orders', 'list', 'policy'), (e: any) => e.statusCode === 404);
  await apim.productPolicy.delete(RG, SVC, 'gold', 'policy', '*');
  await apim.policy.delete(RG, SVC, 'policy', '*');
});

test('a named value a policy uses cannot be deleted until the policy stops using it', async () => {
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'used-nv', { displayName: 'used', value: 'v' });
  await apim.apiPolicy.createOrUpdate(RG, SVC, 'orders', 'policy', { value: policy('<set-header name="a" exists-action="override"><value>{{used}}</value></set-header>'), format: 'rawxml' });
  await assert.rejects(apim.namedValue.delete(RG, SVC, 'used-nv', '*'), (e: any) => {
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, 'ValidationError');
    return true;
  });
  // Nor renamed: the policy names it by its display name.
  await assert.rejects(apim.namedValue.beginUpdateAndWait(RG, SVC, 'used-nv', '*', { displayName: 'renamed' }),
    (e: any) => e.statusCode === 400 && fieldError(e)?.target === 'displayName');
  await apim.apiPolicy.createOrUpdate(RG, SVC, 'orders', 'policy', { value: policy(''), format: 'rawxml' });
  await apim.namedValue.delete(RG, SVC, 'used-nv', '*');
  await assert.rejects(apim.namedValue.get(RG, SVC, 'used-nv'), (e: any) => e.statusCode === 404);
});

test('policy PUT is validated by the gateway compiler: invalid XML, an unknown or misplaced policy name element and line', async () => {
  // A valid policy first: each refused PUT below must leave it as it is.
  const kept = policy('<set-header name="x-kept" exists-action="override"><value>1</value></set-header>');
  const put = await raw('PUT', '/apis/orders/policies/policy', { properties: { format: 'rawxml', value: kept } });
  assert.equal(put.status, 200, put.text);
  const reject = async (value: string, target: string, message: string) => {
    const r = await raw('PUT', '/apis/orders/policies/policy', { properties: { format: 'rawxml', value } });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.error.code, 'ValidationError');
    assert.deepEqual(r.body.error.details, [{ code: 'ValidationError', target, message }]);
    const current = await raw('GET', '/apis/orders/policies/policy?format=rawxml');
    assert.equal(current.status, 200, current.text);
    assert.equal(current.body.properties.value, kept, `the refused document was not stored: ${value}`);
  };
  await reject('<policies><inbound><base /></inbound', 'inbound', "Error in element 'inbound' on line 1, column 37: unclosed tag: inbound");
  await reject(policy('<no-such-policy />'), 'no-such-policy',
    "Error in element 'no-such-policy' on line 1, column 28: Unknown policy 'no-such-policy': it is not an API Management policy, or apim-local does not support it.");
  await reject('<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /><authentication-managed-identity resource="api://x" /></outbound><on-error /></policies>',
    'authentication-managed-identity', "Error in element 'authentication-managed-identity' on line 1, column 83: Policy is not allowed in the 'outbound' section. Allowed sections: inbound.");
  await apim.apiPolicy.createOrUpdate(RG, SVC, 'orders', 'policy', { value: policy(''), format: 'rawxml' });
});
