// The portal's foundation in a real browser: its files as the management listener serves them (CSP,
// gzip, caching, single-page fallback, no path traversal), signing in with the link `apim-local start`
// printed (the code leaves the address bar; the session lives in sessionStorage), the shell (header
// with subscription and principal, portal menu, breadcrumb), Home, signing out, and signing in with a
// client id and secret (a wrong one shows Entra's error).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { SKIP, startPortal, request, type PortalHarness } from './harness.js';

let h: PortalHarness;

describe('portal shell', { skip: SKIP }, () => {
  before(async () => { h = await startPortal(); });
  after(async () => { await h?.close(); });

  test('index.html: strict CSP with a fresh nonce, never cached; the same page for any portal route', async () => {
    const a = await request(h.portalUrl);
    const b = await request(`${h.portalUrl}resource/subscriptions/x/resourceGroups/rg/overview`);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.match(a.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(a.headers.get('cache-control'), 'no-cache');
    const csp = a.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce);
    assert.ok(a.text.includes(`content="${nonce}"`), 'the page carries the nonce of its CSP');
    assert.notEqual(nonce, /'nonce-([^']+)'/.exec(b.headers.get('content-security-policy') ?? '')?.[1]);
    assert.ok(!a.text.includes('__CSP_NONCE__'));
    // A route whose last segment has a dot is a route too, not a file.
    const c = await request(`${h.portalUrl}create/Microsoft.Template`);
    assert.equal(c.status, 200);
    assert.match(c.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal((await request(`${h.portalUrl}.build-stamp`)).status, 200, 'hidden files are not served: the route answers with index.html');
    assert.ok(!(await request(`${h.portalUrl}.build-stamp`)).text.match(/^\d{4}-/));
    assert.equal(b.text.split(nonce).length, 1, 'another response, another nonce');
    assert.equal(a.text.replace(nonce, 'N'), b.text.replace(/name="csp-nonce" content="[^"]+"/, 'name="csp-nonce" content="N"'));
  });

  test('assets: hashed names cached for a year, gzipped when accepted, right content type', async () => {
    const index = (await request(h.portalUrl)).text;
    const asset = /src="\/portal\/(assets\/[^"]+\.js)"/.exec(index)?.[1];
    assert.ok(asset);
    const res = await fetch(`${h.portalUrl}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(res.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
    // undici decodes gzip itself; the header says it was sent compressed.
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    const text = await res.text();
    assert.ok(text.length > 1000);
    const plain = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      import('node:https').then(({ get }) => get(`${h.portalUrl}${asset}`, { headers: { 'accept-encoding': 'identity' } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ encoding: r.headers['content-encoding'], body: Buffer.concat(chunks) }));
      }).on('error', reject), reject);
    });
    assert.equal(plain.encoding, undefined);
    assert.equal(plain.body.toString('utf8'), text);
    assert.ok(zlib.gzipSync(plain.body).length < plain.body.length);
  });

  test('paths outside dist/portal, unknown assets and other methods are refused', async () => {
    for (const p of ['..%2f..%2fpackage.json', '%2e%2e/%2e%2e/package.json', 'assets/..%5c..%5cpackage.json', 'assets/%00.js']) {
      const r = await request(`${h.portalUrl}${p}`);
      assert.ok(r.status === 400 || r.status === 404, `${p}: ${r.status}`);
      assert.ok(!r.text.includes('"name": "apim-local"'));
    }
    assert.equal((await request(`${h.portalUrl}assets/missing.js`)).status, 404);
    assert.equal((await request(h.portalUrl, { method: 'POST' })).status, 405);
    const redirect = await fetch(h.portalUrl.replace(/\/$/, ''), { redirect: 'manual' });
    assert.equal(redirect.status, 301);
  });

  test('the printed sign-in link signs the admin in; the code leaves the address bar; the session is in sessionStorage', async () => {
    await h.signInWithLink();
    const { page, server } = h;
    assert.equal(new URL(page.url()).hash, '');
    assert.ok(!page.url().includes('code='));
    const banner = page.getByRole('banner');
    await banner.getByText(`Subscription: `).waitFor();
    await banner.getByText(`Signed in as application ${server.connection.clientId}`).waitFor();
    const stored = await page.evaluate(() => ({ session: Object.keys(sessionStorage), local: Object.keys(localStorage) }));
    assert.ok(stored.session.some((k) => k.includes('session')));
    assert.deepEqual(stored.local, []);
    // A reload keeps the session (sessionStorage), not the code.
    await page.reload();
    await banner.getByText(`Signed in as application ${server.connection.clientId}`).waitFor();
  });

  test('Home: subscription, resource groups, all resources with type filter and search', async () => {
    const token = await h.adminToken();
    const sub = `/subscriptions/${h.server.connection.subscriptionId}`;
    const arm = (p: string, body: unknown, v: string) => request(`${h.server.connection.managementEndpoint}${sub}${p}?api-version=${v}`, {
      method: 'PUT', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    assert.equal((await arm('/resourcegroups/portal-rg', { location: 'westeurope' }, '2021-04-01')).status, 201);
    assert.equal((await arm('/resourcegroups/portal-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/home-identity', { location: 'westeurope' }, '2023-01-31')).status, 201);
    const { page } = h;
    await page.goto(h.portalUrl);
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Resource groups' }).getByRole('link', { name: 'portal-rg' }).waitFor();
    const all = page.getByRole('table', { name: 'All resources' });
    await all.getByRole('link', { name: 'home-identity' }).waitFor();
    await h.checkBlade('home');

    await page.getByRole('searchbox').fill('no-such-thing');
    await page.getByText(/^Showing 0 of \d+ records\.$/).waitFor();
    await page.getByRole('searchbox').fill('home-ident');
    await page.getByText(/^Showing 1 of \d+ records\.$/).waitFor();
    await page.getByRole('searchbox').fill('');
    await page.getByRole('combobox', { name: 'Type' }).click();
    // A multiselect Dropdown's options are menu item checkboxes.
    await page.getByRole('menuitemcheckbox', { name: 'Microsoft.ManagedIdentity/userAssignedIdentities' }).click();
    await page.keyboard.press('Escape');
    await page.getByText(/^Showing 1 of \d+ records\.$/).waitFor();

    // Into the resource group through its link; the breadcrumb leads back Home.
    await page.getByRole('table', { name: 'Resource groups' }).getByRole('link', { name: 'portal-rg' }).click();
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByText('portal-rg').waitFor();
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Home' }).click();
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
  });

  test('keyboard and a narrow screen: the portal menu opens from its button at 390×844, links follow Enter', async () => {
    const { page } = h;
    await page.goto(h.portalUrl);
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const nav = page.getByRole('navigation', { name: 'Portal menu' });
      assert.equal(await nav.isVisible(), false, 'the menu is folded away on a phone');
      const toggle = page.getByRole('button', { name: 'Portal menu' });
      await toggle.focus();
      await page.keyboard.press('Enter');
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      await nav.getByRole('link', { name: 'Deploy a custom template' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Custom deployment', level: 1 }).waitFor();
      assert.equal(await nav.isVisible(), false, 'following a link folds the menu again');
      assert.equal(await page.title(), 'Custom deployment - apim-local portal');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  test('Managed Identities: Create User Assigned Managed Identity, then its Client ID and Object (principal) ID', async () => {
    const { page, server } = h;
    await page.getByRole('navigation', { name: 'Portal menu' }).getByRole('link', { name: 'Managed Identities' }).click();
    await page.getByRole('heading', { name: 'Managed Identities', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Managed Identities' }).getByRole('link', { name: 'home-identity' }).waitFor();
    await h.checkBlade('managed-identities');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Create User Assigned Managed Identity', level: 1 }).waitFor();
    await page.getByRole('combobox', { name: 'Resource group' }).click();
    await page.getByRole('option', { name: 'portal-rg' }).click();
    await page.getByRole('combobox', { name: 'Region' }).click();
    await page.getByRole('option', { name: 'North Europe' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('x');
    await page.getByText('The name must be between 3 and 128 characters long.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Review + create' }).isDisabled(), true);
    await page.getByRole('textbox', { name: 'Name' }).fill('portal-identity');
    await h.checkBlade('managed-identity-create');
    await page.getByRole('button', { name: 'Review + create' }).click();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'portal-identity', level: 1 }).waitFor();
    await page.locator('[data-field="Client ID"]').filter({ hasText: /^[0-9a-f-]{36}$/ }).waitFor();
    await h.checkBlade('managed-identity-overview');

    const id = `/subscriptions/${server.connection.subscriptionId}/resourceGroups/portal-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/portal-identity`;
    const arm = await request(`${server.connection.managementEndpoint}${id}?api-version=2023-01-31`, { token: await h.adminToken() });
    assert.equal(arm.status, 200);
    assert.equal(arm.body.location, 'northeurope');
    assert.equal(await page.locator('[data-field="Client ID"]').textContent(), arm.body.properties.clientId);
    assert.equal(await page.locator('[data-field="Object (principal) ID"]').textContent(), arm.body.properties.principalId);
    assert.ok(page.url().endsWith(`/portal/resource${id}/overview`));
  });

  test('signing out, then in with a client id and secret; a wrong secret shows Entra\'s error', async () => {
    const { page, server } = h;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to apim-local' }).waitFor();
    await h.checkBlade('sign-in');
    await page.getByLabel('Application (client) ID').fill(server.connection.clientId);
    await page.getByLabel('Client secret').fill('wrong-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText(/AADSTS7000215/).waitFor();
    await page.getByLabel('Client secret').fill(server.connection.clientSecret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('banner').getByText(`Signed in as application ${server.connection.clientId}`).waitFor();
    const stored = await page.evaluate(() => JSON.stringify(sessionStorage));
    assert.ok(!page.url().includes(server.connection.clientSecret));
    assert.ok(stored.includes('client_secret'));
  });

  test('a Reader cannot create: Create is disabled with the reason, or the API\'s 403 names the missing permission and the roles that grant it', async () => {
    const { page, server } = h;
    const token = await h.adminToken();
    const base = server.connection.managementEndpoint;
    const app = await request(`${base}/apim-local/applications`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'portal-reader' }) });
    assert.ok(app.status === 200 || app.status === 201, app.text);
    const sub = `/subscriptions/${server.connection.subscriptionId}`;
    const assignment = await request(`${base}${sub}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`, {
      method: 'PUT', token, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`, principalId: app.body.objectId, principalType: 'ServicePrincipal' } }),
    });
    assert.equal(assignment.status, 201, assignment.text);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Application (client) ID').fill(app.body.appId);
    await page.getByLabel('Client secret').fill(app.body.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('banner').getByText(`Signed in as application ${app.body.appId}`).waitFor();
    await page.goto(`${h.portalUrl}browse/Microsoft.ManagedIdentity/userAssignedIdentities`);
    await page.getByRole('table', { name: 'Managed Identities' }).getByRole('link', { name: 'portal-identity' }).waitFor();
    const permissions = await request(`${base}${sub}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`, { token });
    const create = page.getByRole('button', { name: 'Create', exact: true });
    if (permissions.status === 200) {
      // Permissions - List is served (branch portal-server): the portal knows before trying.
      await page.getByText(/You do not have permission to perform 'Microsoft.ManagedIdentity\/userAssignedIdentities\/write' at scope '\/subscriptions\/[^']+'. A role that grants it: Managed Identity Contributor, Contributor, Owner\./).waitFor();
      assert.equal(await create.isDisabled(), true);
      await h.checkBlade('managed-identities-reader');
    } else {
      // Until then the portal lets Resource Manager decide, and shows its 403 with the missing action.
      await create.click();
      await page.getByRole('combobox', { name: 'Resource group' }).click();
      await page.getByRole('option', { name: 'portal-rg' }).click();
      await page.getByRole('textbox', { name: 'Name' }).fill('reader-identity');
      await page.getByRole('button', { name: 'Review + create' }).click();
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      const alert = page.getByRole('alert');
      await alert.getByText('AuthorizationFailed').waitFor();
      await alert.getByText(/Missing permission: Microsoft.ManagedIdentity\/userAssignedIdentities\/write/).waitFor();
      await alert.getByText(/Roles that grant it: Managed Identity Contributor, Contributor, Owner\./).waitFor();
      await h.checkBlade('managed-identity-create-forbidden');
    }
    const gone = await request(`${base}${sub}/resourceGroups/portal-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/reader-identity?api-version=2023-01-31`, { token });
    assert.equal(gone.status, 404);
  });
});
