// authentication-basic and authentication-certificate: the gateway authenticates to the backend, with a
// Basic Authorization header or with a client certificate in the TLS handshake (mutual TLS); the
// certificate is one of the instance's `certificates` (by thumbprint or certificate-id) or given in the
// policy (body, a PFX as byte[], with its password).
import { createHash, X509Certificate } from 'node:crypto';
import { forge as nodeForge } from '../../common/lazy-modules.js';
import { PolicyError, type CompileContext, type PolicyDefinition, type Run } from '../policy/types.js';
import type { XNode } from '../policy/xml.js';
import type { GatewayContext } from '../runtime/context.js';

type ClientCertificate = NonNullable<GatewayContext['backendClientCertificate']>;

/** Microsoft Learn, "Authenticate with Basic" (authentication-basic-policy). */
const authenticationBasic: PolicyDefinition = {
  name: 'authentication-basic',
  sections: ['inbound'],
  schema: { attrs: { username: { required: true, expr: true }, password: { required: true, expr: true } } },
  compile(node, c): Run {
    const user = c.attr(node, 'username')!;
    const pass = c.attr(node, 'password')!;
    const header = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`, 'utf8').toString('base64')}`;
    // "This policy effectively sets the HTTP Authorization header": computed once when both are constants.
    if (user.constant !== undefined && pass.constant !== undefined) {
      const h = header(user.constant, pass.constant);
      return (ctx) => { ctx.headers.authorization = h; };
    }
    return (ctx) => { ctx.headers.authorization = header(user(ctx), pass(ctx)); };
  },
};

const certificateError = (message: string): PolicyError => {
  const err = new PolicyError('CertificateNotFound', message);
  err.source = 'authentication-certificate';
  return err;
};

/** A PFX given as the policy's body (byte[], or base64 text) with its password, read once per distinct content. */
const bodyCache = new Map<string, ClientCertificate>();
const BODY_CACHE_MAX = 256;

function fromBody(body: unknown, password: string): ClientCertificate {
  let der: Buffer;
  if (body instanceof Uint8Array) der = Buffer.from(body);
  else if (typeof body === 'string' && body.trim() !== '') der = Buffer.from(body.trim(), 'base64');
  else throw certificateError("The certificate given in 'body' is empty.");
  const key = createHash('sha256').update(der).update('\0').update(password).digest('hex');
  const hit = bodyCache.get(key);
  if (hit) return hit;
  let cert: string;
  let pem: string;
  try {
    const forge = nodeForge();
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), false, password);
    const certBag = (p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [])[0];
    const keyBag = [
      ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
      ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
    ][0];
    if (!certBag?.cert || !keyBag?.key) throw new Error('it holds no certificate with a private key');
    cert = forge.pki.certificateToPem(certBag.cert);
    pem = forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key)));
  } catch (e) {
    throw certificateError(`The certificate given in 'body' cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const thumbprint = new X509Certificate(cert).fingerprint.replace(/:/g, '');
  const entry = { id: `body:${thumbprint}`, cert, key: pem };
  if (bodyCache.size >= BODY_CACHE_MAX) bodyCache.delete(bodyCache.keys().next().value!);
  bodyCache.set(key, entry);
  return entry;
}

/** authentication-certificate's attributes (also a child of send-request and send-one-way-request). */
export const certificateSchema = { attrs: { thumbprint: { expr: true }, 'certificate-id': { expr: true }, body: { expr: true }, password: { expr: true } } };

export function certificateCheck(node: XNode): string | undefined {
  const given = ['thumbprint', 'certificate-id', 'body'].filter((a) => node.attrs[a] !== undefined);
  if (given.length !== 1) return `Exactly one of the 'thumbprint', 'certificate-id' and 'body' attributes must be given.`;
  if (node.attrs.password !== undefined && node.attrs.body === undefined) return `'password' is allowed only with 'body'.`;
  return undefined;
}

/** An authentication-certificate element compiled: the client certificate it names, for one call. */
export function clientCertificate(node: XNode, c: CompileContext): (ctx: GatewayContext) => ClientCertificate {
  const certificates = () => c.services.certificates;
  const thumbprint = c.attr(node, 'thumbprint');
  const id = c.attr(node, 'certificate-id');
  if (thumbprint || id) {
    return (ctx) => {
      const cert = thumbprint ? certificates().withThumbprint(thumbprint(ctx)) : certificates().named(id!(ctx));
      if (!cert) {
        throw certificateError(thumbprint
          ? `Certificate with thumbprint '${thumbprint(ctx)}' was not found in the service's certificates.`
          : `Certificate with id '${id!(ctx)}' was not found in the service's certificates.`);
      }
      return { id: `entity:${cert.thumbprint}`, ...cert.tls };
    };
  }
  const body = c.object(node, 'body')!;
  const password = c.attr(node, 'password');
  return (ctx) => fromBody(body(ctx), password ? password(ctx) : '');
}

/** Microsoft Learn, "Authenticate with client certificate" (authentication-certificate-policy). */
const authenticationCertificate: PolicyDefinition = {
  name: 'authentication-certificate',
  sections: ['inbound'],
  schema: certificateSchema,
  check: certificateCheck,
  compile(node, c): Run {
    const cert = clientCertificate(node, c);
    return (ctx) => { ctx.backendClientCertificate = cert(ctx); };
  },
};

export const authenticationPolicies: PolicyDefinition[] = [authenticationBasic, authenticationCertificate];
