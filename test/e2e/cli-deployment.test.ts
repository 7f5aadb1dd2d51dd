// `apim-local deployment ...` (#13), run in process against a real server: group create with a
// parameters file and NAME=VALUE, a nested deployment whose templateLink names a local file, progress
// on stderr, show, list, operations, validate, a failed deployment as az reports it, delete, and sub
// create.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { cliOk, runCli } from './cli-helper.js';

let server: TestServer;
let dir = '';
const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const uai = (name: string) => ({ type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name, location: 'westeurope' });
const write = (name: string, value: unknown) => fs.writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2));
const cli = (args: string[]) => runCli(args, { dataDir: server.dataDir });

before(async () => {
  server = await startTestServer();
  dir = tempDir('apim-local-cli-deploy-');
  fs.mkdirSync(path.join(dir, 'linked'));
  write('linked/nested.json', { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [uai('cli-nested-uai')], outputs: { from: { type: 'string', value: 'nested' } } });
  write('main.json', {
    $schema: SCHEMA, contentVersion: '1.0.0.0',
    parameters: { count: { type: 'int' }, flag: { type: 'bool', defaultValue: false }, label: { type: 'string' }, secret: { type: 'securestring' } },
    resources: [
      uai('cli-uai'),
      { type: 'Microsoft.Resources/deployments', apiVersion: '2021-04-01', name: 'cli-linked', dependsOn: ['cli-uai'], properties: { mode: 'Incremental', templateLink: { relativePath: 'linked/nested.json' } } },
    ],
    outputs: { done: { type: 'string', value: 'yes' } },
  });
  write('params.json', { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#', contentVersion: '1.0.0.0', parameters: { count: { value: 1 }, label: { value: 'from-file' }, secret: { value: 'p4ss' } } });
  write('bad.json', { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [uai('cli-ok-uai'), { type: 'Microsoft.ApiManagement/service', apiVersion: '2021-08-01', name: 'cli-bad-apim', location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, properties: { publisherEmail: 'nope', publisherName: 'x' } }] });
  write('sub.json', { $schema: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#', contentVersion: '1.0.0.0', resources: [{ type: 'Microsoft.Resources/resourceGroups', apiVersion: '2022-09-01', name: 'cli-sub-made', location: 'westeurope' }] });
  await cliOk(['group', 'create', '-n', 'cli-rg', '-l', 'westeurope'], server.dataDir);
});

after(async () => {
  await server?.stop();
});

test('group create: parameters from a file and NAME=VALUE, a local templateLink, progress per resource, the deployment printed', async () => {
  const r = await runCli(['deployment', 'group', 'create', '-g', 'cli-rg', '--template-file', path.join(dir, 'main.json'),
    '--parameters', `@${path.join(dir, 'params.json')}`, '--parameters', 'label=override', 'flag=true'], { dataDir: server.dataDir });
  assert.equal(r.code, 0, r.stderr);
  const d = r.json();
  assert.equal(d.name, 'main', 'named after the template file');
  assert.equal(d.properties.provisioningState, 'Succeeded');
  assert.deepEqual(d.properties.outputs.done, { type: 'String', value: 'yes' });
  assert.deepEqual(d.properties.parameters.label, { type: 'String', value: 'override' });
  assert.deepEqual(d.properties.parameters.count, { type: 'Int', value: 1 });
  assert.deepEqual(d.properties.parameters.flag, { type: 'Bool', value: true });
  assert.deepEqual(d.properties.parameters.secret, { type: 'SecureString' });
  assert.ok(!r.stdout.includes('p4ss'));
  assert.match(r.stderr, /Microsoft\.ManagedIdentity\/userAssignedIdentities 'cli-uai': Succeeded/);
  assert.match(r.stderr, /Microsoft\.Resources\/deployments 'cli-linked': Succeeded/);
  const nested = (await cliOk(['deployment', 'group', 'show', '-g', 'cli-rg', '-n', 'cli-linked'], server.dataDir)).json();
  assert.deepEqual(nested.properties.outputs.from, { type: 'String', value: 'nested' });
  const made = (await cliOk(['identity', 'show', '-g', 'cli-rg', '-n', 'cli-nested-uai'], server.dataDir)).json();
  assert.equal(made.name, 'cli-nested-uai');
});

test('show, list, operation list, validate', async () => {
  const shown = (await cliOk(['deployment', 'group', 'show', '-g', 'cli-rg', '-n', 'main'], server.dataDir)).json();
  assert.equal(shown.properties.provisioningState, 'Succeeded');
  const names = (await cliOk(['deployment', 'group', 'list', '-g', 'cli-rg', '--query', '[].name'], server.dataDir)).json();
  assert.deepEqual(names.sort(), ['cli-linked', 'main']);
  const ops = (await cliOk(['deployment', 'operation', 'group', 'list', '-g', 'cli-rg', '-n', 'main'], server.dataDir)).json();
  const targets = ops.filter((o: any) => o.properties.targetResource).map((o: any) => o.properties.targetResource.resourceName).sort();
  assert.deepEqual(targets, ['cli-linked', 'cli-uai']);
  const table = await cliOk(['deployment', 'operation', 'group', 'list', '-g', 'cli-rg', '-n', 'main', '-o', 'table'], server.dataDir);
  assert.match(table.stdout, /cli-uai\s+Microsoft\.ManagedIdentity\/userAssignedIdentities\s+Succeeded\s+(Created|OK)\s+PT/);
  const v = (await cliOk(['deployment', 'group', 'validate', '-g', 'cli-rg', '-f', path.join(dir, 'main.json'), '-p', `@${path.join(dir, 'params.json')}`], server.dataDir)).json();
  assert.equal(v.properties.provisioningState, 'Succeeded');
  const missing = await cli(['deployment', 'group', 'validate', '-g', 'cli-rg', '-f', path.join(dir, 'main.json')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /InvalidTemplate/);
  const badInt = await cli(['deployment', 'group', 'create', '-g', 'cli-rg', '-f', path.join(dir, 'main.json'), '-p', 'count=many']);
  assert.equal(badInt.code, 2);
  assert.match(badInt.stderr, /'count' is an int/);
});

test('a failed deployment is an error with DeploymentFailed and the resource\'s own error; operations show it; delete', async () => {
  const r = await cli(['deployment', 'group', 'create', '-g', 'cli-rg', '-f', path.join(dir, 'bad.json')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ERROR: \(DeploymentFailed\)/);
  assert.match(r.stderr, /\(ValidationError\) Email address 'nope' is not valid/);
  assert.match(r.stderr, /'cli-bad-apim': Failed \(BadRequest, PT[\d.]+S\): \(ValidationError\)/);
  const ops = (await cliOk(['deployment', 'operation', 'group', 'list', '-g', 'cli-rg', '-n', 'bad'], server.dataDir)).json();
  const failed = ops.find((o: any) => o.properties.targetResource?.resourceName === 'cli-bad-apim');
  assert.equal(failed.properties.statusMessage.error.code, 'ValidationError');
  assert.equal((await cliOk(['identity', 'show', '-g', 'cli-rg', '-n', 'cli-ok-uai'], server.dataDir)).json().name, 'cli-ok-uai');
  await cliOk(['deployment', 'group', 'delete', '-g', 'cli-rg', '-n', 'bad'], server.dataDir);
  const gone = await cli(['deployment', 'group', 'show', '-g', 'cli-rg', '-n', 'bad']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /DeploymentNotFound/);
});

test('sub create needs a location and deploys at subscription scope', async () => {
  const noLocation = await cli(['deployment', 'sub', 'create', '-f', path.join(dir, 'sub.json')]);
  assert.equal(noLocation.code, 2);
  const d = (await cliOk(['deployment', 'sub', 'create', '-l', 'westeurope', '-f', path.join(dir, 'sub.json'), '--only-show-errors'], server.dataDir)).json();
  assert.equal(d.properties.provisioningState, 'Succeeded');
  assert.equal(d.location, 'westeurope');
  assert.equal((await cliOk(['group', 'show', '-n', 'cli-sub-made'], server.dataDir)).json().location, 'westeurope');
});
