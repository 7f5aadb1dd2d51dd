// The instance's certificates (the `certificates` entity) as policies use them: looked up by name
// (certificate-id) or thumbprint; the parsed certificate, its public key and the PEMs a TLS client needs
// are made once per configuration, on first use.
import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { CertificateConfig } from '../config.js';

export class InstanceCertificate {
  private x509: X509Certificate | undefined;
  private pub: KeyObject | undefined;
  constructor(readonly config: CertificateConfig) {}
  get name(): string { return this.config.name; }
  get thumbprint(): string { return this.config.thumbprint; }
  /** The leaf. */
  get certificate(): X509Certificate { return (this.x509 ??= new X509Certificate(this.config.certPem)); }
  get publicKey(): KeyObject { return (this.pub ??= createPublicKey(this.config.certPem)); }
  /** For a TLS client: the chain and the key. */
  get tls(): { cert: string; key: string } { return { cert: this.config.certPem, key: this.config.keyPem }; }
}

export class CertificateTable {
  private readonly byName = new Map<string, InstanceCertificate>();
  private readonly byThumbprint = new Map<string, InstanceCertificate>();

  constructor(configs: readonly CertificateConfig[] = []) {
    for (const c of configs) {
      const entry = new InstanceCertificate(c);
      this.byName.set(c.name.toLowerCase(), entry);
      this.byThumbprint.set(c.thumbprint.toUpperCase(), entry);
    }
  }

  /** By certificate-id (the entity's name, any case). */
  named(name: string): InstanceCertificate | undefined { return this.byName.get(name.trim().toLowerCase()); }
  /** Every certificate, in the entities' order. */
  all(): InstanceCertificate[] { return [...this.byName.values()]; }
  /** By thumbprint (hex, any case; colons and spaces ignored). */
  withThumbprint(thumbprint: string): InstanceCertificate | undefined { return this.byThumbprint.get(thumbprint.replace(/[\s:]/g, '').toUpperCase()); }
}

let systemRoots: X509Certificate[] | undefined;

/** The trust store for client certificates: Node's root certificates and the instance's CA certificates. */
export function trustStore(ca: readonly { storeName: string; certPem: string }[]): { roots: X509Certificate[]; intermediates: X509Certificate[] } {
  systemRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  const parse = (store: string) => ca.filter((c) => c.storeName === store).map((c) => new X509Certificate(c.certPem));
  return { roots: [...systemRoots, ...parse('Root')], intermediates: parse('CertificateAuthority') };
}
