// The real Azure CLI's Graph and generic-resource commands against apim-local, through `apim-local az`
// (an az configuration of its own, the cloud registered from /metadata/endpoints, the admin signed in):
// `az keyvault create` (which looks the signed-in principal up in Graph by servicePrincipalNames),
// `az ad sp create-for-rbac`, `az keyvault set-policy --spn`, `az resource show --resource-type`, and
// `az apim update` enabling an identity, then keeping it. Every other request would go to a proxy that
// does not exist. Skipped with a message when az is not installed (Debian: apt-get install -y azure-cli).
// az 2.45's `role assignment create/list` fail in az itself with Debian's SDK ('RoleAssignmentsOperations'
// object has no attribute 'config'), before any request: the role assignment of an appId is checked
// with the SDK in graph.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { BIN, request, startTestServer, type TestServer } from '../helpers/server.js';

const AZ = spawnSync('az', ['version', '--output', 'none'], { stdio: 'ignore' }).status === 0;
const needsAz = AZ ? {} : { skip: "the Azure CLI ('az') is not installed (apt-get install -y azure-cli)" };

let server: TestServer;

interface Run { code: number | null; stdout: string; stderr: string; json(): any }

/** `apim-local az --data-dir {server's} <args> --output json`; asserts exit 0. */
function az(args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['NODE_EXTRA_CA_CERTS', 'AZURE_CONFIG_DIR', 'REQUESTS_CA_BUNDLE']) delete env[k];
  // Nothing may leave the machine: any request not for localhost goes to a port where nothing listens.
  Object.assign(env, { HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: 'localhost,127.0.0.1' });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'az', '--data-dir', server.dataDir, ...args, '--output', 'json', '--only-show-errors'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => {
      assert.equal(code, 0, `az ${args.join(' ')}:\n${stdout}\n${stderr}`);
      resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) });
    });
  });
}

let metadata = false;
before(async () => {
  if (!AZ) return;
  server = await startTestServer();
  // The cloud metadata az registers from comes with `apim-local az` (the Azure CLI issue's other half).
  metadata = (await request(`${server.connection.managementEndpoint}/metadata/endpoints?api-version=2022-09-01`)).status === 200;
});
after(async () => { await server?.stop(); });

test('az: Graph lookups, keyvault create / set-policy --spn, create-for-rbac, resource show, apim update', needsAz, async (t) => {
  if (!metadata) { t.skip('this build serves no cloud metadata (GET /metadata/endpoints), which `apim-local az` needs'); return; }
  const { objectId } = server.connection;
  // Made with the SDK: each az call costs seconds of Python start-up.
  const rm = new ResourceManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions());
  await rm.resourceGroups.createOrUpdate('az-graph-rg', { location: 'westeurope' });
  const apim = new ApiManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions());
  await apim.apiManagementService.beginCreateOrUpdateAndWait('az-graph-rg', 'az-graph-apim', {
    location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'a@contoso.com', publisherName: 'Contoso',
  });
  // keyvault create: /me refused for an application, az falls back to servicePrincipalNames/any(...).
  const vault = (await az(['keyvault', 'create', '-g', 'az-graph-rg', '-n', 'azgraphkv', '-l', 'westeurope'])).json();
  assert.deepEqual(vault.properties.accessPolicies.map((p: any) => p.objectId), [objectId]);
  const app = (await az(['ad', 'sp', 'create-for-rbac', '-n', 'az-graph-app'])).json();
  assert.equal(app.displayName, 'az-graph-app');
  assert.equal(app.tenant, server.connection.tenantId);
  assert.ok(app.password.length >= 32);
  const token = (await server.credential(app.appId, app.password).getToken('https://management.azure.com/.default')).token;
  assert.ok(token, 'the new service principal signs in with its password');
  const policy = (await az(['keyvault', 'set-policy', '-n', 'azgraphkv', '--spn', app.appId, '--secret-permissions', 'get', 'list'])).json();
  const graphToken = (await server.credential().getToken('https://graph.microsoft.com/.default')).token;
  const sp = (await request(`${server.connection.managementEndpoint}/v1.0/servicePrincipals(appId='${app.appId}')`, { token: graphToken })).body;
  const entry = policy.properties.accessPolicies.find((p: any) => p.objectId === sp.id);
  // az merges the permissions through a Python set: their order varies from run to run.
  assert.deepEqual([...(entry?.permissions.secrets ?? [])].sort(), ['get', 'list']);
  const shown = (await az(['resource', 'show', '-g', 'az-graph-rg', '-n', 'azgraphkv', '--resource-type', 'Microsoft.KeyVault/vaults'])).json();
  assert.equal(shown.id, vault.id);
  // az apim update on an instance without an identity adds one; a later update keeps it.
  const enabled = (await az(['apim', 'update', '-g', 'az-graph-rg', '-n', 'az-graph-apim', '--enable-managed-identity', 'true'])).json();
  assert.equal(enabled.identity.type, 'SystemAssigned');
  const renamed = (await az(['apim', 'update', '-g', 'az-graph-rg', '-n', 'az-graph-apim', '--publisher-name', 'Other'])).json();
  assert.equal(renamed.publisherName, 'Other');
  assert.equal(renamed.identity?.principalId, enabled.identity.principalId);
});
