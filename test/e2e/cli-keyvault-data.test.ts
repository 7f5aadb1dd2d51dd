// The command line's Key Vault data plane commands against the real server (each vault on its own port,
// the CA from connection.json, a token for https://vault.azure.net): `keyvault secret set|show|list|
// list-versions|delete|list-deleted|show-deleted|recover|purge|download` and `keyvault certificate
// import|show|list|list-versions|download|delete|recover|purge|list-deleted`, with az's output shapes,
// cross-checked with the unmodified SDKs; Key Vault's errors printed with their codes, exit code 1.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { certificateClient, makeCertificate, openPfx, secretClient, uniqueVaultName } from '../helpers/keyvault.js';
import { runCli, cliOk, dataDirFor } from './cli-helper.js';

const RG = 'cli-kvdata-rg';
const vault = uniqueVaultName('clidata');
let server: TestServer;
let dir: string;
let files: string;
let vaultUri: string;

const kv = (args: string[]) => cliOk(['keyvault', ...args], dir);
const kvRun = (args: string[]) => runCli(['keyvault', ...args], { dataDir: dir });
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

function assertKvError(r: { code: number | null; stdout: string; stderr: string }, code: string, message?: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^ERROR: \\(${code}\\) `), r.stderr);
  assert.match(r.stderr, new RegExp(`\nCode: ${code}\nMessage: `));
  if (message) assert.match(r.stderr, message);
}

before(async () => {
  server = await startTestServer();
  dir = server.dataDir;
  files = tempDir('apim-local-cli-kv-files-');
  await cliOk(['group', 'create', '-n', RG, '-l', 'westeurope'], dir);
  vaultUri = (await kv(['create', '-g', RG, '-n', vault, '--enable-rbac-authorization', 'false', '--query', 'properties.vaultUri', '-o', 'tsv'])).stdout.trim();
});
after(async () => { await server?.stop(); });

describe('keyvault secret', () => {
  let v1: string;

  test('set prints az\'s secret (with the file-encoding tag az adds); the SDK reads the value', async () => {
    const r = await kv(['secret', 'set', '--vault-name', vault, '-n', 'db-password', '--value', 's3cret-1', '--content-type', 'text/plain', '--tags', 'team=api']);
    const s = r.json();
    assert.deepEqual(Object.keys(s), ['attributes', 'contentType', 'id', 'kid', 'managed', 'name', 'tags', 'value']);
    assert.deepEqual(Object.keys(s.attributes), ['created', 'enabled', 'expires', 'notBefore', 'recoverableDays', 'recoveryLevel', 'updated']);
    assert.match(s.attributes.created, ISO);
    assert.equal(s.attributes.enabled, true);
    assert.equal(s.attributes.expires, null);
    assert.equal(s.attributes.recoverableDays, 90);
    assert.equal(s.attributes.recoveryLevel, 'Recoverable+Purgeable');
    assert.equal(s.contentType, 'text/plain');
    assert.match(s.id, new RegExp(`^${vaultUri}secrets/db-password/[0-9a-f]{32}$`));
    assert.equal(s.kid, null);
    assert.equal(s.managed, null);
    assert.equal(s.name, 'db-password');
    assert.deepEqual(s.tags, { 'file-encoding': 'utf-8', team: 'api' });
    assert.equal(s.value, 's3cret-1');
    v1 = s.id.split('/').pop();
    assert.equal((await secretClient(vaultUri, server.credential()).getSecret('db-password')).value, 's3cret-1');
  });

  test('a second version; show gives the latest, --version and --id an older one', async () => {
    const exp = '2099-12-31T12:59:59Z';
    const s2 = (await kv(['secret', 'set', '--vault-name', vault, '-n', 'db-password', '--value', 's3cret-2', '--expires', exp, '--disabled', 'false'])).json();
    assert.equal(s2.attributes.expires, '2099-12-31T12:59:59+00:00');
    assert.equal((await kv(['secret', 'show', '--vault-name', vault, '-n', 'db-password', '--query', 'value'])).json(), 's3cret-2');
    const old = (await kv(['secret', 'show', '--vault-name', vault, '-n', 'db-password', '--version', v1])).json();
    assert.equal(old.value, 's3cret-1');
    assert.equal(old.id.split('/').pop(), v1);
    const byId = (await kv(['secret', 'show', '--id', `${vaultUri}secrets/db-password/${v1}`, '--query', 'value'])).json();
    assert.equal(byId, 's3cret-1');
    const latestById = (await kv(['secret', 'show', '--id', `${vaultUri}secrets/db-password`, '--query', 'value'])).json();
    assert.equal(latestById, 's3cret-2');
    // Azure's form of an identifier means the local vault of that name.
    const azureId = (await kv(['secret', 'show', '--id', `https://${vault}.vault.azure.net/secrets/db-password/${v1}`, '--query', 'value'])).json();
    assert.equal(azureId, 's3cret-1');
    const foreign = await kvRun(['secret', 'show', '--id', 'https://localhost:1/secrets/db-password']);
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /No vault of this subscription is served at https:\/\/localhost:1/);
  });

  test('--file with utf-8 and base64 encodings; download writes the value back', async () => {
    const text = path.join(files, 'conn.txt');
    fs.writeFileSync(text, 'Server=db;Password=ü\n');
    const t = (await kv(['secret', 'set', '--vault-name', vault, '-n', 'conn', '--file', text])).json();
    assert.equal(t.value, 'Server=db;Password=ü\n');
    assert.deepEqual(t.tags, { 'file-encoding': 'utf-8' });
    const binary = crypto.randomBytes(100);
    const bin = path.join(files, 'blob.bin');
    fs.writeFileSync(bin, binary);
    const b = (await kv(['secret', 'set', '--vault-name', vault, '-n', 'blob', '-f', bin, '-e', 'base64'])).json();
    assert.equal(b.tags['file-encoding'], 'base64');
    assert.equal(Buffer.from(b.value, 'base64').equals(binary), true);
    assert.match(b.value, /^[A-Za-z0-9+/=]{76}\n[A-Za-z0-9+/=]+\n$/, "Python's base64.encodebytes: 76-character lines");
    const out = path.join(files, 'blob.out');
    await kv(['secret', 'download', '--vault-name', vault, '-n', 'blob', '-f', out]);
    assert.equal(fs.readFileSync(out).equals(binary), true, 'download decodes by the file-encoding tag');
    const exists = await kvRun(['secret', 'download', '--vault-name', vault, '-n', 'blob', '-f', out]);
    assert.equal(exists.code, 1);
    assert.match(exists.stderr, /File or directory named '.*blob\.out' already exists\./);
  });

  test('list (no values, managed secrets left out unless --include-managed), table output, list-versions', async () => {
    const items = (await kv(['secret', 'list', '--vault-name', vault])).json();
    assert.deepEqual(items.map((s: any) => s.name).sort(), ['blob', 'conn', 'db-password']);
    const db = items.find((s: any) => s.name === 'db-password');
    assert.deepEqual(Object.keys(db), ['attributes', 'contentType', 'id', 'managed', 'name', 'tags']);
    assert.equal(db.id, `${vaultUri}secrets/db-password`);
    assert.equal((await kv(['secret', 'list', '--vault-name', vault, '--maxresults', '1'])).json().length, 1);
    const table = (await kv(['secret', 'list', '--vault-name', vault, '-o', 'table'])).stdout.split('\n');
    assert.match(table[0], /^Name\s+Id\s+ContentType\s+Enabled\s+Expires$/);
    assert.ok(table.some((l) => l.startsWith('db-password') && l.includes(`${vaultUri}secrets/db-password`) && l.includes('2099-12-31T12:59:59+00:00')), table.join('\n'));
    const versions = (await kv(['secret', 'list-versions', '--vault-name', vault, '-n', 'db-password'])).json();
    assert.equal(versions.length, 2);
    assert.ok(versions.every((v: any) => v.id.startsWith(`${vaultUri}secrets/db-password/`) && !('value' in v)));
  });

  test('delete, list-deleted, show-deleted, recover, purge', async () => {
    const d = await kv(['secret', 'delete', '--vault-name', vault, '-n', 'conn']);
    assert.match(d.stderr, /WARNING: Warning! If you have soft-delete protection enabled on this key vault, this secret will be moved/);
    const deleted = d.json();
    assert.equal(deleted.name, 'conn');
    assert.equal(deleted.value, null);
    assert.equal(deleted.recoveryId, `${vaultUri}deletedsecrets/conn`);
    assert.match(deleted.deletedDate, ISO);
    assert.match(deleted.scheduledPurgeDate, ISO);
    assertKvError(await kvRun(['secret', 'show', '--vault-name', vault, '-n', 'conn']), 'SecretNotFound', /A secret with \(name\/id\) conn was not found in this key vault/);
    const setAgain = await kvRun(['secret', 'set', '--vault-name', vault, '-n', 'conn', '--value', 'x']);
    assertKvError(setAgain, 'Conflict', /deleted but recoverable state/);
    assert.match(setAgain.stderr, /Inner error: \{\n {4}"code": "ObjectIsDeletedButRecoverable"\n\}/);

    const listed = (await kv(['secret', 'list-deleted', '--vault-name', vault])).json();
    assert.deepEqual(listed.map((s: any) => s.name), ['conn']);
    assert.deepEqual(Object.keys(listed[0]), ['attributes', 'contentType', 'deletedDate', 'id', 'managed', 'name', 'recoveryId', 'scheduledPurgeDate', 'tags']);
    assert.equal((await kv(['secret', 'show-deleted', '--vault-name', vault, '-n', 'conn', '--query', 'recoveryId'])).json(), `${vaultUri}deletedsecrets/conn`);

    const recovered = (await kv(['secret', 'recover', '--vault-name', vault, '-n', 'conn'])).json();
    assert.equal(recovered.name, 'conn');
    assert.equal(recovered.value, null, 'recover does not print the value');
    assert.equal((await kv(['secret', 'show', '--vault-name', vault, '-n', 'conn', '--query', 'value'])).json(), 'Server=db;Password=ü\n');

    await kv(['secret', 'delete', '--vault-name', vault, '-n', 'conn', '--only-show-errors']);
    const purged = await kv(['secret', 'purge', '--vault-name', vault, '-n', 'conn']);
    assert.equal(purged.stdout, '');
    assert.deepEqual((await kv(['secret', 'list-deleted', '--vault-name', vault])).json(), []);
    assertKvError(await kvRun(['secret', 'recover', '--vault-name', vault, '-n', 'conn']), 'SecretNotFound');
  });

  test('bad input: --value and --file together or neither, a value over 25 KB, an invalid name, an unknown vault', async () => {
    for (const args of [['--value', 'a', '--file', 'f'], []]) {
      const r = await kvRun(['secret', 'set', '--vault-name', vault, '-n', 'x', ...args]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'ERROR: incorrect usage: [Required] --value VALUE | --file PATH\n');
    }
    assertKvError(await kvRun(['secret', 'set', '--vault-name', vault, '-n', 'big', '--value', 'x'.repeat(25_601)]), 'BadParameter', /beyond the maximum permitted length/);
    assertKvError(await kvRun(['secret', 'set', '--vault-name', vault, '-n', 'bad_name', '--value', 'x']), 'BadParameter', /invalid name/);
    const noVault = await kvRun(['secret', 'show', '--vault-name', 'no-such-vault', '-n', 'x']);
    assert.equal(noVault.code, 1);
    assert.equal(noVault.stderr, "ERROR: The Vault 'no-such-vault' not found within subscription.\n");
    const noName = await kvRun(['secret', 'show', '--vault-name', vault]);
    assert.equal(noName.code, 1);
    assert.match(noName.stderr, /incorrect usage: --id ID \| --vault-name VAULT --name\/-n NAME/);
    const badDate = await kvRun(['secret', 'set', '--vault-name', vault, '-n', 'x', '--value', 'v', '--expires', 'tomorrow']);
    assert.equal(badDate.code, 2);
  });

  test('a signed-in application without an access policy gets Key Vault\'s AccessDenied', async () => {
    const app = (await cliOk(['ad', 'sp', 'create-for-rbac', '-n', 'cli-kv-outsider'], dir)).json();
    // Reader on the subscription: enough to find the vault through Resource Manager, nothing on its data plane.
    await cliOk(['role', 'assignment', 'create', '--assignee', app.appId, '--role', 'Reader', '--scope', `/subscriptions/${server.connection.subscriptionId}`], dir);
    const outsider = dataDirFor(server.connection, app.appId, app.password);
    const r = await runCli(['keyvault', 'secret', 'show', '--vault-name', vault, '-n', 'db-password'], { dataDir: outsider });
    assertKvError(r, 'Forbidden', /does not have secrets get permission on key vault/);
    assert.match(r.stderr, /Inner error: \{\n {4}"code": "AccessDenied"\n\}/);
  });
});

describe('keyvault certificate', () => {
  const first = makeCertificate('api.contoso.com', 'pfx-pass-1', ['api.contoso.com', 'www.contoso.com']);
  const second = makeCertificate('api.contoso.com', 'pfx-pass-2');
  let pfx1: string;
  let v1: string;

  before(() => {
    pfx1 = path.join(files, 'first.pfx');
    fs.writeFileSync(pfx1, first.pfx);
    fs.writeFileSync(path.join(files, 'second.pfx'), second.pfx);
  });

  test('import a PFX made here with its password: az\'s certificate shape, thumbprint and policy', async () => {
    const c = (await kv(['certificate', 'import', '--vault-name', vault, '-n', 'gateway-cert', '-f', pfx1, '--password', 'pfx-pass-1', '--tags', 'env=dev'])).json();
    assert.deepEqual(Object.keys(c), ['attributes', 'cer', 'contentType', 'id', 'kid', 'name', 'policy', 'sid', 'tags', 'x509Thumbprint', 'x509ThumbprintHex']);
    assert.equal(c.name, 'gateway-cert');
    assert.equal(Buffer.from(c.cer, 'base64').equals(first.certDer), true);
    assert.equal(c.x509ThumbprintHex, first.thumbprint.toUpperCase());
    assert.equal(Buffer.from(c.x509Thumbprint, 'base64').toString('hex'), first.thumbprint);
    assert.match(c.id, new RegExp(`^${vaultUri}certificates/gateway-cert/[0-9a-f]{32}$`));
    v1 = c.id.split('/').pop();
    assert.equal(c.sid, `${vaultUri}secrets/gateway-cert/${v1}`);
    assert.equal(c.kid, `${vaultUri}keys/gateway-cert/${v1}`);
    assert.deepEqual(c.tags, { env: 'dev' });
    assert.match(c.attributes.expires, ISO);
    assert.match(c.attributes.notBefore, ISO);
    assert.equal(c.policy.id, `${vaultUri}certificates/gateway-cert/policy`);
    assert.equal(c.policy.secretProperties.contentType, 'application/x-pkcs12');
    assert.equal(c.policy.x509CertificateProperties.subject, 'CN=api.contoso.com');
    assert.deepEqual(c.policy.x509CertificateProperties.subjectAlternativeNames, { dnsNames: ['api.contoso.com', 'www.contoso.com'], emails: null, upns: null });
    assert.equal(c.policy.issuerParameters.name, 'Unknown');
    assert.equal(c.policy.keyProperties.keyType, 'RSA');
    // The SDK sees the same certificate, and its private key through the secrets API.
    const got = await certificateClient(vaultUri, server.credential()).getCertificate('gateway-cert');
    assert.equal(got.properties.version, v1);
    const secret = await secretClient(vaultUri, server.credential()).getSecret('gateway-cert');
    assert.deepEqual(openPfx(secret.value!).certDer, first.certDer);
  });

  test('download PEM (the default) and DER: the certificate that was imported', async () => {
    const pem = path.join(files, 'dl.pem');
    const r = await kv(['certificate', 'download', '--vault-name', vault, '-n', 'gateway-cert', '-f', pem]);
    assert.equal(r.stdout, '');
    const text = fs.readFileSync(pem, 'utf8');
    assert.match(text, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{76}\n)+[A-Za-z0-9+/=]{1,76}\n-----END CERTIFICATE-----\n$/);
    const x509 = new crypto.X509Certificate(text);
    assert.equal(x509.raw.equals(first.certDer), true);
    assert.equal(x509.subject, 'CN=api.contoso.com');
    assert.equal(x509.checkPrivateKey(crypto.createPrivateKey(first.keyPem)), true, 'the public key matches the imported private key');
    const der = path.join(files, 'dl.der');
    await kv(['certificate', 'download', '--vault-name', vault, '-n', 'gateway-cert', '-f', der, '-e', 'DER']);
    assert.equal(fs.readFileSync(der).equals(first.certDer), true);
    const exists = await kvRun(['certificate', 'download', '--vault-name', vault, '-n', 'gateway-cert', '-f', der]);
    assert.equal(exists.code, 1);
    assert.match(exists.stderr, /already exists/);
  });

  test('a second version: show gives the latest, --version the first; list and list-versions', async () => {
    const c2 = (await kv(['certificate', 'import', '--vault-name', vault, '-n', 'gateway-cert', '-f', path.join(files, 'second.pfx'), '--password', 'pfx-pass-2'])).json();
    const v2 = c2.id.split('/').pop();
    assert.notEqual(v2, v1);
    assert.equal((await kv(['certificate', 'show', '--vault-name', vault, '-n', 'gateway-cert', '--query', 'x509ThumbprintHex'])).json(), second.thumbprint.toUpperCase());
    const old = (await kv(['certificate', 'show', '--vault-name', vault, '-n', 'gateway-cert', '--version', v1])).json();
    assert.equal(Buffer.from(old.cer, 'base64').equals(first.certDer), true);
    const byId = (await kv(['certificate', 'show', '--id', `${vaultUri}certificates/gateway-cert/${v1}`, '--query', 'id'])).json();
    assert.equal(byId, `${vaultUri}certificates/gateway-cert/${v1}`);
    const oldPem = path.join(files, 'old.pem');
    await kv(['certificate', 'download', '--vault-name', vault, '-n', 'gateway-cert', '--version', v1, '-f', oldPem]);
    assert.equal(new crypto.X509Certificate(fs.readFileSync(oldPem)).raw.equals(first.certDer), true);

    const list = (await kv(['certificate', 'list', '--vault-name', vault])).json();
    assert.equal(list.length, 1);
    assert.deepEqual(Object.keys(list[0]), ['attributes', 'id', 'name', 'subject', 'tags', 'x509Thumbprint', 'x509ThumbprintHex']);
    assert.equal(list[0].id, `${vaultUri}certificates/gateway-cert`);
    assert.equal(list[0].x509ThumbprintHex, second.thumbprint.toUpperCase());
    const versions = (await kv(['certificate', 'list-versions', '--vault-name', vault, '-n', 'gateway-cert', '--query', '[].x509ThumbprintHex'])).json();
    assert.deepEqual([...versions].sort(), [first.thumbprint.toUpperCase(), second.thumbprint.toUpperCase()].sort());
    // The certificate's secret is a managed one: hidden from `secret list` unless asked for.
    assert.ok(!(await kv(['secret', 'list', '--vault-name', vault])).json().some((s: any) => s.name === 'gateway-cert'));
    const managed = (await kv(['secret', 'list', '--vault-name', vault, '--include-managed'])).json().find((s: any) => s.name === 'gateway-cert');
    assert.equal(managed.managed, true);
    assert.equal(managed.contentType, 'application/x-pkcs12');
  });

  test('import PEM (key and certificate): stored as application/x-pem-file', async () => {
    const pem = makeCertificate('pem.contoso.com', 'unused');
    const file = path.join(files, 'cert.pem');
    fs.writeFileSync(file, pem.pem);
    const c = (await kv(['certificate', 'import', '--vault-name', vault, '-n', 'pem-cert', '-f', file])).json();
    assert.equal(c.policy.secretProperties.contentType, 'application/x-pem-file');
    assert.equal(Buffer.from(c.cer, 'base64').equals(pem.certDer), true);
    const secret = (await kv(['secret', 'show', '--vault-name', vault, '-n', 'pem-cert'])).json();
    assert.equal(secret.contentType, 'application/x-pem-file');
    assert.match(secret.value, /-----BEGIN PRIVATE KEY-----[\s\S]+-----BEGIN CERTIFICATE-----/);
    assert.equal(secret.kid, `${vaultUri}keys/pem-cert/${c.id.split('/').pop()}`);
  });

  test('bad input: a wrong password, a corrupt PFX, a missing file: clear errors, nothing stored', async () => {
    assertKvError(await kvRun(['certificate', 'import', '--vault-name', vault, '-n', 'broken', '-f', pfx1, '--password', 'wrong']), 'BadParameter', /PFX password is incorrect/);
    const corrupt = path.join(files, 'corrupt.pfx');
    fs.writeFileSync(corrupt, crypto.randomBytes(300));
    assertKvError(await kvRun(['certificate', 'import', '--vault-name', vault, '-n', 'broken', '-f', corrupt]), 'BadParameter');
    const missing = await kvRun(['certificate', 'import', '--vault-name', vault, '-n', 'broken', '-f', path.join(files, 'nope.pfx')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^ERROR: Unable to load certificate file '.*nope\.pfx': No such file or directory\.\n$/);
    assertKvError(await kvRun(['certificate', 'show', '--vault-name', vault, '-n', 'broken']), 'CertificateNotFound');
    const badEncoding = await kvRun(['certificate', 'download', '--vault-name', vault, '-n', 'gateway-cert', '-f', path.join(files, 'x'), '-e', 'PFX']);
    assert.equal(badEncoding.code, 2);
  });

  test('delete, list-deleted, recover, purge', async () => {
    const d = (await kv(['certificate', 'delete', '--vault-name', vault, '-n', 'pem-cert', '--only-show-errors'])).json();
    assert.equal(d.recoveryId, `${vaultUri}deletedcertificates/pem-cert`);
    assert.match(d.deletedDate, ISO);
    assert.deepEqual((await kv(['certificate', 'list-deleted', '--vault-name', vault, '--query', '[].name'])).json(), ['pem-cert']);
    assertKvError(await kvRun(['certificate', 'show', '--vault-name', vault, '-n', 'pem-cert']), 'CertificateNotFound');
    const recovered = (await kv(['certificate', 'recover', '--vault-name', vault, '-n', 'pem-cert'])).json();
    assert.equal(recovered.name, 'pem-cert');
    assert.equal((await kv(['secret', 'show', '--vault-name', vault, '-n', 'pem-cert', '--query', 'contentType'])).json(), 'application/x-pem-file');
    await kv(['certificate', 'delete', '--vault-name', vault, '-n', 'pem-cert', '--only-show-errors']);
    assert.equal((await kv(['certificate', 'purge', '--vault-name', vault, '-n', 'pem-cert'])).stdout, '');
    assert.deepEqual((await kv(['certificate', 'list-deleted', '--vault-name', vault])).json(), []);
  });
});
