// client_assertion (RFC 7523) for applications with a certificate: the JWT names its certificate by
// x5t#S256 (MSAL's default) or x5t, is signed RS256 or PS256, and its aud is the token endpoint.
import crypto from 'node:crypto';
import { decodeProtectedHeader, decodeJwt, jwtVerify, errors as joseErrors } from 'jose';
import type { Clock } from '../common/clock.js';
import type { Directory, Principal } from './directory.js';
import { EntraErrors } from './errors.js';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export async function authenticateAssertion(input: {
  assertion: string;
  clientId: string | undefined;
  tokenEndpoints: string[];
  directory: Directory;
  clock: Clock;
  tenantId: string;
}): Promise<Principal> {
  const { assertion, tokenEndpoints, directory, clock, tenantId } = input;
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(assertion);
    claims = decodeJwt(assertion);
  } catch {
    throw EntraErrors.invalidAssertion('the client assertion is not a JWT.');
  }
  const clientId = input.clientId ?? (typeof claims.sub === 'string' ? claims.sub : undefined);
  if (!clientId) throw EntraErrors.missingParameter('client_id');
  if (claims.iss !== clientId || claims.sub !== clientId) throw EntraErrors.invalidAssertion(`iss and sub must be the client id '${clientId}'.`);
  const principal = await directory.getByAppId(clientId);
  if (!principal || principal.principalType !== 'Application') throw EntraErrors.applicationNotFound(clientId, tenantId);
  const x5tS256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined;
  const x5t = typeof header.x5t === 'string' ? header.x5t : undefined;
  const certPem = await directory.findCertificate(principal.objectId, { x5tS256, x5t });
  if (!certPem) throw EntraErrors.assertionCertificateUnknown(x5tS256 ?? x5t ?? '(none)', clientId);
  const key = new crypto.X509Certificate(certPem).publicKey;
  try {
    await jwtVerify(assertion, key, {
      algorithms: ['RS256', 'PS256'],
      audience: tokenEndpoints,
      currentDate: new Date(clock.nowMs()),
      clockTolerance: 300,
      requiredClaims: ['exp', 'aud'],
    });
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired || (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'nbf')) throw EntraErrors.assertionExpired();
    if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'aud') throw EntraErrors.assertionAudience(tokenEndpoints[0]);
    throw EntraErrors.invalidAssertion(e instanceof Error ? e.message : 'signature validation failed.');
  }
  return principal;
}
