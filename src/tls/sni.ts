// The certificates one listener serves, per hostname: secure contexts chosen by SNI (exact names, then
// `*.domain` wildcards), a default for clients that send no name, and whether a name asks for a client
// certificate. `update` swaps the whole table at once; handshakes under way and open connections keep
// the context they started with, new handshakes get the new one.
import crypto from 'node:crypto';
import tls from 'node:tls';

export interface HostCertificate {
  /** The hostname (`api.contoso.com`, or `*.contoso.com`). */
  hostName: string;
  /** The certificate chain (leaf first) and its private key, PEM. */
  certPem: string;
  keyPem: string;
  /** Served to clients that send no SNI. */
  defaultSslBinding: boolean;
  /** The handshake asks for a client certificate (which the client may decline). */
  negotiateClientCertificate: boolean;
}

export interface SniEntry {
  context: tls.SecureContext;
  /** The PEM of the context (for node's setSecureContext when it becomes the no-SNI default). */
  pem: { cert: string; key: string };
  requestCert: boolean;
}

export class SniContexts {
  private exact = new Map<string, SniEntry>();
  private wildcard = new Map<string, SniEntry>();
  private fallback: SniEntry;
  private noName: SniEntry;
  /** Contexts by the hash of their PEM: a reload that leaves a certificate alone reuses its context. */
  private cache = new Map<string, tls.SecureContext>();

  /** `builtIn`: the listener's own certificate, for every name that has no certificate of its own. */
  constructor(builtIn: { cert: string; key: string }) {
    this.fallback = { context: tls.createSecureContext(builtIn), pem: builtIn, requestCert: false };
    this.noName = this.fallback;
  }

  /** Replaces the table; returns the problems (a hostname whose certificate or key cannot be used is left out). */
  update(hosts: HostCertificate[]): string[] {
    const problems: string[] = [];
    const exact = new Map<string, SniEntry>();
    const wildcard = new Map<string, SniEntry>();
    const cache = new Map<string, tls.SecureContext>();
    let noName = this.fallback;
    for (const h of hosts) {
      const key = crypto.createHash('sha256').update(h.certPem).update('\0').update(h.keyPem).digest('hex');
      let context = this.cache.get(key) ?? cache.get(key);
      if (!context) {
        try {
          context = tls.createSecureContext({ cert: h.certPem, key: h.keyPem });
        } catch (e) {
          problems.push(`the certificate of ${h.hostName} cannot be served: ${e instanceof Error ? e.message : String(e)}`);
          continue;
        }
      }
      cache.set(key, context);
      const entry: SniEntry = { context, pem: { cert: h.certPem, key: h.keyPem }, requestCert: h.negotiateClientCertificate };
      const name = h.hostName.toLowerCase();
      if (name.startsWith('*.')) wildcard.set(name.slice(2), entry); else exact.set(name, entry);
      if (h.defaultSslBinding) noName = entry;
    }
    this.exact = exact;
    this.wildcard = wildcard;
    this.cache = cache;
    this.noName = noName;
    return problems;
  }

  /** The entry for a handshake that asked for `serverName` (undefined: none). */
  select(serverName: string | undefined): SniEntry {
    if (serverName === undefined || serverName === '') return this.noName;
    const name = serverName.toLowerCase();
    const hit = this.exact.get(name);
    if (hit) return hit;
    // A wildcard covers one label: *.contoso.com serves api.contoso.com, not a.b.contoso.com.
    const dot = name.indexOf('.');
    return (dot > 0 ? this.wildcard.get(name.slice(dot + 1)) : undefined) ?? this.fallback;
  }

  /** The entry served to clients that send no name. */
  get defaultEntry(): SniEntry { return this.noName; }
}
