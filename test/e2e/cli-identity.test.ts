// The command line's user-assigned identities and `identity env` against the real server:
// `identity create|show|list|delete` (az's shapes, seen by @azure/arm-msi), and the environment that
// `identity env` prints, used by @azure/identity's ManagedIdentityCredential in another process.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { startTestServer, ROOT, BIN, type TestServer } from '../helpers/server.js';
import { probeManagedIdentity } from '../helpers/mi.js';
import { runCli, cliOk, dataDirFor, jwtClaims } from './cli-helper.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RG = 'cli-id-rg';

let server: TestServer;
let dir: string;
let sub: string;
let msi: ManagedServiceIdentityClient;

const uaiId = (name: string, group = RG) => `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;

/** `export K='V'` lines → { K: V }; any other line but `unset ...` fails the test. */
function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('unset ')) continue;
    const m = /^export ([A-Z_]+)='([^']*)'$/.exec(line);
    assert.ok(m, `not an export line: ${line}`);
    env[m[1]] = m[2];
  }
  return env;
}

before(async () => {
  server = await startTestServer();
  dir = server.dataDir;
  sub = server.connection.subscriptionId;
  msi = new ManagedServiceIdentityClient(server.credential(), sub, server.armOptions());
  await cliOk(['group', 'create', '-n', RG, '-l', 'northeurope'], dir);
  await cliOk(['group', 'create', '-n', 'cli-id-other', '-l', 'westeurope'], dir);
});
after(async () => { await server?.stop(); });

describe('identity create, show, list, delete', () => {
  let created: any;

  test("create prints az's flattened identity, in the group's location by default; the SDK sees it", async () => {
    const r = await cliOk(['identity', 'create', '-g', RG, '-n', 'cli-uai-a', '--tags', 'env=dev'], dir);
    created = r.json();
    assert.equal(created.id, uaiId('cli-uai-a'));
    assert.equal(created.name, 'cli-uai-a');
    assert.equal(created.location, 'northeurope', "the group's location");
    assert.equal(created.resourceGroup, RG);
    assert.equal(created.type, 'Microsoft.ManagedIdentity/userAssignedIdentities');
    assert.equal(created.tenantId, server.connection.tenantId);
    assert.match(created.principalId, GUID);
    assert.match(created.clientId, GUID);
    assert.deepEqual(created.tags, { env: 'dev' });
    assert.equal(created.properties, undefined, 'properties are lifted to the top, as az prints them');
    assert.deepEqual(Object.keys(created), [...Object.keys(created)].sort(), 'keys sorted');
    const got = await msi.userAssignedIdentities.get(RG, 'cli-uai-a');
    assert.deepEqual({ principalId: got.principalId, clientId: got.clientId }, { principalId: created.principalId, clientId: created.clientId });
    // Its service principal (type ManagedIdentity, named after the identity) is in the directory.
    const sp = (await cliOk(['ad', 'sp', 'show', '--id', created.principalId], dir)).json();
    assert.equal(sp.appId, created.clientId);
    assert.equal(sp.displayName, 'cli-uai-a');
    assert.equal(sp.servicePrincipalType, 'ManagedIdentity');
  });

  test('create again with -l and new tags updates it and keeps its principal', async () => {
    const r = await cliOk(['identity', 'create', '-g', RG, '-n', 'cli-uai-a', '-l', 'northeurope', '--tags', 'env=prod'], dir);
    assert.equal(r.json().principalId, created.principalId);
    assert.deepEqual(r.json().tags, { env: 'prod' });
  });

  test('show by -g/-n and by --ids (one: an object; several: a list)', async () => {
    await cliOk(['identity', 'create', '-g', 'cli-id-other', '-n', 'cli-uai-b', '-l', 'westeurope'], dir);
    const byName = (await cliOk(['identity', 'show', '-g', RG, '-n', 'cli-uai-a'], dir)).json();
    assert.equal(byName.clientId, created.clientId);
    assert.equal(byName.tags.env, 'prod');
    const byId = (await cliOk(['identity', 'show', '--ids', created.id], dir)).json();
    assert.deepEqual(byId, byName);
    const two = (await cliOk(['identity', 'show', '--ids', created.id, uaiId('cli-uai-b', 'cli-id-other'), '--query', '[].name'], dir)).json();
    assert.deepEqual(two, ['cli-uai-a', 'cli-uai-b']);
  });

  test('list by group and for the subscription', async () => {
    const inGroup = (await cliOk(['identity', 'list', '-g', RG], dir)).json();
    assert.deepEqual(inGroup.map((i: any) => i.name), ['cli-uai-a']);
    assert.match(inGroup[0].principalId, GUID);
    const all = (await cliOk(['identity', 'list', '--query', 'sort_by(@, &name)[].[name, resourceGroup]'], dir)).json();
    assert.deepEqual(all, [['cli-uai-a', RG], ['cli-uai-b', 'cli-id-other']]);
    const table = await cliOk(['identity', 'list', '-g', RG, '-o', 'table', '--query', '[].{Name:name, ClientId:clientId}'], dir);
    assert.match(table.stdout, new RegExp(`^Name\\s+ClientId\\n-+\\s+-+\\ncli-uai-a\\s+${created.clientId}\\n$`));
  });

  test('delete by -g/-n and by --ids: gone, and so is its service principal', async () => {
    const d1 = await cliOk(['identity', 'delete', '-g', RG, '-n', 'cli-uai-a'], dir);
    assert.equal(d1.stdout, '');
    await cliOk(['identity', 'delete', '--ids', uaiId('cli-uai-b', 'cli-id-other')], dir);
    const shown = await runCli(['identity', 'show', '-g', RG, '-n', 'cli-uai-a'], { dataDir: dir });
    assert.equal(shown.code, 1);
    assert.match(shown.stderr, /^ERROR: \(ResourceNotFound\) /);
    const sp = await runCli(['ad', 'sp', 'show', '--id', created.principalId], { dataDir: dir });
    assert.equal(sp.code, 1);
    assert.deepEqual((await cliOk(['identity', 'list'], dir)).json(), []);
  });

  test('usage errors exit with 2 before any call; a bad name is the server\'s 400', async () => {
    for (const args of [
      ['identity', 'show'],
      ['identity', 'show', '-g', RG],
      ['identity', 'show', '-g', RG, '-n', 'x', '--ids', uaiId('x')],
      ['identity', 'show', '--ids', `/subscriptions/${sub}/resourceGroups/${RG}`],
      ['identity', 'delete', '-n', 'x'],
      ['identity', 'create', '-n', 'x'],
      ['identity', 'env'],
      ['identity', 'env', '--resource-id', '/subscriptions/x', '--protocol', 'msi'],
    ]) {
      const r = await runCli(args, { dataDir: dir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
    const bad = await runCli(['identity', 'create', '-g', RG, '-n', 'a!'], { dataDir: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /\(InvalidResourceName\)/);
  });
});

describe('identity env', () => {
  let apimId: string;
  let principalId: string;
  let uai: any;

  before(async () => {
    uai = (await cliOk(['identity', 'create', '-g', RG, '-n', 'cli-uai-env'], dir)).json();
    const svc = (await cliOk(['apim', 'create', '-g', RG, '-n', 'cli-env-apim', '--publisher-email', 'admin@contoso.com',
      '--publisher-name', 'Contoso', '--sku-name', 'Consumption', '--enable-managed-identity', '--user-assigned', 'cli-uai-env'], dir)).json();
    apimId = svc.id;
    principalId = svc.identity.principalId;
    assert.match(principalId, GUID);
  });

  test('prints export lines by default; ManagedIdentityCredential gets a token whose oid is the instance\'s principalId', async () => {
    const r = await cliOk(['identity', 'env', '--resource-id', apimId], dir);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^export IDENTITY_ENDPOINT='https:\/\/localhost:\d+\/msi\/token'$/);
    assert.match(lines[1], /^export IDENTITY_HEADER='[^']+'$/);
    const env = parseExports(r.stdout);
    const system = await probeManagedIdentity(env, 'api://backend/.default');
    assert.ok(system.token, JSON.stringify(system.error));
    const claims = jwtClaims(system.token!);
    assert.equal(claims.oid, principalId);
    assert.equal(claims.aud, 'api://backend');
    assert.equal(claims.tid, server.connection.tenantId);
    assert.equal(claims.xms_mirid, apimId);
    // The user-assigned identity, by its client id.
    const user = await probeManagedIdentity(env, 'https://vault.azure.net/.default', uai.clientId);
    assert.ok(user.token, JSON.stringify(user.error));
    assert.equal(jwtClaims(user.token!).oid, uai.principalId);
    assert.equal(jwtClaims(user.token!).appid, uai.clientId);
  });

  test('eval "$(apim-local identity env ...)" in a shell, then the SDK in that shell', async () => {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(IDENTITY_|MSI_|IMDS_|AZURE_|APIM_LOCAL_DATA_DIR)/.test(k)) clean[k] = v;
    const script = 'set -e; eval "$("$NODE" "$BIN" identity env --resource-id "$RID" --data-dir "$DIR")"; exec "$NODE" test/helpers/mi-probe.mjs "$SCOPE"';
    const child = spawn('bash', ['-c', script], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...clean, NODE: process.execPath, BIN, RID: apimId, DIR: dir, SCOPE: 'https://management.azure.com/.default' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, err);
    const result = JSON.parse(out);
    assert.ok(result.token, JSON.stringify(result.error));
    assert.equal(jwtClaims(result.token).oid, principalId);
  });

  test('--protocol imds: AZURE_POD_IDENTITY_AUTHORITY_HOST (and the App Service variables unset)', async () => {
    const r = await cliOk(['identity', 'env', '--resource-id', apimId, '--protocol', 'IMDS'], dir);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines[0], 'unset IDENTITY_ENDPOINT IDENTITY_HEADER');
    assert.match(lines[1], /^export AZURE_POD_IDENTITY_AUTHORITY_HOST='https:\/\/localhost:\d+\/imds\/[^']+'$/);
    const t = await probeManagedIdentity(parseExports(r.stdout), 'https://management.azure.com/.default');
    assert.ok(t.token, JSON.stringify(t.error));
    assert.equal(jwtClaims(t.token!).oid, principalId);
  });

  test('-o json prints the variables as an object; --query and tsv work on it', async () => {
    const json = (await cliOk(['identity', 'env', '--resource-id', apimId, '-o', 'json'], dir)).json();
    assert.deepEqual(Object.keys(json), ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER']);
    const t = await probeManagedIdentity(json, 'https://vault.azure.net/.default', uai.clientId);
    assert.equal(jwtClaims(t.token!).oid, uai.principalId);
    const imds = (await cliOk(['identity', 'env', '--resource-id', apimId, '--protocol', 'imds', '-o', 'json'], dir)).json();
    assert.deepEqual(Object.keys(imds), ['AZURE_POD_IDENTITY_AUTHORITY_HOST']);
    const header = await cliOk(['identity', 'env', '--resource-id', apimId, '--query', 'IDENTITY_HEADER', '-o', 'tsv'], dir);
    assert.match(header.stdout, /^[0-9a-f]+\.[0-9a-f]{64}\n$/, 'one header, printed bare');
    const viaTsv = await probeManagedIdentity({ IDENTITY_ENDPOINT: json.IDENTITY_ENDPOINT, IDENTITY_HEADER: header.stdout.trim() }, 'https://vault.azure.net/.default', uai.clientId);
    assert.equal(jwtClaims(viaTsv.token!).oid, uai.principalId);
  });

  test('--rotate revokes the headers printed before; --expires-in-hours is checked', async () => {
    const old = (await cliOk(['identity', 'env', '--resource-id', apimId, '-o', 'json'], dir)).json();
    const fresh = (await cliOk(['identity', 'env', '--resource-id', apimId, '--rotate', '--expires-in-hours', '2', '-o', 'json'], dir)).json();
    const before = await probeManagedIdentity(old, 'https://vault.azure.net/.default', uai.clientId);
    assert.equal(before.token, undefined, 'the old header no longer works');
    const after = await probeManagedIdentity(fresh, 'https://vault.azure.net/.default', uai.clientId);
    assert.equal(jwtClaims(after.token!).oid, uai.principalId);
    const bad = await runCli(['identity', 'env', '--resource-id', apimId, '--expires-in-hours', '0'], { dataDir: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--expires-in-hours: 0 is not from 1 to 720/);
  });

  test('a resource that does not exist, and a caller that may not write the resource, are refused', async () => {
    const missing = await runCli(['identity', 'env', '--resource-id', apimId.replace('cli-env-apim', 'no-such-apim')], { dataDir: dir });
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /\(ResourceNotFound\)/);
    const group = `/subscriptions/${sub}/resourceGroups/${RG}`;
    const reader = (await cliOk(['ad', 'sp', 'create-for-rbac', '-n', 'cli-env-reader', '--role', 'Reader', '--scopes', group], dir)).json();
    const readerDir = dataDirFor(server.connection, reader.appId, reader.password);
    assert.equal((await cliOk(['apim', 'show', '-g', RG, '-n', 'cli-env-apim', '--query', 'name'], readerDir)).json(), 'cli-env-apim');
    const refused = await runCli(['identity', 'env', '--resource-id', apimId], { dataDir: readerDir });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /\(AuthorizationFailed\)/);
  });
});
