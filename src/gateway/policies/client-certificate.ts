// validate-client-certificate (Microsoft Learn, "Validate client certificate"): the certificate the client
// presented in the TLS handshake (a hostname with negotiateClientCertificate asks for one) must pass every
// rule of the element's attributes (trust, revocation, validity period) and match every claim of at least
// one identity. A failure goes to on-error (or, with ignore-error, the request goes on).
import { X509Certificate } from 'node:crypto';
import type { TLSSocket, PeerCertificate, DetailedPeerCertificate } from 'node:tls';
import type * as X509 from '@peculiar/x509';
import { x509 } from '../../common/lazy-modules.js';
import type { XNode } from '../policy/xml.js';
import { PolicyError, apimBody, type PolicyDefinition, type Run } from '../policy/types.js';
import type { GatewayContext } from '../runtime/context.js';
import type { InstanceServices } from '../runtime/services.js';

const IDENTITY_ATTRS = ['thumbprint', 'serial-number', 'common-name', 'subject', 'dns-name', 'issuer-subject', 'issuer-thumbprint', 'issuer-certificate-id'] as const;
type IdentityAttr = (typeof IDENTITY_ATTRS)[number];
const BOOLS = ['validate-revocation', 'validate-trust', 'validate-not-before', 'validate-not-after', 'ignore-error'] as const;

const hex = (s: string) => s.replace(/[\s:]/g, '').toUpperCase();
const thumbprintOf = (c: X509Certificate) => c.fingerprint.replace(/:/g, '');

/** Attribute type names as .NET and OpenSSL write them, to one spelling. */
const TYPE_ALIASES: Record<string, string> = { S: 'ST', E: 'EMAILADDRESS', EMAIL: 'EMAILADDRESS', SN: 'SURNAME', G: 'GIVENNAME', T: 'TITLE' };

/**
 * A distinguished name as a sorted list of TYPE=value: from a policy's "CN=x, O=\"Contoso, Inc.\"" (commas
 * inside double quotes belong to the value) or from Node's "C=US\nO=Contoso\\, Inc.\nCN=x" (escaped). The order of the parts does not
 * matter (.NET and OpenSSL print them in opposite orders), types ignore case, values are compared as given.
 */
export function normalizeDn(dn: string, separator: ',' | '\n'): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  let escaped = false;
  for (const ch of dn) {
    // A backslash escapes the next character (OpenSSL writes "O=Contoso\, Inc."; .NET quotes instead).
    if (escaped) { cur += ch; escaped = false; continue; }
    if (ch === '\\') { escaped = true; continue; }
    if (ch === '"') { quoted = !quoted; continue; }
    if (ch === separator && !quoted) { parts.push(cur); cur = ''; continue; }
    cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    if (eq < 0) return p;
    const type = p.slice(0, eq).trim().toUpperCase();
    return `${TYPE_ALIASES[type] ?? type}=${p.slice(eq + 1).trim()}`;
  }).sort();
}

const sameDn = (policy: string, node: string) => {
  const a = normalizeDn(policy, ',');
  const b = normalizeDn(node, '\n');
  return a.length === b.length && a.every((v, i) => v === b[i]);
};

const commonNameOf = (subject: string) => normalizeDn(subject, '\n').filter((p) => p.startsWith('CN=')).map((p) => p.slice(3));
const dnsNamesOf = (c: X509Certificate) => (c.subjectAltName ?? '').split(/,\s*/).filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4).toLowerCase());

/** The certificates the client sent after its own (intermediates), from the TLS socket. */
function peerChain(ctx: GatewayContext): X509Certificate[] {
  const socket = ctx.req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return [];
  const out: X509Certificate[] = [];
  let cur: PeerCertificate | DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  for (let i = 0; cur && i < 10; i++) {
    const next: DetailedPeerCertificate | undefined = (cur as DetailedPeerCertificate).issuerCertificate;
    if (!next || !next.raw || seen.has(next.fingerprint256)) break;
    seen.add(next.fingerprint256);
    out.push(new X509Certificate(next.raw));
    cur = next;
  }
  return out;
}

/** `issuer` signed `c` (names match and the signature verifies). */
const issuedBy = (c: X509Certificate, issuer: X509Certificate) => {
  try { return c.checkIssued(issuer) && c.verify(issuer.publicKey); } catch { return false; }
};

interface Trust { roots: X509Certificate[]; intermediates: X509Certificate[] }

/**
 * A chain from `leaf` to a trusted root, through intermediates the client sent or the instance holds
 * (CertificateAuthority store); each link's signature is verified. Returns the chain (leaf first) or
 * undefined.
 */
function buildChain(leaf: X509Certificate, trust: Trust, sent: X509Certificate[]): X509Certificate[] | undefined {
  const chain = [leaf];
  const pool = [...sent, ...trust.intermediates];
  let cur = leaf;
  for (let depth = 0; depth < 10; depth++) {
    const root = trust.roots.find((r) => issuedBy(cur, r));
    if (root) return thumbprintOf(root) === thumbprintOf(cur) ? chain : [...chain, root];
    const next = pool.find((p) => p.ca && thumbprintOf(p) !== thumbprintOf(cur) && issuedBy(cur, p));
    if (!next) return undefined;
    chain.push(next);
    cur = next;
  }
  return undefined;
}

/** CRL checks: the CRLs named by the certificate's distribution points, fetched and cached for their nextUpdate. */
const MAX_CRL_BYTES = 10 * 1024 * 1024;
const crlCache = new Map<string, { until: number; crl: X509.X509Crl }>();
async function revoked(leaf: X509Certificate, issuer: X509Certificate | undefined): Promise<string | undefined> {
  const { X509Certificate: Cert, CRLDistributionPointsExtension, X509Crl } = x509();
  const cert = new Cert(leaf.raw);
  const ext = cert.getExtension(CRLDistributionPointsExtension);
  const urls = (ext?.distributionPoints ?? []).flatMap((dp) => (dp.distributionPoint?.fullName ?? []).map((n) => n.uniformResourceIdentifier).filter((u): u is string => typeof u === 'string' && /^https?:/i.test(u)));
  if (urls.length === 0) return 'The revocation function was unable to check revocation for the certificate.';
  if (!issuer) return 'The revocation function was unable to check revocation because the certificate issuer is unknown.';
  for (const url of urls) {
    let crl = crlCache.get(url);
    if (!crl || crl.until < Date.now()) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        if (!res.ok || Number(res.headers.get('content-length') ?? 0) > MAX_CRL_BYTES) continue;
        const bytes = Buffer.from(await res.arrayBuffer());
        if (bytes.length > MAX_CRL_BYTES) continue;
        const parsed = new X509Crl(bytes);
        crl = { until: parsed.nextUpdate ? parsed.nextUpdate.getTime() : Date.now() + 3600_000, crl: parsed };
        if (crlCache.size > 1000) crlCache.clear();
        crlCache.set(url, crl);
      } catch { continue; }
    }
    // A CRL not signed by the certificate's issuer says nothing about it.
    if (!(await crl.crl.verify({ publicKey: new Cert(issuer.raw) }).catch(() => false))) continue;
    if (crl.crl.findRevoked(cert)) return 'The certificate is revoked.';
    return undefined;
  }
  return 'The revocation function was unable to check revocation because the revocation server was offline.';
}

const fail = (message: string): never => {
  const err = new PolicyError('ClientCertificateValidationFailed', message, {
    status: 401, headers: { 'content-type': 'application/json' }, body: apimBody(401, 'Invalid client certificate.'),
  });
  err.source = 'validate-client-certificate';
  throw err;
};

/** The trust store of an instance: its CA certificates (service `certificates`: Root and CertificateAuthority). */
export function trustOf(services: InstanceServices): Trust {
  return services.trustedCertificates ?? { roots: [], intermediates: [] };
}

type Identity = Partial<Record<IdentityAttr, string>>;

function matches(id: Identity, leaf: X509Certificate, chain: X509Certificate[] | undefined, candidates: X509Certificate[], services: InstanceServices): boolean {
  if (id.thumbprint !== undefined && hex(id.thumbprint) !== thumbprintOf(leaf)) return false;
  if (id['serial-number'] !== undefined && hex(id['serial-number']).replace(/^0+/, '') !== hex(leaf.serialNumber).replace(/^0+/, '')) return false;
  if (id['common-name'] !== undefined && !commonNameOf(leaf.subject).includes(id['common-name'].trim())) return false;
  if (id.subject !== undefined && !sameDn(id.subject, leaf.subject)) return false;
  if (id['dns-name'] !== undefined && !dnsNamesOf(leaf).includes(id['dns-name'].trim().toLowerCase())) return false;
  if (id['issuer-subject'] !== undefined && !sameDn(id['issuer-subject'], leaf.issuer)) return false;
  if (id['issuer-thumbprint'] !== undefined) {
    const issuer = chain?.[1] ?? candidates.find((c) => issuedBy(leaf, c));
    if (!issuer || thumbprintOf(issuer) !== hex(id['issuer-thumbprint'])) return false;
  }
  if (id['issuer-certificate-id'] !== undefined) {
    const entity = services.certificates.named(id['issuer-certificate-id']);
    if (!entity || !issuedBy(leaf, entity.certificate)) return false;
  }
  return true;
}

const validateClientCertificate: PolicyDefinition = {
  name: 'validate-client-certificate',
  sections: ['inbound'],
  schema: {
    // "Policy expressions aren't allowed" for every attribute; identity attributes are plain strings.
    attrs: Object.fromEntries(BOOLS.map((b) => [b, { type: 'bool' as const }])),
    children: {
      identities: {
        max: 1,
        children: { identity: { max: 10, attrs: Object.fromEntries(IDENTITY_ATTRS.map((a) => [a, {}])) } },
      },
    },
  },
  check(node) {
    for (const id of node.children.find((c) => c.name === 'identities')?.children ?? []) {
      if (id.attrs['issuer-certificate-id'] !== undefined && (id.attrs['issuer-subject'] !== undefined || id.attrs['issuer-thumbprint'] !== undefined)) {
        return { node: id, message: "'issuer-certificate-id' cannot be combined with 'issuer-subject' or 'issuer-thumbprint'." };
      }
      if (IDENTITY_ATTRS.every((a) => id.attrs[a] === undefined)) return { node: id, message: 'An identity must define at least one claim.' };
    }
    return undefined;
  },
  compile(node: XNode, c): Run {
    const flag = (name: (typeof BOOLS)[number], dflt: boolean) => {
      const v = node.attrs[name];
      return v === undefined ? dflt : v.trim().toLowerCase() === 'true';
    };
    const revocation = flag('validate-revocation', true);
    const trust = flag('validate-trust', true);
    const notBefore = flag('validate-not-before', true);
    const notAfter = flag('validate-not-after', true);
    const ignoreError = flag('ignore-error', false);
    const identities: Identity[] = (node.children.find((ch) => ch.name === 'identities')?.children ?? []).map((id) =>
      Object.fromEntries(IDENTITY_ATTRS.filter((a) => id.attrs[a] !== undefined).map((a) => [a, c.value(id.attrs[a]).constant ?? id.attrs[a]])) as Identity);
    const services = c.services;

    const validate = async (ctx: GatewayContext): Promise<void> => {
      const leaf = ctx.clientCertificate;
      if (!leaf) return fail('Client certificate is missing.');
      const now = Date.now();
      if (notBefore && Date.parse(leaf.validFrom) > now) return fail(`The certificate is not valid before ${new Date(leaf.validFrom).toISOString()}.`);
      if (notAfter && Date.parse(leaf.validTo) < now) return fail(`The certificate expired on ${new Date(leaf.validTo).toISOString()}.`);
      const t = trustOf(services);
      const sent = peerChain(ctx);
      const chain = buildChain(leaf, t, sent);
      if (trust && !chain) return fail('A certificate chain could not be built to a trusted root authority.');
      const candidates = [...sent, ...t.intermediates, ...t.roots];
      if (revocation) {
        // Only an issuer this instance trusts (never one the client sent alone) has its CRLs fetched.
        const problem = await revoked(leaf, chain?.[1] ?? [...t.intermediates, ...t.roots].find((x) => issuedBy(leaf, x)));
        if (problem) return fail(problem);
      }
      if (identities.length > 0 && !identities.some((id) => matches(id, leaf, chain, candidates, services))) {
        return fail('The certificate does not match any of the identities.');
      }
    };
    return ignoreError ? (ctx) => validate(ctx).catch((e) => { if (!(e instanceof PolicyError)) throw e; }) : validate;
  },
};

export const clientCertificatePolicies: PolicyDefinition[] = [validateClientCertificate];
