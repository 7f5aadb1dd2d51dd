// Microsoft Graph on the management listener (/v1.0): tokens from @azure/identity for
// https://graph.microsoft.com/.default (and for the management origin, as az asks them), plain HTTPS
// for Graph itself (the official Graph SDKs are not among the project's packages), the ARM SDK for
// role assignments. Who may register applications: the admin; another application or a managed
// identity only once granted Application.ReadWrite.All through appRoleAssignments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { decodeJwt } from 'jose';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { createApimInstance } from '../helpers/apim.js';
import { identityEnv } from '../helpers/mi.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const APPLICATION_READWRITE_ALL = '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

let server: TestServer;
let ep = '';
let admin = '';

const graph = (path: string, token: string, init: RequestInit = {}) => request(`${ep}/v1.0${path}`, {
  ...init, token, headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string> | undefined) },
});
const post = (path: string, token: string, body: unknown) => graph(path, token, { method: 'POST', body: JSON.stringify(body) });
const tokenFor = async (clientId: string, secret: string, scope = GRAPH_SCOPE) => (await server.credential(clientId, secret).getToken(scope)).token;
const q = (filter: string) => `$filter=${encodeURIComponent(filter)}`;

/** Graph's error envelope, with its innerError. */
function graphError(r: { status: number; body: any; headers: Headers }, status: number, code: string, message?: RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code);
  if (message) assert.match(r.body.error.message, message);
  assert.equal(r.body.error.innerError['request-id'], r.headers.get('request-id'));
  assert.match(r.body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
}

before(async () => {
  server = await startTestServer();
  ep = server.connection.managementEndpoint;
  admin = await tokenFor(server.connection.clientId, server.connection.clientSecret);
});
after(async () => { await server?.stop(); });

test('tokens: the admin holds Graph permissions; az\'s audience (the management origin) works too; ARM tokens and no token are refused', async () => {
  const claims = decodeJwt(admin);
  assert.equal(claims.aud, 'https://graph.microsoft.com');
  assert.deepEqual([...(claims.roles as string[])].sort(), ['AppRoleAssignment.ReadWrite.All', 'Application.ReadWrite.All', 'Directory.Read.All']);
  assert.equal(server.connection.graphEndpoint, ep);
  const azStyle = await tokenFor(server.connection.clientId, server.connection.clientSecret, `${ep}//.default`);
  assert.equal(decodeJwt(azStyle).aud, `${ep}/`);
  assert.ok((decodeJwt(azStyle).roles as string[]).includes('Application.ReadWrite.All'));
  assert.equal((await graph('/servicePrincipals?$top=1', azStyle)).status, 200);
  const arm = await tokenFor(server.connection.clientId, server.connection.clientSecret, 'https://management.azure.com/.default');
  graphError(await graph('/servicePrincipals', arm), 401, 'InvalidAuthenticationToken', /Invalid audience/);
  graphError(await graph('/servicePrincipals', ''), 401, 'InvalidAuthenticationToken', /Access token is empty/);
  const me = await graph('/me', admin, { headers: { 'client-request-id': 'my-request-1' } });
  graphError(me, 400, 'BadRequest', /^\/me request is only valid with delegated authentication flow\.$/);
  assert.equal(me.body.error.innerError['client-request-id'], 'my-request-1');
  graphError(await graph('/nothingHere', admin), 400, 'BadRequest', /segment 'nothingHere'/);
  graphError(await graph('/servicePrincipals', admin, { method: 'PUT' }), 405, 'Request_BadRequest');
});

test('servicePrincipals: az\'s filters (servicePrincipalNames/any, appId, displayName, startswith), get by id and by appId, paging, errors', async () => {
  const { clientId, objectId } = server.connection;
  const bySpn = await graph(`/servicePrincipals?${q(`servicePrincipalNames/any(c:c eq '${clientId}')`)}`, admin);
  assert.equal(bySpn.status, 200);
  assert.equal(bySpn.body['@odata.context'], `${ep}/v1.0/$metadata#servicePrincipals`);
  assert.deepEqual(bySpn.body.value.map((s: any) => s.id), [objectId]);
  const sp = bySpn.body.value[0];
  assert.equal(sp.appId, clientId);
  assert.equal(sp.servicePrincipalType, 'Application');
  assert.equal(sp.accountEnabled, true);
  assert.equal(sp.appOwnerOrganizationId, server.connection.tenantId);
  assert.deepEqual(sp.passwordCredentials, [], 'no credential material on a service principal');
  assert.deepEqual((await graph(`/servicePrincipals?${q(`appId eq '${clientId.toUpperCase()}'`)}`, admin)).body.value.map((s: any) => s.id), [objectId]);
  const graphSp = (await graph(`/servicePrincipals?${q("displayName eq 'Microsoft Graph'")}`, admin)).body.value;
  assert.equal(graphSp.length, 1);
  assert.equal(graphSp[0].appId, '00000003-0000-0000-c000-000000000000');
  assert.ok(graphSp[0].appRoles.some((r: any) => r.value === 'Application.ReadWrite.All' && r.id === APPLICATION_READWRITE_ALL));
  assert.ok(graphSp[0].servicePrincipalNames.includes('https://graph.microsoft.com'));
  assert.deepEqual((await graph(`/servicePrincipals?${q("startswith(displayName,'apim-local')")}&$select=id,displayName`, admin)).body.value,
    [{ id: objectId, displayName: 'apim-local-admin' }]);
  const byId = await graph(`/servicePrincipals/${objectId}`, admin);
  assert.equal(byId.body['@odata.context'], `${ep}/v1.0/$metadata#servicePrincipals/$entity`);
  assert.equal(byId.body.appId, clientId);
  assert.equal((await graph(`/servicePrincipals(appId='${clientId}')`, admin)).body.id, objectId);
  graphError(await graph('/servicePrincipals/00000000-0000-0000-0000-000000000001', admin), 404, 'Request_ResourceNotFound', /Resource '00000000-0000-0000-0000-000000000001' does not exist/);
  // Paging: Graph's @odata.nextLink, followed as az follows it.
  const first = await graph('/servicePrincipals?$top=1', admin);
  assert.equal(first.body.value.length, 1);
  const second = await request(first.body['@odata.nextLink'], { token: admin });
  assert.equal(second.body.value.length, 1);
  assert.notEqual(second.body.value[0].id, first.body.value[0].id);
  // Bad queries: Graph's 400s, naming the fault.
  graphError(await graph(`/servicePrincipals?${q("appId eq 'x' and")}`, admin), 400, 'BadRequest', /^Invalid filter clause: .*position/);
  graphError(await graph(`/servicePrincipals?${q("homepage eq 'x'")}`, admin), 400, 'Request_UnsupportedQuery', /homepage/);
  graphError(await graph('/servicePrincipals?$top=1000', admin), 400, 'Request_BadRequest', /between 1 and 999/);
  graphError(await graph('/servicePrincipals?$orderby=displayName', admin), 400, 'Request_UnsupportedQuery', /\$orderby/);
  graphError(await graph('/servicePrincipals?$select=nope', admin), 400, 'BadRequest', /property named 'nope'/);
  // No users here: the list is empty, a user is not found, and a bad user filter is still refused.
  assert.deepEqual((await graph(`/users?${q("userPrincipalName eq 'a@b.c'")}`, admin)).body.value, []);
  graphError(await graph('/users/a@b.c', admin), 404, 'Request_ResourceNotFound');
});

test('applications: create (no service principal yet), addPassword, service principal, sign-in, role assignment, removePassword, delete', async () => {
  const created = await post('/applications', admin, { displayName: 'graph-app', identifierUris: ['api://graph-app'] });
  assert.equal(created.status, 201, created.text);
  const app = created.body;
  assert.match(app.id, GUID);
  assert.match(app.appId, GUID);
  assert.notEqual(app.id, app.appId);
  assert.deepEqual(app.passwordCredentials, []);
  assert.deepEqual(app.identifierUris, ['api://graph-app']);
  assert.equal(app.signInAudience, 'AzureADMyOrg');
  graphError(await post('/applications', admin, { displayName: 'dup', identifierUris: ['api://graph-app/'] }), 400, 'Request_BadRequest', /identifierUris already exists/);
  graphError(await post('/applications', admin, { displayName: 'x', unknownThing: 1 }), 400, 'Request_BadRequest', /Property 'unknownThing' does not exist/);
  graphError(await post('/applications', admin, { displayName: 'x', identifierUris: ['https://vault.azure.net'] }), 400, 'HostNameNotOnVerifiedDomain');
  graphError(await post('/applications', admin, {}), 400, 'Request_BadRequest', /displayName/);
  // az's lookups before and after create.
  assert.deepEqual((await graph(`/applications?${q(`appId eq '${app.appId}'`)}`, admin)).body.value.map((a: any) => a.id), [app.id]);
  assert.deepEqual((await graph(`/applications?${q("identifierUris/any(s:s eq 'api://graph-app')")}`, admin)).body.value.map((a: any) => a.id), [app.id]);
  assert.equal((await graph(`/applications/${app.id}`, admin)).body.displayName, 'graph-app');
  assert.equal((await graph(`/applications(appId='${app.appId}')`, admin)).body.id, app.id);
  assert.deepEqual((await graph(`/servicePrincipals?${q(`appId eq '${app.appId}'`)}`, admin)).body.value, [], 'no service principal yet');

  const pw = await post(`/applications/${app.id}/addPassword`, admin, { passwordCredential: { displayName: 'rbac', endDateTime: '2099-01-01T00:00:00Z' } });
  assert.equal(pw.status, 200, pw.text);
  const secret: string = pw.body.secretText;
  assert.equal(pw.body.hint, secret.slice(0, 3));
  assert.equal(pw.body.displayName, 'rbac');
  assert.equal(pw.body.endDateTime, '2099-01-01T00:00:00Z');
  const listed = (await graph(`/applications/${app.id}`, admin)).body.passwordCredentials;
  assert.deepEqual(listed.map((c: any) => [c.keyId, c.hint, c.secretText]), [[pw.body.keyId, secret.slice(0, 3), null]], 'the secret is never shown again');
  // Without a service principal the application cannot sign in (Entra's AADSTS7000229).
  await assert.rejects(tokenFor(app.appId, secret), /AADSTS7000229/);

  const sp = await post('/servicePrincipals', admin, { appId: app.appId, accountEnabled: true });
  assert.equal(sp.status, 201, sp.text);
  assert.deepEqual(sp.body.servicePrincipalNames, [app.appId, 'api://graph-app']);
  graphError(await post('/servicePrincipals', admin, { appId: app.appId }), 409, 'Request_MultipleObjectsWithSameKeyValue');
  graphError(await post('/servicePrincipals', admin, { appId: '00000000-0000-0000-0000-00000000dead' }), 400, 'Request_BadRequest', / does not reference a valid application object/);
  const appToken = await tokenFor(app.appId, secret, 'https://management.azure.com/.default');
  assert.equal(decodeJwt(appToken).oid, sp.body.id);

  // The service principal's id is what role assignments name (az role assignment create --assignee {appId}).
  const authz = new AuthorizationManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions());
  const scope = `/subscriptions/${server.connection.subscriptionId}`;
  const ra = await authz.roleAssignments.create(scope, crypto.randomUUID(), {
    roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: sp.body.id, principalType: 'ServicePrincipal',
  });
  assert.equal(ra.principalId, sp.body.id);
  const stubs = await post('/directoryObjects/getByIds', admin, { ids: [sp.body.id, app.id], types: ['user', 'group', 'servicePrincipal', 'directoryObjectPartnerReference'] });
  assert.deepEqual(stubs.body.value.map((o: any) => [o['@odata.type'], o.id]), [['#microsoft.graph.servicePrincipal', sp.body.id]]);

  graphError(await post(`/applications/${app.id}/removePassword`, admin, { keyId: '00000000-0000-0000-0000-000000000000' }), 400, 'Request_BadRequest', /No password credential/);
  assert.equal((await post(`/applications/${app.id}/removePassword`, admin, { keyId: pw.body.keyId })).status, 204);
  await assert.rejects(tokenFor(app.appId, secret, 'https://management.azure.com/.default'), /AADSTS7000215/);
  assert.deepEqual((await graph(`/applications/${app.id}`, admin)).body.passwordCredentials, []);

  const patched = await graph(`/applications/${app.id}`, admin, { method: 'PATCH', body: JSON.stringify({ displayName: 'graph-app-2' }) });
  assert.equal(patched.status, 204);
  assert.equal((await graph(`/servicePrincipals/${sp.body.id}`, admin)).body.displayName, 'graph-app-2');

  assert.equal((await graph(`/applications/${app.id}`, admin, { method: 'DELETE' })).status, 204);
  graphError(await graph(`/applications/${app.id}`, admin), 404, 'Request_ResourceNotFound');
  graphError(await graph(`/servicePrincipals/${sp.body.id}`, admin), 404, 'Request_ResourceNotFound', undefined);
  // The admin and Microsoft's own principals are not this API's to remove.
  const adminApp = (await graph(`/applications(appId='${server.connection.clientId}')`, admin)).body;
  graphError(await graph(`/applications/${adminApp.id}`, admin, { method: 'DELETE' }), 400, 'Request_BadRequest', /administrator/);
});

test('RBAC: an application and a managed identity may not register applications until granted Application.ReadWrite.All', async () => {
  // An application of its own (made by the admin), signed in with its secret.
  const app = (await post('/applications', admin, { displayName: 'rbac-app' })).body;
  const secret = (await post(`/applications/${app.id}/addPassword`, admin, {})).body.secretText;
  const sp = (await post('/servicePrincipals', admin, { appId: app.appId })).body;
  const before = await tokenFor(app.appId, secret);
  assert.equal(decodeJwt(before).roles, undefined);
  graphError(await post('/applications', before, { displayName: 'nope' }), 403, 'Authorization_RequestDenied', /^Insufficient privileges to complete the operation\.$/);
  graphError(await graph('/servicePrincipals', before), 403, 'Authorization_RequestDenied');
  graphError(await post(`/servicePrincipals/${sp.id}/appRoleAssignments`, before, {}), 403, 'Authorization_RequestDenied');

  // A managed identity: an instance's system-assigned identity, its token from the App Service endpoint.
  const { service } = await createApimInstance(server, 'graph-rg', 'graph-apim', { type: 'SystemAssigned' });
  const env = await identityEnv(server, service.id!);
  const miToken = async () => {
    const r = await request(`${env.IDENTITY_ENDPOINT}?resource=${encodeURIComponent('https://graph.microsoft.com')}&api-version=2019-08-01`, { headers: { 'x-identity-header': env.IDENTITY_HEADER } });
    assert.equal(r.status, 200, r.text);
    return r.body.access_token as string;
  };
  const miBefore = await miToken();
  graphError(await post('/applications', miBefore, { displayName: 'mi-made' }), 403, 'Authorization_RequestDenied');

  // The grant, as in Entra: an appRoleAssignment of Microsoft Graph's Application.ReadWrite.All.
  const graphSpId = (await graph(`/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')`, admin)).body.id;
  const miSp = (await graph(`/servicePrincipals/${service.identity!.principalId}`, admin)).body;
  assert.equal(miSp.servicePrincipalType, 'ManagedIdentity');
  graphError(await post(`/servicePrincipals/${miSp.id}/appRoleAssignments`, admin, { principalId: miSp.id, resourceId: graphSpId, appRoleId: crypto.randomUUID() }),
    400, 'Request_BadRequest', /Permission being assigned was not found/);
  for (const id of [sp.id, miSp.id]) {
    const grant = await post(`/servicePrincipals/${id}/appRoleAssignments`, admin, { principalId: id, resourceId: graphSpId, appRoleId: APPLICATION_READWRITE_ALL });
    assert.equal(grant.status, 201, grant.text);
    assert.equal(grant.body.resourceDisplayName, 'Microsoft Graph');
    assert.equal(grant.body.appRoleId, APPLICATION_READWRITE_ALL);
  }
  const after = await tokenFor(app.appId, secret);
  assert.deepEqual(decodeJwt(after).roles, ['Application.ReadWrite.All']);
  assert.equal((await post('/applications', after, { displayName: 'app-made' })).status, 201);
  const miAfter = await miToken();
  assert.deepEqual(decodeJwt(miAfter).roles, ['Application.ReadWrite.All'], 'the next managed identity token carries the grant');
  assert.equal((await post('/applications', miAfter, { displayName: 'mi-made' })).status, 201);
  // Reading holds with the write permission; granting further is still not theirs.
  assert.equal((await graph('/servicePrincipals?$top=1', after)).status, 200);
  graphError(await post(`/servicePrincipals/${sp.id}/appRoleAssignments`, after, {}), 403, 'Authorization_RequestDenied');

  // Revoked: the next token has no role.
  const grants = (await graph(`/servicePrincipals/${sp.id}/appRoleAssignments`, admin)).body.value;
  assert.equal(grants.length, 1);
  assert.equal((await graph(`/servicePrincipals/${sp.id}/appRoleAssignments/${grants[0].id}`, admin, { method: 'DELETE' })).status, 204);
  graphError(await post('/applications', await tokenFor(app.appId, secret), { displayName: 'again' }), 403, 'Authorization_RequestDenied');
});
