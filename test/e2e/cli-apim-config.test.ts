// The command line's commands for an instance's configuration against the real server, run as a child
// process: `apim api create|import|show|list|update|delete`, `apim api operation ...`, `apim policy
// set|show|delete` at the four scopes, `apim product ...` with `product api add|remove|list|check`,
// `apim subscription ...` with `keys list|regenerate`, and `apim backend ...`. Outputs are az's shapes
// (the Python SDK's contracts, properties at the top, null where unset), cross-checked with
// @azure/arm-apimanagement; errors print Azure's code, message and details, exit 1; usage errors exit 2.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { runCli, cliOk } from './cli-helper.js';

const RG = 'cli-apimcfg-rg';
const SVC = 'cli-apimcfg';
const HEX32 = /^[0-9a-f]{32}$/;

let server: TestServer;
let dir: string;
let files: string;
let sub: string;
let sdk: ApiManagementClient;

const svcId = () => `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;
/** `apim <args> -g RG -n SVC`, exit 0 required. */
const apim = (args: string[]) => cliOk(['apim', ...args, '-g', RG, '-n', SVC], dir);
const apimRun = (args: string[]) => runCli(['apim', ...args, '-g', RG, '-n', SVC], { dataDir: dir });

/** Runs and requires this exit code and no stdout; returns stderr. */
async function fails(args: string[], code: number): Promise<string> {
  const r = await apimRun(args);
  assert.equal(r.code, code, `${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  return r.stderr;
}

function file(name: string, text: string): string {
  const p = path.join(files, name);
  fs.writeFileSync(p, text);
  return p;
}

const keysSorted = (o: object) => assert.deepEqual(Object.keys(o), [...Object.keys(o)].sort());

const PETSTORE_YAML = `openapi: 3.0.1
info:
  title: Swagger Petstore
  description: A sample API that uses a petstore
  version: 1.0.0
servers:
  - url: https://petstore.example.com/v1
paths:
  /pets:
    get:
      operationId: listPets
      summary: List all pets
      parameters:
        - name: limit
          in: query
          required: false
          schema:
            type: integer
      responses:
        '200':
          description: A paged array of pets
          content:
            application/json: {}
    post:
      operationId: createPets
      summary: Create a pet
      responses:
        '201':
          description: Null response
  /pets/{petId}:
    get:
      operationId: showPetById
      summary: Info for a specific pet
      parameters:
        - name: petId
          in: path
          required: true
          description: The id of the pet to retrieve
          schema:
            type: string
      responses:
        '200':
          description: Expected response to a valid request
`;

const POLICY_XML = `<policies>
  <inbound>
    <base />
    <set-header name="X-From-Cli" exists-action="override">
      <value>yes</value>
    </set-header>
  </inbound>
  <backend>
    <base />
  </backend>
  <outbound>
    <base />
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>
`;

before(async () => {
  server = await startTestServer();
  dir = server.dataDir;
  sub = server.connection.subscriptionId;
  files = tempDir('apim-local-cli-apimcfg-files-');
  sdk = new ApiManagementClient(server.credential(), sub, server.armOptions());
  await cliOk(['group', 'create', '-n', RG, '-l', 'westeurope'], dir);
  await cliOk(['apim', 'create', '-g', RG, '-n', SVC, '--publisher-email', 'a@contoso.com', '--publisher-name', 'Contoso'], dir);
});
after(async () => { await server?.stop(); });

describe('apim api', () => {
  test("create: az's ApiContract (apiType, every field, null where unset), az's defaults; the SDK sees it", async () => {
    const api = (await apim(['api', 'create', '--api-id', 'echo', '--path', '/echo', '--display-name', 'Echo API', '--service-url', 'http://127.0.0.1:9/echo'])).json();
    keysSorted(api);
    assert.deepEqual(Object.keys(api), [
      'apiRevision', 'apiRevisionDescription', 'apiType', 'apiVersion', 'apiVersionDescription', 'apiVersionSet', 'apiVersionSetId',
      'authenticationSettings', 'contact', 'description', 'displayName', 'id', 'isCurrent', 'isOnline', 'license', 'name', 'path', 'protocols',
      'resourceGroup', 'serviceUrl', 'sourceApiId', 'subscriptionKeyParameterNames', 'subscriptionRequired', 'termsOfServiceUrl', 'type',
    ]);
    assert.equal(api.id, `${svcId()}/apis/echo`);
    assert.equal(api.name, 'echo');
    assert.equal(api.type, 'Microsoft.ApiManagement/service/apis');
    assert.equal(api.apiType, 'http');
    assert.equal(api.resourceGroup, RG);
    assert.equal(api.path, 'echo');
    assert.equal(api.displayName, 'Echo API');
    assert.equal(api.serviceUrl, 'http://127.0.0.1:9/echo');
    assert.deepEqual(api.protocols, ['https'], "az's default protocols");
    assert.equal(api.subscriptionRequired, false, "az's create sends subscriptionRequired false unless told");
    assert.deepEqual(api.subscriptionKeyParameterNames, { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' });
    assert.equal(api.apiRevision, '1');
    assert.equal(api.isCurrent, true);
    assert.equal(api.description, null);
    const got = await sdk.api.get(RG, SVC, 'echo');
    assert.equal(got.displayName, 'Echo API');
    assert.equal(got.subscriptionRequired, false);
  });

  test('create: --protocols, --subscription-required, key names, --description; show and list', async () => {
    const api = (await apim(['api', 'create', '--api-id', 'orders', '--path', 'orders', '--display-name', 'Orders', '--protocols', 'http', 'HTTPS',
      '--subscription-required', '--subscription-key-header-name', 'X-Key', '--description', 'Order API'])).json();
    assert.deepEqual(api.protocols, ['http', 'https']);
    assert.equal(api.subscriptionRequired, true);
    assert.deepEqual(api.subscriptionKeyParameterNames, { header: 'X-Key', query: 'subscription-key' });
    assert.equal(api.description, 'Order API');
    assert.equal(api.serviceUrl, null);
    const shown = (await apim(['api', 'show', '--api-id', 'orders'])).json();
    assert.deepEqual(shown, api);
    const names = (await apim(['api', 'list', '--query', '[].name'])).json();
    assert.deepEqual([...names].sort(), ['echo', 'orders']);
    assert.deepEqual((await apim(['api', 'list', '--filter-display-name', 'ORD', '--query', '[].name'])).json(), ['orders']);
    const table = (await apim(['api', 'list', '-o', 'table', '--query', "[?name=='orders'].{Name:name,Path:path}"])).stdout;
    assert.match(table, /^Name\s+Path\n-+\s+-+\norders\s+orders\n$/);
  });

  test('update is a PATCH (If-Match *): what is not given stays', async () => {
    const api = (await apim(['api', 'update', '--api-id', 'orders', '--display-name', 'Orders v2', '--service-url', 'https://orders.example.com'])).json();
    assert.equal(api.displayName, 'Orders v2');
    assert.equal(api.serviceUrl, 'https://orders.example.com');
    assert.equal(api.path, 'orders');
    assert.equal(api.description, 'Order API');
    assert.equal(api.subscriptionRequired, true);
  });

  test("the server's validation errors: exit 1, code, message and the details' message", async () => {
    const stderr = await fails(['api', 'create', '--api-id', 'orders-copy', '--path', 'Orders', '--display-name', 'Copy'], 1);
    assert.match(stderr, /^ERROR: \(ValidationError\) One or more fields contain incorrect values:\nCode: ValidationError\nMessage: /);
    assert.match(stderr, /Exception Details:\t\(ValidationError\) Cannot create API 'orders-copy' with the same Path 'Orders' as API 'orders'/);
    assert.match(stderr, /\tTarget: path/);
    const notFound = await fails(['api', 'show', '--api-id', 'nope'], 1);
    assert.match(notFound, /^ERROR: \(ResourceNotFound\) Api not found\.\nCode: ResourceNotFound\nMessage: Api not found\.\n$/);
  });

  test('usage errors exit 2: a required flag missing, a protocol az does not know, a --subscription-required that is not true or false', async () => {
    assert.match(await fails(['api', 'create', '--api-id', 'x', '--display-name', 'X'], 2), /required option '--path <path>' not specified/);
    assert.match(await fails(['api', 'create', '--api-id', 'x', '--path', 'x', '--display-name', 'X', '--protocols', 'ftp'], 2), /argument --protocols: invalid choice: 'ftp'/);
    assert.match(await fails(['api', 'create', '--api-id', 'x', '--path', 'x', '--display-name', 'X', '--subscription-required', 'maybe'], 2), /invalid choice: 'maybe'/);
  });

  test('import (OpenApi, a YAML file): the API takes the title, description and server; one operation per path and method', async () => {
    const spec = file('petstore.yaml', PETSTORE_YAML);
    const api = (await apim(['api', 'import', '--path', 'pets', '--specification-format', 'OpenApi', '--specification-path', spec, '--api-id', 'petstore'])).json();
    assert.equal(api.name, 'petstore');
    assert.equal(api.displayName, 'Swagger Petstore');
    assert.equal(api.description, 'A sample API that uses a petstore');
    assert.equal(api.serviceUrl, 'https://petstore.example.com/v1');
    assert.equal(api.path, 'pets');
    const ops = (await apim(['api', 'operation', 'list', '--api-id', 'petstore'])).json();
    const summary = ops.map((o: any) => `${o.name} ${o.method} ${o.urlTemplate} ${o.displayName}`).sort();
    assert.deepEqual(summary, [
      'createPets POST /pets Create a pet', 'listPets GET /pets List all pets', 'showPetById GET /pets/{petId} Info for a specific pet',
    ]);
    const show = (await apim(['api', 'operation', 'show', '--api-id', 'petstore', '--operation-id', 'showPetById'])).json();
    assert.deepEqual(show.templateParameters.map((p: any) => [p.name, p.type, p.required, p.description]), [['petId', 'string', true, 'The id of the pet to retrieve']]);
    const list = (await apim(['api', 'operation', 'show', '--api-id', 'petstore', '--operation-id', 'listPets'])).json();
    assert.deepEqual(list.request.queryParameters.map((p: any) => [p.name, p.type, p.required]), [['limit', 'integer', false]]);
    assert.deepEqual(list.responses.map((r: any) => r.statusCode), [200]);
    const sdkOps = [];
    for await (const o of sdk.apiOperation.listByApi(RG, SVC, 'petstore')) sdkOps.push(o.name);
    assert.deepEqual(sdkOps.sort(), ['createPets', 'listPets', 'showPetById']);
  });

  test('import (OpenApiJson, a JSON file) without --api-id: a new 32-character id; --display-name and --service-url win over the document', async () => {
    const doc = {
      openapi: '3.0.0', info: { title: 'Inventory', version: '1' }, servers: [{ url: 'https://inventory.example.com' }],
      paths: { '/items/{id}': { delete: { operationId: 'deleteItem', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], responses: { 204: { description: 'gone' } } } } },
    };
    const spec = file('inventory.json', JSON.stringify(doc));
    const api = (await apim(['api', 'import', '--path', 'inventory', '--specification-format', 'openapijson', '--specification-path', spec,
      '--display-name', 'Stock', '--service-url', 'http://127.0.0.1:9/stock', '--protocols', 'https', '--subscription-required', 'false'])).json();
    assert.match(api.name, HEX32);
    assert.equal(api.displayName, 'Stock');
    assert.equal(api.serviceUrl, 'http://127.0.0.1:9/stock');
    assert.equal(api.subscriptionRequired, false);
    const ops = (await apim(['api', 'operation', 'list', '--api-id', api.name, '--query', '[].{n:name,m:method,t:templateParameters[0].type}'])).json();
    assert.deepEqual(ops, [{ n: 'deleteItem', m: 'DELETE', t: 'integer' }]);
    await apim(['api', 'delete', '--api-id', api.name, '--yes']);
  });

  test('import --specification-url: the server downloads the document (openapi-link)', async () => {
    const http = await import('node:http');
    const host = http.createServer((req, res) => {
      if (req.url === '/petstore.yaml') { res.writeHead(200, { 'content-type': 'application/yaml' }); res.end(PETSTORE_YAML); return; }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(host.address() as { port: number }).port}/petstore.yaml`;
      const api = (await apim(['api', 'import', '--path', 'pets-by-url', '--specification-format', 'OpenApi', '--specification-url', url, '--api-id', 'pets-by-url'])).json();
      assert.equal(api.displayName, 'Swagger Petstore');
      assert.equal((await apim(['api', 'operation', 'list', '--api-id', 'pets-by-url', '--query', 'length(@)'])).json(), 3);
      assert.match(await fails(['api', 'import', '--path', 'gone', '--specification-format', 'OpenApi', '--specification-url', url.replace('petstore', 'gone')], 1),
        /Unable to download the document from/);
    } finally {
      host.close();
    }
    await apim(['api', 'delete', '--api-id', 'pets-by-url', '--yes']);
  });

  test('import: a broken document is the server\'s ValidationError; file and flag mistakes are the command line\'s', async () => {
    const bad = file('bad.yaml', 'swagger: "2.0"\ninfo: {title: x}\npaths: {}\n');
    assert.match(await fails(['api', 'import', '--path', 'bad', '--specification-format', 'OpenApi', '--specification-path', bad], 1),
      /\(ValidationError\)[\s\S]*Parsing error\(s\): the document is not an OpenAPI 3 document/);
    assert.match(await fails(['api', 'import', '--path', 'bad', '--specification-format', 'OpenApi', '--specification-path', path.join(files, 'missing.yaml')], 1),
      /Cannot read the specification file .*missing\.yaml': ENOENT/);
    assert.match(await fails(['api', 'import', '--path', 'bad', '--specification-format', 'OpenApi', '--specification-path', bad, '--specification-url', 'https://example.com/x'], 2),
      /Can't specify specification-url and specification-path at the same time\./);
    assert.match(await fails(['api', 'import', '--path', 'bad', '--specification-format', 'OpenApi'], 2), /Please either specify specification-url or specification-path\./);
    assert.match(await fails(['api', 'import', '--path', 'bad', '--specification-format', 'Yaml', '--specification-path', bad], 2), /argument --specification-format: invalid choice: 'Yaml'/);
  });
});

describe('apim api operation', () => {
  test('create: -p per parameter (name= starts the next), parameters the template uses but -p leaves out are declared', async () => {
    const op = (await apim(['api', 'operation', 'create', '--api-id', 'echo', '--operation-id', 'get-order', '--url-template', '/users/{userId}/orders/{orderId}',
      '--method', 'get', '--display-name', 'Get an order', '--description', 'One order',
      '--template-parameters', 'name=userId', 'type=integer', 'description=the user'])).json();
    keysSorted(op);
    assert.deepEqual(Object.keys(op), ['description', 'displayName', 'id', 'method', 'name', 'policies', 'request', 'resourceGroup', 'responses', 'templateParameters', 'type', 'urlTemplate']);
    assert.equal(op.id, `${svcId()}/apis/echo/operations/get-order`);
    assert.equal(op.type, 'Microsoft.ApiManagement/service/apis/operations');
    assert.equal(op.method, 'GET');
    assert.equal(op.description, 'One order');
    assert.deepEqual(op.templateParameters.map((p: any) => [p.name, p.type, p.required, p.description ?? null]), [
      ['userId', 'integer', true, 'the user'], ['orderId', 'string', true, null],
    ]);
    const two = (await apim(['api', 'operation', 'create', '--api-id', 'echo', '--operation-id', 'two', '--url-template', '/a/{x}/b/{y}', '--method', 'PUT',
      '--display-name', 'Two', '-p', 'name=x', 'type=number', '-p', 'name=y', 'required=false', 'values=a,b'])).json();
    assert.deepEqual(two.templateParameters.map((p: any) => [p.name, p.type, p.required, p.values]), [['x', 'number', true, []], ['y', 'string', false, ['a', 'b']]]);
    const sdkOp = await sdk.apiOperation.get(RG, SVC, 'echo', 'get-order');
    assert.equal(sdkOp.urlTemplate, '/users/{userId}/orders/{orderId}');
  });

  test('create without --operation-id: a new 32-character id; show, list, update (template parameters follow the template), delete', async () => {
    const op = (await apim(['api', 'operation', 'create', '--api-id', 'echo', '--url-template', '/status', '--method', 'HEAD', '--display-name', 'Status'])).json();
    assert.match(op.name, HEX32);
    assert.deepEqual(op.templateParameters, []);
    const shown = (await apim(['api', 'operation', 'show', '--api-id', 'echo', '--operation-id', op.name])).json();
    assert.deepEqual(shown, op);
    const updated = (await apim(['api', 'operation', 'update', '--api-id', 'echo', '--operation-id', op.name, '--url-template', '/status/{component}', '--method', 'get'])).json();
    assert.equal(updated.method, 'GET');
    assert.equal(updated.displayName, 'Status');
    assert.deepEqual(updated.templateParameters.map((p: any) => p.name), ['component']);
    const names = (await apim(['api', 'operation', 'list', '--api-id', 'echo', '--query', '[].name'])).json();
    assert.deepEqual([...names].sort(), [op.name, 'get-order', 'two'].sort());
    const r = await apimRun(['api', 'operation', 'delete', '--api-id', 'echo', '--operation-id', op.name]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(await fails(['api', 'operation', 'show', '--api-id', 'echo', '--operation-id', op.name], 1), /\(ResourceNotFound\) Operation not found\./);
    await apim(['api', 'operation', 'delete', '--api-id', 'echo', '--operation-id', 'two']);
  });

  test('a malformed template or an undeclared -p parameter is the server\'s ValidationError; -p without name= is a usage error', async () => {
    assert.match(await fails(['api', 'operation', 'create', '--api-id', 'echo', '--url-template', '/a/{b', '--method', 'GET', '--display-name', 'X'], 1),
      /Invalid UrlTemplate '\/a\/\{b'/);
    assert.match(await fails(['api', 'operation', 'create', '--api-id', 'echo', '--url-template', '/a', '--method', 'GET', '--display-name', 'X', '-p', 'name=zzz'], 1),
      /All template parameters used in the UriTemplate must be defined in the Operation, and vice-versa\./);
    assert.match(await fails(['api', 'operation', 'create', '--api-id', 'echo', '--url-template', '/a', '--method', 'GET', '--display-name', 'X', '-p', 'type=string'], 2),
      /every --template-parameters needs name=NAME/);
    assert.match(await fails(['api', 'operation', 'list', '--api-id', 'nope'], 1), /\(ResourceNotFound\) Api not found\./);
  });
});

describe('apim policy', () => {
  test('set from an XML file at API scope prints the contract; show prints the same XML back; the SDK reads it', async () => {
    const xmlFile = file('api-policy.xml', POLICY_XML);
    const set = (await apim(['policy', 'set', '--scope', 'api', '--api-id', 'echo', '--xml-file', xmlFile])).json();
    keysSorted(set);
    assert.deepEqual(set, {
      format: 'rawxml', id: `${svcId()}/apis/echo/policies/policy`, name: 'policy', resourceGroup: RG,
      type: 'Microsoft.ApiManagement/service/apis/policies', value: POLICY_XML,
    });
    const shown = await apim(['policy', 'show', '--scope', 'api', '--api-id', 'echo']);
    assert.equal(shown.stdout, POLICY_XML);
    const asJson = (await apim(['policy', 'show', '--api-id', 'echo', '-o', 'json'])).json();
    assert.deepEqual(asJson, set, 'the scope follows from --api-id');
    assert.equal((await apim(['policy', 'show', '--api-id', 'echo', '--query', 'format', '-o', 'tsv'])).stdout, 'rawxml\n');
    assert.equal((await apim(['policy', 'show', '--api-id', 'echo', '--query', 'name'])).json(), 'policy', '--query alone: json');
    // (apiPolicy.get of the SDK reads its answer as XML and finds no value: see apim-config-secrets.test.ts.)
    const got = await sdk.apiPolicy.listByApi(RG, SVC, 'echo');
    assert.equal(got.value![0].value, POLICY_XML);
  });

  test('global, product and operation scopes; --xml-value; delete', async () => {
    const global = '<policies><inbound><set-header name="X-Global" exists-action="override"><value>1</value></set-header></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>';
    await apim(['policy', 'set', '--scope', 'global', '--xml-value', global]);
    assert.equal((await apim(['policy', 'show'])).stdout, `${global}\n`);
    assert.equal((await sdk.policy.get(RG, SVC, 'policy', { format: 'rawxml' })).value, global);

    await apim(['product', 'create', '--product-id', 'pol-product', '--product-name', 'Policy product']);
    const productXml = file('product.xml', '<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>\n');
    const p = (await apim(['policy', 'set', '--scope', 'product', '--product-id', 'pol-product', '--xml-file', productXml])).json();
    assert.equal(p.id, `${svcId()}/products/pol-product/policies/policy`);
    assert.equal(p.type, 'Microsoft.ApiManagement/service/products/policies');

    const opXml = file('operation.xml', '<policies>\n  <inbound>\n    <base />\n    <rewrite-uri template="/other" />\n  </inbound>\n</policies>\n');
    const o = (await apim(['policy', 'set', '--api-id', 'echo', '--operation-id', 'get-order', '--xml-file', opXml])).json();
    assert.equal(o.id, `${svcId()}/apis/echo/operations/get-order/policies/policy`);
    assert.equal((await apim(['policy', 'show', '--scope', 'operation', '--api-id', 'echo', '--operation-id', 'get-order'])).stdout, fs.readFileSync(opXml, 'utf8'));

    const d = await apimRun(['policy', 'delete', '--scope', 'operation', '--api-id', 'echo', '--operation-id', 'get-order']);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout, '');
    assert.match(await fails(['policy', 'show', '--scope', 'operation', '--api-id', 'echo', '--operation-id', 'get-order'], 1), /\(ResourceNotFound\) Policy not found\./);
    await apim(['policy', 'delete', '--scope', 'global']);
  });

  test('an unknown policy element: exit 1, nothing stored, the element and its line in the message', async () => {
    const bad = file('bad-policy.xml', '<policies>\n  <inbound>\n    <base />\n    <frobnicate level="high" />\n  </inbound>\n</policies>\n');
    const stderr = await fails(['policy', 'set', '--scope', 'api', '--api-id', 'orders', '--xml-file', bad], 1);
    assert.match(stderr, /^ERROR: \(ValidationError\) One or more fields contain incorrect values:/);
    assert.match(stderr, /Error in element 'frobnicate' on line 4, column 5: /);
    assert.match(stderr, /\tTarget: frobnicate/);
    assert.match(await fails(['policy', 'show', '--api-id', 'orders'], 1), /Policy not found/);
    // Not well-formed, and a policy in the wrong section: also the element and line.
    const broken = file('broken.xml', '<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <outbound>\n    <set-header name="x">\n  </outbound>\n</policies>\n');
    assert.match(await fails(['policy', 'set', '--api-id', 'orders', '--xml-file', broken], 1), /on line \d+, column \d+/);
    const misplaced = file('misplaced.xml', '<policies>\n  <inbound><base /></inbound>\n  <outbound>\n    <base />\n    <rewrite-uri template="/x" />\n  </outbound>\n</policies>\n');
    assert.match(await fails(['policy', 'set', '--api-id', 'orders', '--xml-file', misplaced], 1), /Error in element 'rewrite-uri' on line 5/);
    // A {{named value}} that does not exist.
    const missingNv = file('missing-nv.xml', '<policies>\n  <inbound>\n    <set-header name="x" exists-action="override">\n      <value>{{no-such-value}}</value>\n    </set-header>\n  </inbound>\n</policies>\n');
    assert.match(await fails(['policy', 'set', '--api-id', 'orders', '--xml-file', missingNv], 1), /Error in element 'set-header' on line 3, column 5: Cannot find a property 'no-such-value'/);
  });

  test('usage errors exit 2: scope and ids that do not fit, no document or two, a missing file', async () => {
    assert.match(await fails(['policy', 'set', '--scope', 'operation', '--api-id', 'echo', '--xml-value', '<policies/>'], 2), /--scope operation requires --operation-id/);
    assert.match(await fails(['policy', 'show', '--scope', 'global', '--api-id', 'echo'], 2), /--api-id cannot be used with --scope global/);
    assert.match(await fails(['policy', 'show', '--scope', 'tenant'], 2), /argument --scope: invalid choice: 'tenant'/);
    assert.match(await fails(['policy', 'set', '--api-id', 'echo'], 2), /specify exactly one: --xml-file FILE, --xml-value XML/);
    assert.match(await fails(['policy', 'set', '--api-id', 'echo', '--xml-file', path.join(files, 'nope.xml')], 1), /Cannot read the policy file .*nope\.xml': ENOENT/);
  });
});

describe('apim product', () => {
  test("create: az's ProductContract; --product-name is the display name; show, list, update", async () => {
    const p = (await apim(['product', 'create', '--product-id', 'starter', '--product-name', 'Starter', '--description', 'For trying out',
      '--legal-terms', 'Be nice', '--subscription-required', 'true', '--approval-required', 'false', '--subscriptions-limit', '2', '--state', 'Published'])).json();
    keysSorted(p);
    assert.deepEqual(p, {
      approvalRequired: false, description: 'For trying out', displayName: 'Starter', id: `${svcId()}/products/starter`, name: 'starter',
      resourceGroup: RG, state: 'published', subscriptionRequired: true, subscriptionsLimit: 2, terms: 'Be nice', type: 'Microsoft.ApiManagement/service/products',
    });
    assert.deepEqual((await apim(['product', 'show', '--product-id', 'starter'])).json(), p);
    const open = (await apim(['product', 'create', '--product-name', 'Open', '--subscription-required', 'false'])).json();
    assert.match(open.name, HEX32);
    assert.equal(open.subscriptionRequired, false);
    assert.equal(open.state, 'notPublished');
    const names = (await apim(['product', 'list', '--query', '[].displayName'])).json();
    assert.deepEqual([...names].sort(), ['Open', 'Policy product', 'Starter']);
    const updated = (await apim(['product', 'update', '--product-id', 'starter', '--product-name', 'Starter plan', '--subscriptions-limit', '5'])).json();
    assert.equal(updated.displayName, 'Starter plan');
    assert.equal(updated.subscriptionsLimit, 5);
    assert.equal(updated.terms, 'Be nice');
    assert.equal((await sdk.product.get(RG, SVC, 'starter')).displayName, 'Starter plan');
    assert.match(await fails(['product', 'create', '--product-name', 'Bad', '--subscription-required', 'false', '--approval-required', 'true'], 1), /approvalRequired and subscriptionsLimit can be set only when subscriptionRequired is true/);
    assert.match(await fails(['product', 'create', '--product-name', 'Bad', '--subscriptions-limit', 'many'], 2), /argument --subscriptions-limit: invalid int value: 'many'/);
  });

  test('product api add prints the API; list, check, remove (alias of delete)', async () => {
    const added = (await apim(['product', 'api', 'add', '--product-id', 'starter', '--api-id', 'echo'])).json();
    assert.equal(added.id, `${svcId()}/apis/echo`);
    assert.equal(added.apiType, 'http');
    await apim(['product', 'api', 'add', '--product-id', 'starter', '--api-id', 'orders']);
    assert.deepEqual((await apim(['product', 'api', 'list', '--product-id', 'starter', '--query', '[].name'])).json().sort(), ['echo', 'orders']);
    assert.equal((await apim(['product', 'api', 'check', '--product-id', 'starter', '--api-id', 'echo'])).stdout, 'true\n');
    assert.equal((await apim(['product', 'api', 'check', '--product-id', 'starter', '--api-id', 'petstore'])).stdout, 'false\n');
    const r = await apimRun(['product', 'api', 'remove', '--product-id', 'starter', '--api-id', 'orders']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual((await apim(['product', 'api', 'list', '--product-id', 'starter', '--query', '[].name'])).json(), ['echo']);
    const sdkApis = [];
    for await (const a of sdk.productApi.listByProduct(RG, SVC, 'starter')) sdkApis.push(a.name);
    assert.deepEqual(sdkApis, ['echo']);
    assert.equal((await apim(['api', 'show', '--api-id', 'orders', '--query', 'name'])).json(), 'orders', 'the API stays');
    assert.match(await fails(['product', 'api', 'add', '--product-id', 'starter', '--api-id', 'nope'], 1), /Api not found/);
  });
});

describe('apim subscription', () => {
  test('create (scope: --api-id, --product-id, or all APIs): active, keys hidden from show and list; keys list has them', async () => {
    const s = (await apim(['subscription', 'create', '--subscription-id', 'sub-echo', '--display-name', 'Echo caller', '--api-id', 'echo'])).json();
    keysSorted(s);
    assert.deepEqual(Object.keys(s), [
      'allowTracing', 'createdDate', 'displayName', 'endDate', 'expirationDate', 'id', 'name', 'notificationDate', 'ownerId', 'primaryKey',
      'resourceGroup', 'scope', 'secondaryKey', 'startDate', 'state', 'stateComment', 'type',
    ]);
    assert.equal(s.id, `${svcId()}/subscriptions/sub-echo`);
    assert.equal(s.scope, `${svcId()}/apis/echo`);
    assert.equal(s.state, 'active');
    assert.equal(s.allowTracing, false);
    assert.equal(s.primaryKey, null);
    assert.equal(s.secondaryKey, null);
    assert.match(s.createdDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/);
    const keys = (await apim(['subscription', 'keys', 'list', '--subscription-id', 'sub-echo'])).json();
    assert.deepEqual(Object.keys(keys), ['primaryKey', 'secondaryKey']);
    assert.match(keys.primaryKey, HEX32);
    assert.match(keys.secondaryKey, HEX32);
    assert.notEqual(keys.primaryKey, keys.secondaryKey);
    const secrets = await sdk.subscription.listSecrets(RG, SVC, 'sub-echo');
    assert.equal(secrets.primaryKey, keys.primaryKey);
    assert.equal(secrets.secondaryKey, keys.secondaryKey);

    const product = (await apim(['subscription', 'create', '--subscription-id', 'sub-starter', '--display-name', 'Starter', '--product-id', 'starter',
      '--state', 'suspended', '--allow-tracing', '--primary-key', 'my-primary-key-0001'])).json();
    assert.equal(product.scope, `${svcId()}/products/starter`);
    assert.equal(product.state, 'suspended');
    assert.equal(product.allowTracing, true);
    assert.equal((await apim(['subscription', 'keys', 'list', '--subscription-id', 'sub-starter', '--query', 'primaryKey', '-o', 'tsv'])).stdout, 'my-primary-key-0001\n');
    const all = (await apim(['subscription', 'create', '--display-name', 'Everything'])).json();
    assert.match(all.name, HEX32);
    assert.equal(all.scope, `${svcId()}/apis`);

    assert.deepEqual((await apim(['subscription', 'show', '--subscription-id', 'sub-echo'])).json(), s);
    const listed = (await apim(['subscription', 'list'])).json();
    assert.deepEqual(listed.map((x: any) => x.name).sort(), [all.name, 'sub-echo', 'sub-starter'].sort());
    assert.ok(listed.every((x: any) => x.primaryKey === null && x.secondaryKey === null));
  });

  test('keys regenerate replaces the one key named and prints both', async () => {
    const before = (await apim(['subscription', 'keys', 'list', '--subscription-id', 'sub-echo'])).json();
    const afterPrimary = (await apim(['subscription', 'keys', 'regenerate', '--subscription-id', 'sub-echo', '--key-kind', 'primary'])).json();
    assert.match(afterPrimary.primaryKey, HEX32);
    assert.notEqual(afterPrimary.primaryKey, before.primaryKey);
    assert.equal(afterPrimary.secondaryKey, before.secondaryKey);
    const afterSecondary = (await apim(['subscription', 'keys', 'regenerate', '--subscription-id', 'sub-echo', '--key-kind', 'Secondary'])).json();
    assert.equal(afterSecondary.primaryKey, afterPrimary.primaryKey);
    assert.notEqual(afterSecondary.secondaryKey, before.secondaryKey);
    assert.deepEqual((await apim(['subscription', 'keys', 'list', '--subscription-id', 'sub-echo'])).json(), afterSecondary);
    assert.equal((await sdk.subscription.listSecrets(RG, SVC, 'sub-echo')).secondaryKey, afterSecondary.secondaryKey);
    assert.match(await fails(['subscription', 'keys', 'regenerate', '--subscription-id', 'sub-echo', '--key-kind', 'tertiary'], 2), /invalid choice: 'tertiary'/);
  });

  test('update (PATCH), delete; a scope that does not exist and two scopes at once are refused', async () => {
    const u = (await apim(['subscription', 'update', '--subscription-id', 'sub-starter', '--state', 'active', '--display-name', 'Starter key'])).json();
    assert.equal(u.state, 'active');
    assert.equal(u.displayName, 'Starter key');
    assert.equal(u.scope, `${svcId()}/products/starter`);
    assert.match(await fails(['subscription', 'create', '--display-name', 'X', '--api-id', 'nope'], 1), /Scope '\/apis\/nope' is invalid/);
    assert.match(await fails(['subscription', 'create', '--display-name', 'X', '--api-id', 'echo', '--product-id', 'starter'], 2), /specify at most one: --api-id, --product-id, --all-apis, --scope/);
    assert.match(await fails(['subscription', 'delete', '--subscription-id', 'sub-starter'], 2), /no tty available\. Use --yes/);
    const d = await apimRun(['subscription', 'delete', '--subscription-id', 'sub-starter', '--yes']);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout, '');
    assert.match(await fails(['subscription', 'keys', 'list', '--subscription-id', 'sub-starter'], 1), /\(ResourceNotFound\) Subscription not found\./);
  });
});

describe('apim backend', () => {
  test("create, show, list, update, delete: az's BackendContract", async () => {
    const b = (await apim(['backend', 'create', '--backend-id', 'orders-backend', '--url', 'http://127.0.0.1:9/orders', '--description', 'Orders service', '--title', 'Orders'])).json();
    keysSorted(b);
    assert.deepEqual(b, {
      credentials: null, description: 'Orders service', id: `${svcId()}/backends/orders-backend`, name: 'orders-backend', properties: null,
      protocol: 'http', proxy: null, resourceGroup: RG, resourceId: null, title: 'Orders', tls: null, type: 'Microsoft.ApiManagement/service/backends',
      url: 'http://127.0.0.1:9/orders',
    });
    assert.deepEqual((await apim(['backend', 'show', '--backend-id', 'orders-backend'])).json(), b);
    await apim(['backend', 'create', '--backend-id', 'soap-backend', '--url', 'https://soap.example.com/svc', '--protocol', 'soap']);
    assert.deepEqual((await apim(['backend', 'list', '--query', '[].[name,protocol]'])).json().sort(), [['orders-backend', 'http'], ['soap-backend', 'soap']]);
    const u = (await apim(['backend', 'update', '--backend-id', 'orders-backend', '--url', 'http://127.0.0.1:10/orders'])).json();
    assert.equal(u.url, 'http://127.0.0.1:10/orders');
    assert.equal(u.title, 'Orders');
    assert.equal((await sdk.backend.get(RG, SVC, 'orders-backend')).url, 'http://127.0.0.1:10/orders');
    assert.match(await fails(['backend', 'create', '--backend-id', 'bad', '--url', 'not a url'], 1), /\(ValidationError\)[\s\S]*'not a url' is not a valid absolute http\(s\) URL/);
    assert.match(await fails(['backend', 'create', '--backend-id', 'bad', '--url', 'http://x', '--protocol', 'grpc'], 2), /argument --protocol: invalid choice: 'grpc'/);
    await apim(['backend', 'delete', '--backend-id', 'soap-backend', '-y']);
    assert.match(await fails(['backend', 'show', '--backend-id', 'soap-backend'], 1), /Backend not found/);
  });

  test('the shared flags mean the same as in the other groups: --no-wait prints nothing, a stale --if-match is 412, the prompt takes an answer', async () => {
    const created = await apimRun(['backend', 'create', '--backend-id', 'nowait-backend', '--url', 'http://127.0.0.1:11/', '--no-wait']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, '');
    const etag = (await sdk.backend.getEntityTag(RG, SVC, 'nowait-backend')).eTag!;
    await sdk.backend.update(RG, SVC, 'nowait-backend', '*', { description: 'changed' });
    assert.match(await fails(['backend', 'update', '--backend-id', 'nowait-backend', '--title', 't', '--if-match', etag], 1), /\(PreconditionFailed\)/);
    assert.match(await fails(['backend', 'delete', '--backend-id', 'nowait-backend', '--yes', '--if-match', etag], 1), /\(PreconditionFailed\)/);
    const fresh = (await sdk.backend.getEntityTag(RG, SVC, 'nowait-backend')).eTag!;
    const kept = await runCli(['apim', 'backend', 'delete', '--backend-id', 'nowait-backend', '-g', RG, '-n', SVC, '--if-match', fresh], { dataDir: dir, answers: ['no'] });
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stderr, /Are you sure you want to perform this operation\? \(y\/n\): $/);
    assert.equal((await sdk.backend.get(RG, SVC, 'nowait-backend')).url, 'http://127.0.0.1:11/');
    const gone = await runCli(['apim', 'backend', 'delete', '--backend-id', 'nowait-backend', '-g', RG, '-n', SVC, '--if-match', fresh], { dataDir: dir, answers: ['yes'] });
    assert.equal(gone.code, 0, gone.stderr);
    assert.match(await fails(['backend', 'show', '--backend-id', 'nowait-backend'], 1), /Backend not found/);
  });
});

describe('deletes', () => {
  test('product delete --delete-subscriptions takes its subscriptions; api delete asks unless --yes and takes its operations and product links', async () => {
    await apim(['subscription', 'create', '--subscription-id', 'sub-open', '--display-name', 'Open', '--product-id', 'pol-product']);
    await apim(['product', 'delete', '--product-id', 'pol-product', '--delete-subscriptions', '--yes']);
    assert.match(await fails(['product', 'show', '--product-id', 'pol-product'], 1), /Product not found/);
    assert.match(await fails(['subscription', 'show', '--subscription-id', 'sub-open'], 1), /Subscription not found/);

    assert.match(await fails(['api', 'delete', '--api-id', 'echo'], 2), /no tty available\. Use --yes/);
    const r = await apimRun(['api', 'delete', '--api-id', 'echo', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(await fails(['api', 'show', '--api-id', 'echo'], 1), /Api not found/);
    assert.deepEqual((await apim(['product', 'api', 'list', '--product-id', 'starter'])).json(), []);
    // A stale ETag is refused (412); `*` (the default) is not.
    const etag = (await sdk.api.getEntityTag(RG, SVC, 'orders')).eTag!;
    await sdk.api.update(RG, SVC, 'orders', '*', { description: 'changed' });
    assert.match(await fails(['api', 'delete', '--api-id', 'orders', '--yes', '--if-match', etag], 1), /\(PreconditionFailed\)/);
  });
});
