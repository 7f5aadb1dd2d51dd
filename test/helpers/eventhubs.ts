// Event Hubs resources through Resource Manager's REST API (there is no ARM SDK for Event Hubs among the
// test dependencies) and reading events with the official EventHubConsumerClient.
import { earliestEventPosition, type EventHubConsumerClient, type ReceivedEventData } from '@azure/event-hubs';
import { request, type TestServer } from './server.js';

export const EH_API = '2024-01-01';

export interface Arm {
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }>;
}

export function armClient(server: TestServer): Arm {
  const cred = server.credential();
  return {
    async call(method, path, body) {
      const token = (await cred.getToken('https://management.azure.com/.default'))!.token;
      const sep = path.includes('?') ? '&' : '?';
      return request(`${server.connection.managementEndpoint}${path}${sep}api-version=${EH_API}`, {
        method, token, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      });
    },
  };
}

export const nsPath = (server: TestServer, rg: string, ns: string) =>
  `/subscriptions/${server.connection.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.EventHub/namespaces/${ns}`;

/** Reads events from every partition until `count` arrived (or `timeoutMs` passed), then closes the subscription. */
export async function readEvents(consumer: EventHubConsumerClient, count: number, timeoutMs = 15_000): Promise<ReceivedEventData[]> {
  const got: ReceivedEventData[] = [];
  let fail: (e: Error) => void = () => undefined;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => { done = resolve; fail = reject; });
  const sub = consumer.subscribe({
    async processEvents(events) { got.push(...events); if (got.length >= count) done(); },
    async processError(err) { fail(err instanceof Error ? err : new Error(String(err))); },
  }, { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1 });
  const timer = setTimeout(() => done(), timeoutMs);
  try { await finished; } finally { clearTimeout(timer); await sub.close(); }
  return got;
}
