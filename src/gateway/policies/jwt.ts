// validate-jwt: the token from a header, a query parameter or a value; signature by keys from
// openid-config (JWKS cached, re-fetched by jose on an unknown kid) or issuer-signing-keys; audiences,
// issuers, required claims, expiry with clock skew. A failure answers failed-validation-httpcode.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { XNode } from '../policy/xml.js';
import { PolicyError, apimBody, type PolicyDefinition, type Run } from '../policy/types.js';
import type { GatewayContext } from '../runtime/context.js';

const textList = (node: XNode | undefined, child: string) => (node?.children ?? []).filter((c) => c.name === child).map((c) => c.text.trim());

/** openid-config URL → its JWKS getter; the document is read once an hour, the keys cached by jose. */
const openIdCache = new Map<string, { at: number; jwks: Promise<JWTVerifyGetKey> }>();
function jwksFor(configUrl: string): Promise<JWTVerifyGetKey> {
  const hit = openIdCache.get(configUrl);
  if (hit && Date.now() - hit.at < 3600_000) return hit.jwks;
  const jwks = (async () => {
    const res = await fetch(configUrl);
    if (!res.ok) throw new Error(`openid-config ${configUrl} answered ${res.status}`);
    const doc = await res.json() as { jwks_uri?: string };
    if (!doc.jwks_uri) throw new Error(`openid-config ${configUrl} has no jwks_uri`);
    return createRemoteJWKSet(new URL(doc.jwks_uri), { cacheMaxAge: 3600_000, cooldownDuration: 300_000 });
  })();
  jwks.catch(() => openIdCache.delete(configUrl));
  openIdCache.set(configUrl, { at: Date.now(), jwks });
  return jwks;
}

type Key = KeyObject | Uint8Array;

const validateJwt: PolicyDefinition = {
  name: 'validate-jwt',
  sections: ['inbound'],
  schema: {
    attrs: {
      'header-name': { expr: 'pending' }, 'query-parameter-name': { expr: 'pending' }, 'token-value': { expr: true },
      'failed-validation-httpcode': { type: 'int', expr: 'pending' }, 'failed-validation-error-message': { expr: true },
      'require-expiration-time': { type: 'bool', expr: 'pending' }, 'require-scheme': { expr: 'pending' },
      'require-signed-tokens': { type: 'bool', expr: 'pending' }, 'clock-skew': { type: 'int', expr: 'pending' }, 'output-token-variable-name': {},
    },
    children: {
      'openid-config': { attrs: { url: { required: true } } },
      'issuer-signing-keys': { children: { key: { text: true, attrs: { id: {}, 'certificate-id': {}, n: {}, e: {} } } }, max: 1 },
      // The element tables are silent; the page's own examples give <audience>@(context.Request.OriginalUrl.Host)</audience>.
      audiences: { children: { audience: { text: true, textExpr: 'pending' } }, max: 1 },
      issuers: { children: { issuer: { text: true } }, max: 1 },
      'required-claims': {
        children: { claim: { attrs: { name: { required: true }, match: { values: ['all', 'any'] }, separator: {} }, children: { value: { text: true } } } },
        max: 1,
      },
    },
  },
  check(node) {
    const n = ['header-name', 'query-parameter-name', 'token-value'].filter((a) => node.attrs[a] !== undefined).length;
    if (n !== 1) return `Exactly one of the 'header-name', 'query-parameter-name' and 'token-value' attributes must be given.`;
    const keys = node.children.find((c) => c.name === 'issuer-signing-keys');
    for (const k of keys?.children ?? []) {
      if (k.attrs['certificate-id'] !== undefined) return { node: k, message: `Signing keys from certificates ('certificate-id') are not supported by apim-local yet: give 'n' and 'e', or a base64 symmetric key.` };
    }
    return undefined;
  },
  compile(node, c): Run {
    const status = Number(c.attr(node, 'failed-validation-httpcode')?.constant ?? 401);
    const customMessage = c.attr(node, 'failed-validation-error-message');
    const headerName = c.attr(node, 'header-name')?.constant?.toLowerCase();
    const queryName = c.attr(node, 'query-parameter-name')?.constant;
    const tokenValue = c.attr(node, 'token-value');
    const requireExp = (node.attrs['require-expiration-time'] ?? 'true').toLowerCase() === 'true';
    const requireSigned = (node.attrs['require-signed-tokens'] ?? 'true').toLowerCase() === 'true';
    const clockSkew = Number(c.attr(node, 'clock-skew')?.constant ?? 0);
    const outVar = c.attr(node, 'output-token-variable-name')?.constant;
    const child = (name: string) => node.children.find((ch) => ch.name === name);
    const configUrls = node.children.filter((ch) => ch.name === 'openid-config').map((ch) => c.attr(ch, 'url')!.constant!);
    const staticKeys: Key[] = (child('issuer-signing-keys')?.children ?? []).map((k) => {
      if (k.attrs.n !== undefined && k.attrs.e !== undefined) return createPublicKey({ key: { kty: 'RSA', n: c.attr(k, 'n')!.constant!, e: c.attr(k, 'e')!.constant! }, format: 'jwk' });
      return new Uint8Array(Buffer.from(c.value(k.text).constant!.trim(), 'base64'));
    });
    const audiences = textList(child('audiences'), 'audience').map((a) => c.value(a).constant!);
    const issuers = textList(child('issuers'), 'issuer').map((i) => c.value(i).constant!);
    const claims = (child('required-claims')?.children ?? []).map((cl) => ({
      name: c.attr(cl, 'name')!.constant!, all: (cl.attrs.match ?? 'all').toLowerCase() === 'all', separator: cl.attrs.separator,
      values: textList(cl, 'value').map((v) => c.value(v).constant!),
    }));
    const options = { audience: audiences.length ? audiences : undefined, issuer: issuers.length ? issuers : undefined, clockTolerance: clockSkew, requiredClaims: requireExp ? ['exp'] : [] };

    const fail = (reason: string, fallback: string, ctx: GatewayContext): never => {
      const message = customMessage ? customMessage(ctx) : fallback;
      const err = new PolicyError(reason, message, { status, headers: { 'content-type': 'application/json' }, body: apimBody(status, message) });
      err.source = 'validate-jwt';
      throw err;
    };
    const extract = (ctx: GatewayContext): string | undefined => {
      if (tokenValue) return tokenValue(ctx) || undefined;
      if (queryName) return ctx.query.get(queryName) ?? undefined;
      const v = ctx.header(headerName!);
      if (v === undefined) return undefined;
      return headerName === 'authorization' ? v.replace(/^bearer\s+/i, '') : v;
    };
    const verify = async (token: string): Promise<JWTPayload> => {
      let last: unknown = new Error('no signing key is configured');
      if (!requireSigned && decodeProtectedHeader(token).alg === 'none') last = new Error('unsigned tokens are not accepted');
      for (const url of configUrls) {
        try { return (await jwtVerify(token, await jwksFor(url), options)).payload; } catch (e) { last = e; }
      }
      for (const key of staticKeys) {
        try { return (await jwtVerify(token, key, options)).payload; } catch (e) { last = e; }
      }
      throw last;
    };
    return async (ctx) => {
      const token = extract(ctx);
      if (!token) return fail('TokenNotPresent', 'JWT not present.', ctx);
      let payload: JWTPayload;
      try { payload = await verify(token); } catch (e) {
        const code = (e as { code?: string }).code;
        return fail(code === 'ERR_JWT_EXPIRED' ? 'TokenExpired' : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? 'TokenClaimValidationFailed' : 'TokenSignatureInvalid', 'Invalid JWT.', ctx);
      }
      for (const cl of claims) {
        const raw = payload[cl.name];
        if (raw === undefined) return fail('TokenClaimNotFound', 'Invalid JWT.', ctx);
        const have = (Array.isArray(raw) ? raw.map(String) : [String(raw)]).flatMap((v) => (cl.separator ? v.split(cl.separator) : [v]));
        if (cl.values.length === 0) continue;
        const ok = cl.all ? cl.values.every((v) => have.includes(v)) : cl.values.some((v) => have.includes(v));
        if (!ok) return fail('TokenClaimValueNotAllowed', 'Invalid JWT.', ctx);
      }
      if (outVar) ctx.variables.set(outVar, payload);
    };
  },
};

export const jwtPolicies: PolicyDefinition[] = [validateJwt];
