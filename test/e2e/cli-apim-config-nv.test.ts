// `apim nv create|show|list|update|delete|show-secret|refresh` against the real server, run as a child
// process: plain and secret named values (a secret hidden by show and list, revealed by show-secret),
// a named value a policy uses cannot be deleted, and Key Vault named values set up entirely with the
// command line (keyvault create, set-policy for the instance's identity, secret set): read at creation
// with the system-assigned identity or a user-assigned one (--identity-client-id), `refresh` picks up
// a new version, and without access lastStatus shows Key Vault's 403 while the last good value stays.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { uniqueVaultName } from '../helpers/keyvault.js';
import { runCli, cliOk } from './cli-helper.js';

const RG = 'cli-apimnv-rg';
const SVC = 'cli-apimnv';
const PY_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/;

let server: TestServer;
let dir: string;
let sub: string;
let sdk: ApiManagementClient;
let principalId: string;
const vault = uniqueVaultName('clinv');

const nvId = (name: string) => `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}/namedValues/${name}`;
const azureSecretId = (name: string) => `https://${vault}.vault.azure.net/secrets/${name}`;
const nv = (args: string[], svc = SVC) => cliOk(['apim', 'nv', ...args, '-g', RG, '-n', svc], dir);
const nvRun = (args: string[], svc = SVC) => runCli(['apim', 'nv', ...args, '-g', RG, '-n', svc], { dataDir: dir });
const kv = (args: string[]) => cliOk(['keyvault', ...args], dir);
const secretOf = async (name: string) => (await nv(['show-secret', '--named-value-id', name])).json().value;

async function fails(args: string[], code: number): Promise<string> {
  const r = await nvRun(args);
  assert.equal(r.code, code, `${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  return r.stderr;
}

before(async () => {
  server = await startTestServer();
  dir = server.dataDir;
  sub = server.connection.subscriptionId;
  sdk = new ApiManagementClient(server.credential(), sub, server.armOptions());
  await cliOk(['group', 'create', '-n', RG, '-l', 'westeurope'], dir);
  principalId = (await cliOk(['apim', 'create', '-g', RG, '-n', SVC, '--publisher-email', 'a@contoso.com', '--publisher-name', 'Contoso',
    '--enable-managed-identity', '--query', 'identity.principalId', '-o', 'tsv'], dir)).stdout.trim();
  await cliOk(['apim', 'create', '-g', RG, '-n', `${SVC}-noid`, '--publisher-email', 'a@contoso.com', '--publisher-name', 'Contoso'], dir);
});
after(async () => { await server?.stop(); });

describe('plain and secret named values', () => {
  test("create (plain): az's NamedValueContract, every field, the value shown", async () => {
    const v = (await nv(['create', '--named-value-id', 'backend-host', '--display-name', 'backend-host', '--value', 'api.contoso.com', '--tags', 'env', 'team'])).json();
    assert.deepEqual(v, {
      displayName: 'backend-host', id: nvId('backend-host'), keyVault: null, name: 'backend-host', provisioningState: 'Succeeded', resourceGroup: RG,
      secret: false, tags: ['env', 'team'], type: 'Microsoft.ApiManagement/service/namedValues', value: 'api.contoso.com',
    });
    assert.deepEqual(Object.keys(v), [...Object.keys(v)].sort());
    assert.deepEqual((await nv(['show', '--named-value-id', 'backend-host'])).json(), v);
    assert.equal((await sdk.namedValue.get(RG, SVC, 'backend-host')).value, 'api.contoso.com');
  });

  test('--secret: the value is hidden by show and list (null), revealed by show-secret; the SDK agrees', async () => {
    const v = (await nv(['create', '--named-value-id', 'db-password', '--display-name', 'db-password', '--value', 'p@ss w0rd!', '--secret'])).json();
    assert.equal(v.secret, true);
    assert.equal(v.value, null);
    assert.deepEqual(v.tags, []);
    assert.equal((await nv(['show', '--named-value-id', 'db-password'])).json().value, null);
    const listed = (await nv(['list'])).json();
    assert.deepEqual(listed.map((x: any) => [x.name, x.secret, x.value]).sort(), [['backend-host', false, 'api.contoso.com'], ['db-password', true, null]]);
    assert.deepEqual((await nv(['show-secret', '--named-value-id', 'db-password'])).json(), { value: 'p@ss w0rd!' });
    assert.equal((await nv(['show-secret', '--named-value-id', 'db-password', '--query', 'value', '-o', 'tsv'])).stdout, 'p@ss w0rd!\n');
    assert.equal((await sdk.namedValue.get(RG, SVC, 'db-password')).value, undefined);
    assert.equal((await sdk.namedValue.listValue(RG, SVC, 'db-password')).value, 'p@ss w0rd!');
    // --secret false keeps it plain; show-secret works on plain values too.
    await nv(['create', '--named-value-id', 'plain', '--display-name', 'plain', '--value', 'x', '--secret', 'false']);
    assert.equal(await secretOf('plain'), 'x');
  });

  test('update is a PATCH: a new value stays secret; tags replaced; "" clears them; a plain value made secret', async () => {
    const u = (await nv(['update', '--named-value-id', 'db-password', '--value', 'rotated', '--tags', 'rotated'])).json();
    assert.equal(u.secret, true);
    assert.equal(u.value, null);
    assert.deepEqual(u.tags, ['rotated']);
    assert.equal(await secretOf('db-password'), 'rotated');
    assert.deepEqual((await nv(['update', '--named-value-id', 'db-password', '--tags', ''])).json().tags, []);
    const hidden = (await nv(['update', '--named-value-id', 'backend-host', '--secret', 'true'])).json();
    assert.equal(hidden.secret, true);
    assert.equal(hidden.value, null);
    assert.equal(await secretOf('backend-host'), 'api.contoso.com');
  });

  test('delete asks unless --yes; a named value a policy uses cannot be deleted', async () => {
    await cliOk(['apim', 'api', 'create', '-g', RG, '-n', SVC, '--api-id', 'echo', '--path', 'echo', '--display-name', 'Echo'], dir);
    await cliOk(['apim', 'policy', 'set', '-g', RG, '-n', SVC, '--api-id', 'echo', '--xml-value',
      '<policies><inbound><set-header name="x-host" exists-action="override"><value>{{backend-host}}</value></set-header></inbound></policies>'], dir);
    assert.match(await fails(['delete', '--named-value-id', 'backend-host', '--yes'], 1), /\(ValidationError\)[\s\S]*Named value 'backend-host' cannot be deleted because it is referenced in 1 policy/);
    assert.match(await fails(['delete', '--named-value-id', 'plain'], 2), /no tty available\. Use --yes/);
    const r = await nvRun(['delete', '--named-value-id', 'plain', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(await fails(['show', '--named-value-id', 'plain'], 1), /^ERROR: \(ResourceNotFound\) NamedValue not found\./);
  });

  test('bad input: usage errors exit 2, the server\'s validation errors exit 1', async () => {
    assert.match(await fails(['create', '--named-value-id', 'x', '--display-name', 'x'], 2), /--value VALUE \| --key-vault-secret-id URL/);
    assert.match(await fails(['create', '--named-value-id', 'x', '--display-name', 'x', '--value', 'v', '--key-vault-secret-id', azureSecretId('x')], 2), /--value and --key-vault-secret-id cannot be used together/);
    assert.match(await fails(['create', '--named-value-id', 'x', '--display-name', 'x', '--value', 'v', '--identity-client-id', 'abc'], 2), /--identity-client-id needs --key-vault-secret-id/);
    assert.match(await fails(['create', '--named-value-id', 'x', '--display-name', 'x', '--value', 'v', '--secret', 'yes'], 2), /argument --secret: invalid choice: 'yes'/);
    assert.match(await fails(['create', '--named-value-id', 'x', '--display-name', 'has space', '--value', 'v'], 1), /'has space' is not a valid display name/);
    assert.match(await fails(['create', '--named-value-id', 'x2', '--display-name', 'DB-PASSWORD', '--value', 'v'], 1), /A named value with display name 'DB-PASSWORD' already exists/);
    assert.match(await fails(['refresh', '--named-value-id', 'db-password'], 1), /Named value 'db-password' is not a Key Vault named value\./);
  });
});

describe('Key Vault named values (vault, access policy and secret made with the keyvault commands)', () => {
  before(async () => {
    await kv(['create', '-g', RG, '-n', vault, '--enable-rbac-authorization', 'false']);
    await kv(['set-policy', '-n', vault, '--object-id', principalId, '--secret-permissions', 'get', 'list']);
    await kv(['secret', 'set', '--vault-name', vault, '-n', 'backend-key', '--value', 'key-v1']);
  });

  test('create with --key-vault-secret-id (system-assigned identity): read at once, lastStatus Success, a secret; show-secret has the value', async () => {
    const v = (await nv(['create', '--named-value-id', 'backend-key', '--display-name', 'backend-key', '--key-vault-secret-id', azureSecretId('backend-key')])).json();
    assert.equal(v.secret, true, 'a Key Vault named value is a secret unless told otherwise');
    assert.equal(v.value, null);
    assert.deepEqual(Object.keys(v.keyVault), ['identityClientId', 'lastStatus', 'secretIdentifier']);
    assert.equal(v.keyVault.secretIdentifier, azureSecretId('backend-key'));
    assert.equal(v.keyVault.identityClientId, null);
    assert.equal(v.keyVault.lastStatus.code, 'Success');
    assert.equal(v.keyVault.lastStatus.message, null);
    assert.match(v.keyVault.lastStatus.timeStampUtc, PY_TIME);
    assert.equal(await secretOf('backend-key'), 'key-v1');
    const shown = (await nv(['show', '--named-value-id', 'backend-key'])).json();
    assert.equal(shown.value, null);
    assert.equal(shown.keyVault.lastStatus.code, 'Success');
  });

  test('refresh after a new version: lastStatus Success and the new value', async () => {
    await kv(['secret', 'set', '--vault-name', vault, '-n', 'backend-key', '--value', 'key-v2']);
    const before = (await nv(['show', '--named-value-id', 'backend-key'])).json();
    const r = (await nv(['refresh', '--named-value-id', 'backend-key'])).json();
    assert.equal(r.id, nvId('backend-key'));
    assert.equal(r.keyVault.lastStatus.code, 'Success');
    assert.ok(r.keyVault.lastStatus.timeStampUtc >= before.keyVault.lastStatus.timeStampUtc);
    assert.equal(await secretOf('backend-key'), 'key-v2');
    assert.equal((await sdk.namedValue.listValue(RG, SVC, 'backend-key')).value, 'key-v2');
  });

  test("without access: refresh shows Key Vault's 403 in lastStatus and the last good value stays; access back: refreshed", async () => {
    await kv(['delete-policy', '-n', vault, '--object-id', principalId]);
    await kv(['secret', 'set', '--vault-name', vault, '-n', 'backend-key', '--value', 'key-v3']);
    const failed = (await nv(['refresh', '--named-value-id', 'backend-key'])).json();
    assert.equal(failed.keyVault.lastStatus.code, 'Forbidden');
    assert.match(failed.keyVault.lastStatus.message, /does not have secrets get permission on key vault/);
    assert.match(failed.keyVault.lastStatus.message, new RegExp(principalId));
    assert.equal((await nv(['show', '--named-value-id', 'backend-key', '--query', 'keyVault.lastStatus.code', '-o', 'tsv'])).stdout, 'Forbidden\n');
    assert.equal(await secretOf('backend-key'), 'key-v2');
    await kv(['set-policy', '-n', vault, '--object-id', principalId, '--secret-permissions', 'get', 'list']);
    assert.equal((await nv(['refresh', '--named-value-id', 'backend-key'])).json().keyVault.lastStatus.code, 'Success');
    assert.equal(await secretOf('backend-key'), 'key-v3');
  });

  test('a user-assigned identity by --identity-client-id; update switches the identity back to the system-assigned one', async () => {
    const uai = (await cliOk(['identity', 'create', '-g', RG, '-n', 'cli-nv-uai'], dir)).json();
    await cliOk(['apim', 'identity', 'assign', '-g', RG, '-n', SVC, '--user-assigned', 'cli-nv-uai'], dir);
    await kv(['secret', 'set', '--vault-name', vault, '-n', 'uai-secret', '--value', 'from-uai']);
    // Only the user-assigned identity may read it.
    await kv(['delete-policy', '-n', vault, '--object-id', principalId]);
    await kv(['set-policy', '-n', vault, '--object-id', uai.principalId, '--secret-permissions', 'get']);
    const v = (await nv(['create', '--named-value-id', 'uai-secret', '--display-name', 'uai-secret', '--key-vault-secret-id', azureSecretId('uai-secret'),
      '--identity-client-id', uai.clientId])).json();
    assert.equal(v.keyVault.identityClientId, uai.clientId);
    assert.equal(v.keyVault.lastStatus.code, 'Success');
    assert.equal(await secretOf('uai-secret'), 'from-uai');
    // The system-assigned identity has no access: switching to it records Key Vault's 403.
    const switched = (await nv(['update', '--named-value-id', 'uai-secret', '--identity-client-id', ''])).json();
    assert.equal(switched.keyVault.identityClientId, null);
    assert.equal(switched.keyVault.lastStatus.code, 'Forbidden');
    await kv(['set-policy', '-n', vault, '--object-id', principalId, '--secret-permissions', 'get', 'list']);
    assert.match(await fails(['create', '--named-value-id', 'bad-uai', '--display-name', 'bad-uai', '--key-vault-secret-id', azureSecretId('uai-secret'),
      '--identity-client-id', '00000000-0000-0000-0000-000000000000'], 1), /Can not find Managed Identity with provided IdentityClientId : 00000000-0000-0000-0000-000000000000/);
  });

  test('a missing secret shows in lastStatus (show-secret fails); an instance without managed identity is refused', async () => {
    const missing = (await nv(['create', '--named-value-id', 'missing', '--display-name', 'missing', '--key-vault-secret-id', azureSecretId('does-not-exist')])).json();
    assert.equal(missing.keyVault.lastStatus.code, 'SecretNotFound');
    assert.match(await fails(['show-secret', '--named-value-id', 'missing'], 1), /The secret could not be read from Key Vault/);
    const stderr = await runCli(['apim', 'nv', 'create', '-g', RG, '-n', `${SVC}-noid`, '--named-value-id', 'k', '--display-name', 'k', '--key-vault-secret-id', azureSecretId('backend-key')], { dataDir: dir });
    assert.equal(stderr.code, 1);
    assert.match(stderr.stderr, /\(InvalidOperation\) Managed Service Identity \(http:\/\/aka\.ms\/apimmsi\) is not enabled on the service/);
  });
});
