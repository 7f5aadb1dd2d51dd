// Making certificates (the CA itself, and server certificates it signs) with @peculiar/x509. Loaded only
// when a certificate must be made (first start, renewal): reading existing ones needs node:crypto alone,
// and this library is a large share of a start's module loading.
import crypto from 'node:crypto';
import net from 'node:net';
import 'reflect-metadata'; // required by @peculiar/x509 (tsyringe)
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, id_ce_nameConstraints } from '@peculiar/asn1-x509';
import { CA_DAYS, DAY_MS, LOOPBACK_NAMES } from './ca.js';

x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
/**
 * Server keys are RSA too: node (OpenSSL) keeps serving the default certificate when an SNI callback picks
 * a context whose key is of another type than the default's, and hostnames' certificates are mostly RSA.
 */
const SERVER_KEY = RSA;

function nameConstraints(names: string[]): x509.Extension {
  const subtrees = names.map((n) => new GeneralSubtree({
    base: new GeneralName(/^[\d.]+(\/\d+)?$|:/.test(n) ? { iPAddress: n.includes('/') ? n : `${n}/${n.includes(':') ? 128 : 32}` } : { dNSName: n }),
  }));
  const value = AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) }));
  return new x509.Extension(id_ce_nameConstraints, true, value);
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

export async function createCa(extraNames: string[]): Promise<{ certPem: string; keyPem: string }> {
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

/**
 * A server certificate for these DNS names and IP addresses, signed by the CA (a name outside the CA's
 * name constraints is refused here, as a client would refuse it).
 */
export async function issueServerCertificate(caCertPem: string, caKeyPem: string, caCertPath: string, names: string[]): Promise<{ certPem: string; keyPem: string }> {
  const caCert = new x509.X509Certificate(caCertPem);
  const caKey = await importPrivateKey(caKeyPem);
  const permitted = permittedNames(caCert);
  const outside = permitted ? names.filter((n) => !permits(permitted, n)) : [];
  if (outside.length > 0) {
    throw new Error(`the local CA (${caCertPath}) may sign only for ${[...permitted!.dns, ...permitted!.ip].join(', ')}, not ${outside.join(', ')} (--host): start with a new --data-dir, or remove ca.pem and ca-key.pem there to make a new CA for it`);
  }
  const keys = await crypto.webcrypto.subtle.generateKey(SERVER_KEY, true, ['sign', 'verify']) as CryptoKeyPair;
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
}

