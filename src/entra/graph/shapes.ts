// Directory objects as Microsoft Graph v1.0 shows them: servicePrincipal, application, the credentials
// of an application (never a secret), and the appRoleAssignment. Properties apim-local does not model
// are present with Graph's empty values, so clients that read them find what Graph would send.
import { applicationObjectId, type AppRoleGrant, type CredentialInfo, type Principal } from '../directory.js';
import { GRAPH_APP_ID, MICROSOFT_TENANT_ID } from './permissions.js';

export type GraphObject = Record<string, unknown>;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

export interface ShapeContext {
  tenantId: string;
  /** This server's Graph base URL and resource (the management origin), one of Microsoft Graph's names here. */
  graphUrl: string;
}

export function passwordCredential(c: CredentialInfo, p: Principal): GraphObject {
  const info = p.passwordInfo?.[c.id];
  return {
    customKeyIdentifier: null, displayName: info?.displayName ?? null, endDateTime: iso(c.expiresMs),
    hint: info?.hint ?? null, keyId: c.id, secretText: null, startDateTime: iso(c.createdMs),
  };
}

export function keyCredential(c: CredentialInfo): GraphObject {
  return {
    customKeyIdentifier: c.x5t ? Buffer.from(c.x5t, 'base64url').toString('hex').toUpperCase() : null,
    displayName: c.subject, endDateTime: iso(c.expiresMs), key: null, keyId: c.id,
    startDateTime: iso(c.createdMs), type: 'AsymmetricX509Cert', usage: 'Verify',
  };
}

function appRoles(p: Principal): GraphObject[] {
  return (p.appRoles ?? []).map((r) => ({
    allowedMemberTypes: r.allowedMemberTypes ?? ['Application'], description: r.displayName ?? r.value,
    displayName: r.displayName ?? r.value, id: r.id, isEnabled: true, origin: 'Application', value: r.value,
  }));
}

export function servicePrincipalNames(p: Principal, c: ShapeContext): string[] {
  if (p.appId === GRAPH_APP_ID) return [GRAPH_APP_ID, 'https://graph.microsoft.com', 'https://graph.microsoft.com/', `${c.graphUrl}/`];
  if (p.principalType === 'ManagedIdentity') return [p.appId];
  return [p.appId, ...(p.identifierUris ?? [])];
}

export function servicePrincipal(p: Principal, creds: CredentialInfo[], c: ShapeContext): GraphObject {
  const mi = p.principalType === 'ManagedIdentity';
  return {
    id: p.objectId, deletedDateTime: null, accountEnabled: true, alternativeNames: p.alternativeNames ?? [],
    appDisplayName: mi ? null : p.displayName, appDescription: null, appId: p.appId, applicationTemplateId: null,
    appOwnerOrganizationId: p.firstParty ? MICROSOFT_TENANT_ID : mi ? null : c.tenantId, appRoleAssignmentRequired: false,
    description: null, disabledByMicrosoftStatus: null, displayName: p.displayName, homepage: null, loginUrl: null,
    logoutUrl: null, notes: null, notificationEmailAddresses: [], preferredSingleSignOnMode: null,
    preferredTokenSigningKeyThumbprint: null, replyUrls: [], servicePrincipalNames: servicePrincipalNames(p, c),
    servicePrincipalType: mi ? 'ManagedIdentity' : 'Application', signInAudience: mi ? null : p.firstParty ? 'AzureADMultipleOrgs' : 'AzureADMyOrg',
    tags: [], tokenEncryptionKeyId: null, info: null, samlSingleSignOnSettings: null, addIns: [], appRoles: appRoles(p),
    // A managed identity's certificate is Azure's, and shown; an application's credentials are on its application object.
    keyCredentials: mi ? creds.filter((k) => k.kind === 'certificate').map(keyCredential) : [],
    oauth2PermissionScopes: [], passwordCredentials: [], resourceSpecificApplicationPermissions: [],
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
  };
}

export function application(p: Principal, creds: CredentialInfo[], c: ShapeContext): GraphObject {
  const extra = p.graphProperties ?? {};
  return {
    id: applicationObjectId(p), deletedDateTime: null, appId: p.appId, applicationTemplateId: null,
    disabledByMicrosoftStatus: null, createdDateTime: iso(p.createdMs), displayName: p.displayName,
    description: extra.description ?? null, groupMembershipClaims: null, identifierUris: p.identifierUris ?? [],
    isDeviceOnlyAuthSupported: null, isFallbackPublicClient: extra.isFallbackPublicClient ?? null, notes: extra.notes ?? null,
    publisherDomain: `${c.tenantId.slice(0, 8)}.apim-local`, serviceManagementReference: null,
    signInAudience: extra.signInAudience ?? 'AzureADMyOrg', tags: extra.tags ?? [], tokenEncryptionKeyId: null,
    defaultRedirectUri: null, certification: null, optionalClaims: extra.optionalClaims ?? null, addIns: [],
    api: {
      acceptMappedClaims: null, knownClientApplications: [], requestedAccessTokenVersion: p.accessTokenVersion ?? null,
      oauth2PermissionScopes: [], preAuthorizedApplications: [],
    },
    appRoles: appRoles(p),
    info: { logoUrl: null, marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null },
    keyCredentials: creds.filter((k) => k.kind === 'certificate').map(keyCredential),
    parentalControlSettings: { countriesBlockedForMinors: [], legalAgeGroupRule: 'Allow' },
    passwordCredentials: creds.filter((k) => k.kind === 'secret').map((k) => passwordCredential(k, p)),
    publicClient: extra.publicClient ?? { redirectUris: [] },
    requiredResourceAccess: extra.requiredResourceAccess ?? [],
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    web: extra.web ?? { homePageUrl: null, logoutUrl: null, redirectUris: [], implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false }, redirectUriSettings: [] },
    spa: extra.spa ?? { redirectUris: [] },
  };
}

export function appRoleAssignment(g: AppRoleGrant, principal: Principal, resource: Principal): GraphObject {
  return {
    id: g.id ?? null, deletedDateTime: null, appRoleId: g.appRoleId, createdDateTime: iso(g.createdMs ?? principal.createdMs),
    principalDisplayName: principal.displayName, principalId: principal.objectId,
    principalType: 'ServicePrincipal', resourceDisplayName: resource.displayName, resourceId: resource.objectId,
  };
}
