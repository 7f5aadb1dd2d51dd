// Test harness for the gateway's unit tests: a real in-process server (for the Entra plane's managed
// identity tokens), a GatewayPlane bound to the test's own ConfigSource (a map of InstanceConfig the
// test sets, loaded through the gateway's reload as Resource Manager's is), and a real backend
// (node:http) that echoes what it received. No mocks: requests go over real HTTP(S).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadOrCreateCa } from '../../src/tls/ca.js';
import { GatewayPlane } from '../../src/gateway/index.js';
import type { GatewayInstances } from '../../src/gateway/index.js';
import type { ConfigSource, InstanceConfig, PolicyConfig } from '../../src/gateway/config.js';
import { silentLogger } from '../../src/common/log.js';
import type { ManagedIdentityTokens } from '../../src/gateway/runtime/services.js';

export const INSTANCE_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ApiManagement/service/unit';

export interface Echo { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string; bytes: number }

export interface Backend { url: string; requests: Echo[]; close(): Promise<void> }

/** A backend answering JSON {method, url, headers, body}; /status/{n} answers n, /slow/{ms} waits. */
export async function startBackend(): Promise<Backend> {
  const requests: Echo[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (d: Buffer) => { bytes += d.length; if (bytes < 1 << 20) chunks.push(d); });
    req.on('end', () => {
      const echo: Echo = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString(), bytes };
      requests.push(echo);
      const status = /\/status\/(\d+)/.exec(req.url!)?.[1];
      const slow = /\/slow\/(\d+)/.exec(req.url!)?.[1];
      const send = () => {
        const body = JSON.stringify(echo);
        res.writeHead(status ? Number(status) : 200, { 'content-type': 'application/json', 'x-backend': 'yes' });
        res.end(body);
      };
      if (slow) setTimeout(send, Number(slow)); else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

export interface Harness {
  gateway: GatewayPlane;
  /** The gateway as Resource Manager drives it, bound to this harness's configurations. */
  instances: GatewayInstances;
  port: number;
  /** https://localhost:{port} */
  url: string;
  /** Sets the configuration of INSTANCE_ID (the defaults of `config()` filled in) and reloads it. */
  load(config: Partial<InstanceConfig>): Promise<void>;
  /** Sets an instance's whole configuration and reloads it. */
  configure(config: InstanceConfig): Promise<void>;
  close(): Promise<void>;
}

export async function startGateway(managedIdentities?: ManagedIdentityTokens): Promise<Harness> {
  const caDir = process.env.APIM_LOCAL_TEST_CA_DIR;
  if (!caDir) throw new Error('APIM_LOCAL_TEST_CA_DIR is not set: run the tests with `npm test` (scripts/run-tests.mjs)');
  const ca = await loadOrCreateCa(caDir);
  const cert = await ca.issueServerCertificate(['localhost', '127.0.0.1']);
  const gateway = new GatewayPlane({ host: '127.0.0.1', certPem: cert.certPem, keyPem: cert.keyPem, logger: silentLogger, managedIdentities });
  const configs = new Map<string, InstanceConfig>();
  const source: ConfigSource = { load: async (instanceId) => configs.get(instanceId.toLowerCase()) };
  const instances = gateway.bind(source);
  const port = await instances.ensureInstance(INSTANCE_ID, 0);
  const configure = async (c: InstanceConfig) => {
    configs.set(c.instanceId.toLowerCase(), c);
    await instances.reload(c.instanceId);
  };
  return {
    gateway, instances, port, url: `https://localhost:${port}`,
    load: (c) => configure(config(c)),
    configure,
    close: () => gateway.close(),
  };
}

export function config(c: Partial<InstanceConfig>): InstanceConfig {
  return { instanceId: INSTANCE_ID, name: 'unit', apis: [], operations: [], policies: [], products: [], subscriptions: [], backends: [], namedValues: [], hostnames: [], ...c };
}

/** An API `echo` at path `echo` to `serviceUrl`, with GET/POST /{*rest} operations, no subscription needed. */
export function echoApi(serviceUrl: string, extra: Partial<InstanceConfig> = {}, api: Record<string, unknown> = {}): Partial<InstanceConfig> {
  return {
    apis: [{
      name: 'echo', displayName: 'Echo', path: 'echo', serviceUrl, protocols: ['https', 'http'], subscriptionRequired: false,
      subscriptionKeyParameterNames: { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' }, ...api,
    }],
    operations: ['GET', 'POST', 'PUT', 'DELETE'].map((m) => ({
      apiName: 'echo', name: m.toLowerCase(), displayName: m, method: m, urlTemplate: '/*', templateParameters: [],
    })),
    ...extra,
  };
}

export const policy = (scope: PolicyConfig['scope'], sections: { inbound?: string; backend?: string; outbound?: string; onError?: string }): PolicyConfig => ({
  scope,
  xml: `<policies>
  <inbound>${sections.inbound ?? '<base />'}</inbound>
  <backend>${sections.backend ?? '<base />'}</backend>
  <outbound>${sections.outbound ?? '<base />'}</outbound>
  <on-error>${sections.onError ?? '<base />'}</on-error>
</policies>`,
});

export async function call(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}
