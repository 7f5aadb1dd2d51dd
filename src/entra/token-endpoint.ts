// POST /{tenant}/oauth2/v2.0/token (scope=) and /{tenant}/oauth2/token (v1, resource=):
// the client credentials grant with a client secret or a client assertion; the authorization code grant
// (the portal's sign-in link: the code is the credential, as a public client's) and the refresh token
// grant it leads to (sign-in-grants.ts).
import type { Clock } from '../common/clock.js';
import { grantedRoles, type Directory, type Principal } from './directory.js';
import type { TokenIssuer } from './tokens.js';
import { EntraErrors } from './errors.js';
import { ASSERTION_TYPE, authenticateAssertion } from './client-assertion.js';
import type { SignInGrants } from './sign-in-grants.js';

export interface TokenEndpointDeps {
  tenantId: string;
  directory: Directory;
  issuer: TokenIssuer;
  clock: Clock;
  /** Absolute URLs of this token endpoint (v1 or v2), accepted as client_assertion audiences. */
  tokenEndpointUrls: (version: 1 | 2) => string[];
  /** Authorization codes and refresh tokens (the portal's sign-in). */
  signInGrants: SignInGrants;
}

const GRANTS = ['client_credentials', 'authorization_code', 'refresh_token'];

/** `https://vault.azure.net/.default` → `https://vault.azure.net`; Event Hubs' `https://eventhubs.azure.net//.default` → `https://eventhubs.azure.net/`. */
export function resourceFromScope(scope: string): string | undefined {
  const scopes = scope.split(' ').filter((s) => s && !['openid', 'profile', 'offline_access', 'email'].includes(s));
  if (scopes.length !== 1) return undefined;
  const s = scopes[0];
  if (!s.endsWith('/.default')) return undefined;
  const resource = s.slice(0, -'/.default'.length);
  return resource.length > 0 ? resource : undefined;
}

/**
 * client_secret_basic (RFC 6749 2.3.1, advertised in discovery): `Authorization: Basic base64(id:secret)`,
 * each part form-urlencoded, counts as client_id and client_secret in the form.
 */
export function withBasicCredentials(form: URLSearchParams, authorization: string | undefined): URLSearchParams {
  const m = typeof authorization === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization) : null;
  if (!m) return form;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw EntraErrors.invalidBasicCredentials();
  const decode = (v: string) => { try { return decodeURIComponent(v.replace(/\+/g, ' ')); } catch { throw EntraErrors.invalidBasicCredentials(); } };
  const id = decode(decoded.slice(0, colon));
  const secret = decode(decoded.slice(colon + 1));
  const formId = form.get('client_id');
  if (formId !== null && formId !== id) throw EntraErrors.invalidBasicCredentials();
  if (form.get('client_secret') !== null || form.get('client_assertion') !== null) throw EntraErrors.bothCredentials();
  const merged = new URLSearchParams(form);
  merged.set('client_id', id);
  merged.set('client_secret', secret);
  return merged;
}

async function authenticateClient(form: URLSearchParams, deps: TokenEndpointDeps, version: 1 | 2): Promise<Principal> {
  const clientId = form.get('client_id') ?? undefined;
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null && assertion !== null) throw EntraErrors.bothCredentials();
  if (assertion !== null) {
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) throw EntraErrors.invalidAssertionType();
    return authenticateAssertion({
      assertion, clientId, tokenEndpoints: deps.tokenEndpointUrls(version), directory: deps.directory, clock: deps.clock, tenantId: deps.tenantId,
    });
  }
  if (!clientId) throw EntraErrors.missingParameter('client_id');
  const principal = await deps.directory.getByAppId(clientId);
  if (!principal || principal.principalType !== 'Application') throw EntraErrors.applicationNotFound(clientId, deps.tenantId);
  if (secret === null) throw EntraErrors.missingCredential();
  if (!(await deps.directory.checkSecret(principal.objectId, secret))) throw EntraErrors.invalidSecret(clientId);
  return principal;
}

/** Returns the JSON body of a successful token response; throws AzureError with Entra's error body. */
export async function handleTokenRequest(form: URLSearchParams, version: 1 | 2, deps: TokenEndpointDeps): Promise<Record<string, unknown>> {
  const grant = form.get('grant_type');
  if (grant === null) throw EntraErrors.missingParameter('grant_type');
  if (!GRANTS.includes(grant)) throw EntraErrors.unsupportedGrantType(grant);
  let resource: string;
  const scope = form.get('scope')?.trim() ?? '';
  if (version === 2) {
    if (scope === '') throw EntraErrors.missingScope();
    const r = resourceFromScope(scope);
    if (r === undefined) throw EntraErrors.invalidScope(scope);
    resource = r;
  } else {
    const r = form.get('resource');
    if (r === null || r === '') throw EntraErrors.missingResource();
    resource = r;
  }
  let principal: Principal;
  let refreshToken: string | undefined;
  if (grant === 'client_credentials') principal = await authenticateClient(form, deps, version);
  else {
    // The code or refresh token is the credential (a public client's, as the portal in a browser is);
    // a confidential client that also authenticates must be the one the grant was issued to.
    const clientId = form.get('client_id');
    if (!clientId) throw EntraErrors.missingParameter('client_id');
    if (form.get('client_secret') !== null || form.get('client_assertion') !== null) {
      const client = await authenticateClient(form, deps, version);
      if (client.appId.toLowerCase() !== clientId.toLowerCase()) throw EntraErrors.invalidBasicCredentials();
    }
    const param = grant === 'authorization_code' ? 'code' : 'refresh_token';
    const value = form.get(param);
    if (!value) throw EntraErrors.missingParameter(param);
    const appId = grant === 'authorization_code' ? deps.signInGrants.redeemCode(value, clientId) : deps.signInGrants.redeemRefreshToken(value, clientId);
    const found = await deps.directory.getByAppId(appId);
    if (!found || found.principalType !== 'Application') throw EntraErrors.applicationNotFound(appId, deps.tenantId);
    principal = found;
    // Entra answers a refresh token when offline_access was asked for (v1 always does); this one stays valid, so it is handed back.
    const offline = version === 1 || scope.split(' ').includes('offline_access');
    if (grant === 'refresh_token') refreshToken = value;
    else if (offline) refreshToken = deps.signInGrants.issueRefreshToken(principal.appId);
  }
  // Registered through Graph but without a service principal yet: no identity in this tenant to sign in as.
  if (principal.hasServicePrincipal === false) throw EntraErrors.missingServicePrincipal(principal.appId, deps.tenantId);
  const resourceApp = await deps.directory.findResourceApplication(resource);
  const roles = grantedRoles(principal, resourceApp);
  const tokenVersion = resourceApp?.accessTokenVersion === 2 ? 2 : 1;
  const issued = await deps.issuer.issue({ principal, audience: resource, version: tokenVersion, roles });
  const refresh = refreshToken ? { refresh_token: refreshToken } : {};
  if (version === 2) {
    return {
      token_type: 'Bearer', ...(grant === 'client_credentials' ? {} : { scope }), expires_in: issued.expiresIn, ext_expires_in: issued.expiresIn,
      access_token: issued.accessToken, ...refresh,
    };
  }
  return {
    token_type: 'Bearer', expires_in: String(issued.expiresIn), ext_expires_in: String(issued.expiresIn),
    expires_on: String(issued.expiresOn), not_before: String(issued.notBefore), resource, access_token: issued.accessToken, ...refresh,
  };
}
