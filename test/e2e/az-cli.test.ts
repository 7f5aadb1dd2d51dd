// The real Azure CLI (Debian's azure-cli 2.45, or whichever `az` is on PATH) against apim-local:
// `apim-local az` (first use registers the cloud and signs the admin in), `az-env`'s lines in a shell
// of one's own, and the seed's workflow: group, instance with a system-assigned identity, user-assigned
// identity, the seed's templates, an API whose backend is this server's Resource Manager (the gateway
// trusts our CA: the server runs without NODE_EXTRA_CA_CERTS), `az rest` where az 2.45 itself cannot
// (named value, Key Vault data plane, listSecrets), then a call through the gateway with the key; and az's
// Graph lookups by appId (create-for-rbac, keyvault set-policy --spn), resource show, apim update.
// No request may leave the machine: az runs behind a proxy that refuses everything and records it.
// Skipped with a message when az is not installed (each az call costs 1-2 s of Python start-up, so
// the calls are few and each checks much).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { BIN, ROOT, request, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { findAz } from '../../src/cli/az/setup.js';

const AZ = (() => { try { return findAz(process.env); } catch { return undefined; } })();
const needsAz = AZ ? {} : { skip: "the Azure CLI ('az') is not installed (apt-get install -y azure-cli)" };

/** A forward proxy that refuses every request and CONNECT, recording where each wanted to go. */
interface RefusingProxy { url: string; targets: string[]; close(): Promise<void> }
async function refusingProxy(): Promise<RefusingProxy> {
  const targets: string[] = [];
  const server = http.createServer((req, res) => { targets.push(req.url ?? ''); res.writeHead(403).end(); });
  server.on('connect', (req, socket) => { targets.push(req.url ?? ''); socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, targets, close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }) };
}

let server: TestServer;
let proxy: RefusingProxy;
let ep = '';
let sub = '';

/** The environment az runs in: no CA of the test runner, everything but localhost through the refusing proxy. */
function azEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['NODE_EXTRA_CA_CERTS', 'APIM_LOCAL_DATA_DIR', 'AZURE_CONFIG_DIR', 'REQUESTS_CA_BUNDLE']) delete env[k];
  for (const k of ['HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy']) env[k] = proxy.url;
  env.NO_PROXY = env.no_proxy = 'localhost,127.0.0.1';
  return { ...env, ...extra };
}

interface Run { code: number | null; stdout: string; stderr: string; json(): any }
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({
      code, stdout, stderr,
      json() { try { return JSON.parse(stdout); } catch { throw new Error(`not JSON (exit ${code}):\n${stdout}\n${stderr}`); } },
    }));
  });
}

/** `apim-local az --data-dir {server's} <args>`; asserts the exit code `expect` (0 by default; -1: any). */
async function az(args: string[], expect = 0): Promise<Run> {
  const r = await run(process.execPath, [BIN, 'az', '--data-dir', server.dataDir, ...args], azEnv());
  if (expect >= 0) assert.equal(r.code, expect, `apim-local az ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

const fixture = (name: string) => path.join(ROOT, 'test/fixtures/templates/seed', name);

before(async () => {
  // The server itself must trust its CA for backends without NODE_EXTRA_CA_CERTS (set for the tests).
  server = await startTestServer({ env: { NODE_EXTRA_CA_CERTS: '' } });
  ep = server.connection.managementEndpoint;
  sub = server.connection.subscriptionId;
  proxy = await refusingProxy();
});

after(async () => {
  await server?.stop();
  await proxy?.close();
});

test('GET /metadata/endpoints answers ARM\'s cloud metadata for each api-version, anonymously', async () => {
  const legacy = await request(`${ep}/metadata/endpoints?api-version=2015-01-01`);
  assert.equal(legacy.status, 200);
  assert.deepEqual(legacy.body.authentication, { loginEndpoint: `${ep}/adfs/`, audiences: ['https://management.core.windows.net/', 'https://management.azure.com/'] });
  assert.equal(legacy.body.graphEndpoint, `${ep}/`);
  const current = await request(`${ep}/metadata/endpoints?api-version=2022-09-01`);
  assert.equal(current.status, 200);
  assert.equal(current.body.resourceManager, `${ep}/`);
  assert.equal(current.body.microsoftGraphResourceId, `${ep}/`);
  assert.equal(current.body.authentication.tenant, server.connection.tenantId);
  assert.equal(current.body.suffixes.keyVaultDns, 'vault.localhost');
  const list = await request(`${ep}/metadata/endpoints?api-version=2019-05-01`);
  assert.deepEqual(list.body, [current.body]);
  const missing = await request(`${ep}/metadata/endpoints`);
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error.code, 'MissingApiVersionParameter');
  const wrong = await request(`${ep}/metadata/endpoints?api-version=2099-01-01`);
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error.code, 'InvalidApiVersionParameter');
  // The /adfs authority's discovery document is the default tenant's v2 one.
  const adfs = await request(`${ep}/adfs/.well-known/openid-configuration`);
  const v2 = await request(`${ep}/${server.connection.tenantId}/v2.0/.well-known/openid-configuration`);
  assert.equal(adfs.status, 200);
  assert.deepEqual(adfs.body, v2.body);
  assert.equal(adfs.body.token_endpoint, `${ep}/${server.connection.tenantId}/oauth2/v2.0/token`);
});

test('apim-local az without az on PATH says how to install it', async () => {
  const r = await run(process.execPath, [BIN, 'az', '--data-dir', server.dataDir, 'version'], azEnv({ PATH: tempDir('no-az-') }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /The Azure CLI \('az'\) was not found on PATH\. Install it: 'apt-get install -y azure-cli'/);
});

test('apim-local az: first use registers the cloud and signs the admin in; then the seed\'s workflow', needsAz, async (t) => {
  // First use: the cloud registered from the metadata, selected, the admin signed in; then the command.
  const account = (await az(['account', 'show', '-o', 'json'])).json();
  assert.equal(account.id, sub);
  assert.equal(account.tenantId, server.connection.tenantId);
  assert.equal(account.environmentName, 'ApimLocal');
  assert.deepEqual(account.user, { name: server.connection.clientId, type: 'servicePrincipal' });

  const group = (await az(['group', 'create', '-n', 'az-rg', '-l', 'westeurope', '-o', 'json'])).json();
  assert.equal(group.properties.provisioningState, 'Succeeded');

  const svc = (await az(['apim', 'create', '-g', 'az-rg', '-n', 'az-apim', '--publisher-name', 'Contoso', '--publisher-email', 'admin@contoso.com',
    '--sku-name', 'Consumption', '--enable-managed-identity', 'true', '-o', 'json'])).json();
  assert.equal(svc.identity.type, 'SystemAssigned');
  assert.match(svc.identity.principalId, /^[0-9a-f-]{36}$/);
  assert.match(svc.gatewayUrl, /^https:\/\/localhost:\d+$/);

  const uai = (await az(['identity', 'create', '-g', 'az-rg', '-n', 'az-uai', '-o', 'json'])).json();
  assert.equal(uai.type, 'Microsoft.ManagedIdentity/userAssignedIdentities');
  assert.match(uai.clientId, /^[0-9a-f-]{36}$/);

  // The seed's templates, unchanged: the system-assigned instance, then identity None on it.
  const sa = (await az(['deployment', 'group', 'create', '-g', 'az-rg', '-n', 'seed-sa', '--template-file', fixture('system-assigned.json'), '-o', 'json'])).json();
  assert.equal(sa.properties.provisioningState, 'Succeeded');
  const none = (await az(['deployment', 'group', 'create', '-g', 'az-rg', '-n', 'seed-none', '--template-file', fixture('identity-none.json'), '-o', 'json'])).json();
  assert.equal(none.properties.provisioningState, 'Succeeded');
  const token = (await server.credential().getToken('https://management.azure.com/.default'))!.token;
  const contoso = await request(`${ep}/subscriptions/${sub}/resourceGroups/az-rg/providers/Microsoft.ApiManagement/service/contoso?api-version=2022-08-01`, { token });
  assert.equal(contoso.status, 200);
  assert.notEqual(contoso.body.identity?.type, 'SystemAssigned', 'identity None removed the system-assigned identity');
  // As printed, the user-assigned template names an undefined variable: az shows ARM's error.
  const printed = await az(['deployment', 'group', 'create', '-g', 'az-rg', '-n', 'seed-ua', '--template-file', fixture('user-assigned.json')], 1);
  assert.match(printed.stderr, /InvalidTemplate/);
  assert.match(printed.stderr, /identityName/);

  // An API whose backend is this server's Resource Manager (HTTPS with our CA).
  const api = (await az(['apim', 'api', 'create', '-g', 'az-rg', '--service-name', 'az-apim', '--api-id', 'arm', '--path', 'arm',
    '--display-name', 'ARM', '--service-url', ep, '--protocols', 'https', '--subscription-required', 'true', '-o', 'json'])).json();
  assert.equal(api.path, 'arm');
  assert.equal(api.subscriptionRequired, true);
  assert.equal(api.serviceUrl, ep);
  // az 2.45's `apim api operation create` fails in az itself (Element is not JSON serializable): az rest.
  const svcId = `/subscriptions/${sub}/resourceGroups/az-rg/providers/Microsoft.ApiManagement/service/az-apim`;
  const op = (await az(['rest', '--method', 'put', '--url', `${ep}${svcId}/apis/arm/operations/metadata?api-version=2022-08-01`,
    '--body', JSON.stringify({ properties: { displayName: 'Cloud metadata', method: 'GET', urlTemplate: '/metadata/endpoints' } }), '-o', 'json'])).json();
  assert.equal(op.properties.urlTemplate, '/metadata/endpoints');

  // az rest, for what az 2.45 cannot do itself: a named value, the Key Vault data plane, listSecrets.
  const nv = (await az(['rest', '--method', 'put', '--url', `${ep}${svcId}/namedValues/nv1?api-version=2022-08-01`,
    '--body', JSON.stringify({ properties: { displayName: 'nv1', value: 'plain-value' } }), '-o', 'json'])).json();
  assert.equal(nv.properties.displayName, 'nv1');
  assert.equal(nv.properties.value, 'plain-value');

  const vaultId = `/subscriptions/${sub}/resourceGroups/az-rg/providers/Microsoft.KeyVault/vaults/az-kv-${process.pid}`;
  const vault = (await az(['rest', '--method', 'put', '--url', `${ep}${vaultId}?api-version=2023-07-01`, '--body', JSON.stringify({
    location: 'westeurope',
    properties: {
      tenantId: server.connection.tenantId, sku: { family: 'A', name: 'standard' },
      accessPolicies: [{ tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: { secrets: ['get', 'set', 'list'] } }],
    },
  }), '-o', 'json'])).json();
  const vaultUri: string = vault.properties.vaultUri;
  assert.match(vaultUri, /^https:\/\/localhost:\d+\/$/);
  const secret = (await az(['rest', '--method', 'put', '--url', `${vaultUri}secrets/greeting?api-version=7.4`, '--resource', 'https://vault.azure.net',
    '--body', JSON.stringify({ value: 'hello from az' }), '-o', 'json'])).json();
  assert.equal(secret.value, 'hello from az');
  assert.match(secret.id, new RegExp(`^${vaultUri}secrets/greeting/[0-9a-f]{32}$`));

  // What az does through Microsoft Graph (the signed-in principal, --spn, --assignee by appId), where
  // this server serves Graph (absent: 404 without a token; present: 401).
  if ((await request(`${ep}/v1.0/servicePrincipals`)).status === 404) {
    t.diagnostic('Microsoft Graph is not served: keyvault create, set-policy --spn and role assignment create --assignee are not run');
  } else {
    const kv = (await az(['keyvault', 'create', '-g', 'az-rg', '-n', `az-kv2-${process.pid}`, '-l', 'westeurope', '-o', 'json'])).json();
    assert.ok(kv.properties.accessPolicies.some((a: { objectId: string }) => a.objectId === server.connection.objectId), 'the signed-in admin gets an access policy');
    const policy = (await az(['keyvault', 'set-policy', '-n', kv.name, '--spn', uai.clientId, '--secret-permissions', 'get', 'list', '-o', 'json'])).json();
    assert.ok(policy.properties.accessPolicies.some((a: { objectId: string; permissions: { secrets: string[] } }) =>
      a.objectId === uai.principalId && a.permissions.secrets.includes('get')), 'the identity found by its appId gets its policy');
    // az 2.45 (Debian) resolves the appId through Graph, then fails in itself ('RoleAssignmentsOperations'
    // object has no attribute 'config'): az rest makes the same assignment.
    const ra = await az(['role', 'assignment', 'create', '--assignee', uai.clientId, '--role', 'Key Vault Secrets User', '--scope', kv.id, '-o', 'json'], -1);
    if (ra.code === 0) assert.equal(ra.json().principalId, uai.principalId);
    else {
      assert.match(ra.stderr, /has no attribute 'config'/, ra.stderr);
      const made = (await az(['rest', '--method', 'put', '--url', `${ep}${kv.id}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
        '--body', JSON.stringify({ properties: {
          roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`,
          principalId: uai.principalId, principalType: 'ServicePrincipal',
        } }), '-o', 'json'])).json();
      assert.equal(made.properties.principalId, uai.principalId);
    }
  }

  // A subscription to every API (made here by the SDK's way, a PUT), its key read by az rest.
  const made = await request(`${ep}${svcId}/subscriptions/az-sub?api-version=2022-08-01`, {
    method: 'PUT', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ properties: { scope: '/apis', displayName: 'az', state: 'active' } }),
  });
  assert.ok(made.status === 200 || made.status === 201, made.text);
  const keys = (await az(['rest', '--method', 'post', '--url', `${ep}${svcId}/subscriptions/az-sub/listSecrets?api-version=2022-08-01`, '-o', 'json'])).json();
  assert.match(keys.primaryKey, /^\S{16,}$/);

  // Through the gateway with that key: the backend is this server, trusted by its own CA.
  const res = await fetch(`${svc.gatewayUrl}/arm/metadata/endpoints?api-version=2022-09-01`, { headers: { 'ocp-apim-subscription-key': keys.primaryKey } });
  const body = await res.json() as { resourceManager?: string };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.resourceManager, `${ep}/`);
  const refused = await fetch(`${svc.gatewayUrl}/arm/metadata/endpoints?api-version=2022-09-01`, { headers: { 'ocp-apim-subscription-key': 'wrong' } });
  assert.equal(refused.status, 401);
});

test('az-env: its lines in a shell of one\'s own set up az the same way', needsAz, async () => {
  // A data directory of its own (the same server's connection file and CA), so az-env prints the whole set-up.
  const dir = tempDir('az-env-');
  fs.copyFileSync(path.join(server.dataDir, 'connection.json'), path.join(dir, 'connection.json'));
  const script = await run(process.execPath, [BIN, 'az-env', '--data-dir', dir], azEnv());
  assert.equal(script.code, 0, script.stderr);
  assert.match(script.stdout, new RegExp(`^export AZURE_CONFIG_DIR=${dir}/az/config$`, 'm'));
  assert.match(script.stdout, /^export REQUESTS_CA_BUNDLE=.*ca-bundle\.pem$/m);
  assert.match(script.stdout, /^az cloud register --name ApimLocal --cloud-config @\S+cloud\.json/m);
  assert.match(script.stdout, /^az login --service-principal /m);
  const shell = await run('bash', ['-c', `set -e\n${script.stdout}\naz account show -o json`], azEnv());
  assert.equal(shell.code, 0, shell.stderr);
  const account = shell.json();
  // The cloud az registered (its own file, read without another az call): the whole cloud, from the metadata.
  const clouds = fs.readFileSync(path.join(dir, 'az/config/clouds.config'), 'utf8');
  for (const line of [
    '[ApimLocal]', `endpoint_resource_manager = ${ep}/`, `endpoint_active_directory = ${ep}/adfs`,
    'endpoint_active_directory_resource_id = https://management.core.windows.net/', `endpoint_microsoft_graph_resource_id = ${ep}/`,
    'suffix_keyvault_dns = .vault.localhost',
  ]) assert.ok(clouds.split('\n').includes(line), `${line} in\n${clouds}`);
  assert.equal(account.id, sub);
  assert.equal(account.user.name, server.connection.clientId);
  // Set up now: az-env prints only the variables.
  const again = await run(process.execPath, [BIN, 'az-env', '--data-dir', dir], azEnv());
  assert.doesNotMatch(again.stdout, /^az /m);
  assert.match(again.stdout, /already/);
});

// Formerly a file of its own (az-graph.test.ts): it shares this file's server and az configuration, so the
// Python start-up, az's command index and the sign-in are paid once.
test('az: Graph lookups by appId (create-for-rbac, keyvault set-policy --spn), resource show --resource-type, apim update', needsAz, async () => {
  const token = (await server.credential().getToken('https://management.azure.com/.default'))!.token;
  const put = async (id: string, apiVersion: string, body: unknown) => {
    const r = await request(`${ep}${id}?api-version=${apiVersion}`, { method: 'PUT', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.ok(r.status === 200 || r.status === 201 || r.status === 202, r.text);
  };
  // Made through ARM directly: each az call costs seconds of Python start-up.
  const rg = `/subscriptions/${sub}/resourceGroups/az-graph-rg`;
  await put(rg, '2022-09-01', { location: 'westeurope' });
  const apimId = `${rg}/providers/Microsoft.ApiManagement/service/az-graph-apim`;
  await put(apimId, '2022-08-01', { location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, properties: { publisherEmail: 'a@contoso.com', publisherName: 'Contoso' } });
  const vaultId = `${rg}/providers/Microsoft.KeyVault/vaults/azgraphkv`;
  await put(vaultId, '2023-07-01', { location: 'westeurope', properties: { tenantId: server.connection.tenantId, sku: { family: 'A', name: 'standard' }, accessPolicies: [] } });

  const app = (await az(['ad', 'sp', 'create-for-rbac', '-n', 'az-graph-app', '-o', 'json', '--only-show-errors'])).json();
  assert.equal(app.displayName, 'az-graph-app');
  assert.equal(app.tenant, server.connection.tenantId);
  assert.ok(app.password.length >= 32);
  const appToken = (await server.credential(app.appId, app.password).getToken('https://management.azure.com/.default'))!.token;
  assert.ok(appToken, 'the new service principal signs in with its password');
  const policy = (await az(['keyvault', 'set-policy', '-n', 'azgraphkv', '--spn', app.appId, '--secret-permissions', 'get', 'list', '-o', 'json', '--only-show-errors'])).json();
  const graphToken = (await server.credential().getToken('https://graph.microsoft.com/.default'))!.token;
  const sp = (await request(`${ep}/v1.0/servicePrincipals(appId='${app.appId}')`, { token: graphToken })).body;
  const entry = policy.properties.accessPolicies.find((p: { objectId: string }) => p.objectId === sp.id);
  // az merges the permissions through a Python set: their order varies from run to run.
  assert.deepEqual([...(entry?.permissions.secrets ?? [])].sort(), ['get', 'list']);
  const shown = (await az(['resource', 'show', '-g', 'az-graph-rg', '-n', 'azgraphkv', '--resource-type', 'Microsoft.KeyVault/vaults', '-o', 'json', '--only-show-errors'])).json();
  assert.equal(shown.id.toLowerCase(), vaultId.toLowerCase());
  // az apim update on an instance without an identity adds one; a later update keeps it.
  const enabled = (await az(['apim', 'update', '-g', 'az-graph-rg', '-n', 'az-graph-apim', '--enable-managed-identity', 'true', '-o', 'json', '--only-show-errors'])).json();
  assert.equal(enabled.identity.type, 'SystemAssigned');
  const renamed = (await az(['apim', 'update', '-g', 'az-graph-rg', '-n', 'az-graph-apim', '--publisher-name', 'Other', '-o', 'json', '--only-show-errors'])).json();
  assert.equal(renamed.publisherName, 'Other');
  assert.equal(renamed.identity?.principalId, enabled.identity.principalId);
});

test('no request left the machine: the refusing proxy saw none to a login host, only az\'s own update check', needsAz, () => {
  assert.deepEqual(proxy.targets.filter((t) => /login\.(microsoftonline|windows|microsoft|live)\.|graph\.|management\.|vault\.azure/i.test(t)), []);
  // az looks for a newer version once per new configuration directory (a HEAD of azure.microsoft.com, then GitHub); refused here.
  assert.deepEqual(proxy.targets.filter((t) => !/^(azure\.microsoft\.com|raw\.githubusercontent\.com):443$/.test(t)), []);
});
