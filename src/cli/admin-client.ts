// apim-local's own administration API (/apim-local/...), where az would call Microsoft Graph:
// applications and service principals, and signing key rotation.
import type { ArmClient } from './arm-client.js';
import { AzureApiError, CliError } from './errors.js';

export interface DirectoryPrincipal {
  appId: string;
  objectId: string;
  displayName: string;
  principalType: 'Application' | 'ManagedIdentity';
}

/** What POST /apim-local/identity-env answers: the managed identity environment of one resource. */
export interface IdentityEnvironment {
  resourceId: string;
  IDENTITY_ENDPOINT: string;
  IDENTITY_HEADER: string;
  AZURE_POD_IDENTITY_AUTHORITY_HOST: string;
}

export interface ApplicationCredentials {
  appId: string;
  objectId: string;
  displayName: string;
  password: string;
  tenant: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (s: string): boolean => GUID.test(s);

export class AdminClient {
  constructor(private readonly arm: ArmClient) {}

  async listPrincipals(): Promise<DirectoryPrincipal[]> {
    const body = (await this.arm.send('GET', '/apim-local/applications')).json as { value?: DirectoryPrincipal[] } | undefined;
    return body?.value ?? [];
  }

  async createApplication(displayName: string): Promise<ApplicationCredentials> {
    return (await this.arm.send('POST', '/apim-local/applications', { body: { displayName } })).json as ApplicationCredentials;
  }

  async resetPassword(appId: string): Promise<ApplicationCredentials> {
    return (await this.arm.send('POST', `/apim-local/applications/${encodeURIComponent(appId)}/resetPassword`)).json as ApplicationCredentials;
  }

  async deleteApplication(appId: string): Promise<void> {
    await this.arm.send('DELETE', `/apim-local/applications/${encodeURIComponent(appId)}`);
  }

  /** A one-time sign-in link to the portal for the signed-in application. */
  async portalSignInLink(): Promise<{ url: string; expiresOn: string; appId: string }> {
    return (await this.arm.send('POST', '/apim-local/portal/signInLink')).json as { url: string; expiresOn: string; appId: string };
  }

  async rotateKeys(): Promise<{ kid: string; keys: string[] }> {
    return (await this.arm.send('POST', '/apim-local/keys/rotate')).json as { kid: string; keys: string[] };
  }

  /** The variables that let a local process get that resource's managed identity tokens. */
  async identityEnv(resourceId: string, o: { rotate?: boolean; expiresInHours?: number } = {}): Promise<IdentityEnvironment> {
    return (await this.arm.send('POST', '/apim-local/identity-env', { body: { resourceId, ...o } })).json as IdentityEnvironment;
  }

  /**
   * A service principal by one of its names (the appId) or its object id, as az resolves `--assignee`
   * and `--id`. Undefined when there is none.
   */
  async findPrincipal(identifier: string): Promise<DirectoryPrincipal | undefined> {
    const all = await this.listPrincipals();
    const id = identifier.toLowerCase();
    return all.find((p) => p.appId.toLowerCase() === id) ?? all.find((p) => p.objectId.toLowerCase() === id);
  }
}

/**
 * `--assignee` → object id, as az: a service principal name (appId) or an object id. When the caller may
 * not read the directory, a GUID is taken for an object id (az's fallback when Graph refuses).
 */
export async function resolveAssignee(admin: AdminClient, assignee: string, warn: (m: string) => void): Promise<{ objectId: string; principalType?: string }> {
  try {
    const p = await admin.findPrincipal(assignee);
    if (p) return { objectId: p.objectId, principalType: 'ServicePrincipal' };
  } catch (e) {
    if (e instanceof AzureApiError && (e.status === 401 || e.status === 403) && isGuid(assignee)) {
      warn(`Failed to query '${assignee}' in the directory (${e.code}); using it as an object id.`);
      return { objectId: assignee };
    }
    throw e;
  }
  throw new CliError(`Cannot find user or service principal in graph database for '${assignee}'. If the assignee is an appId, make sure the corresponding service principal is created with 'apim-local ad sp create-for-rbac'.`);
}
