// Resource Manager's error bodies, with Azure's codes and messages (sources: docs/azure-errors.md).
import { AzureError, type ErrorDetail } from '../common/errors.js';

const e = (status: number, code: string, message: string, target?: string, details?: ErrorDetail[], headers?: Record<string, string>) =>
  new AzureError({ status, code, message, target, details, headers });

/** ARM's timestamp in messages: M/d/yyyy h:mm:ss tt (UTC). */
function armTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

export const ArmErrors = {
  missingApiVersion: () => e(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests."),
  invalidApiVersion: (v: string, supported: readonly string[]) =>
    e(400, 'InvalidApiVersionParameter', `The api-version '${v}' is invalid. The supported versions are '${supported.join(',')}'.`),
  noRegisteredProvider: (location: string, v: string, type: string, supported: readonly string[], locations: readonly string[]) =>
    e(400, 'NoRegisteredProviderFound', `No registered resource provider found for location '${location}' and API version '${v}' for type '${type}'. The supported api-versions are '${supported.join(', ')}'. The supported locations are '${locations.join(', ')}'.`),
  invalidResourceType: (type: string, namespace: string, v: string) =>
    e(404, 'InvalidResourceType', `The resource type '${type}' could not be found in the namespace '${namespace}' for api version '${v}'.`),
  invalidResourceNamespace: (namespace: string) =>
    e(404, 'InvalidResourceNamespace', `The resource namespace '${namespace}' is invalid.`),
  noRoute: (path: string) =>
    e(404, 'NotFound', `No HTTP resource was found that matches the request URI '${path}'.`),
  invalidRequestUri: (why: string) => e(400, 'InvalidRequestUri', `The request URI is invalid: ${why}`),
  missingSubscription: () => e(404, 'MissingSubscription', 'The request did not have a subscription or a valid tenant level resource provider.'),
  invalidSubscriptionId: (id: string) => e(400, 'InvalidSubscriptionId', `The provided subscription identifier '${id}' is malformed or invalid.`),
  subscriptionNotFound: (id: string) => e(404, 'SubscriptionNotFound', `The subscription '${id}' could not be found.`),
  resourceGroupNotFound: (name: string) => e(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`),
  resourceNotFound: (type: string, name: string, group: string | undefined) =>
    e(404, 'ResourceNotFound', group
      ? `The Resource '${type}/${name}' under resource group '${group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`
      : `The Resource '${type}/${name}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`),
  parentResourceNotFound: (parent: string) =>
    e(404, 'ParentResourceNotFound', `Can not perform requested operation on nested resource. Parent resource '${parent}' not found.`),
  methodNotAllowed: (method: string, type: string) =>
    e(405, 'MethodNotAllowed', `The requested method '${method}' is not allowed for resource type '${type}'.`),

  authenticationMissing: (authorizationUri: string) =>
    e(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", undefined, undefined,
      { 'www-authenticate': `Bearer authorization_uri="${authorizationUri}", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."` }),
  invalidToken: (authorizationUri: string, detail: string) =>
    e(401, 'InvalidAuthenticationToken', `The access token is invalid. ${detail}`.trim(), undefined, undefined,
      { 'www-authenticate': `Bearer authorization_uri="${authorizationUri}", error="invalid_token", error_description="The access token is invalid."` }),
  wrongAudience: (authorizationUri: string, aud: string, allowed: readonly string[]) =>
    e(401, 'InvalidAuthenticationTokenAudience', `The access token has been obtained for wrong audience or resource '${aud}'. It should exactly match with one of the allowed audiences ${allowed.map((a) => `'${a}'`).join(',')}.`, undefined, undefined,
      { 'www-authenticate': `Bearer authorization_uri="${authorizationUri}", error="invalid_token", error_description="The access token has been obtained for wrong audience or resource."` }),
  expiredToken: (authorizationUri: string, exp: number, now: number) =>
    e(401, 'ExpiredAuthenticationToken', `The access token expiry UTC time '${armTime(exp)}' is earlier than current UTC time '${armTime(now)}'.`, undefined, undefined,
      { 'www-authenticate': `Bearer authorization_uri="${authorizationUri}", error="invalid_token", error_description="The access token expiry UTC time '${armTime(exp)}' is earlier than current UTC time '${armTime(now)}'."` }),
  wrongTenant: (authorizationUri: string, tokenTenant: string, tenant: string) =>
    e(401, 'InvalidAuthenticationTokenTenant', `The access token is from the wrong issuer '${tokenTenant}'. It must match the tenant '${tenant}' associated with this subscription. Please use the authority (URL) '${authorizationUri}' to get the token.`, undefined, undefined,
      { 'www-authenticate': `Bearer authorization_uri="${authorizationUri}", error="invalid_token", error_description="The access token is from the wrong issuer."` }),
  authorizationFailed: (client: string, objectId: string, action: string, scope: string) =>
    e(403, 'AuthorizationFailed', `The client '${client}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`),

  unsupportedMediaType: (contentType: string | undefined) =>
    e(415, 'UnsupportedMediaType', `The content media type '${contentType ?? '<null>'}' is not supported. Only 'application/json' is supported.`),
  requestTooLarge: () => e(413, 'RequestContentTooLarge', 'The request content size exceeds the maximum size of 4 MB.'),
  invalidRequestContent: (detail?: string, target?: string) =>
    e(400, 'InvalidRequestContent', detail ? `The request content was invalid and could not be deserialized: '${detail}'.` : 'The request content was invalid and could not be deserialized.', target),
  unknownMember: (member: string, typeName: string, path: string) =>
    e(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: 'Could not find member '${member}' on object of type '${typeName}'. Path '${path}'.'.`, path),
  invalidValue: (path: string, message: string) => e(400, 'InvalidRequestContent', message, path),
  missingBody: () => e(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized: the request body is empty.'),
  locationRequired: () => e(400, 'LocationRequired', 'The location property is required for this definition.', 'location'),
  invalidLocation: (location: string) =>
    e(400, 'LocationNotAvailableForResourceGroup', `The provided location '${location}' is not available for resource group. List of available regions is '${''}'.`),
  invalidResourceGroupLocation: (requested: string, existing: string) =>
    e(409, 'InvalidResourceGroupLocation', `Invalid resource group location '${requested}'. The Resource group already exists in location '${existing}'.`),
  invalidResourceGroupName: (name: string) =>
    e(400, 'InvalidResourceGroupName', `The resource group name '${name}' is invalid. It must be 1 to 90 characters of letters, digits, underscores, hyphens, periods and parentheses, and cannot end with a period.`),
  preconditionFailed: () => e(412, 'PreconditionFailed', "The specified precondition 'If-Match' or 'If-None-Match' failed: the resource's current entity tag does not match."),
  invalidFilter: (filter: string) => e(400, 'InvalidFilterInQueryString', `Invalid $filter '${filter}' specified in the query string.`),
  invalidSkipToken: () => e(400, 'InvalidSkipToken', 'The $skiptoken is invalid.'),
  internal: (requestId: string) => e(500, 'InternalServerError', `An internal error occurred while processing the request. Tracking id '${requestId}'.`),
};
