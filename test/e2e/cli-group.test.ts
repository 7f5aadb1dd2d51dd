// The az-style command line against the real server: `group create|show|list|exists|delete`, --query,
// --output json|table|tsv, Azure errors on stderr with exit code 1, usage errors with exit code 2.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { runCli, runBinary, cliOk } from './cli-helper.js';

let server: TestServer;
let sdk: ResourceManagementClient;
let dir: string;
let sub: string;

before(async () => {
  server = await startTestServer();
  dir = server.dataDir;
  sub = server.connection.subscriptionId;
  sdk = new ResourceManagementClient(server.credential(), sub, server.armOptions());
});
after(async () => { await server?.stop(); });

describe('group create, show, list', () => {
  test('create prints az\'s resource group, with tags, and the group exists for the SDK', async () => {
    const r = await cliOk(['group', 'create', '-n', 'cli-rg-a', '-l', 'West Europe', '--tags', 'env=dev', 'owner'], dir);
    assert.equal(r.stdout.endsWith('}\n'), true, 'pretty JSON with a final newline');
    assert.deepEqual(r.json(), {
      id: `/subscriptions/${sub}/resourceGroups/cli-rg-a`, location: 'westeurope', managedBy: null, name: 'cli-rg-a',
      properties: { provisioningState: 'Succeeded' }, tags: { env: 'dev', owner: '' }, type: 'Microsoft.Resources/resourceGroups',
    });
    assert.deepEqual(Object.keys(r.json()), ['id', 'location', 'managedBy', 'name', 'properties', 'tags', 'type'], 'keys sorted, as az');
    const got = await sdk.resourceGroups.get('cli-rg-a');
    assert.deepEqual(got.tags, { env: 'dev', owner: '' });
  });

  test('show and list see the group; the real binary, without NODE_EXTRA_CA_CERTS, trusts the CA of connection.json and finds it through APIM_LOCAL_DATA_DIR', async () => {
    await sdk.resourceGroups.createOrUpdate('cli-rg-b', { location: 'eastus' });
    const shown = await cliOk(['group', 'show', '--name', 'CLI-RG-A'], dir);
    assert.equal(shown.json().name, 'cli-rg-a');
    const listed = await runBinary(['group', 'list'], { env: { APIM_LOCAL_DATA_DIR: dir } });
    assert.equal(listed.code, 0, listed.stderr);
    const names = listed.json().map((g: any) => g.name).sort();
    assert.deepEqual(names, ['cli-rg-a', 'cli-rg-b']);
    assert.equal(listed.json()[0].managedBy, null);
  });

  test('list --tag filters by tag', async () => {
    const r = await cliOk(['group', 'list', '--tag', 'env=dev'], dir);
    assert.deepEqual(r.json().map((g: any) => g.name), ['cli-rg-a']);
  });

  test('create on an existing group updates its tags; --tags "" clears them', async () => {
    await cliOk(['group', 'create', '-g', 'cli-rg-b', '-l', 'eastus', '--tags', 'a=1'], dir);
    assert.deepEqual((await sdk.resourceGroups.get('cli-rg-b')).tags, { a: '1' });
    const cleared = await cliOk(['group', 'create', '-g', 'cli-rg-b', '-l', 'eastus', '--tags', ''], dir);
    assert.deepEqual(cleared.json().tags, {});
    assert.deepEqual((await sdk.resourceGroups.get('cli-rg-b')).tags ?? {}, {});
  });
});

describe('--query and --output', () => {
  test('--query applies JMESPath before the JSON output', async () => {
    const r = await cliOk(['group', 'list', '--query', "[?name=='cli-rg-a'].{n:name, loc:location, state:properties.provisioningState}"], dir);
    assert.deepEqual(r.json(), [{ loc: 'westeurope', n: 'cli-rg-a', state: 'Succeeded' }]);
    const scalar = await cliOk(['group', 'show', '-n', 'cli-rg-a', '--query', 'location', '-o', 'json'], dir);
    assert.equal(scalar.stdout, '"westeurope"\n');
  });

  test('tsv: one line per item, values in key order, nested objects empty, null as None', async () => {
    const names = await cliOk(['group', 'list', '--query', 'sort_by(@, &name)[].name', '-o', 'tsv'], dir);
    assert.equal(names.stdout, 'cli-rg-a\ncli-rg-b\n');
    const one = await cliOk(['group', 'show', '-n', 'cli-rg-a', '-o', 'tsv'], dir);
    assert.equal(one.stdout, `/subscriptions/${sub}/resourceGroups/cli-rg-a\twesteurope\tNone\tcli-rg-a\t\t\tMicrosoft.Resources/resourceGroups\n`);
    const ordered = await cliOk(['group', 'show', '-n', 'cli-rg-a', '-o', 'tsv', '--query', '{z: location, a: name, t: tags}'], dir);
    assert.equal(ordered.stdout, 'westeurope\tcli-rg-a\t\n', "a query's object keeps the query's order");
    const list = await cliOk(['group', 'show', '-n', 'cli-rg-a', '-o', 'tsv', '--query', '[location, name]'], dir);
    assert.equal(list.stdout, 'westeurope\ncli-rg-a\n', 'a list is one line per item, as az');
  });

  test('table: az\'s group list table, or the query\'s columns', async () => {
    const t = await cliOk(['group', 'list', '-o', 'table', '--query', 'sort_by(@, &name)'], dir);
    const lines = t.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^Location\s+Name$/, 'with --query, the generic table: scalar fields, id and type skipped');
    assert.match(lines[1], /^-+ {2}-+$/);
    assert.match(lines[2], /^westeurope\s+cli-rg-a$/);
    const plain = await cliOk(['group', 'list', '-o', 'table'], dir);
    const [header, rule, ...rows] = plain.stdout.trimEnd().split('\n');
    assert.equal(header, 'Name      Location    Status', "az's transform_resource_group_list, columns two spaces apart");
    assert.equal(rule, '--------  ----------  ---------');
    assert.ok(rows.includes('cli-rg-a  westeurope  Succeeded'), plain.stdout);
  });

  test('-o none prints nothing', async () => {
    const r = await cliOk(['group', 'show', '-n', 'cli-rg-a', '-o', 'none'], dir);
    assert.equal(r.stdout, '');
  });
});

describe('group exists and delete', () => {
  test('exists prints true or false', async () => {
    assert.equal((await cliOk(['group', 'exists', '-n', 'cli-rg-a'], dir)).stdout, 'true\n');
    assert.equal((await cliOk(['group', 'exists', '-n', 'no-such-group'], dir)).stdout, 'false\n');
  });

  test('delete without --yes and without a terminal (the real binary, stdin not a tty) refuses (exit 2) and deletes nothing', async () => {
    const r = await runBinary(['group', 'delete', '-n', 'cli-rg-b'], { dataDir: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Use --yes/);
    assert.equal((await sdk.resourceGroups.checkExistence('cli-rg-b')).body, true);
  });

  test('delete without --yes asks: "n" deletes nothing, "y" deletes', async () => {
    const no = await runCli(['group', 'delete', '-n', 'cli-rg-b'], { dataDir: dir, answers: ['n'] });
    assert.equal(no.code, 0, no.stderr);
    assert.equal(no.stderr, 'Are you sure you want to perform this operation? (y/n): ');
    assert.equal((await sdk.resourceGroups.checkExistence('cli-rg-b')).body, true);
    await sdk.resourceGroups.createOrUpdate('cli-rg-c', { location: 'eastus' });
    const yes = await runCli(['group', 'delete', '-n', 'cli-rg-c'], { dataDir: dir, answers: ['y'] });
    assert.equal(yes.code, 0, yes.stderr);
    assert.equal((await sdk.resourceGroups.checkExistence('cli-rg-c')).body, false);
  });

  test('delete --yes waits for the operation; the group is gone', async () => {
    const r = await cliOk(['group', 'delete', '-n', 'cli-rg-b', '--yes'], dir);
    assert.equal(r.stdout, '', 'az prints nothing for a delete');
    assert.equal((await sdk.resourceGroups.checkExistence('cli-rg-b')).body, false);
  });

  test('show of a missing group: the real binary exits 1, Azure\'s code and message on stderr, nothing on stdout', async () => {
    const r = await runBinary(['group', 'show', '-n', 'cli-rg-b'], { dataDir: dir });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^ERROR: \(ResourceGroupNotFound\) Resource group 'cli-rg-b' could not be found\.\n/);
    assert.match(r.stderr, /\nCode: ResourceGroupNotFound\n/);
  });

  test('delete of a missing group fails with ResourceGroupNotFound', async () => {
    const r = await runCli(['group', 'delete', '-n', 'cli-rg-b', '--yes'], { dataDir: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(ResourceGroupNotFound\)/);
  });

  test('an invalid name is refused by the server with its code', async () => {
    const r = await runCli(['group', 'create', '-n', 'bad.', '-l', 'westeurope'], { dataDir: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(InvalidResourceGroupName\)/);
  });
});

describe('usage errors and setup errors', () => {
  test('unknown options, missing arguments, bad --output and bad --query exit with 2 before any call', async () => {
    for (const args of [
      ['group', 'show', '-n', 'x', '--bogus'],
      ['group', 'show'],
      ['group', 'create', '-n', 'x'],
      ['group', 'list', '-o', 'yaml'],
      ['group', 'list', '--query', '[?'],
      ['group', 'frobnicate'],
    ]) {
      const r = await runCli(args, { dataDir: dir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
    // The real process's exit status: 2 for a usage error, 0 for --help.
    const usage = await runBinary(['group', 'show'], { dataDir: dir });
    assert.equal(usage.code, 2, usage.stderr);
    assert.match(usage.stderr, /required/);
    const help = await runBinary(['group', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: apim-local group/);
    assert.equal((await sdk.resourceGroups.checkExistence('x')).body, false);
  });

  test('no connection file: exit 1 with a hint to start the server', async () => {
    const empty = tempDir('apim-local-cli-empty-');
    const r = await runCli(['group', 'list'], { dataDir: empty });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ERROR: No connection file at '.*connection\.json'\. Start the server first/);
  });

  test('a server that is not running: exit 1 naming the endpoint', async () => {
    const stale = tempDir('apim-local-cli-stale-');
    const conn = { ...server.connection, managementEndpoint: 'https://localhost:1', authorityHost: 'https://localhost:1' };
    fs.writeFileSync(path.join(stale, 'connection.json'), JSON.stringify(conn));
    const r = await runCli(['group', 'list'], { dataDir: stale });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot reach apim-local at https:\/\/localhost:1/);
  });

  test('the CA of connection.json is the only one trusted: another CA fails the TLS handshake', async () => {
    const other = tempDir('apim-local-cli-ca-');
    const { loadOrCreateCa } = await import('../../src/tls/ca.js');
    const ca = await loadOrCreateCa(other);
    fs.writeFileSync(path.join(other, 'connection.json'), JSON.stringify({ ...server.connection, caCertificatePath: ca.caCertPath }));
    const r = await runCli(['group', 'list'], { dataDir: other });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot reach apim-local/);
  });
});
