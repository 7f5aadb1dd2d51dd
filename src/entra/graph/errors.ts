// Microsoft Graph's error envelope: {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}.
// The codes and messages are Graph's (directory objects answer with the Request_* and Authorization_* codes).
import { AzureError } from '../../common/errors.js';

export class GraphError extends AzureError {}

const err = (status: number, code: string, message: string, headers?: Record<string, string>) => new GraphError({ status, code, message, headers });

export const GraphErrors = {
  tokenMissing: () => err(401, 'InvalidAuthenticationToken', 'Access token is empty.'),
  tokenInvalid: (why: string) => err(401, 'InvalidAuthenticationToken', `Access token validation failure. ${why}`),
  tokenExpired: () => err(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.'),
  forbidden: () => err(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  segmentNotFound: (segment: string) => err(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
  versionNotFound: (version: string) => err(400, 'BadRequest', `Invalid version: ${version}`),
  methodNotAllowed: (allowed: string[]) => err(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.', { allow: allowed.join(', ') }),
  notFound: (id: string) => err(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`),
  meNotDelegated: () => err(400, 'BadRequest', '/me request is only valid with delegated authentication flow.'),
  badJson: () => err(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.'),
  unsupportedMediaType: () => err(415, 'BadRequest', "A supported MIME type could not be found that matches the content type of the response. Send 'Content-Type: application/json'."),
  tooLarge: (limit: number) => err(413, 'Request_BadRequest', `The request body is larger than ${limit} bytes.`),
  unknownProperty: (name: string) => err(400, 'Request_BadRequest', `Property '${name}' does not exist as a declared property or extension property.`),
  invalidValue: (name: string, why: string) => err(400, 'Request_BadRequest', `Invalid value specified for property '${name}' of resource '${why}'.`),
  badRequest: (message: string) => err(400, 'Request_BadRequest', message),
  invalidFilter: (detail: string) => err(400, 'BadRequest', `Invalid filter clause: ${detail}`),
  unsupportedQuery: (detail: string) => err(400, 'Request_UnsupportedQuery', detail),
  selectUnknown: (name: string, type: string) => err(400, 'BadRequest', `Could not find a property named '${name}' on type 'microsoft.graph.${type}'.`),
  pageSize: (value: string) => err(400, 'Request_BadRequest', `Invalid page size specified: '${value}'. Must be between 1 and 999 inclusive.`),
  skipToken: () => err(400, 'Request_BadRequest', 'The specified page token value has expired or is invalid.'),
  spAppNotFound: (appId: string) => err(400, 'Request_BadRequest', `The appId '${appId}' of the service principal does not reference a valid application object.`),
  spExists: (appId: string) => err(409, 'Request_MultipleObjectsWithSameKeyValue', `The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`),
  unverifiedDomain: () => err(400, 'HostNameNotOnVerifiedDomain', 'Values of identifierUris property must use a verified domain of the organization or its subdomain'),
  identifierUriTaken: () => err(400, 'Request_BadRequest', 'Another object with the same value for property identifierUris already exists.'),
  passwordNotFound: (keyId: string) => err(400, 'Request_BadRequest', `No password credential found with keyId '${keyId}'.`),
  // apim-local's own rules, in Graph's envelope.
  protectedAdmin: () => err(400, 'Request_BadRequest', "This application is apim-local's administrator (its credentials are in connection.json); it cannot be deleted or its service principal removed."),
  managedIdentity: () => err(400, 'Request_BadRequest', 'The service principal of a managed identity is created and deleted with its Azure resource.'),
  firstParty: () => err(400, 'Request_BadRequest', "Microsoft's own service principals cannot be changed or deleted."),
};

export interface GraphErrorContext {
  requestId: string;
  clientRequestId: string;
  now: Date;
}

/** The wire body of a Graph error. */
export function graphErrorBody(e: AzureError, c: GraphErrorContext): Record<string, unknown> {
  return {
    error: {
      code: e.code,
      message: e.message,
      innerError: { date: c.now.toISOString().replace(/\.\d+Z$/, ''), 'request-id': c.requestId, 'client-request-id': c.clientRequestId },
    },
  };
}
