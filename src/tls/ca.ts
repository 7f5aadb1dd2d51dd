// The local certificate authority: created once in the data directory, it signs the HTTPS server
// certificates of every listener. Clients trust it with NODE_EXTRA_CA_CERTS=<dataDir>/ca.pem.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import 'reflect-metadata'; // required by @peculiar/x509 (tsyringe)
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, id_ce_nameConstraints } from '@peculiar/asn1-x509';

x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const DAY_MS = 86_400_000;
/** The CA's life: like a public TLS certificate's at most, and renewed when less than a month is left. */
const CA_DAYS = 825;
const RENEW_BEFORE_DAYS = 30;

/**
 * The names a new CA may sign for (RFC 5280 name constraints, critical): localhost, the loopback
 * addresses, and the `--host` the data directory was made with. Were the CA's key to leak, it could not
 * be used to impersonate any other site to a client that trusts it.
 */
export const LOOPBACK_NAMES = ['localhost', '127.0.0.0/8', '::1/128'];

function nameConstraints(names: string[]): x509.Extension {
  const subtrees = names.map((n) => new GeneralSubtree({
    base: new GeneralName(/^[\d.]+(\/\d+)?$|:/.test(n) ? { iPAddress: n.includes('/') ? n : `${n}/${n.includes(':') ? 128 : 32}` } : { dNSName: n }),
  }));
  const value = AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) }));
  return new x509.Extension(id_ce_nameConstraints, true, value);
}

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

async function createCa(extraNames: string[]): Promise<{ certPem: string; keyPem: string }> {
  const keys = await crypto.webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=apim-local CA ${crypto.randomBytes(4).toString('hex')}, O=apim-local`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + CA_DAYS * DAY_MS),
    keys,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      nameConstraints([...LOOPBACK_NAMES, ...extraNames]),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem') + '\n', keyPem: toPem(pkcs8, 'PRIVATE KEY') };
}

/**
 * Loads the CA from `dataDir` (ca.pem, ca-key.pem), creating it on first start and again when it is
 * about to expire (clients then trust the new ca.pem). `extraNames`: names besides the loopback ones a
 * new CA may sign for (a `--host` other than loopback).
 */
export async function loadOrCreateCa(dataDir: string, extraNames: string[] = []): Promise<CertificateAuthority> {
  const certPath = path.join(dataDir, 'ca.pem');
  const keyPath = path.join(dataDir, 'ca-key.pem');
  const expiring = fs.existsSync(certPath) && new x509.X509Certificate(fs.readFileSync(certPath, 'utf8')).notAfter.getTime() < Date.now() + RENEW_BEFORE_DAYS * DAY_MS;
  if (!fs.existsSync(certPath) || !fs.existsSync(keyPath) || expiring) {
    const created = await createCa(extraNames);
    fs.writeFileSync(keyPath, created.keyPem, { mode: 0o600 });
    fs.writeFileSync(certPath, created.certPem, { mode: 0o644 });
  }
  return caFromPem(fs.readFileSync(certPath, 'utf8'), fs.readFileSync(keyPath, 'utf8'), certPath);
}

/** The DNS names and IP ranges (CIDR) a CA's name constraints permit; undefined when it has none (older data directories). */
function permittedNames(caCert: x509.X509Certificate): { dns: string[]; ip: string[] } | undefined {
  const ext = caCert.extensions.find((e) => e.type === id_ce_nameConstraints);
  if (!ext) return undefined;
  const nc = AsnConvert.parse(ext.value, NameConstraints);
  const dns: string[] = [];
  const ip: string[] = [];
  for (const sub of nc.permittedSubtrees ?? []) {
    if (sub.base.dNSName) dns.push(sub.base.dNSName.toLowerCase());
    if (sub.base.iPAddress) ip.push(sub.base.iPAddress);
  }
  return { dns, ip };
}

/** Whether `name` (a DNS name or an IP address) is inside the permitted names (RFC 5280: a DNS subtree covers its subdomains). */
function permits(p: { dns: string[]; ip: string[] }, name: string): boolean {
  if (/^[\d.]+$|:/.test(name)) {
    return p.ip.some((cidr) => {
      const [base, bits] = cidr.split('/');
      const list = new net.BlockList();
      list.addSubnet(base, Number(bits), base.includes(':') ? 'ipv6' : 'ipv4');
      return list.check(name, name.includes(':') ? 'ipv6' : 'ipv4');
    });
  }
  const n = name.toLowerCase();
  return p.dns.some((d) => n === d || n.endsWith(`.${d}`));
}

async function caFromPem(caCertPem: string, caKeyPem: string, caCertPath: string): Promise<CertificateAuthority> {
  const caCert = new x509.X509Certificate(caCertPem);
  const caKey = await importPrivateKey(caKeyPem);
  const permitted = permittedNames(caCert);
  return {
    caCertPem,
    caCertPath,
    async issueServerCertificate(names) {
      const outside = permitted ? names.filter((n) => !permits(permitted, n)) : [];
      if (outside.length > 0) {
        throw new Error(`the local CA (${caCertPath}) may sign only for ${[...permitted!.dns, ...permitted!.ip].join(', ')}, not ${outside.join(', ')} (--host): start with a new --data-dir, or remove ca.pem and ca-key.pem there to make a new CA for it`);
      }
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
