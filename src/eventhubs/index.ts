// The Event Hubs data plane: one port per namespace (AMQP over TLS, plain AMQP from the loopback, REST
// send over HTTPS), events in the store (eh_events), retention. Resource Manager tells it which
// namespaces exist with their hubs, rules and firewall (EventHubsNamespaces); it never reads ARM's tables.
// The API Management gateway reaches a local namespace in process (connect), so its connection can be
// told apart as a trusted service's.
import type { Duplex } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { RowAppender } from '../store/appender.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/log.js';
import type { AuthzPlane } from '../authz/index.js';
import type { TokenVerifier } from '../entra/index.js';
import { NamespaceAccess } from './access.js';
import { NamespaceAmqp } from './amqp.js';
import { EventStore } from './events.js';
import { startNamespaceListener, type NamespaceListener } from './listener.js';
import { serveRest } from './rest.js';
import { compileNamespace, nsKey, type CompiledNamespace, type NamespaceSettings } from './settings.js';
import net from 'node:net';

export type { NamespaceSettings, HubSettings, AuthorizationRuleSettings, AccessRight } from './settings.js';
export { signSas, newSasKey } from './sas.js';

/** What Resource Manager asks of the data plane as namespaces and what is under them change. */
export interface EventHubsNamespaces {
  /** Starts (or reconfigures) a namespace's listener; `port` 0 picks a free one. Returns the port. */
  ensureNamespace(settings: NamespaceSettings, port: number): Promise<number>;
  /** The namespace was deleted: its listener stops and its events go. */
  deleteNamespace(name: string): Promise<void>;
  /** A hub was deleted: its events go. */
  purgeHub(namespace: string, hub: string): Promise<void>;
}

/** How the gateway reaches a namespace: in process when it is local. */
export interface EventHubsConnector {
  /**
   * A stream connected to the local namespace that `host` names (`{name}.servicebus.windows.net`, or
   * `localhost:{port}` / `127.0.0.1:{port}`), or undefined when no local namespace has that name.
   * `trustedService`: the caller is API Management with an instance's system-assigned identity.
   */
  connect(host: string, o: { trustedService: boolean }): Duplex | undefined;
}

export interface EventHubsOptions {
  db: Kysely<Database>;
  /** How events are written (the store's bulk inserts, acknowledged once durable). */
  appender: RowAppender;
  clock: Clock;
  logger: Logger;
  host: string;
  certPem: string;
  keyPem: string;
  verifier: TokenVerifier;
  authz: AuthzPlane;
  /** How often expired events are deleted (retention). */
  retentionSweepMs?: number;
}

interface NamespaceRuntime { view: CompiledNamespace; listener: NamespaceListener; amqp: NamespaceAmqp; port: number }

export class EventHubsPlane implements EventHubsNamespaces, EventHubsConnector {
  private readonly namespaces = new Map<string, NamespaceRuntime>();
  private readonly access: NamespaceAccess;
  readonly events: EventStore;
  private readonly sweeper: NodeJS.Timeout;
  /**
   * Local ports of the gateway's connections: they come from API Management, not from an address
   * (trusted: with an instance's system-assigned identity).
   */
  private readonly gatewayPorts = new Map<number, boolean>();

  constructor(private readonly o: EventHubsOptions) {
    this.events = new EventStore(o.db, o.appender, o.clock);
    this.access = new NamespaceAccess({ verifier: o.verifier, authz: o.authz, clock: o.clock });
    this.sweeper = setInterval(() => { this.sweep().catch((e) => o.logger.error('event hubs: retention sweep failed', e)); }, o.retentionSweepMs ?? 60_000);
    this.sweeper.unref();
  }

  async ensureNamespace(settings: NamespaceSettings, port: number): Promise<number> {
    const key = nsKey(settings.name);
    const existing = this.namespaces.get(key);
    if (existing) { existing.view = compileNamespace(settings); return existing.port; }
    const view = () => this.namespaces.get(key)?.view;
    const amqp = new NamespaceAmqp({
      access: this.access, events: this.events, clock: this.o.clock, logger: this.o.logger, view,
      gatewayConnection: (remotePort) => this.gatewayPorts.get(remotePort),
    });
    const rest = { access: this.access, events: this.events, clock: this.o.clock, logger: this.o.logger, view };
    const listener = await startNamespaceListener({
      host: this.o.host, port, certPem: this.o.certPem, keyPem: this.o.keyPem,
      amqp: (socket, origin) => amqp.accept(socket, origin),
      rest: (req, res, origin) => { void serveRest(rest, req, res, origin); },
    });
    this.namespaces.set(key, { view: compileNamespace(settings), listener, amqp, port: listener.port });
    this.o.logger.info(`event hubs namespace ${settings.name} on amqps://localhost:${listener.port} (sb://localhost:${listener.port}/)`);
    return listener.port;
  }

  async deleteNamespace(name: string): Promise<void> {
    const key = nsKey(name);
    const r = this.namespaces.get(key);
    this.namespaces.delete(key);
    if (r) { r.amqp.closeAll(); await r.listener.close(); }
    await this.events.purge(key);
  }

  async purgeHub(namespace: string, hub: string): Promise<void> {
    await this.events.purge(nsKey(namespace), hub.toLowerCase());
  }

  connect(host: string, o: { trustedService: boolean }): Duplex | undefined {
    const runtime = this.find(host);
    if (!runtime) return undefined;
    // Plain AMQP over the loopback to the namespace's port. A trusted caller's connection is known by its
    // local port, registered here in process before it sends anything (no outside client can do that).
    const socket = net.connect({ host: '127.0.0.1', port: runtime.port });
    socket.once('connect', () => {
      const port = socket.localPort!;
      this.gatewayPorts.set(port, o.trustedService);
      socket.once('close', () => this.gatewayPorts.delete(port));
    });
    return socket;
  }

  /** The namespace a host names: `{name}.servicebus.windows.net[:port]`, or this machine with its port. */
  private find(host: string): NamespaceRuntime | undefined {
    const h = host.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
    const azure = /^([a-z0-9-]+)\.servicebus\.windows\.net(?::\d+)?$/.exec(h);
    if (azure) return this.namespaces.get(azure[1]);
    const local = /^(?:localhost|127\.0\.0\.1|\[::1\]):(\d+)$/.exec(h);
    if (local) for (const r of this.namespaces.values()) if (r.port === Number(local[1])) return r;
    return undefined;
  }

  /** Retention: each hub's events older than its retention time go. */
  private async sweep(): Promise<void> {
    const now = this.o.clock.nowMs();
    for (const r of this.namespaces.values()) {
      for (const hub of r.view.hubs.values()) await this.events.expire(r.view.key, hub.key, hub.partitionCount, now - hub.retentionHours * 3_600_000);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.namespaces.values()];
    this.namespaces.clear();
    for (const r of all) r.amqp.closeAll();
    await Promise.all(all.map((r) => r.listener.close()));
  }
}
