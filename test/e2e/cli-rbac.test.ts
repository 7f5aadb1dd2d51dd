// The command line's RBAC and service principals against the real server: `ad sp create-for-rbac`
// makes an application whose credentials work with the unmodified SDKs and whose role is enforced;
// `role assignment create|list|delete` and `role definition list`; `ad sp list|show|delete`.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { runCli, cliOk, dataDirFor } from './cli-helper.js';

const READER_ID = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const CONTRIBUTOR_ID = 'b24988ac-6180-42a0-ab88-20f7382dd24c';

let server: TestServer;
let dir: string;
let sub: string;
let groupId: string;
let app: { appId: string; displayName: string; password: string; tenant: string };

/** The SDK as the new application. */
const asApp = (appId = app.appId, password = app.password) =>
  new ResourceManagementClient(server.credential(appId, password), sub, server.armOptions());

async function rejectsWith(p: Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.statusCode, status, e.message);
    assert.equal(e.code, code);
    return true;
  });
}

before(async () => {
  server = await startTestServer();
  dir = server.dataDir;
  sub = server.connection.subscriptionId;
  groupId = (await cliOk(['group', 'create', '-n', 'rbac-rg', '-l', 'westeurope'], dir)).json().id;
});
after(async () => { await server?.stop(); });

describe('ad sp create-for-rbac', () => {
  test('prints appId, displayName, password and tenant exactly, and warns on stderr', async () => {
    const r = await cliOk(['ad', 'sp', 'create-for-rbac', '--name', 'cli-reader', '--role', 'Reader', '--scopes', groupId], dir);
    app = r.json();
    assert.deepEqual(Object.keys(app), ['appId', 'displayName', 'password', 'tenant']);
    assert.match(app.appId, /^[0-9a-f-]{36}$/);
    assert.equal(app.displayName, 'cli-reader');
    assert.equal(app.tenant, server.connection.tenantId);
    assert.ok(app.password.length >= 32);
    assert.match(r.stderr, new RegExp(`WARNING: Creating 'Reader' role assignment under scope '${groupId}'`));
    assert.match(r.stderr, /WARNING: The output includes credentials that you must protect/);
  });

  test('the new credentials read the group with the SDK, and cannot create a group (403 AuthorizationFailed)', async () => {
    const client = asApp();
    const got = await client.resourceGroups.get('rbac-rg');
    assert.equal(got.id, groupId);
    await rejectsWith(client.resourceGroups.createOrUpdate('rbac-other', { location: 'westeurope' }), 403, 'AuthorizationFailed');
  });

  test('the command line signed in as the reader: reads work, writes print Azure\'s AuthorizationFailed and exit 1', async () => {
    const readerDir = dataDirFor(server.connection, app.appId, app.password);
    assert.equal((await cliOk(['group', 'show', '-n', 'rbac-rg'], readerDir)).json().id, groupId);
    const r = await runCli(['group', 'create', '-n', 'rbac-other', '-l', 'westeurope'], { dataDir: readerDir });
    assert.equal(r.code, 1);
    const objectId = (await cliOk(['ad', 'sp', 'show', '--id', app.appId], dir)).json().id;
    assert.match(r.stderr, new RegExp(`^ERROR: \\(AuthorizationFailed\\) The client '${objectId}' with object id '${objectId}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourceGroups/write'`));
    const admin = await runCli(['ad', 'sp', 'list'], { dataDir: readerDir });
    assert.equal(admin.code, 1, 'the directory is for administrators only');
    assert.match(admin.stderr, /\(AuthorizationFailed\)/);
  });

  test('with --role but no --scopes: usage error (exit 2), nothing created', async () => {
    const before = (await cliOk(['ad', 'sp', 'list'], dir)).json().length;
    const r = await runCli(['ad', 'sp', 'create-for-rbac', '--name', 'half', '--role', 'Reader'], { dataDir: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /specify both --role and --scopes/);
    assert.equal((await cliOk(['ad', 'sp', 'list'], dir)).json().length, before);
  });

  test('an unknown role fails with az\'s message', async () => {
    const r = await runCli(['ad', 'sp', 'create-for-rbac', '--name', 'badrole-app', '--role', 'Nope', '--scopes', groupId], { dataDir: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERROR: Role 'Nope' doesn't exist\./);
  });
});

describe('role assignment and role definition', () => {
  test('list --assignee --scope shows the Reader assignment with az\'s extra fields', async () => {
    const r = await cliOk(['role', 'assignment', 'list', '--assignee', app.appId, '--scope', groupId], dir);
    const items = r.json();
    assert.equal(items.length, 1);
    const a = items[0];
    assert.equal(a.roleDefinitionName, 'Reader');
    assert.equal(a.principalName, app.appId);
    assert.equal(a.principalType, 'ServicePrincipal');
    assert.equal(a.scope, groupId);
    assert.equal(a.resourceGroup, 'rbac-rg', "az's resourceGroup from the id");
    assert.ok(a.roleDefinitionId.endsWith(`/roleDefinitions/${READER_ID}`));
    assert.equal(a.properties, undefined, 'flattened, as az prints it');
  });

  test('list without --scope shows subscription-scope assignments only; --all shows the group\'s too', async () => {
    const atSub = (await cliOk(['role', 'assignment', 'list'], dir)).json();
    assert.ok(atSub.every((a: any) => a.scope === `/subscriptions/${sub}`));
    assert.ok(atSub.some((a: any) => a.principalName === server.connection.clientId && a.roleDefinitionName === 'Owner'));
    const all = (await cliOk(['role', 'assignment', 'list', '--all', '--query', '[].scope'], dir)).json();
    assert.ok(all.includes(groupId));
    const table = await cliOk(['role', 'assignment', 'list', '--all', '-o', 'table'], dir);
    assert.match(table.stdout, /^Principal\s+Role\s+Scope\n/);
    assert.match(table.stdout, new RegExp(`${app.appId}\\s+Reader\\s+${groupId}`));
  });

  test('create --assignee (appId) --role (name) --scope: Contributor lets the app update the group', async () => {
    await rejectsWith(asApp().resourceGroups.createOrUpdate('rbac-rg', { location: 'westeurope', tags: { by: 'app' } }), 403, 'AuthorizationFailed');
    const r = await cliOk(['role', 'assignment', 'create', '--assignee', app.appId, '--role', 'Contributor', '--scope', groupId], dir);
    const a = r.json();
    assert.ok(a.roleDefinitionId.endsWith(`/roleDefinitions/${CONTRIBUTOR_ID}`));
    assert.equal(a.scope, groupId);
    assert.equal(a.principalType, 'ServicePrincipal');
    const updated = await asApp().resourceGroups.createOrUpdate('rbac-rg', { location: 'westeurope', tags: { by: 'app' } });
    assert.deepEqual(updated.tags, { by: 'app' });
    const again = await cliOk(['role', 'assignment', 'create', '--assignee', app.appId, '--role', CONTRIBUTOR_ID, '-g', 'rbac-rg'], dir);
    assert.equal(again.json().name, a.name, 'creating it again returns the existing assignment, as az');
  });

  test('delete --ids removes the assignment: the app is refused again', async () => {
    const ids = (await cliOk(['role', 'assignment', 'list', '--assignee', app.appId, '--role', 'Contributor', '--scope', groupId, '--query', '[].id', '-o', 'tsv'], dir)).stdout.trim().split('\n');
    assert.equal(ids.length, 1);
    const r = await cliOk(['role', 'assignment', 'delete', '--ids', ids[0]], dir);
    assert.equal(r.stdout, '');
    await rejectsWith(asApp().resourceGroups.createOrUpdate('rbac-rg', { location: 'westeurope', tags: { by: 'app2' } }), 403, 'AuthorizationFailed');
    assert.equal((await asApp().resourceGroups.get('rbac-rg')).name, 'rbac-rg', 'Reader is still there');
  });

  test('delete --assignee --role --scope removes the Reader assignment; then nothing is left to delete', async () => {
    await cliOk(['role', 'assignment', 'delete', '--assignee', app.appId, '--role', 'Reader', '--scope', groupId], dir);
    await rejectsWith(asApp().resourceGroups.get('rbac-rg'), 403, 'AuthorizationFailed');
    const list = (await cliOk(['role', 'assignment', 'list', '--assignee', app.appId, '--all'], dir)).json();
    assert.deepEqual(list, []);
    const r = await runCli(['role', 'assignment', 'delete', '--assignee', app.appId, '--role', 'Reader', '--scope', groupId], { dataDir: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No matched assignments were found to delete/);
  });

  test('create for an unknown assignee fails before any call to Resource Manager', async () => {
    const r = await runCli(['role', 'assignment', 'create', '--assignee', '00000000-0000-0000-0000-000000000001', '--role', 'Reader', '--scope', groupId], { dataDir: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot find user or service principal in graph database for '00000000-0000-0000-0000-000000000001'/);
  });

  test('role definition list --name Reader; an unknown name gives an empty list', async () => {
    const defs = (await cliOk(['role', 'definition', 'list', '--name', 'Reader'], dir)).json();
    assert.equal(defs.length, 1);
    assert.equal(defs[0].roleName, 'Reader');
    assert.equal(defs[0].name, READER_ID);
    assert.equal(defs[0].roleType, 'BuiltInRole');
    assert.ok(defs[0].permissions[0].actions.includes('*/read'));
    const all = (await cliOk(['role', 'definition', 'list', '--query', '[].roleName'], dir)).json();
    assert.ok(all.includes('Owner') && all.includes('Key Vault Secrets User'));
    assert.deepEqual((await cliOk(['role', 'definition', 'list', '--name', 'No Such Role'], dir)).json(), []);
  });
});

describe('ad sp list, show, delete; create-for-rbac again', () => {
  test('list shows the admin and the new application in Graph\'s shape; show finds by appId or object id', async () => {
    const list = (await cliOk(['ad', 'sp', 'list'], dir)).json();
    const mine = list.find((p: any) => p.appId === app.appId);
    assert.deepEqual(mine, {
      accountEnabled: true, appDisplayName: 'cli-reader', appId: app.appId, displayName: 'cli-reader', id: mine.id,
      servicePrincipalNames: [app.appId], servicePrincipalType: 'Application',
    });
    assert.ok(list.some((p: any) => p.appId === server.connection.clientId));
    const filtered = (await cliOk(['ad', 'sp', 'list', '--display-name', 'cli-'], dir)).json();
    assert.deepEqual(filtered.map((p: any) => p.appId), [app.appId]);
    assert.equal((await cliOk(['ad', 'sp', 'show', '--id', mine.id], dir)).json().appId, app.appId);
  });

  test('create-for-rbac with an existing name gives the same app a new password; the old one stops working', async () => {
    const r = await cliOk(['ad', 'sp', 'create-for-rbac', '--name', 'cli-reader'], dir);
    const again = r.json();
    assert.equal(again.appId, app.appId);
    assert.notEqual(again.password, app.password);
    assert.match(r.stderr, /Found an existing application instance/);
    await assert.rejects(server.credential(app.appId, app.password).getToken('https://management.azure.com/.default'));
    const token = await server.credential(again.appId, again.password).getToken('https://management.azure.com/.default');
    assert.ok(token.token.length > 100);
    app = again;
  });

  test('the administrator cannot be deleted; delete --id removes the application and its sign-in', async () => {
    const protectedAdmin = await runCli(['ad', 'sp', 'delete', '--id', server.connection.clientId], { dataDir: dir });
    assert.equal(protectedAdmin.code, 1);
    assert.match(protectedAdmin.stderr, /\(OperationNotAllowed\)/);
    const r = await cliOk(['ad', 'sp', 'delete', '--id', app.appId], dir);
    assert.equal(r.stdout, '');
    const list = (await cliOk(['ad', 'sp', 'list', '--query', '[].appId'], dir)).json();
    assert.ok(!list.includes(app.appId));
    await assert.rejects(server.credential(app.appId, app.password).getToken('https://management.azure.com/.default'));
    const missing = await runCli(['ad', 'sp', 'show', '--id', app.appId], { dataDir: dir });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Service principal '.*' doesn't exist/);
  });
});
