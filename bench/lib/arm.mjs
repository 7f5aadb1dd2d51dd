// The benchmarks' Resource Manager set-up, done as a client would over HTTPS: the admin's token, then a
// small `arm(method, path, body, apiVersion)` under the default subscription, and the instance the
// gateway benchmarks measure (bench-rg/bench-apim, Developer, system-assigned identity).
import fs from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';

export async function armSession(connection) {
  const mgmt = connection.managementEndpoint;
  const agent = new Agent({ connect: { ca: fs.readFileSync(connection.caCertificatePath, 'utf8') } });
  const fetch = (url, init) => undiciFetch(url, { ...init, dispatcher: agent });
  const tokenRes = await fetch(`${mgmt}/${connection.tenantId}/oauth2/v2.0/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: connection.clientId, client_secret: connection.clientSecret, scope: 'https://management.azure.com/.default' }),
  });
  const { access_token: token } = await tokenRes.json();
  const arm = async (method, p, body, api = '2024-05-01') => {
    const r = await fetch(`${mgmt}/subscriptions/${connection.subscriptionId}${p}?api-version=${api}`, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
    });
    const text = await r.text();
    if (r.status >= 300 && r.status !== 202) throw new Error(`${method} ${p}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return { arm, fetch };
}

/** The benchmark instance, provisioned; returns its path under the subscription and its document. */
export async function benchInstance(arm) {
  await arm('PUT', '/resourceGroups/bench-rg', { location: 'westeurope' }, '2025-04-01');
  const svcPath = '/resourceGroups/bench-rg/providers/Microsoft.ApiManagement/service/bench-apim';
  await arm('PUT', svcPath, { location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, identity: { type: 'SystemAssigned' }, properties: { publisherEmail: 'a@contoso.com', publisherName: 'Contoso' } });
  let svc;
  for (let i = 0; i < 100; i++) { svc = await arm('GET', svcPath); if (svc.properties.provisioningState === 'Succeeded') break; await new Promise((r) => setTimeout(r, 100)); }
  return { svcPath, svc };
}
