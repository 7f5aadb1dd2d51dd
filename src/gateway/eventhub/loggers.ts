// The gateway's Event Hubs loggers (EventHubSink) in the server process: one LoggerSender per
// (instance, logger), replaced when the logger's configuration changes, with a token cache per instance
// for managed identity loggers. Gateway workers hand their events here (workers/protocol.ts 'eh').
import type { Logger } from '../../common/log.js';
import type { LoggerConfig } from '../config.js';
import { TokenCache, type EventHubSink, type LoggedEvent, type ManagedIdentityTokens } from '../runtime/services.js';
import { EVENTHUBS_RESOURCE, LoggerSender, eventMessage, type LocalEventHubs } from './sender.js';

/**
 * How long an event waits in a sender's queue for others to go with it (a full batch goes at once).
 * Each send is a transfer and, on the receiving namespace, a commit flushed to disk: at 50 ms the
 * commits' fixed cost was a third of what logging every call cost the gateway (bench/eventhubs.mjs:
 * 0.78× → 0.83× of the plain API's throughput at 250 ms, return-response).
 */
export const DEFAULT_FLUSH_MS = 250;

export class EventHubLoggers implements EventHubSink {
  /** By lower-cased instance id, then lower-cased logger id. */
  private readonly senders = new Map<string, Map<string, { json: string; sender: LoggerSender }>>();
  private readonly tokens = new Map<string, TokenCache>();

  constructor(private readonly o: { local?: LocalEventHubs; tokens?: ManagedIdentityTokens; logger: Logger; flushMs?: number }) {}

  /** The instance's loggers changed (its configuration was applied): senders follow. */
  configure(instanceId: string, loggers: LoggerConfig[]): void {
    const instance = instanceId.toLowerCase();
    const mine = this.senders.get(instance) ?? new Map<string, { json: string; sender: LoggerSender }>();
    const wanted = new Map(loggers.filter((l) => l.loggerType === 'azureEventHub' && l.eventHub).map((l) => [l.name.toLowerCase(), l]));
    for (const [k, v] of mine) {
      const w = wanted.get(k);
      if (!w || JSON.stringify(w) !== v.json) { void v.sender.close(); mine.delete(k); }
    }
    for (const [k, l] of wanted) {
      if (mine.has(k)) continue;
      let cache = this.tokens.get(instance);
      if (!cache) { cache = new TokenCache(instanceId, this.o.tokens); this.tokens.set(instance, cache); }
      const tokens = cache;
      mine.set(k, {
        json: JSON.stringify(l),
        sender: new LoggerSender({
          instanceId, config: l, local: this.o.local, logger: this.o.logger, flushMs: this.o.flushMs ?? DEFAULT_FLUSH_MS,
          token: (clientId) => tokens.get(clientId, EVENTHUBS_RESOURCE),
        }),
      });
    }
    if (mine.size > 0) this.senders.set(instance, mine); else this.senders.delete(instance);
  }

  log(instanceId: string, loggerId: string, e: LoggedEvent): string | undefined {
    // On every logged call: the ids as the policy holds them are looked up first (the same strings each
    // call, their hashes cached by V8), lower-cased only when they are not found so.
    const mine = this.senders.get(instanceId) ?? this.senders.get(instanceId.toLowerCase());
    const s = mine?.get(loggerId) ?? mine?.get(loggerId.toLowerCase());
    if (!s) return `Logger '${loggerId}' was not found or is not of type azureEventHub.`;
    s.sender.enqueue({ message: eventMessage(e.body), partitionId: e.partitionId, partitionKey: e.partitionKey });
    return s.sender.lastError;
  }

  remove(instanceId: string): void { this.configure(instanceId, []); this.tokens.delete(instanceId.toLowerCase()); }

  async close(): Promise<void> {
    await Promise.all([...this.senders.values()].flatMap((m) => [...m.values()].map((s) => s.sender.close())));
    this.senders.clear();
  }
}
