// The command line's API Management commands against the real server: `apim create|show|list|update|
// delete` (az's names, flags and output shapes; the instances seen by @azure/arm-apimanagement) and
// `apim identity assign|remove|show`, with user-assigned identities given by id or by name.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { runCli, cliOk } from './cli-helper.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RG = 'cli-apim-rg';
const PUBLISHER = ['--publisher-email', 'admin@contoso.com', '--publisher-name', 'Contoso'];

let server: TestServer;
let dir: string;
let sub: string;
let sdk: ApiManagementClient;

const uaiId = (name: string) => `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;

/** Runs the command line and requires this exit code; returns stderr. */
async function fails(args: string[], code: number): Promise<string> {
  const r = await runCli(args, { dataDir: dir });
  assert.equal(r.code, code, `${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  return r.stderr;
}

/** Whether a principal (object id) is in the directory. */
async function principalExists(objectId: string): Promise<boolean> {
  const r = await runCli(['ad', 'sp', 'show', '--id', objectId], { dataDir: dir });
  return r.code === 0;
}

before(async () => {
  server = await startTestServer();
  dir = server.dataDir;
  sub = server.connection.subscriptionId;
  sdk = new ApiManagementClient(server.credential(), sub, server.armOptions());
  await cliOk(['group', 'create', '-n', RG, '-l', 'westeurope'], dir);
  await cliOk(['group', 'create', '-n', 'cli-apim-other', '-l', 'eastus'], dir);
  await cliOk(['identity', 'create', '-g', RG, '-n', 'cli-apim-uai1'], dir);
  await cliOk(['identity', 'create', '-g', RG, '-n', 'cli-apim-uai2'], dir);
});
after(async () => { await server?.stop(); });

describe('apim create, show, list', () => {
  test("create: Developer, 1 unit, the group's location, no identity; az's flattened shape; the SDK sees it", async () => {
    const r = await cliOk(['apim', 'create', '-g', RG, '-n', 'cli-apim-dev', ...PUBLISHER], dir);
    const svc = r.json();
    assert.equal(svc.id, `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/cli-apim-dev`);
    assert.equal(svc.name, 'cli-apim-dev');
    assert.equal(svc.resourceGroup, RG);
    assert.equal(svc.type, 'Microsoft.ApiManagement/service');
    assert.equal(svc.location, 'westeurope');
    assert.deepEqual(svc.sku, { capacity: 1, name: 'Developer' });
    assert.equal(svc.publisherEmail, 'admin@contoso.com');
    assert.equal(svc.publisherName, 'Contoso');
    assert.equal(svc.notificationSenderEmail, 'admin@contoso.com', 'az sets the notification sender to the publisher e-mail');
    assert.equal(svc.provisioningState, 'Succeeded');
    assert.match(svc.gatewayUrl, /^https:\/\/localhost:\d+$/);
    assert.equal(svc.identity, null, 'no identity: Azure answers none, and az shows null');
    assert.equal(svc.properties, undefined);
    // The Python SDK's names and every field, null where unset.
    assert.deepEqual(svc.publicIpAddresses, ['127.0.0.1']);
    assert.equal(svc.publicIPAddresses, undefined);
    assert.equal(svc.privateIpAddresses, null);
    assert.equal(svc.zones, null);
    assert.deepEqual(Object.keys(svc), [...Object.keys(svc)].sort());
    const got = await sdk.apiManagementService.get(RG, 'cli-apim-dev');
    assert.equal(got.publisherEmail, 'admin@contoso.com');
    assert.equal(got.gatewayUrl, svc.gatewayUrl);
  });

  test('create: Consumption (capacity 0 whatever is given), -l, --tags, --enable-managed-identity true', async () => {
    const svc = (await cliOk(['apim', 'create', '-g', 'cli-apim-other', '-n', 'cli-apim-cons', ...PUBLISHER, '--sku-name', 'consumption',
      '--sku-capacity', '3', '-l', 'West Europe', '--tags', 'env=dev', 'team', '--enable-managed-identity', 'true'], dir)).json();
    assert.deepEqual(svc.sku, { capacity: 0, name: 'Consumption' });
    assert.equal(svc.location, 'westeurope', '-l wins over the group\'s eastus');
    assert.deepEqual(svc.tags, { env: 'dev', team: '' });
    assert.equal(svc.identity.type, 'SystemAssigned');
    assert.match(svc.identity.principalId, GUID);
    assert.equal(svc.identity.tenantId, server.connection.tenantId);
    assert.equal(svc.identity.userAssignedIdentities, null);
  });

  test('create --no-wait prints nothing; the instance is there', async () => {
    const r = await cliOk(['apim', 'create', '-g', RG, '-n', 'cli-apim-nowait', ...PUBLISHER, '--sku-name', 'Basic', '--sku-capacity', '1', '--no-wait'], dir);
    assert.equal(r.stdout, '');
    const shown = (await cliOk(['apim', 'show', '-g', RG, '-n', 'cli-apim-nowait'], dir)).json();
    assert.deepEqual(shown.sku, { capacity: 1, name: 'Basic' });
  });

  test("show and list; -o table is az's service table", async () => {
    const shown = (await cliOk(['apim', 'show', '-g', RG, '-n', 'CLI-APIM-DEV'], dir)).json();
    assert.equal(shown.name, 'cli-apim-dev');
    const inGroup = (await cliOk(['apim', 'list', '-g', RG, '--query', 'sort_by(@, &name)[].name'], dir)).json();
    assert.deepEqual(inGroup, ['cli-apim-dev', 'cli-apim-nowait']);
    const all = (await cliOk(['apim', 'list'], dir)).json();
    assert.deepEqual(all.map((s: any) => s.name).sort(), ['cli-apim-cons', 'cli-apim-dev', 'cli-apim-nowait']);
    assert.equal(all.find((s: any) => s.name === 'cli-apim-cons').resourceGroup, 'cli-apim-other');

    const table = await cliOk(['apim', 'show', '-g', RG, '-n', 'cli-apim-dev', '-o', 'table'], dir);
    const [header, rule, row] = table.stdout.trimEnd().split('\n');
    assert.match(header, /^NAME\s+RESOURCE GROUP\s+LOCATION\s+GATEWAY ADDR\s+PUBLIC IP\s+PRIVATE IP\s+STATUS\s+TIER\s+UNITS$/);
    assert.match(rule, /^-+( {2}-+){8}$/);
    assert.match(row, new RegExp(`^cli-apim-dev\\s+${RG}\\s+westeurope\\s+${shown.gatewayUrl}\\s+127\\.0\\.0\\.1\\s+Online\\s+Developer\\s+1$`));
    const list = await cliOk(['apim', 'list', '-o', 'table'], dir);
    assert.equal(list.stdout.trimEnd().split('\n').length, 5, list.stdout);
    assert.match(list.stdout, /cli-apim-cons\s+cli-apim-other\s+westeurope\s+https:\/\/localhost:\d+\s+Online\s+Consumption\s*\n/,
      'a Consumption instance has no public IP and 0 units: blank, as az prints them');
  });

  test('a user-assigned identity by name (in the group) and by id', async () => {
    const svc = (await cliOk(['apim', 'create', '-g', RG, '-n', 'cli-apim-uai', ...PUBLISHER, '--user-assigned', 'cli-apim-uai1', uaiId('cli-apim-uai2')], dir)).json();
    assert.equal(svc.identity.type, 'UserAssigned');
    assert.equal(svc.identity.principalId, null);
    const uai1 = (await cliOk(['identity', 'show', '-g', RG, '-n', 'cli-apim-uai1'], dir)).json();
    assert.deepEqual(Object.keys(svc.identity.userAssignedIdentities).sort(), [uaiId('cli-apim-uai1'), uaiId('cli-apim-uai2')]);
    assert.deepEqual(svc.identity.userAssignedIdentities[uaiId('cli-apim-uai1')], { clientId: uai1.clientId, principalId: uai1.principalId });
  });

  test("the server's validation: a missing identity, a bad capacity, a name taken in another group", async () => {
    assert.match(await fails(['apim', 'create', '-g', RG, '-n', 'cli-apim-bad1', ...PUBLISHER, '--user-assigned', 'no-such-uai'], 1),
      /^ERROR: \(FailedIdentityOperation\) .*no-such-uai/);
    assert.match(await fails(['apim', 'create', '-g', RG, '-n', 'cli-apim-bad2', ...PUBLISHER, '--sku-capacity', '3'], 1), /\(ValidationError\)/);
    assert.match(await fails(['apim', 'create', '-g', 'cli-apim-other', '-n', 'cli-apim-dev', ...PUBLISHER], 1), /\(ServiceAlreadyExists\)/);
    assert.match(await fails(['apim', 'show', '-g', RG, '-n', 'cli-apim-none'], 1), /\(ResourceNotFound\)/);
    assert.match(await fails(['apim', 'create', '-g', 'no-such-group', '-n', 'cli-apim-bad3', ...PUBLISHER], 1), /\(ResourceGroupNotFound\)/);
  });

  test('usage errors exit with 2 before any call', async () => {
    for (const args of [
      ['apim', 'create', '-g', RG, '-n', 'x', '--publisher-email', 'a@b.c'],
      ['apim', 'create', '-g', RG, '-n', 'x', ...PUBLISHER, '--sku-name', 'Gold'],
      ['apim', 'create', '-g', RG, '-n', 'x', ...PUBLISHER, '--sku-capacity', 'two'],
      ['apim', 'create', '-g', RG, '-n', 'x', ...PUBLISHER, '--enable-managed-identity', 'maybe'],
      ['apim', 'create', '-g', RG, '-n', 'x', ...PUBLISHER, '--user-assigned', '--tags', 'a=b'],
      ['apim', 'show', '-g', RG],
      ['apim', 'update', '-n', 'x'],
      ['apim', 'identity', 'assign', '-g', RG, '-n', 'x'],
      ['apim', 'identity', 'remove', '-g', RG, '-n', 'x'],
      ['apim', 'identity', 'frobnicate'],
    ]) await fails(args, 2);
  });
});

describe('apim update and delete', () => {
  test('update is a PATCH: publisher, capacity and tags change, the rest stays', async () => {
    const before = (await cliOk(['apim', 'show', '-g', RG, '-n', 'cli-apim-nowait'], dir)).json();
    const r = (await cliOk(['apim', 'update', '-g', RG, '-n', 'cli-apim-nowait', '--publisher-name', 'Fabrikam', '--sku-capacity', '2', '--tags', 'a=1'], dir)).json();
    assert.equal(r.publisherName, 'Fabrikam');
    assert.equal(r.publisherEmail, 'admin@contoso.com');
    assert.deepEqual(r.sku, { capacity: 2, name: 'Basic' });
    assert.deepEqual(r.tags, { a: '1' });
    assert.equal(r.gatewayUrl, before.gatewayUrl);
    assert.equal(r.createdAtUtc, before.createdAtUtc);
    const email = (await cliOk(['apim', 'update', '-g', RG, '-n', 'cli-apim-nowait', '--publisher-email', 'ops@fabrikam.com'], dir)).json();
    assert.equal(email.publisherEmail, 'ops@fabrikam.com');
    assert.equal(email.publisherName, 'Fabrikam');
    assert.deepEqual(email.tags, { a: '1' }, 'tags not given stay');
    assert.match(await fails(['apim', 'update', '-g', RG, '-n', 'cli-apim-nowait', '--publisher-email', 'not-an-email'], 1), /\(ValidationError\)/);
  });

  test('update --enable-managed-identity true|false adds or removes the system-assigned identity; user-assigned ones stay', async () => {
    const on = (await cliOk(['apim', 'update', '-g', RG, '-n', 'cli-apim-uai', '--enable-managed-identity'], dir)).json();
    assert.equal(on.identity.type, 'SystemAssigned, UserAssigned');
    assert.match(on.identity.principalId, GUID);
    assert.equal(Object.keys(on.identity.userAssignedIdentities).length, 2);
    assert.ok(await principalExists(on.identity.principalId));
    const off = (await cliOk(['apim', 'update', '-g', RG, '-n', 'cli-apim-uai', '--enable-managed-identity', 'false'], dir)).json();
    assert.equal(off.identity.type, 'UserAssigned');
    assert.equal(off.identity.principalId, null);
    assert.equal(Object.keys(off.identity.userAssignedIdentities).length, 2);
    assert.equal(await principalExists(on.identity.principalId), false, 'the system-assigned principal is deleted');
    const again = (await cliOk(['apim', 'update', '-g', RG, '-n', 'cli-apim-uai', '--enable-managed-identity', 'TRUE'], dir)).json();
    assert.notEqual(again.identity.principalId, on.identity.principalId, 'a new principal');
    const plain = (await cliOk(['apim', 'update', '-g', RG, '-n', 'cli-apim-dev', '--enable-managed-identity', 'false'], dir)).json();
    assert.equal(plain.identity, null);
  });

  test('delete: refused without --yes and no terminal; with --yes gone, and its system-assigned principal too', async () => {
    const principalId = (await cliOk(['apim', 'show', '-g', 'cli-apim-other', '-n', 'cli-apim-cons', '--query', 'identity.principalId'], dir)).json();
    assert.match(await fails(['apim', 'delete', '-g', 'cli-apim-other', '-n', 'cli-apim-cons'], 2), /Use --yes/);
    const r = await cliOk(['apim', 'delete', '-g', 'cli-apim-other', '-n', 'cli-apim-cons', '--yes'], dir);
    assert.equal(r.stdout, '');
    assert.match(await fails(['apim', 'show', '-g', 'cli-apim-other', '-n', 'cli-apim-cons'], 1), /\(ResourceNotFound\)/);
    assert.equal(await principalExists(principalId), false);
    await cliOk(['apim', 'delete', '-g', RG, '-n', 'cli-apim-nowait', '--yes', '--no-wait'], dir);
    assert.deepEqual((await cliOk(['apim', 'list', '-g', RG, '--query', 'sort_by(@, &name)[].name'], dir)).json(), ['cli-apim-dev', 'cli-apim-uai']);
  });
});

describe('apim identity assign, remove, show', () => {
  const NAME = ['-g', RG, '-n', 'cli-apim-dev'];

  test('show of an instance without identities: type None', async () => {
    const r = (await cliOk(['apim', 'identity', 'show', ...NAME], dir)).json();
    assert.deepEqual(r, { principalId: null, tenantId: null, type: 'None', userAssignedIdentities: null });
  });

  test('assign --system-assigned, then a user-assigned one by name: what was there stays', async () => {
    const sys = (await cliOk(['apim', 'identity', 'assign', ...NAME, '--system-assigned'], dir)).json();
    assert.equal(sys.type, 'SystemAssigned');
    assert.match(sys.principalId, GUID);
    assert.equal(sys.tenantId, server.connection.tenantId);
    const both = (await cliOk(['apim', 'identity', 'assign', ...NAME, '--user-assigned', 'cli-apim-uai1'], dir)).json();
    assert.equal(both.type, 'SystemAssigned, UserAssigned');
    assert.equal(both.principalId, sys.principalId, 'the system-assigned identity is kept');
    assert.deepEqual(Object.keys(both.userAssignedIdentities), [uaiId('cli-apim-uai1')]);
    const more = (await cliOk(['apim', 'identity', 'assign', ...NAME, '--user-assigned', uaiId('cli-apim-uai2')], dir)).json();
    assert.deepEqual(Object.keys(more.userAssignedIdentities).sort(), [uaiId('cli-apim-uai1'), uaiId('cli-apim-uai2')]);
    assert.deepEqual((await cliOk(['apim', 'identity', 'show', ...NAME], dir)).json(), more);
    const sdkView = await sdk.apiManagementService.get(RG, 'cli-apim-dev');
    assert.equal(sdkView.identity!.principalId, sys.principalId);
  });

  test('assigning what is already there warns and changes nothing', async () => {
    const r = await cliOk(['apim', 'identity', 'assign', ...NAME, '--system-assigned', '--user-assigned', uaiId('cli-apim-uai1').toLowerCase()], dir);
    assert.match(r.stderr, /WARNING: System identity is already assigned/);
    assert.match(r.stderr, /WARNING: User identity .* is already assigned/);
    assert.equal(Object.keys(r.json().userAssignedIdentities).length, 2);
  });

  test('remove one user-assigned identity (by name), then the last one: the type drops UserAssigned', async () => {
    const one = (await cliOk(['apim', 'identity', 'remove', ...NAME, '--user-assigned', 'cli-apim-uai1'], dir)).json();
    assert.equal(one.type, 'SystemAssigned, UserAssigned');
    assert.deepEqual(Object.keys(one.userAssignedIdentities), [uaiId('cli-apim-uai2')]);
    assert.match(await fails(['apim', 'identity', 'remove', ...NAME, '--user-assigned', 'cli-apim-uai1'], 1),
      /does not have specified user identity '.*cli-apim-uai1' assigned, so it cannot be removed/);
    const last = (await cliOk(['apim', 'identity', 'remove', ...NAME, '--user-assigned', uaiId('cli-apim-uai2')], dir)).json();
    assert.equal(last.type, 'SystemAssigned');
    assert.equal(last.userAssignedIdentities, null);
    assert.match(last.principalId, GUID);
  });

  test('remove --user-assigned without ids removes them all; removing everything gives None', async () => {
    await cliOk(['apim', 'identity', 'assign', ...NAME, '--user-assigned', 'cli-apim-uai1', 'cli-apim-uai2'], dir);
    const sysOnly = (await cliOk(['apim', 'identity', 'remove', ...NAME, '--user-assigned'], dir)).json();
    assert.equal(sysOnly.type, 'SystemAssigned');
    const principalId = sysOnly.principalId;
    await cliOk(['apim', 'identity', 'assign', ...NAME, '--user-assigned', 'cli-apim-uai1'], dir);
    const none = (await cliOk(['apim', 'identity', 'remove', ...NAME, '--system-assigned', '--user-assigned'], dir)).json();
    assert.deepEqual(none, { principalId: null, tenantId: null, type: 'None', userAssignedIdentities: null });
    assert.equal(await principalExists(principalId), false);
    assert.match(await fails(['apim', 'identity', 'remove', ...NAME, '--system-assigned'], 1), /has no system or user assigned identities/);
    await cliOk(['apim', 'identity', 'assign', ...NAME, '--user-assigned', 'cli-apim-uai1'], dir);
    assert.match(await fails(['apim', 'identity', 'remove', ...NAME, '--system-assigned'], 1), /has no system assigned identity/);
    assert.match(await fails(['apim', 'identity', 'assign', ...NAME, '--user-assigned', 'no-such-uai'], 1), /\(FailedIdentityOperation\)/);
  });
});
