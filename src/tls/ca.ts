// The local certificate authority: created once in the data directory, it signs the HTTPS server
// certificates of every listener. Clients trust it with NODE_EXTRA_CA_CERTS=<dataDir>/ca.pem.
// Reading what exists needs only node:crypto; making a certificate loads ./issue.js (@peculiar/x509).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const DAY_MS = 86_400_000;
/** The CA's life: like a public TLS certificate's at most, and renewed when less than a month is left. */
export const CA_DAYS = 825;
const RENEW_BEFORE_DAYS = 30;

/**
 * The names a new CA may sign for (RFC 5280 name constraints, critical): localhost, the loopback
 * addresses, and the `--host` the data directory was made with. Were the CA's key to leak, it could not
 * be used to impersonate any other site to a client that trusts it.
 */
export const LOOPBACK_NAMES = ['localhost', '127.0.0.0/8', '::1/128'];

export interface CertificateAuthority {
  caCertPem: string;
  caCertPath: string;
  /** A server certificate for these DNS names and IP addresses, signed by the CA. */
  issueServerCertificate(names: string[]): Promise<{ certPem: string; keyPem: string }>;
}

/**
 * Loads the CA from `dataDir` (ca.pem, ca-key.pem), creating it on first start and again when it is
 * about to expire (clients then trust the new ca.pem). `extraNames`: names besides the loopback ones a
 * new CA may sign for (a `--host` other than loopback).
 */
export async function loadOrCreateCa(dataDir: string, extraNames: string[] = []): Promise<CertificateAuthority> {
  const certPath = path.join(dataDir, 'ca.pem');
  const keyPath = path.join(dataDir, 'ca-key.pem');
  const expiring = fs.existsSync(certPath) && expiresWithin(fs.readFileSync(certPath, 'utf8'), RENEW_BEFORE_DAYS);
  if (!fs.existsSync(certPath) || !fs.existsSync(keyPath) || expiring) {
    const { createCa } = await import('./issue.js');
    const created = await createCa(extraNames);
    fs.writeFileSync(keyPath, created.keyPem, { mode: 0o600 });
    fs.writeFileSync(certPath, created.certPem, { mode: 0o644 });
  }
  const caCertPem = fs.readFileSync(certPath, 'utf8');
  const caKeyPem = fs.readFileSync(keyPath, 'utf8');
  return {
    caCertPem,
    caCertPath: certPath,
    async issueServerCertificate(names) {
      const { issueServerCertificate } = await import('./issue.js');
      return issueServerCertificate(caCertPem, caKeyPem, certPath, names);
    },
  };
}

/** The server certificate for the management listener, kept in the data directory and renewed when near expiry. */
export async function loadOrIssueServerCertificate(ca: CertificateAuthority, dataDir: string, names: string[]): Promise<{ certPem: string; keyPem: string }> {
  const certPath = path.join(dataDir, 'server.pem');
  const keyPath = path.join(dataDir, 'server-key.pem');
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) {
    const certPem = fs.readFileSync(certPath, 'utf8');
    if (!expiresWithin(certPem, 30) && names.every((n) => coversName(certPem, n)) && issuedBy(certPem, ca.caCertPem)) {
      return { certPem, keyPem: fs.readFileSync(keyPath, 'utf8') };
    }
  }
  const issued = await ca.issueServerCertificate(names);
  fs.writeFileSync(keyPath, issued.keyPem, { mode: 0o600 });
  fs.writeFileSync(certPath, issued.certPem);
  return issued;
}

function expiresWithin(certPem: string, days: number): boolean {
  return new Date(new crypto.X509Certificate(certPem).validTo).getTime() < Date.now() + days * DAY_MS;
}

/** Whether the certificate's subject alternative names list this DNS name or IP address as it is. */
function coversName(certPem: string, name: string): boolean {
  const san = new crypto.X509Certificate(certPem).subjectAltName ?? '';
  const want = /^[\d.]+$|:/.test(name) ? `IP Address:${name.includes(':') ? expandIpv6(name) : name}` : `DNS:${name}`;
  return san.split(', ').some((entry) => entry.toLowerCase() === want.toLowerCase());
}

/** node prints IPv6 addresses in SANs in full uncompressed form (0:0:0:0:0:0:0:1). */
function expandIpv6(ip: string): string {
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => g.replace(/^0+(?=.)/, '').toUpperCase()).join(':');
}

/** A server certificate kept from another CA (ca.pem replaced) is issued again. */
function issuedBy(certPem: string, caCertPem: string): boolean {
  return new crypto.X509Certificate(certPem).checkIssued(new crypto.X509Certificate(caCertPem));
}
