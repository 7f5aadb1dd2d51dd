// The local certificate authority: created once in the data directory, it signs the HTTPS server
// certificates of every listener. Clients trust it with NODE_EXTRA_CA_CERTS=<dataDir>/ca.pem.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import 'reflect-metadata'; // required by @peculiar/x509 (tsyringe)
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const DAY_MS = 86_400_000;

export interface CertificateAuthority {
  caCertPem: string;
  caCertPath: string;
  /** A server certificate for these DNS names and IP addresses, signed by the CA. */
  issueServerCertificate(names: string[]): Promise<{ certPem: string; keyPem: string }>;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

function serial(): string {
  const b = crypto.randomBytes(16);
  b[0] &= 0x7f; // positive
  return b.toString('hex');
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = crypto.createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return crypto.webcrypto.subtle.importKey('pkcs8', der, RSA, true, ['sign']) as Promise<CryptoKey>;
}

async function createCa(): Promise<{ certPem: string; keyPem: string }> {
  const keys = await crypto.webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=apim-local CA ${crypto.randomBytes(4).toString('hex')}, O=apim-local`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    keys,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem') + '\n', keyPem: toPem(pkcs8, 'PRIVATE KEY') };
}

/** Loads the CA from `dataDir` (ca.pem, ca-key.pem), creating it on first start. */
export async function loadOrCreateCa(dataDir: string): Promise<CertificateAuthority> {
  const certPath = path.join(dataDir, 'ca.pem');
  const keyPath = path.join(dataDir, 'ca-key.pem');
  if (!fs.existsSync(certPath) || !fs.existsSync(keyPath)) {
    const created = await createCa();
    fs.writeFileSync(keyPath, created.keyPem, { mode: 0o600 });
    fs.writeFileSync(certPath, created.certPem, { mode: 0o644 });
  }
  return caFromPem(fs.readFileSync(certPath, 'utf8'), fs.readFileSync(keyPath, 'utf8'), certPath);
}

async function caFromPem(caCertPem: string, caKeyPem: string, caCertPath: string): Promise<CertificateAuthority> {
  const caCert = new x509.X509Certificate(caCertPem);
  const caKey = await importPrivateKey(caKeyPem);
  return {
    caCertPem,
    caCertPath,
    async issueServerCertificate(names) {
      const keys = await crypto.webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']) as CryptoKeyPair;
      const now = Date.now();
      const altNames = names.map((n) => (/^[\d.]+$|:/.test(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }));
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${names[0]}`,
        issuer: caCert.subject,
        notBefore: new Date(now - DAY_MS),
        notAfter: new Date(now + 397 * DAY_MS),
        publicKey: keys.publicKey,
        signingKey: caKey,
        signingAlgorithm: RSA,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension(altNames),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ],
      });
      const pkcs8 = await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
      return { certPem: cert.toString('pem') + '\n' + caCertPem, keyPem: toPem(pkcs8, 'PRIVATE KEY') };
    },
  };
}

/** The server certificate for the management listener, kept in the data directory and renewed when near expiry. */
export async function loadOrIssueServerCertificate(ca: CertificateAuthority, dataDir: string, names: string[]): Promise<{ certPem: string; keyPem: string }> {
  const certPath = path.join(dataDir, 'server.pem');
  const keyPath = path.join(dataDir, 'server-key.pem');
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) {
    const certPem = fs.readFileSync(certPath, 'utf8');
    const cert = new x509.X509Certificate(certPem);
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    const have = new Set(san?.names.items.map((n) => n.value) ?? []);
    if (cert.notAfter.getTime() > Date.now() + 30 * DAY_MS && names.every((n) => have.has(n))) {
      return { certPem, keyPem: fs.readFileSync(keyPath, 'utf8') };
    }
  }
  const issued = await ca.issueServerCertificate(names);
  fs.writeFileSync(keyPath, issued.keyPem, { mode: 0o600 });
  fs.writeFileSync(certPath, issued.certPem);
  return issued;
}
