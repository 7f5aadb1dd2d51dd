// Config: flags > environment > defaults, and the errors a user sees for bad values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { parseConfig, ConfigError } from '../../src/config.js';

const cwd = '/work/somewhere';

test('defaults', () => {
  const c = parseConfig({}, {}, cwd);
  assert.equal(c.dataDir, path.join(cwd, '.apim-local'));
  assert.equal(c.port, 8443);
  assert.equal(c.host, '127.0.0.1');
  assert.deepEqual(c.store, { kind: 'sqlite', inMemory: false });
  assert.equal(c.tokenLifetimeSeconds, 3600);
  assert.equal(c.maxBodyBytes, 4 * 1024 * 1024);
  assert.equal(c.masterKey, undefined);
  assert.equal(c.quiet, false);
});

test('environment over defaults, flags over environment', () => {
  const env = {
    APIM_LOCAL_DATA_DIR: 'from-env', APIM_LOCAL_PORT: '9000', APIM_LOCAL_HOST: '0.0.0.0', APIM_LOCAL_STORE: 'postgres://u@h:5432/db',
    APIM_LOCAL_TOKEN_LIFETIME: '7200', APIM_LOCAL_QUIET: '1', APIM_LOCAL_MASTER_KEY: 'a2V5',
  };
  const fromEnv = parseConfig({}, env, cwd);
  assert.equal(fromEnv.dataDir, path.join(cwd, 'from-env'));
  assert.equal(fromEnv.port, 9000);
  assert.equal(fromEnv.host, '0.0.0.0');
  assert.deepEqual(fromEnv.store, { kind: 'postgres', url: 'postgres://u@h:5432/db' });
  assert.equal(fromEnv.tokenLifetimeSeconds, 7200);
  assert.equal(fromEnv.quiet, true);
  assert.equal(fromEnv.masterKey, 'a2V5');

  const fromFlags = parseConfig({ dataDir: '/abs/dir', port: '0', host: 'localhost', store: 'sqlite', tokenLifetime: 600, quiet: false }, env, cwd);
  assert.equal(fromFlags.dataDir, '/abs/dir');
  assert.equal(fromFlags.port, 0, '0 picks a free port');
  assert.equal(fromFlags.host, 'localhost');
  assert.deepEqual(fromFlags.store, { kind: 'sqlite', inMemory: false });
  assert.equal(fromFlags.tokenLifetimeSeconds, 600);
  assert.equal(fromFlags.quiet, false);
});

test('an empty environment variable counts as unset', () => {
  const c = parseConfig({}, { APIM_LOCAL_DATA_DIR: '', APIM_LOCAL_PORT: '', APIM_LOCAL_HOST: '', APIM_LOCAL_STORE: '', APIM_LOCAL_TOKEN_LIFETIME: '', APIM_LOCAL_MASTER_KEY: '' }, cwd);
  assert.equal(c.dataDir, path.join(cwd, '.apim-local'), 'not the working directory itself');
  assert.equal(c.port, 8443, 'not port 0');
  assert.equal(c.host, '127.0.0.1');
  assert.deepEqual(c.store, { kind: 'sqlite', inMemory: false });
  assert.equal(c.tokenLifetimeSeconds, 3600);
  assert.equal(c.masterKey, undefined);
});

test('stores: sqlite, in memory, postgres:// and postgresql:// URLs', () => {
  assert.deepEqual(parseConfig({ inMemory: true }, {}, cwd).store, { kind: 'sqlite', inMemory: true });
  assert.deepEqual(parseConfig({}, { APIM_LOCAL_IN_MEMORY: '1' }, cwd).store, { kind: 'sqlite', inMemory: true });
  assert.deepEqual(parseConfig({ store: 'postgresql://x/y?schema=s' }, {}, cwd).store, { kind: 'postgres', url: 'postgresql://x/y?schema=s' });
  assert.throws(() => parseConfig({ store: 'mysql://x/y' }, {}, cwd), (e) => e instanceof ConfigError && /--store: 'mysql:\/\/x\/y'/.test(e.message));
  assert.throws(() => parseConfig({ store: 'postgres://x/y', inMemory: true }, {}, cwd), ConfigError);
});

test('bad ports and lifetimes are refused, naming where they came from', () => {
  for (const port of ['abc', '-1', '65536', '80.5', '0x50', '1e3', ' ']) {
    assert.throws(() => parseConfig({ port }, {}, cwd), (e) => e instanceof ConfigError && e.message.startsWith('--port:'), `--port ${JSON.stringify(port)}`);
  }
  assert.throws(() => parseConfig({}, { APIM_LOCAL_PORT: 'http' }, cwd), (e) => e instanceof ConfigError && e.message.startsWith('APIM_LOCAL_PORT:'));
  assert.equal(parseConfig({ port: 65535 }, {}, cwd).port, 65535);
  assert.throws(() => parseConfig({ tokenLifetime: '299' }, {}, cwd), (e) => e instanceof ConfigError && /at least 300/.test(e.message));
  assert.throws(() => parseConfig({ tokenLifetime: 'soon' }, {}, cwd), (e) => e instanceof ConfigError && e.message.startsWith('--token-lifetime:'));
  assert.throws(() => parseConfig({}, { APIM_LOCAL_TOKEN_LIFETIME: '1.5' }, cwd), (e) => e instanceof ConfigError && e.message.startsWith('APIM_LOCAL_TOKEN_LIFETIME:'));
});

test('a bad store from the environment names the variable', () => {
  assert.throws(() => parseConfig({}, { APIM_LOCAL_STORE: 'redis://x' }, cwd), (e) => e instanceof ConfigError && e.message.startsWith("APIM_LOCAL_STORE: 'redis://x'"));
});

test('gateway workers: default 1, flag over environment, 1-64, bad values name their source', () => {
  assert.equal(parseConfig({}, {}, cwd).gatewayWorkers, 1);
  assert.equal(parseConfig({}, { APIM_LOCAL_GATEWAY_WORKERS: '4' }, cwd).gatewayWorkers, 4);
  assert.equal(parseConfig({ gatewayWorkers: '2' }, { APIM_LOCAL_GATEWAY_WORKERS: '4' }, cwd).gatewayWorkers, 2);
  assert.equal(parseConfig({ gatewayWorkers: '64' }, {}, cwd).gatewayWorkers, 64);
  for (const v of ['0', '65', 'two', '1.5', '-1']) {
    assert.throws(() => parseConfig({ gatewayWorkers: v }, {}, cwd), (e) => e instanceof ConfigError && e.message.startsWith('--gateway-workers:'), v);
  }
  assert.throws(() => parseConfig({}, { APIM_LOCAL_GATEWAY_WORKERS: 'many' }, cwd), (e) => e instanceof ConfigError && e.message.startsWith('APIM_LOCAL_GATEWAY_WORKERS:'));
});

// What `start --gateway-workers <bad>` prints and exits 1 with (the binary itself is run for one bad
// value of the flag and one of the variable in test/e2e/gateway-workers.test.ts).
for (const [value, message] of [
  ['abc', "--gateway-workers: 'abc' is not a positive integer"],
  ['65', '--gateway-workers: at most 64'],
  ['1.5', "--gateway-workers: '1.5' is not a positive integer"],
]) {
  test(`--gateway-workers ${value}: ${message}`, () => {
    assert.throws(() => parseConfig({ gatewayWorkers: value }, {}, cwd), (e) => e instanceof ConfigError && e.message === message);
  });
}
