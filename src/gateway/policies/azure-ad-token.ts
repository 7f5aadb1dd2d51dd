// validate-azure-ad-token (Microsoft Learn, "Validate Microsoft Entra token"): a token this server's
// Entra token service issued for the tenant `tenant-id`: signed by a key of the tenant's JWKS (from its
// discovery document, as validate-jwt reads openid-config), issued by the tenant (v1 or v2 issuer),
// not expired, its client application (azp, or appid for v1 tokens) one of client-application-ids, its
// audience one of audiences / backend-application-ids when given, and the required claims present.
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { XNode } from '../policy/xml.js';
import { PolicyError, apimBody, fixed, type PolicyDefinition, type Run, type Value } from '../policy/types.js';
import { headerName as parseHeaderName, nonEmpty, statusCode } from '../policy/parse.js';
import { parseJwt } from '../expressions/dotnet/apim.js';
import type { GatewayContext } from '../runtime/context.js';

/** JWKS URL → getter (jose caches the keys and re-reads them for an unknown kid). */
const jwksCache = new Map<string, JWTVerifyGetKey>();
function jwks(url: string): JWTVerifyGetKey {
  let g = jwksCache.get(url);
  if (!g) {
    g = createRemoteJWKSet(new URL(url), { cacheMaxAge: 3600_000, cooldownDuration: 30_000 });
    if (jwksCache.size > 100) jwksCache.clear();
    jwksCache.set(url, g);
  }
  return g;
}

const texts = (node: XNode | undefined, child: string) => (node?.children ?? []).filter((c) => c.name === child);

const validateAzureAdToken: PolicyDefinition = {
  name: 'validate-azure-ad-token',
  sections: ['inbound'],
  schema: {
    attrs: {
      'tenant-id': { required: true }, 'header-name': { expr: true }, 'query-parameter-name': { expr: true }, 'token-value': { expr: true },
      'failed-validation-httpcode': { type: 'int', expr: true }, 'failed-validation-error-message': { expr: true }, 'output-token-variable-name': {},
    },
    children: {
      'client-application-ids': { children: { 'application-id': { text: true } }, min: 1, max: 1 },
      'backend-application-ids': { children: { 'application-id': { text: true } }, max: 1 },
      audiences: { children: { audience: { text: true, textExpr: true } }, max: 1 },
      'required-claims': {
        children: { claim: { attrs: { name: { required: true }, match: { values: ['all', 'any'] }, separator: {} }, children: { value: { text: true } } } },
        max: 1,
      },
      'decryption-keys': { children: { key: { text: true, attrs: { 'certificate-id': {} } } }, max: 1 },
    },
  },
  check(node) {
    if (['header-name', 'query-parameter-name', 'token-value'].filter((a) => node.attrs[a] !== undefined).length > 1) {
      return `Only one of the 'header-name', 'query-parameter-name' and 'token-value' attributes may be given.`;
    }
    const ids = texts(node.children.find((c) => c.name === 'client-application-ids'), 'application-id');
    if (ids.length === 0) return `The 'client-application-ids' element must contain at least one 'application-id'.`;
    const dec = node.children.find((c) => c.name === 'decryption-keys');
    if (dec) return { node: dec, message: `Encrypted tokens ('decryption-keys') are not supported by apim-local yet: its token service does not encrypt tokens.` };
    return undefined;
  },
  compile(node, c): Run {
    const tenant = c.attr(node, 'tenant-id')!;
    const status = c.read(node, 'failed-validation-httpcode', statusCode) ?? fixed(401);
    const customMessage = c.attr(node, 'failed-validation-error-message');
    const headerName = c.read(node, 'header-name', parseHeaderName);
    const queryName = c.read(node, 'query-parameter-name', nonEmpty);
    const tokenValue = c.attr(node, 'token-value');
    const outVar = c.attr(node, 'output-token-variable-name')?.constant;
    const child = (name: string) => node.children.find((ch) => ch.name === name);
    const values = (parent: string, name: string) => texts(child(parent), name).map((e) => c.value(e.text));
    const clientIds = values('client-application-ids', 'application-id');
    const backendIds = values('backend-application-ids', 'application-id');
    const audiences: Value[] = values('audiences', 'audience');
    const claims = texts(child('required-claims'), 'claim').map((cl) => ({
      name: cl.attrs.name, all: (cl.attrs.match ?? 'all').toLowerCase() === 'all', separator: cl.attrs.separator,
      values: texts(cl, 'value').map((v) => c.value(v.text)),
    }));

    const fail = (reason: string, fallback: string, ctx: GatewayContext): never => {
      const message = customMessage ? customMessage(ctx) : fallback;
      const code = status(ctx);
      const err = new PolicyError(reason, message, { status: code, headers: { 'content-type': 'application/json' }, body: apimBody(code, message) });
      err.source = 'validate-azure-ad-token';
      throw err;
    };
    const extract = (ctx: GatewayContext): string | undefined => {
      if (tokenValue) return tokenValue(ctx) || undefined;
      if (queryName) return ctx.query.get(queryName(ctx)) ?? undefined;
      // Default: the Authorization header with the Bearer scheme.
      const name = headerName ? headerName(ctx) : 'authorization';
      const v = ctx.header(name);
      if (v === undefined) return undefined;
      if (name !== 'authorization') return v.trim() || undefined;
      const m = /^Bearer\s+(\S+)\s*$/i.exec(v);
      return m ? m[1] : undefined;
    };
    return async (ctx) => {
      const token = extract(ctx);
      if (!token) return fail('TokenNotPresent', 'JWT not present.', ctx);
      const authority = c.services.entraAuthority;
      const t = tenant(ctx).trim();
      // Only tenants of this server's token service: a tenant id is a GUID or a domain, never a path.
      if (!authority || !/^[A-Za-z0-9.-]+$/.test(t)) return fail('TokenSignatureInvalid', 'Invalid JWT.', ctx);
      let payload: JWTPayload;
      try {
        payload = (await jwtVerify(token, jwks(`${authority}/${t}/discovery/v2.0/keys`), {
          issuer: [`${authority}/${t}/v2.0`, `${authority}/${t}/`], requiredClaims: ['exp'], algorithms: ['RS256'],
        })).payload;
      } catch (e) {
        const code = (e as { code?: string }).code;
        return fail(code === 'ERR_JWT_EXPIRED' ? 'TokenExpired' : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? 'TokenIssuerNotAllowed' : 'TokenSignatureInvalid', 'Invalid JWT.', ctx);
      }
      const client = String(payload.azp ?? payload.appid ?? '');
      if (!clientIds.some((id) => id(ctx).trim().toLowerCase() === client.toLowerCase())) return fail('TokenClientApplicationIdNotAllowed', 'Invalid JWT.', ctx);
      const allowedAud = [...audiences, ...backendIds].map((a) => a(ctx).trim());
      if (allowedAud.length > 0) {
        const aud = Array.isArray(payload.aud) ? payload.aud : payload.aud === undefined ? [] : [payload.aud];
        const backend = backendIds.map((b) => b(ctx).trim());
        const ok = aud.some((a) => allowedAud.includes(a) || backend.some((b) => a === `api://${b}`));
        if (!ok) return fail('TokenAudienceNotAllowed', 'Invalid JWT.', ctx);
      }
      for (const cl of claims) {
        const raw = payload[cl.name];
        if (raw === undefined) return fail('TokenClaimNotFound', 'Invalid JWT.', ctx);
        const have = (Array.isArray(raw) ? raw.map(String) : [String(raw)]).flatMap((v) => (cl.separator ? v.split(cl.separator) : [v]));
        const want = cl.values.map((v) => v(ctx));
        if (want.length === 0) continue;
        const ok = cl.all ? want.every((v) => have.includes(v)) : want.some((v) => have.includes(v));
        if (!ok) return fail('TokenClaimValueNotAllowed', 'Invalid JWT.', ctx);
      }
      if (outVar) ctx.variables.set(outVar, parseJwt(token));
    };
  },
};

export const azureAdTokenPolicies: PolicyDefinition[] = [validateAzureAdToken];
