// log-to-eventhub: sends its text (a policy expression or literal) to the event hub of an azureEventHub
// logger, off the request path: the event is queued with the instance's Event Hubs loggers and the call
// goes on at once. A failing logger never fails or slows the call; its last error shows in the trace and
// the server log. As Azure documents, a message over 200 KB is truncated to 200 KB.
import type { PolicyDefinition, Run } from '../policy/types.js';
import { PolicyError } from '../policy/types.js';

/** "The maximum supported message size ... is 200 kilobytes (KB)" (Microsoft Learn, log-to-eventhub). */
export const MAX_EVENT_BYTES = 200 * 1024;

/** The first `max` bytes of a string's UTF-8, never splitting a character. */
export function truncateUtf8(s: string, max: number): string {
  if (s.length <= max / 3 || Buffer.byteLength(s, 'utf8') <= max) return s;
  const b = Buffer.from(s, 'utf8');
  let end = max;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}

const logToEventhub: PolicyDefinition = {
  name: 'log-to-eventhub',
  sections: ['inbound', 'outbound', 'backend', 'on-error'],
  schema: {
    attrs: { 'logger-id': { required: true }, 'partition-id': { expr: true }, 'partition-key': { expr: true } },
    text: true, textExpr: true,
  },
  check(node) {
    if (node.attrs['partition-id'] !== undefined && node.attrs['partition-key'] !== undefined) return "Only one of 'partition-id' and 'partition-key' can be set.";
    return undefined;
  },
  compile(node, c): Run {
    const loggerId = node.attrs['logger-id'];
    const body = c.value(node.text);
    const partitionId = c.read(node, 'partition-id', (t) => {
      if (!/^\d{1,3}$/.test(t.trim())) throw new PolicyError('PolicyExecutionError', `The partition-id '${t}' is not a partition index.`);
      return t.trim();
    });
    const partitionKey = c.attr(node, 'partition-key');
    const services = c.services;
    const instanceId = services.instanceId;
    const logger = services.loggers.get(loggerId.toLowerCase());
    if (!logger || logger.loggerType !== 'azureEventHub') {
      // The document was accepted; a logger deleted since then shows as the trace's error on each call.
      const missing = `Logger '${loggerId}' was not found or is not of type azureEventHub.`;
      return (ctx) => {
        services.logger.error(`gateway ${instanceId}: log-to-eventhub: ${missing}`);
        ctx.trace?.message({ source: 'log-to-eventhub', severity: 'error', message: missing, metadata: { loggerId } });
      };
    }
    return (ctx) => {
      const text = truncateUtf8(body(ctx), MAX_EVENT_BYTES);
      const pid = partitionId?.(ctx);
      const pkey = partitionKey?.(ctx);
      const error = services.eventHubs.log(instanceId, loggerId, { body: text, partitionId: pid, partitionKey: pkey });
      if (error !== undefined) ctx.trace?.message({ source: 'log-to-eventhub', severity: 'error', message: error, metadata: { loggerId } });
    };
  },
};

export const logToEventhubPolicies: PolicyDefinition[] = [logToEventhub];
