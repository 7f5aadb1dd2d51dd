// Debug credentials (runtime/debug-token.ts): a token verifies only under its instance's key, for its
// instance and API, until it expires; any edit of its fields breaks the signature.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { issueDebugToken, verifyDebugToken } from '../../src/gateway/runtime/debug-token.js';

const KEY = crypto.randomBytes(32).toString('base64url');
const INSTANCE = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim1';
const NOW = 1_800_000_000_000;
const token = issueDebugToken(KEY, INSTANCE, { apiName: 'echo', purposes: ['tracing'], expiresAtMs: NOW + 3600_000 });

test('a token verifies for its API (any case), instance and key until it expires', () => {
  assert.match(token, /^aid=echo&p=tracing&ex=\d+&sn=[\w-]+$/);
  const ok = verifyDebugToken(KEY, INSTANCE.toLowerCase(), token, 'ECHO', NOW);
  assert.deepEqual(ok, { ok: true, credential: { apiName: 'echo', purposes: ['tracing'], expiresAtMs: NOW + 3600_000 } });
  assert.deepEqual(verifyDebugToken(KEY, INSTANCE, token, 'echo', NOW + 3600_000), { ok: false, reason: 'expired', expiredAt: new Date(NOW + 3600_000).toISOString() });
  assert.deepEqual(verifyDebugToken(KEY, INSTANCE, token, 'other', NOW), { ok: false, reason: 'wrongApi', apiName: 'echo' });
});

test('another key, another instance, or an edited field: invalid', () => {
  assert.equal(verifyDebugToken(crypto.randomBytes(32).toString('base64url'), INSTANCE, token, 'echo', NOW).ok, false);
  assert.deepEqual(verifyDebugToken(KEY, INSTANCE.replace('apim1', 'apim2'), token, 'echo', NOW), { ok: false, reason: 'invalid' });
  for (const forged of [token.replace('aid=echo', 'aid=other'), token.replace(/ex=(\d+)/, (_, n) => `ex=${Number(n) + 3600}`), token.replace('p=tracing', 'p=tracing,debugging'), token.replace(/sn=.*/, 'sn='), 'garbage', '']) {
    assert.deepEqual(verifyDebugToken(KEY, INSTANCE, forged, 'echo', NOW), { ok: false, reason: 'invalid' }, forged);
  }
});
