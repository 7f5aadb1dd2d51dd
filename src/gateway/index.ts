// The API Management data plane: one HTTPS listener per instance, at the instance's gatewayUrl
// (https://localhost:{port}, stable across restarts). Routing to APIs and policies plug in here.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../common/log.js';
import type { PolicyScope } from './config.js';

/** What Resource Manager asks of the gateway when instances and their configuration change. */
export interface GatewayInstances {
  /** Starts (or keeps) the listener of an instance; `port` 0 picks a free one. Returns the port. */
  ensureInstance(resourceId: string, port: number): Promise<number>;
  removeInstance(resourceId: string): Promise<void>;
  /**
   * The instance's configuration changed (an API, operation, policy, product, subscription, backend or
   * named value): the gateway reloads it from its ConfigSource and recompiles it, off the request path.
   */
  reload(resourceId: string): Promise<void>;
  /**
   * Parses and validates a policy document for a scope, as a PUT of a policy needs: throws AzureError
   * 400 ValidationError naming the element and its line. Returns the {{named values}} it references.
   */
  validatePolicy(xml: string, scope: PolicyScope['kind']): { namedValues: string[] };
}

export interface GatewayOptions {
  host: string;
  certPem: string;
  keyPem: string;
  logger: Logger;
}

const NOT_FOUND = JSON.stringify({ statusCode: 404, message: 'Resource not found' });

export class GatewayPlane implements GatewayInstances {
  private readonly listeners = new Map<string, { server: https.Server; port: number }>();

  constructor(private readonly o: GatewayOptions) {}

  async ensureInstance(resourceId: string, port: number): Promise<number> {
    const key = resourceId.toLowerCase();
    const existing = this.listeners.get(key);
    if (existing) return existing.port;
    const server = https.createServer({ cert: this.o.certPem, key: this.o.keyPem }, (req, res) => {
      // No API is configured yet: API Management answers every call with its 404.
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(NOT_FOUND) });
      res.end(NOT_FOUND);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.o.host, () => { server.off('error', reject); resolve(); });
    });
    const bound = (server.address() as AddressInfo).port;
    this.listeners.set(key, { server, port: bound });
    this.o.logger.info(`gateway listener for ${resourceId} on https://localhost:${bound}`);
    return bound;
  }

  async reload(_resourceId: string): Promise<void> {
    // Routing and policies are not compiled yet: every call is answered with API Management's 404.
  }

  validatePolicy(_xml: string, _scope: PolicyScope['kind']): { namedValues: string[] } {
    throw new Error('policy validation is not implemented yet');
  }

  async removeInstance(resourceId: string): Promise<void> {
    const key = resourceId.toLowerCase();
    const l = this.listeners.get(key);
    if (!l) return;
    this.listeners.delete(key);
    await closeServer(l.server);
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((l) => closeServer(l.server)));
    this.listeners.clear();
  }
}

function closeServer(server: https.Server): Promise<void> {
  return new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
}
