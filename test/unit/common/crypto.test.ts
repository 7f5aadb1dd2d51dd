// SecretBox (AES-256-GCM at rest) and client secret hashing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SecretBox, hashSecret, verifySecret, newClientSecret } from '../../../src/common/crypto.js';
import { tempDir } from '../../helpers/server.js';

test('seal and open round-trip, text and binary, with a fresh IV each time', () => {
  const box = SecretBox.ephemeral();
  const a = box.seal('s3cret', 'where');
  const b = box.seal('s3cret', 'where');
  assert.notEqual(a, b, 'random IV');
  assert.match(a, /^v1\.[\w-]+\.[\w-]+\.[\w-]*$/);
  assert.ok(!a.includes('s3cret'));
  assert.equal(box.open(a, 'where'), 's3cret');
  const bytes = crypto.randomBytes(100);
  assert.deepEqual(box.openBuffer(box.seal(bytes)), bytes);
  assert.equal(box.open(box.seal('')), '');
});

test('the additional data binds a value to where it is stored', () => {
  const box = SecretBox.ephemeral();
  const sealed = box.seal('value', 'entra-key:kid1');
  assert.throws(() => box.open(sealed, 'entra-key:kid2'));
  assert.throws(() => box.open(sealed));
});

test('tampering, another key and unknown formats fail', () => {
  const box = SecretBox.ephemeral();
  const sealed = box.seal('value');
  const [v, iv, tag, ct] = sealed.split('.');
  const flipped = Buffer.from(ct, 'base64url');
  flipped[0] ^= 1;
  assert.throws(() => box.open([v, iv, tag, flipped.toString('base64url')].join('.')));
  assert.throws(() => box.open([v, iv, Buffer.alloc(16).toString('base64url'), ct].join('.')));
  assert.throws(() => SecretBox.ephemeral().open(sealed), 'another key');
  assert.throws(() => box.open(`v2.${iv}.${tag}.${ct}`), /unknown format/);
  assert.throws(() => box.open('garbage'), /unknown format/);
});

test('fromKey needs exactly 32 bytes', () => {
  const key = crypto.randomBytes(32).toString('base64');
  const a = SecretBox.fromKey(key);
  assert.equal(SecretBox.fromKey(key).open(a.seal('x')), 'x', 'same key, same box');
  assert.throws(() => SecretBox.fromKey(crypto.randomBytes(16).toString('base64')), /32 bytes/);
  assert.throws(() => SecretBox.fromKey(''), /32 bytes/);
});

test('fromDataDir creates master.key once (mode 0600) and reuses it; an explicit key wins', () => {
  const dir = tempDir();
  const first = SecretBox.fromDataDir(dir);
  const file = path.join(dir, 'master.key');
  assert.ok(fs.existsSync(file));
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const content = fs.readFileSync(file, 'utf8');
  const sealed = first.seal('persisted');
  const second = SecretBox.fromDataDir(dir);
  assert.equal(fs.readFileSync(file, 'utf8'), content, 'not rewritten');
  assert.equal(second.open(sealed), 'persisted');
  const explicit = SecretBox.fromDataDir(dir, crypto.randomBytes(32).toString('base64'));
  assert.throws(() => explicit.open(sealed));
  assert.equal(SecretBox.fromDataDir(dir, content.trim()).open(sealed), 'persisted');
});

test('client secrets: Entra-shaped, stored salted, verified in constant time', () => {
  const s = newClientSecret();
  assert.match(s, /^[A-Za-z0-9~._-]{40}$/);
  assert.notEqual(newClientSecret(), s);
  const h1 = hashSecret(s);
  const h2 = hashSecret(s);
  assert.notEqual(h1, h2, 'salted');
  assert.ok(!h1.includes(s));
  assert.equal(verifySecret(s, h1), true);
  assert.equal(verifySecret(s, h2), true);
  assert.equal(verifySecret(s + 'x', h1), false);
  assert.equal(verifySecret('', h1), false);
  assert.equal(verifySecret(s, 'md5.x.y'), false);
  assert.equal(verifySecret(s, 'garbage'), false);
});

test('mac: per purpose, deterministic, key-bound', () => {
  const key = crypto.randomBytes(32).toString('base64');
  const a = SecretBox.fromKey(key);
  assert.deepEqual(a.mac('p', 'data'), SecretBox.fromKey(key).mac('p', 'data'));
  assert.notDeepEqual(a.mac('p', 'data'), a.mac('q', 'data'));
  assert.notDeepEqual(a.mac('p', 'data'), a.mac('p', 'datb'));
  assert.notDeepEqual(a.mac('p', 'data'), SecretBox.ephemeral().mac('p', 'data'));
});
