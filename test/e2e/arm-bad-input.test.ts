// Bad input at the Resource Manager front door: each gets Azure's error, and nothing is stored.
// Paths with `..` or encoded slashes are sent with node:https, which sends the path as written (fetch
// would normalise it first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import crypto from 'node:crypto';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startTestServer, request, type TestServer } from '../helpers/server.js';

let server: TestServer;
let client: ResourceManagementClient;
let token: string;
let endpoint: string;
let sub: string;

before(async () => {
  server = await startTestServer();
  endpoint = server.connection.managementEndpoint;
  sub = server.connection.subscriptionId;
  client = new ResourceManagementClient(server.credential(), sub, server.armOptions());
  token = (await server.credential().getToken('https://management.azure.com/.default')).token;
  await client.resourceGroups.createOrUpdate('rg-existing', { location: 'westeurope', tags: { keep: 'me' } });
});
after(async () => { await server?.stop(); });

interface Raw { status: number; headers: Record<string, string | string[] | undefined>; body: any; text: string }

const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
after(() => agent.destroy());

/** One request, the path sent byte for byte, on a kept-alive connection (which a refused request must leave usable). */
function raw(method: string, path: string, opts: { headers?: Record<string, string>; body?: string | Buffer; auth?: boolean } = {}): Promise<Raw> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.auth === false ? {} : { authorization: `Bearer ${token}` }), ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = https.request({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: any;
        try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
        resolve({ status: res.statusCode!, headers: res.headers, body, text });
      });
      res.on('error', reject);
    });
    // The server may answer (413) and close before the whole body is written: the answer counts.
    req.on('error', (e) => reject(e));
    if (opts.body !== undefined) req.end(opts.body); else req.end();
  });
}

const rgPath = (name: string, apiVersion = '2025-04-01') => `/subscriptions/${sub}/resourcegroups/${name}?api-version=${apiVersion}`;
const json = { 'content-type': 'application/json' };

function assertError(res: { status: number; body: any }, status: number, code: string, message?: string | RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.error?.code, code, JSON.stringify(res.body));
  if (typeof message === 'string') assert.equal(res.body.error.message, message);
  else if (message) assert.match(res.body.error.message, message);
}

/** Nothing was stored: the group does not exist and the list is what it was. */
async function assertNothingStored(name: string): Promise<void> {
  assert.equal((await client.resourceGroups.checkExistence(name)).body, false, `${name} must not exist`);
  const names: string[] = [];
  for await (const g of client.resourceGroups.list()) names.push(g.name!);
  assert.deepEqual(names.filter((n) => n.startsWith('rg-bad')), []);
  const existing = await client.resourceGroups.get('rg-existing');
  assert.deepEqual(existing.tags, { keep: 'me' });
}

test('malformed JSON: 400 InvalidRequestContent', async () => {
  for (const body of ['{"location": ', '{location: westeurope}', '{"location":"westeurope"}}', 'null', '[]', '"westeurope"']) {
    const res = await raw('PUT', rgPath('rg-bad-json'), { headers: json, body });
    assertError(res, 400, 'InvalidRequestContent', /^The request content was invalid and could not be deserialized/);
  }
  const existing = await raw('PUT', rgPath('rg-existing'), { headers: json, body: '{"location":"westeurope","tags":{"keep":' });
  assertError(existing, 400, 'InvalidRequestContent');
  await assertNothingStored('rg-bad-json');
});

test('an empty body on PUT: 400', async () => {
  const res = await raw('PUT', rgPath('rg-bad-empty'), { headers: json, body: '' });
  assertError(res, 400, 'InvalidRequestContent');
  await assertNothingStored('rg-bad-empty');
});

test('a wrong content type: 415 UnsupportedMediaType', async () => {
  const body = JSON.stringify({ location: 'westeurope' });
  let res = await raw('PUT', rgPath('rg-bad-type'), { headers: { 'content-type': 'text/plain' }, body });
  assertError(res, 415, 'UnsupportedMediaType', "The content media type 'text/plain' is not supported. Only 'application/json' is supported.");
  res = await raw('PUT', rgPath('rg-bad-type'), { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'location=westeurope' });
  assertError(res, 415, 'UnsupportedMediaType');
  res = await raw('PUT', rgPath('rg-bad-type'), { body });
  assertError(res, 415, 'UnsupportedMediaType', "The content media type '<null>' is not supported. Only 'application/json' is supported.");
  await assertNothingStored('rg-bad-type');
  // application/json with a charset is fine.
  res = await raw('PUT', rgPath('rg-charset'), { headers: { 'content-type': 'application/json; charset=utf-8' }, body });
  assert.equal(res.status, 201, res.text);
  await client.resourceGroups.beginDeleteAndWait('rg-charset', { updateIntervalInMs: 50 });
});

test('a 10 MB body: 413 RequestContentTooLarge, and the server keeps serving', async () => {
  const big = JSON.stringify({ location: 'westeurope', tags: { big: 'x'.repeat(10 * 1024 * 1024) } });
  const res = await raw('PUT', rgPath('rg-bad-big'), { headers: json, body: big });
  assertError(res, 413, 'RequestContentTooLarge', 'The request content size exceeds the maximum size of 4 MB.');
  // Sent without a declared length (chunked), it is cut off at the limit just the same.
  const chunked = await new Promise<Raw>((resolve, reject) => {
    const url = new URL(endpoint);
    const req = https.request({ host: url.hostname, port: url.port, method: 'PUT', path: rgPath('rg-bad-big'), agent: false, headers: { ...json, authorization: `Bearer ${token}` } }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => { const text = Buffer.concat(chunks).toString(); resolve({ status: r.statusCode!, headers: r.headers, text, body: JSON.parse(text) }); });
    });
    req.on('error', reject);
    const chunk = 'x'.repeat(1024 * 1024);
    req.write('{"location":"westeurope","tags":{"big":"');
    let i = 0;
    const pump = () => {
      while (i < 10) {
        i++;
        if (!req.write(chunk)) { req.once('drain', pump); return; }
      }
      req.end('"}}');
    };
    pump();
  });
  assertError(chunked, 413, 'RequestContentTooLarge');
  // Still serving, on new connections and through the SDK.
  const ok = await request(`${endpoint}${rgPath('rg-existing')}`, { token });
  assert.equal(ok.status, 200);
  await assertNothingStored('rg-bad-big');
});

test('missing api-version: 400 MissingApiVersionParameter', async () => {
  let res = await raw('PUT', `/subscriptions/${sub}/resourcegroups/rg-bad-nover`, { headers: json, body: '{"location":"westeurope"}' });
  assertError(res, 400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  res = await raw('GET', `/subscriptions/${sub}/resourcegroups?api-version=`);
  assertError(res, 400, 'MissingApiVersionParameter');
  await assertNothingStored('rg-bad-nover');
});

test('an unknown api-version for resource groups: 400 InvalidApiVersionParameter listing the supported ones, newest first', async () => {
  const res = await raw('PUT', rgPath('rg-bad-ver', '2099-01-01'), { headers: json, body: '{"location":"westeurope"}' });
  assertError(res, 400, 'InvalidApiVersionParameter', /^The api-version '2099-01-01' is invalid\. The supported versions are '[\d\-a-z,]+'\.$/);
  const listed = /'([^']+)'\.$/.exec(res.body.error.message)![1].split(',');
  assert.ok(listed.includes('2025-04-01') && listed.includes('2021-04-01'), 'the versions the SDKs send');
  assert.deepEqual(listed, [...listed].sort().reverse(), 'newest first, as ARM lists them');
  await assertNothingStored('rg-bad-ver');
});

test('an unknown api-version for a provider type: 400 NoRegisteredProviderFound', async () => {
  const name = crypto.randomUUID();
  const res = await raw('PUT', `/subscriptions/${sub}/resourceGroups/rg-existing/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2001-01-01`, {
    headers: json, body: JSON.stringify({ properties: { roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`, principalId: server.connection.objectId } }),
  });
  assertError(res, 400, 'NoRegisteredProviderFound', /^No registered resource provider found for location '[^']*' and API version '2001-01-01' for type 'roleAssignments'\. The supported api-versions are '[^']*2022-04-01[^']*'\./);
  const got = await raw('GET', `/subscriptions/${sub}/resourceGroups/rg-existing/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`);
  assertError(got, 404, 'RoleAssignmentNotFound');
});

test('`..` segments, encoded dots and encoded slashes: 400, nothing stored', async () => {
  const body = '{"location":"westeurope"}';
  const paths = [
    `/subscriptions/${sub}/resourcegroups/rg-existing/../rg-bad-dots?api-version=2025-04-01`,
    `/subscriptions/${sub}/resourcegroups/rg-existing/%2e%2e/rg-bad-dots?api-version=2025-04-01`,
    `/subscriptions/${sub}/resourcegroups/./rg-bad-dots?api-version=2025-04-01`,
    `/subscriptions/${sub}/resourcegroups/rg-bad%2Fdots?api-version=2025-04-01`,
    `/subscriptions/${sub}/resourcegroups/rg-bad%2fdots?api-version=2025-04-01`,
    `/subscriptions/${sub}/resourcegroups/rg-bad%5Cdots?api-version=2025-04-01`,
    `/subscriptions/${sub}/resourcegroups/rg-bad-dots/..?api-version=2025-04-01`,
    `/subscriptions/${sub}//resourcegroups/rg-bad-dots?api-version=2025-04-01`,
  ];
  for (const path of paths) {
    const res = await raw('PUT', path, { headers: json, body });
    assert.equal(res.status, 400, `${path}: ${res.text}`);
    assert.ok(res.body?.error?.code, `${path}: an ARM error envelope`);
  }
  assert.equal((await client.resourceGroups.checkExistence('rg-bad-dots')).body, false);
  await assertNothingStored('rg-bad-dots');
});

test('routing is case-insensitive and a leading // is collapsed', async () => {
  const body = '{"location":"westeurope"}';
  const created = await raw('PUT', `//SUBSCRIPTIONS/${sub}/ResourceGroups/rg-cased?API-VERSION=2025-04-01`.replace('API-VERSION', 'api-version'), { headers: json, body });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.id, `/subscriptions/${sub}/resourceGroups/rg-cased`);
  for (const path of [`/subscriptions/${sub}/resourceGroups/rg-cased`, `/subscriptions/${sub}/resourcegroups/RG-CASED`, `//subscriptions/${sub}/RESOURCEGROUPS/rg-cased`]) {
    const res = await raw('GET', `${path}?api-version=2025-04-01`);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.equal(res.body.name, 'rg-cased');
  }
  const again = await raw('PUT', rgPath('RG-Cased'), { headers: json, body });
  assert.equal(again.status, 200, 'the same group: an update');
  const list = await raw('GET', `//subscriptions/${sub}/resourcegroups?api-version=2025-04-01`);
  assert.equal(list.body.value.filter((g: any) => g.name.toLowerCase() === 'rg-cased').length, 1);
  await client.resourceGroups.beginDeleteAndWait('rg-cased', { updateIntervalInMs: 50 });
});

test('an unknown member in the body: 400 InvalidRequestContent naming it', async () => {
  let res = await raw('PUT', rgPath('rg-bad-member'), { headers: json, body: '{"location":"westeurope","locaton":"eastus"}' });
  assertError(res, 400, 'InvalidRequestContent', /Could not find member 'locaton' on object of type 'ResourceGroup'/);
  res = await raw('PUT', rgPath('rg-bad-member'), { headers: json, body: '{"location":"westeurope","properties":{"state":"x"}}' });
  assertError(res, 400, 'InvalidRequestContent', /Could not find member 'state'/);
  res = await raw('PUT', rgPath('rg-bad-member'), { headers: json, body: '{"location":"westeurope","tags":{"a":1}}' });
  assertError(res, 400, 'InvalidRequestContent');
  res = await raw('PUT', rgPath('rg-bad-member'), { headers: json, body: '{"tags":{}}' });
  assertError(res, 400, 'LocationRequired');
  await assertNothingStored('rg-bad-member');
});

test('an invalid group name and an unknown type: Azure\'s errors', async () => {
  const res = await raw('PUT', rgPath('rg-bad-name.'), { headers: json, body: '{"location":"westeurope"}' });
  assertError(res, 400, 'InvalidResourceGroupName');
  const unknownType = await raw('GET', `/subscriptions/${sub}/resourceGroups/rg-existing/providers/Microsoft.Authorization/nothings/x?api-version=2022-04-01`);
  assertError(unknownType, 404, 'InvalidResourceType', "The resource type 'nothings' could not be found in the namespace 'Microsoft.Authorization' for api version '2022-04-01'.");
  const unknownNs = await raw('GET', `/subscriptions/${sub}/resourceGroups/rg-existing/providers/Microsoft.Nope/things/x?api-version=2022-04-01`);
  assert.equal(unknownNs.status, 404);
  assert.equal((await client.resourceGroups.checkExistence('rg-bad-name.')).body, false);
});
