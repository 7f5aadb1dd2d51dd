// Who may do what in Microsoft Graph, as Entra decides it for an app-only token: by the application
// permissions (app roles of the Microsoft Graph service principal) granted to the caller, which arrive
// in the token's `roles` claim. The admin application holds Application.ReadWrite.All,
// AppRoleAssignment.ReadWrite.All and Directory.Read.All from the first start; any other principal (an
// application, a managed identity) holds none until it is granted one, as in Entra, with
//   POST /v1.0/servicePrincipals/{its id}/appRoleAssignments
//   {"principalId": "{its id}", "resourceId": "{Microsoft Graph's service principal id}", "appRoleId": "{role id}"}
// Users and directory roles (Application Administrator) are not modelled: apim-local has no users.
import type { Directory, Principal, AppRole } from '../directory.js';
import { newGuid } from '../../common/ids.js';

/** Microsoft Graph's application id (the same in every tenant) and the tenant that owns it. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const MICROSOFT_TENANT_ID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';

/** The application permissions this Graph checks, with Microsoft Graph's own app role ids. */
export const GRAPH_PERMISSIONS = {
  'Application.Read.All': '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
  'Application.ReadWrite.All': '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
  'AppRoleAssignment.ReadWrite.All': '06b708a9-e830-4db3-a914-8e69da51d44f',
  'Directory.Read.All': '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
  'Directory.ReadWrite.All': '19dbc75e-c2e2-444c-a770-ec69d8559fc7',
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214',
} as const;
export type GraphPermission = keyof typeof GRAPH_PERMISSIONS;

const DESCRIPTIONS: Record<GraphPermission, string> = {
  'Application.Read.All': 'Read all applications',
  'Application.ReadWrite.All': 'Read and write all applications',
  'AppRoleAssignment.ReadWrite.All': 'Manage app permission grants and app role assignments',
  'Directory.Read.All': 'Read directory data',
  'Directory.ReadWrite.All': 'Read and write directory data',
  'User.Read.All': "Read all users' full profiles",
};

const GRAPH_APP_ROLES: AppRole[] = (Object.keys(GRAPH_PERMISSIONS) as GraphPermission[]).map((value) => ({
  id: GRAPH_PERMISSIONS[value], value, displayName: DESCRIPTIONS[value], allowedMemberTypes: ['Application'],
}));

/** Any one of these permissions allows the operation. */
export const NEEDS = {
  readApplications: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  writeApplications: ['Application.ReadWrite.All', 'Directory.ReadWrite.All'],
  readUsers: ['User.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  writeAppRoleAssignments: ['AppRoleAssignment.ReadWrite.All'],
} as const satisfies Record<string, readonly GraphPermission[]>;

/** What the admin application holds. */
const ADMIN_PERMISSIONS: GraphPermission[] = ['Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All', 'Directory.Read.All'];

export function allows(roles: readonly string[] | undefined, needs: readonly GraphPermission[]): boolean {
  return (roles ?? []).some((r) => (needs as readonly string[]).includes(r));
}

/**
 * Microsoft Graph's service principal in the directory (its app roles are what permissions are granted
 * from), and the admin's grants: made at first start, completed on later starts.
 */
export async function ensureMicrosoftGraph(directory: Directory, adminObjectId: string): Promise<Principal> {
  let graph = await directory.getByAppId(GRAPH_APP_ID);
  if (!graph) {
    try {
      graph = await directory.create({
        displayName: 'Microsoft Graph', principalType: 'Application', appId: GRAPH_APP_ID, firstParty: true,
        identifierUris: [GRAPH_RESOURCE], appRoles: GRAPH_APP_ROLES,
      });
    } catch (e) {
      // Another process sharing the store made it first.
      graph = await directory.getByAppId(GRAPH_APP_ID);
      if (!graph) throw e;
    }
  } else if ((graph.appRoles ?? []).length !== GRAPH_APP_ROLES.length) {
    graph = (await directory.update(graph.objectId, { appRoles: GRAPH_APP_ROLES }))!;
  }
  const admin = await directory.getByObjectId(adminObjectId);
  if (admin) {
    const grants = [...(admin.appRoleAssignments ?? [])];
    const missing = ADMIN_PERMISSIONS.filter((p) => !grants.some((g) => g.resourceAppId === GRAPH_APP_ID && g.appRoleId === GRAPH_PERMISSIONS[p]));
    if (missing.length > 0) {
      for (const p of missing) grants.push({ resourceAppId: GRAPH_APP_ID, appRoleId: GRAPH_PERMISSIONS[p], id: newGuid(), createdMs: admin.createdMs });
      await directory.update(admin.objectId, { appRoleAssignments: grants });
    }
  }
  return graph;
}
