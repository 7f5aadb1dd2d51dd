// Graph's $filter on directory collections (src/entra/graph/filters.ts): what az sends, and Graph's 400s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPLICATION_FILTER, graphFilter, servicePrincipalFilter } from '../../../src/entra/graph/filters.js';
import { applicationObjectId, type Principal } from '../../../src/entra/directory.js';
import { AzureError } from '../../../src/common/errors.js';

const p = (displayName: string, appId: string, extra: Partial<Principal> = {}): Principal =>
  ({ objectId: crypto.randomUUID(), appId, displayName, principalType: 'Application', createdMs: 0, ...extra });
const app = p('orders-app', '11111111-1111-1111-1111-111111111111', { identifierUris: ['api://orders'] });
const mi = p('orders-apim', '22222222-2222-2222-2222-222222222222', { principalType: 'ManagedIdentity' });
const all = [app, mi];
const sp = servicePrincipalFilter({ tenantId: 't', graphUrl: 'https://localhost:1' });

test("az's service principal filters", () => {
  assert.deepEqual(all.filter(graphFilter(`servicePrincipalNames/any(c:c eq '${app.appId.toUpperCase()}')`, sp)), [app]);
  assert.deepEqual(all.filter(graphFilter("servicePrincipalNames/any(c:c eq 'api://orders')", sp)), [app]);
  assert.deepEqual(all.filter(graphFilter("displayName eq 'orders-apim'", sp)), [mi]);
  assert.deepEqual(all.filter(graphFilter("startswith(displayName,'orders')", sp)), all);
  assert.deepEqual(all.filter(graphFilter("servicePrincipalType eq 'ManagedIdentity'", sp)), [mi]);
  assert.deepEqual(all.filter(graphFilter(`appId eq '${mi.appId}' or id eq '${app.objectId}'`, sp)), all);
});

test("az's application filters", () => {
  assert.deepEqual([app].filter(graphFilter("identifierUris/any(s:s eq 'api://orders')", APPLICATION_FILTER)), [app]);
  assert.deepEqual([app].filter(graphFilter(`id eq '${applicationObjectId(app)}'`, APPLICATION_FILTER)), [app]);
  assert.notEqual(applicationObjectId(app), app.objectId);
  assert.equal(applicationObjectId(app), applicationObjectId({ ...app }), 'stable');
});

test("Graph's 400s: syntax (BadRequest) and unsupported fields or operators (Request_UnsupportedQuery)", () => {
  const fails = (f: string, code: string) => assert.throws(() => graphFilter(f, sp), (e: unknown) => e instanceof AzureError && e.status === 400 && e.code === code, f);
  fails("appId eq 'x' and", 'BadRequest');
  fails("homepage eq 'x'", 'Request_UnsupportedQuery');
  fails("appId gt 'x'", 'Request_UnsupportedQuery');
  fails("endswith(displayName,'x')", 'Request_UnsupportedQuery');
});
