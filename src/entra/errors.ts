// Entra ID's error bodies: {error, error_description, error_codes, timestamp, trace_id, correlation_id, error_uri}.
// error_description carries the AADSTS code and the trace/correlation/timestamp trailer, as Entra's does.
import crypto from 'node:crypto';
import { AzureError } from '../common/errors.js';

export type EntraErrorKind = 'invalid_request' | 'invalid_client' | 'unauthorized_client' | 'invalid_scope' | 'unsupported_grant_type' | 'invalid_resource' | 'invalid_grant';

function entraTimestamp(d: Date): string {
  // Entra: "2024-05-01 12:34:56Z"
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function entraBody(error: EntraErrorKind, aadsts: number, text: string, traceId: string, correlationId: string, timestamp: string): Record<string, unknown> {
  const description = `AADSTS${aadsts}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`;
  return {
    error,
    error_description: description,
    error_codes: [aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
  };
}

/** An Entra error; its body is rendered per request (entraErrorBody) with that request's trace and correlation ids. */
export class EntraError extends AzureError {
  constructor(status: number, readonly error: EntraErrorKind, readonly aadsts: number, readonly text: string, body: Record<string, unknown>) {
    super({ status, code: error, message: String(body.error_description), body });
  }
}

export function entraError(status: number, error: EntraErrorKind, aadsts: number, text: string, correlationId = crypto.randomUUID()): EntraError {
  return new EntraError(status, error, aadsts, text, entraBody(error, aadsts, text, crypto.randomUUID(), correlationId, entraTimestamp(new Date())));
}

/**
 * The wire body of an error for one request, as Entra's: trace_id is the request id (also sent as
 * x-ms-request-id) and correlation_id the client's request id (`client-request-id`) when it sent one.
 */
export function entraErrorBody(e: AzureError, traceId: string, correlationId: string, now = new Date()): Record<string, unknown> | undefined {
  if (e instanceof EntraError) return entraBody(e.error, e.aadsts, e.text, traceId, correlationId, entraTimestamp(now));
  return e.body;
}

export const EntraErrors = {
  missingParameter: (name: string) =>
    entraError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  unsupportedGrantType: (grant: string) =>
    entraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`),
  tenantNotFound: (tenant: string) =>
    entraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`),
  applicationNotFound: (appId: string, tenant: string) =>
    entraError(400, 'unauthorized_client', 700016, `Application with identifier '${appId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`),
  missingServicePrincipal: (appId: string, tenant: string) =>
    entraError(401, 'invalid_client', 7000229, `The client application ${appId} is missing service principal in the tenant ${tenant}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`),
  invalidSecret: (appId: string) =>
    entraError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`),
  missingCredential: () =>
    entraError(401, 'invalid_client', 7000218, `The request body must contain the following parameter: 'client_assertion' or 'client_secret'.`),
  bothCredentials: () =>
    entraError(400, 'invalid_request', 90014, `The request body must contain only one of the following parameters: 'client_assertion' or 'client_secret'.`),
  invalidAssertionType: () =>
    entraError(400, 'invalid_request', 50027, `JWT token is invalid or malformed: client_assertion_type must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.`),
  invalidAssertion: (why: string) =>
    entraError(401, 'invalid_client', 700027, `Client assertion failed signature validation or is invalid: ${why}`),
  assertionCertificateUnknown: (thumbprint: string, appId: string) =>
    entraError(401, 'invalid_client', 700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${appId}'.]`),
  assertionExpired: () =>
    entraError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.'),
  assertionAudience: (expected: string) =>
    entraError(401, 'invalid_client', 700027, `Client assertion contains an invalid audience. Expected '${expected}'.`),
  missingScope: () =>
    entraError(400, 'invalid_request', 900144, `The request body must contain the following parameter: 'scope'.`),
  invalidScope: (scope: string) =>
    entraError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`),
  missingResource: () =>
    entraError(400, 'invalid_request', 900144, `The request body must contain the following parameter: 'resource'.`),
  invalidBasicCredentials: () =>
    entraError(401, 'invalid_client', 7000218, `The client credentials in the 'Authorization: Basic' header are malformed or do not match the request's client_id.`),
  formBody: () =>
    entraError(400, 'invalid_request', 900144, `The request body must be application/x-www-form-urlencoded and contain the following parameter: 'grant_type'.`),
};
