// The managed identity token endpoints a local process reaches as one resource:
// - App Service protocol: GET /msi/token?api-version=2019-08-01&resource=R[&client_id|object_id|mi_res_id],
//   header X-IDENTITY-HEADER (IDENTITY_ENDPOINT + IDENTITY_HEADER);
// - IMDS protocol: GET /imds/{secret}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=R
//   [&client_id|object_id|msi_res_id], header Metadata: true (AZURE_POD_IDENTITY_AUTHORITY_HOST).
// MSAL lowercases the whole IMDS URL, so the secret in its path is lower-case hex.
import type { RequestContext } from '../common/http.js';
import { sendJson } from '../common/http.js';
import { isAzureError } from '../common/errors.js';
import { nowSeconds, type Clock } from '../common/clock.js';
import { MiErrors, type EndpointGuard, type ManagedIdentities, type MiTokenFailure } from './managed-identities.js';

export const APP_SERVICE_PATH = '/msi/token';
export const IMDS_PREFIX = '/imds/';

const APP_SERVICE_VERSIONS = ['2019-08-01'];
const IMDS_VERSIONS = ['2018-02-01', '2019-08-01', '2019-11-01', '2020-06-01', '2021-02-01', '2021-05-01'];

export async function handleManagedIdentityEndpoint(ctx: RequestContext, mi: ManagedIdentities, clock: Clock, guard: EndpointGuard): Promise<boolean> {
  const appService = ctx.path.toLowerCase() === APP_SERVICE_PATH;
  const imds = /^\/imds\/([0-9a-f.]+)\/metadata\/identity\/oauth2\/token\/?$/i.exec(ctx.path);
  if (!appService && !imds) return false;
  try {
    if (ctx.method !== 'GET') {
      sendJson(ctx.res, 405, { error: 'invalid_request', error_description: 'Only GET is supported.' });
      return true;
    }
    let resourceId: string | undefined;
    if (appService) {
      const header = ctx.req.headers['x-identity-header'];
      resourceId = typeof header === 'string' ? await mi.resourceForSecret(header, guard) : undefined;
      if (!resourceId) throw MiErrors.unauthorized();
      const v = ctx.query.get('api-version');
      if (!v || !APP_SERVICE_VERSIONS.includes(v)) throw MiErrors.badApiVersion(v, APP_SERVICE_VERSIONS.join(', '));
    } else {
      if (String(ctx.req.headers.metadata ?? '').toLowerCase() !== 'true') throw MiErrors.missingMetadata();
      resourceId = await mi.resourceForSecret(imds![1], guard);
      if (!resourceId) throw MiErrors.unauthorized();
      const v = ctx.query.get('api-version');
      if (!v || !IMDS_VERSIONS.includes(v)) throw MiErrors.badApiVersion(v, IMDS_VERSIONS.join(', '));
    }
    const resource = ctx.query.get('resource');
    if (!resource) throw MiErrors.missingResource();
    const selector = {
      clientId: ctx.query.get('client_id') ?? undefined,
      objectId: ctx.query.get('object_id') ?? ctx.query.get('principal_id') ?? undefined,
      resourceId: ctx.query.get(appService ? 'mi_res_id' : 'msi_res_id') ?? ctx.query.get('mi_res_id') ?? ctx.query.get('msi_res_id') ?? undefined,
    };
    const { token, principal } = await mi.tokenFor(resourceId, selector, resource);
    const now = nowSeconds(clock);
    sendJson(ctx.res, 200, {
      access_token: token.accessToken,
      client_id: principal.appId,
      expires_in: String(Math.max(0, token.expiresOn - now)),
      expires_on: String(token.expiresOn),
      ext_expires_in: String(Math.max(0, token.expiresOn - now)),
      not_before: String(token.notBefore),
      resource,
      token_type: 'Bearer',
      ...(selector.clientId ? {} : selector.objectId ? { object_id: principal.objectId } : selector.resourceId ? { msi_res_id: selector.resourceId } : {}),
    });
  } catch (e) {
    // App Service's endpoint answers in its own shape: {"statusCode","message","correlationId"}.
    if (isAzureError(e) && e.body && appService) sendJson(ctx.res, e.status, { statusCode: e.status, message: e.code === ('IdentityNotFound' satisfies MiTokenFailure) ? 'Unable to load the proper Managed Identity.' : e.message, correlationId: ctx.requestId });
    else if (isAzureError(e) && e.body) sendJson(ctx.res, e.status, e.body);
    else throw e;
  }
  return true;
}
