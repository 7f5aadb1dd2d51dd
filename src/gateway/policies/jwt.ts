// validate-jwt: the token from a header, a query parameter or a value; signature by keys from
// openid-config (JWKS cached, re-fetched by jose on an unknown kid) or issuer-signing-keys (RSA n/e, a
// base64 symmetric key, or the public key of a `certificates` entity by certificate-id); audiences,
// issuers, required claims, expiry with clock skew. A failure answers failed-validation-httpcode.
import { parseJwt } from '../expressions/dotnet/apim.js';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { XNode } from '../policy/xml.js';
import { PolicyError, apimBody, fixed, type PolicyDefinition, type Run } from '../policy/types.js';
import { bool, headerName as parseHeaderName, intAtLeast, nonEmpty, statusCode, text } from '../policy/parse.js';
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
      'header-name': { expr: true }, 'query-parameter-name': { expr: true }, 'token-value': { expr: true },
      'failed-validation-httpcode': { type: 'int', expr: true }, 'failed-validation-error-message': { expr: true },
      'require-expiration-time': { type: 'bool', expr: true }, 'require-scheme': { expr: true },
      'require-signed-tokens': { type: 'bool', expr: true }, 'clock-skew': { type: 'int', expr: true }, 'output-token-variable-name': {},
    },
    children: {
      'openid-config': { attrs: { url: { required: true } } },
      'issuer-signing-keys': { children: { key: { text: true, attrs: { id: {}, 'certificate-id': {}, n: {}, e: {} } } }, max: 1 },
      // The element tables are silent; the page's own examples give <audience>@(context.Request.OriginalUrl.Host)</audience>.
      audiences: { children: { audience: { text: true, textExpr: true } }, max: 1 },
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
      if (k.attrs['certificate-id'] !== undefined && (k.attrs.n !== undefined || k.attrs.e !== undefined || k.text.trim() !== '')) {
        return { node: k, message: `A key with 'certificate-id' takes its public key from that certificate: it cannot also give 'n', 'e' or a value.` };
      }
      if ((k.attrs.n === undefined) !== (k.attrs.e === undefined)) return { node: k, message: `An RSA key needs both 'n' and 'e'.` };
    }
    return undefined;
  },
  compile(node, c): Run {
    const status = c.read(node, 'failed-validation-httpcode', statusCode) ?? fixed(401);
    const customMessage = c.attr(node, 'failed-validation-error-message');
    const headerName = c.read(node, 'header-name', parseHeaderName);
    const queryName = c.read(node, 'query-parameter-name', nonEmpty);
    const tokenValue = c.attr(node, 'token-value');
    const scheme = c.read(node, 'require-scheme', text);
    const requireExp = c.read(node, 'require-expiration-time', bool) ?? fixed(true);
    const requireSigned = c.read(node, 'require-signed-tokens', bool) ?? fixed(true);
    const clockSkew = c.read(node, 'clock-skew', intAtLeast(0, 'clock-skew')) ?? fixed(0);
    const outVar = c.attr(node, 'output-token-variable-name')?.constant;
    const child = (name: string) => node.children.find((ch) => ch.name === name);
    const configUrls = node.children.filter((ch) => ch.name === 'openid-config').map((ch) => c.attr(ch, 'url')!.constant!);
    // A certificate-id key is the public key of that `certificates` entity, looked up per request (the
    // instance's certificates are replaced on each configuration change); none: no key.
    const staticKeys: ((ctx: GatewayContext) => Key | undefined)[] = (child('issuer-signing-keys')?.children ?? []).map((k) => {
      const certId = k.attrs['certificate-id'] !== undefined ? c.attr(k, 'certificate-id')!.constant! : undefined;
      if (certId !== undefined) return () => c.services.certificates.named(certId)?.publicKey;
      const key: Key = k.attrs.n !== undefined && k.attrs.e !== undefined
        ? createPublicKey({ key: { kty: 'RSA', n: c.attr(k, 'n')!.constant!, e: c.attr(k, 'e')!.constant! }, format: 'jwk' })
        : new Uint8Array(Buffer.from(c.value(k.text).constant!.trim(), 'base64'));
      return () => key;
    });
    const audiences = (child('audiences')?.children ?? []).filter((a) => a.name === 'audience').map((a) => c.value(a.text));
    const issuers = textList(child('issuers'), 'issuer').map((i) => c.value(i).constant!);
    const claims = (child('required-claims')?.children ?? []).map((cl) => ({
      name: c.attr(cl, 'name')!.constant!, all: (cl.attrs.match ?? 'all').toLowerCase() === 'all', separator: cl.attrs.separator,
      values: textList(cl, 'value').map((v) => c.value(v).constant!),
    }));
    // jose's options: precomputed when audiences, expiry and clock skew are constants, else per request.
    const optionsOf = (aud: string[], exp: boolean, skew: number): JWTVerifyOptions =>
      ({ audience: aud.length ? aud : undefined, issuer: issuers.length ? issuers : undefined, clockTolerance: skew, requiredClaims: exp ? ['exp'] : [] });
    const fixedAudiences = audiences.every((a) => a.constant !== undefined) ? audiences.map((a) => a.constant!.trim()) : undefined;
    const fixedOptions = fixedAudiences && requireExp.constant !== undefined && clockSkew.constant !== undefined
      ? optionsOf(fixedAudiences, requireExp.constant, clockSkew.constant) : undefined;
    const options = (ctx: GatewayContext): JWTVerifyOptions => fixedOptions
      ?? optionsOf(fixedAudiences ?? audiences.map((a) => a(ctx).trim()), requireExp(ctx), clockSkew(ctx));

    const fail = (reason: string, fallback: string, ctx: GatewayContext): never => {
      const message = customMessage ? customMessage(ctx) : fallback;
      const code = status(ctx);
      const err = new PolicyError(reason, message, { status: code, headers: { 'content-type': 'application/json' }, body: apimBody(code, message) });
      err.source = 'validate-jwt';
      throw err;
    };
    const extract = (ctx: GatewayContext): string | undefined => {
      if (tokenValue) return tokenValue(ctx) || undefined;
      if (queryName) return ctx.query.get(queryName(ctx)) ?? undefined;
      const name = headerName!(ctx);
      const v = ctx.header(name);
      if (v === undefined) return undefined;
      // require-scheme: the header must carry the token with that scheme; else the Authorization header's Bearer is dropped.
      const s = scheme?.(ctx);
      if (s) return v.length > s.length && v.slice(0, s.length + 1).toLowerCase() === `${s.toLowerCase()} ` ? v.slice(s.length + 1).trim() : undefined;
      return name === 'authorization' ? v.replace(/^bearer\s+/i, '') : v;
    };
    const verify = async (token: string, ctx: GatewayContext): Promise<JWTPayload> => {
      let last: unknown = new Error('no signing key is configured');
      if (!requireSigned(ctx) && decodeProtectedHeader(token).alg === 'none') last = new Error('unsigned tokens are not accepted');
      const opts = options(ctx);
      for (const url of configUrls) {
        try { return (await jwtVerify(token, await jwksFor(url), opts)).payload; } catch (e) { last = e; }
      }
      for (const keyOf of staticKeys) {
        const key = keyOf(ctx);
        if (key === undefined) continue;
        try { return (await jwtVerify(token, key, opts)).payload; } catch (e) { last = e; }
      }
      throw last;
    };
    return async (ctx) => {
      const token = extract(ctx);
      if (!token) return fail('TokenNotPresent', 'JWT not present.', ctx);
      let payload: JWTPayload;
      try { payload = await verify(token, ctx); } catch (e) {
        if (e instanceof PolicyError) throw e;
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
      // APIM stores the validated token as a Jwt (context.Variables["x"] is read with (Jwt)).
      if (outVar) ctx.variables.set(outVar, parseJwt(token));
    };
  },
};

export const jwtPolicies: PolicyDefinition[] = [validateJwt];
