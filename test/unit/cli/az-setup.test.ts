// The pieces of `apim-local az` that need no az: the cloud metadata as az's cloud config, az's
// template splice read as ARM reads it, the set-up check against az's own files, and the shell lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { azCloudConfig } from '../../../src/cli/az/cloud-config.js';
import { cloudMetadata, legacyCloudMetadata } from '../../../src/arm/cloud-metadata.js';
import { readAzTemplateSplice, withoutComments } from '../../../src/arm/az-template-body.js';
import { azEnvironment, azPaths, cloudRegistered, isSetUp, setupCommands } from '../../../src/cli/az/setup.js';
import type { ConnectionInfo } from '../../../src/cli/connection.js';

const base = 'https://localhost:8443';
const tenantId = '11111111-2222-3333-4444-555555555555';

test('the 2022-09-01 metadata maps to az\'s cloud config as az\'s own mapper does', () => {
  const c = azCloudConfig(cloudMetadata({ baseUrl: base, tenantId }));
  assert.equal(c.endpoints.resourceManager, `${base}/`);
  assert.equal(c.endpoints.activeDirectory, `${base}/adfs`);
  assert.equal(c.endpoints.activeDirectoryResourceId, 'https://management.core.windows.net/');
  assert.equal(c.endpoints.management, 'https://management.core.windows.net/');
  assert.equal(c.endpoints.activeDirectoryGraphResourceId, `${base}/`);
  assert.equal(c.endpoints.microsoftGraphResourceId, `${base}/`);
  assert.equal(c.endpoints.ossrdbmsResourceId, base);
  // az prefixes most suffixes with a dot, not storage's.
  assert.equal(c.suffixes.keyvaultDns, '.vault.localhost');
  assert.equal(c.suffixes.storageEndpoint, 'core.localhost');
  assert.equal(c.suffixes.acrLoginServerEndpoint, '.azurecr.localhost');
  // Nothing points off the machine.
  for (const v of [...Object.values(c.endpoints).filter((e) => !e.startsWith('https://management.')), ...Object.values(c.suffixes)]) {
    assert.match(v, /localhost/, v);
  }
  assert.throws(() => azCloudConfig({ authentication: { audiences: [] } }), /lacks resourceManager, authentication\.loginEndpoint, authentication\.audiences\[0\]/);
  assert.throws(() => azCloudConfig([]), /not a JSON object/);
});

test('the 2015-01-01 document has the login endpoint az 2.45 takes as ADFS', () => {
  const legacy = legacyCloudMetadata({ baseUrl: base, tenantId }) as { authentication: { loginEndpoint: string; audiences: string[] } };
  assert.equal(legacy.authentication.loginEndpoint, `${base}/adfs/`);
  assert.deepEqual(legacy.authentication.audiences, ['https://management.core.windows.net/', 'https://management.azure.com/']);
});

test('az\'s template splice reads as ARM reads it; anything else stays refused', () => {
  const template = '{\n  // a comment\n  "$schema": "https://x/deploymentTemplate.json#", /* block */\n  "resources": [{"name": "a//b", "type": "t"}]\n}\n';
  const spliced = JSON.stringify({ properties: { parameters: { p: { value: ', template:{' } }, mode: 'Incremental' } }).slice(0, -2) + ', template:' + template + '}}';
  assert.deepEqual(readAzTemplateSplice(spliced), {
    properties: { parameters: { p: { value: ', template:{' } }, mode: 'Incremental', template: { $schema: 'https://x/deploymentTemplate.json#', resources: [{ name: 'a//b', type: 't' }] } },
  });
  assert.equal(readAzTemplateSplice('{"properties": {}, template:[1]}}'), undefined);
  assert.equal(readAzTemplateSplice('{"properties": {"template": {}}, template:{}}}'), undefined);
  assert.equal(readAzTemplateSplice('{properties: {}}'), undefined);
  assert.equal(readAzTemplateSplice('{"a": 1, template:{"b": 2}'), undefined);
  assert.equal(withoutComments('"//not" // yes\n/* a\nb */1'), '"//not"       \n    \n    1');
});

function connection(dir: string): ConnectionInfo {
  return {
    managementEndpoint: base, authorityHost: base, tenantId, subscriptionId: 'sub-1', clientId: 'app-1',
    clientSecret: "it's secret", caCertificatePath: path.join(dir, 'ca.pem'),
  };
}

test('set up means az\'s own files say so: the cloud for this endpoint, selected, the admin signed in by default', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'az-setup-'));
  const p = azPaths(dir);
  const c = connection(dir);
  fs.mkdirSync(p.configDir, { recursive: true });
  assert.equal(isSetUp(p, c, false), false);
  assert.equal(cloudRegistered(p), false);
  fs.writeFileSync(path.join(p.configDir, 'clouds.config'), `[ApimLocal]\nendpoint_resource_manager = ${base}/\n\n[Other]\nendpoint_resource_manager = x\n`);
  fs.writeFileSync(path.join(p.configDir, 'config'), '[cloud]\nname = ApimLocal\n');
  const profile = { subscriptions: [{ id: 'sub-1', tenantId, isDefault: true, environmentName: 'ApimLocal', user: { name: 'app-1', type: 'servicePrincipal' } }] };
  fs.writeFileSync(path.join(p.configDir, 'azureProfile.json'), '\uFEFF' + JSON.stringify(profile));
  assert.equal(cloudRegistered(p), true);
  assert.equal(isSetUp(p, c, false), true);
  assert.equal(isSetUp(p, c, true), false, 'a changed cloud config is set up again');
  assert.equal(isSetUp(p, { ...c, managementEndpoint: 'https://localhost:9999' }, false), false, 'another port');
  assert.equal(isSetUp(p, { ...c, subscriptionId: 'sub-2' }, false), false, 'another data directory');
  fs.writeFileSync(path.join(p.configDir, 'config'), '[cloud]\nname = AzureCloud\n');
  assert.equal(isSetUp(p, c, false), false, 'another cloud selected');

  const [register, select, login] = setupCommands(p, c, false);
  assert.deepEqual(register.slice(0, 6), ['cloud', 'register', '--name', 'ApimLocal', '--cloud-config', `@${p.cloudConfig}`]);
  assert.deepEqual(select.slice(0, 4), ['cloud', 'set', '--name', 'ApimLocal']);
  assert.ok(login.includes("--password=it's secret") && login.includes(tenantId) && login.includes('app-1'));
  assert.equal(setupCommands(p, c, true)[0][1], 'update');
  const env = azEnvironment(p);
  assert.equal(env.AZURE_CONFIG_DIR, p.configDir);
  assert.equal(env.REQUESTS_CA_BUNDLE, p.caBundle);
  assert.equal(env.AZURE_CORE_COLLECT_TELEMETRY, 'false');
});
