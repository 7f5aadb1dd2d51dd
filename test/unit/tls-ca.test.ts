// The local CA (#10 finding 9): name constraints limit it to localhost and the loopback addresses (and
// the --host it was made for), so its key cannot impersonate another site even to a client that trusts
// it; it lives 825 days, not 10 years.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import 'reflect-metadata'; // required by @peculiar/x509
import * as x509 from '@peculiar/x509';
import { loadOrCreateCa } from '../../src/tls/ca.js';

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

async function serve(certPem: string, keyPem: string): Promise<{ port: number; close(): void }> {
  const server = https.createServer({ cert: certPem, key: keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

function connect(port: number, ca: string, servername: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = tls.connect({ port, host: '127.0.0.1', ca, servername }, () => { s.end(); resolve(undefined); });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

test('a new CA has critical name constraints (localhost, 127.0.0.0/8, ::1) and an 825-day life', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-local-ca-'));
  const ca = await loadOrCreateCa(dir);
  const cert = new x509.X509Certificate(ca.caCertPem);
  const nc = cert.extensions.find((e) => e.type === '2.5.29.30');
  assert.ok(nc, 'name constraints present');
  assert.equal(nc!.critical, true);
  const days = (cert.notAfter.getTime() - cert.notBefore.getTime()) / 86_400_000;
  assert.ok(days > 800 && days < 830, `lifetime ${days} days`);

  const good = await ca.issueServerCertificate(['localhost', '127.0.0.1', '::1']);
  // RSA like most hostnames' certificates: node keeps serving the default certificate when an SNI callback
  // picks a context with a key of another type.
  assert.equal(new crypto.X509Certificate(good.certPem).publicKey.asymmetricKeyType, 'rsa');
  const srv = await serve(good.certPem, good.keyPem);
  try {
    assert.equal(await connect(srv.port, ca.caCertPem, 'localhost'), undefined, 'localhost is trusted');
  } finally { srv.close(); }
  await assert.rejects(ca.issueServerCertificate(['login.microsoftonline.com']), /may sign only for localhost/);
});

/** A server certificate for `host` signed directly with the CA's key, as a thief of the key would. */
async function signedWithCaKey(dir: string, caPem: string, host: string): Promise<{ certPem: string; keyPem: string }> {
  const caCert = new x509.X509Certificate(caPem);
  const caKeyDer = crypto.createPrivateKey(fs.readFileSync(path.join(dir, 'ca-key.pem'), 'utf8')).export({ format: 'der', type: 'pkcs8' });
  const caKey = await crypto.webcrypto.subtle.importKey('pkcs8', caKeyDer, RSA, false, ['sign']);
  const keys = await crypto.webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '01', subject: `CN=${host}`, issuer: caCert.subject,
    notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000),
    publicKey: keys.publicKey, signingKey: caKey, signingAlgorithm: RSA,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }])],
  });
  const keyPem = crypto.createPrivateKey({ key: Buffer.from(await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
  return { certPem: cert.toString('pem'), keyPem };
}

test('attack: a certificate for another site signed with the CA key (bypassing apim-local) is refused by a client that trusts the CA', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-local-ca-'));
  const ca = await loadOrCreateCa(dir);
  // The control: the same forgery for localhost is accepted, so the refusal below is the name constraint's.
  const control = await signedWithCaKey(dir, ca.caCertPem, 'localhost');
  const c = await serve(control.certPem, control.keyPem);
  try { assert.equal(await connect(c.port, ca.caCertPem, 'localhost'), undefined); } finally { c.close(); }
  const forged = await signedWithCaKey(dir, ca.caCertPem, 'login.microsoftonline.com');
  const srv = await serve(forged.certPem, forged.keyPem);
  try {
    const err = await connect(srv.port, ca.caCertPem, 'login.microsoftonline.com');
    assert.ok(err, 'the handshake fails');
  } finally { srv.close(); }
});
