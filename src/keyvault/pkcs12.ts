// Certificate content: parse what an import sends (base64 PFX with its password, or PEM: private key and
// certificates), and produce the managed secret's value (a PFX without password, or PEM) and the facts a
// certificate bundle shows (cer, x5t, validity, subject, SANs, key properties).
import crypto from 'node:crypto';
import type Forge from 'node-forge';
import { forge as nodeForge, x509 } from '../common/lazy-modules.js';
import { KvErrors } from './errors.js';

export const PKCS12 = 'application/x-pkcs12';
export const PEM = 'application/x-pem-file';

export interface CertificateMaterial {
  /** Leaf first (the certificate of the private key), then the rest as given. */
  chain: crypto.X509Certificate[];
  key: crypto.KeyObject;
}

/** Tells PEM from base64 PFX by the value itself (the current SDK drops `policy` from imports). */
export function detectFormat(value: string): typeof PKCS12 | typeof PEM {
  if (/-----BEGIN [A-Z0-9 ]+-----/.test(value)) return PEM;
  const compact = value.replace(/\s+/g, '');
  if (compact.length > 0 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return PKCS12;
  throw KvErrors.certificateFormat();
}

export function parseCertificateContent(value: string, password: string | undefined): { material: CertificateMaterial; format: string } {
  const format = detectFormat(value);
  const material = format === PEM ? parsePem(value, password) : parsePfx(value, password);
  return { material, format };
}

function parsePfx(value: string, password: string | undefined): CertificateMaterial {
  const der = Buffer.from(value.replace(/\s+/g, ''), 'base64');
  const forge = nodeForge();
  let p12: Forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password ?? '');
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/password/i.test(message)) throw KvErrors.pfxPasswordWrong();
    throw KvErrors.pfxInvalid(message);
  }
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const certs = certBags.map((b) => {
    const asn1 = b.cert ? forge.pki.certificateToAsn1(b.cert) : (b as { asn1?: Forge.asn1.Asn1 }).asn1;
    if (!asn1) throw KvErrors.pfxInvalid('a certificate bag is empty.');
    return new crypto.X509Certificate(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
  });
  if (certs.length === 0) throw KvErrors.pfxInvalid('it holds no certificate.');
  if (keyBags.length === 0) throw KvErrors.pemNoKey();
  const bag = keyBags[0];
  const info = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : (bag as { asn1?: Forge.asn1.Asn1 }).asn1;
  if (!info) throw KvErrors.pfxInvalid('the key bag is empty.');
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw KvErrors.unsupportedKey(e instanceof Error ? e.message : String(e));
  }
  return orderChain(certs, key);
}

function parsePem(value: string, password: string | undefined): CertificateMaterial {
  const blocks = value.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g) ?? [];
  const certs: crypto.X509Certificate[] = [];
  let key: crypto.KeyObject | undefined;
  for (const block of blocks) {
    const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(block)![1];
    try {
      if (label === 'CERTIFICATE') certs.push(new crypto.X509Certificate(block));
      else if (label.endsWith('PRIVATE KEY') && !key) key = crypto.createPrivateKey({ key: block, passphrase: password });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (label.endsWith('PRIVATE KEY') && /passphrase|decrypt|bad/i.test(message)) throw KvErrors.pfxPasswordWrong();
      throw KvErrors.pemInvalid(`${label}: ${message}`);
    }
  }
  if (certs.length === 0) throw KvErrors.pemInvalid('no CERTIFICATE block was found.');
  if (!key) throw KvErrors.pemNoKey();
  return orderChain(certs, key);
}

function orderChain(certs: crypto.X509Certificate[], key: crypto.KeyObject): CertificateMaterial {
  const leaf = certs.find((c) => { try { return c.checkPrivateKey(key); } catch { return false; } });
  if (!leaf) throw KvErrors.keyMismatch();
  return { chain: [leaf, ...certs.filter((c) => c !== leaf)], key };
}

/** The managed secret's value: base64 PFX without password, or PEM (PKCS#8 key, then the chain). */
export function secretValueFor(material: CertificateMaterial, contentType: string, friendlyName: string): string {
  if (contentType === PEM) {
    return material.key.export({ format: 'pem', type: 'pkcs8' }).toString() + material.chain.map((c) => c.toString()).join('');
  }
  if (material.key.asymmetricKeyType !== 'rsa') {
    throw KvErrors.unsupportedKey(`a ${material.key.asymmetricKeyType} key can be kept as '${PEM}' only.`);
  }
  const forge = nodeForge();
  const key = forge.pki.privateKeyFromPem(material.key.export({ format: 'pem', type: 'pkcs8' }).toString());
  const certs = material.chain.map((c) => forge.pki.certificateFromPem(c.toString()));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, '', { algorithm: '3des', friendlyName, generateLocalKeyId: true });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary').toString('base64');
}

export interface CertificateFacts {
  cer: string;
  x5t: string;
  nbf: number;
  exp: number;
  subject: string;
  sans: { dns_names?: string[]; emails?: string[]; upns?: string[]; ipAddresses?: string[]; uris?: string[] };
  ekus: string[];
  keyUsage: string[];
  keyProps: { exportable: boolean; kty: string; key_size?: number; crv?: string; reuse_key: boolean };
  validityMonths: number;
}

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp256k1: 'P-256K' };
const USAGES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;

export function certificateFacts(material: CertificateMaterial): CertificateFacts {
  const leaf = material.chain[0];
  const der = leaf.raw;
  const nbf = Math.floor(new Date(leaf.validFrom).getTime() / 1000);
  const exp = Math.floor(new Date(leaf.validTo).getTime() / 1000);
  const sans: CertificateFacts['sans'] = {};
  for (const part of (leaf.subjectAltName ?? '').split(/,\s*/).filter(Boolean)) {
    const [type, ...rest] = part.split(':');
    const v = rest.join(':');
    const push = (k: keyof CertificateFacts['sans']) => { (sans[k] ??= []).push(v); };
    if (type === 'DNS') push('dns_names');
    else if (type === 'email') push('emails');
    else if (type === 'IP Address') push('ipAddresses');
    else if (type === 'URI') push('uris');
  }
  let keyUsage: string[] = [];
  try {
    const { X509Certificate: Cert, KeyUsagesExtension, KeyUsageFlags } = x509();
    const ext = new Cert(der).getExtension(KeyUsagesExtension);
    if (ext) keyUsage = USAGES.filter((name) => (ext.usages & KeyUsageFlags[name]) !== 0);
  } catch { /* no key usage extension */ }
  const details = material.key.asymmetricKeyDetails ?? {};
  const kty = material.key.asymmetricKeyType === 'ec' ? 'EC' : 'RSA';
  return {
    cer: der.toString('base64'),
    x5t: crypto.createHash('sha1').update(der).digest('base64url'),
    nbf, exp,
    subject: leaf.subject.split('\n').join(', '),
    sans,
    ekus: leaf.keyUsage ?? [],
    keyUsage,
    keyProps: kty === 'EC'
      ? { exportable: true, kty, crv: CURVES[details.namedCurve ?? ''] ?? details.namedCurve, reuse_key: false }
      : { exportable: true, kty, key_size: details.modulusLength, reuse_key: false },
    validityMonths: Math.max(1, Math.round((exp - nbf) / (30.44 * 86_400))),
  };
}
