// Event Hubs' REST send, on the namespace's port over HTTPS: `POST /{hub}/messages` (one event: the body,
// BrokerProperties and custom headers as properties) and the batch form (`application/vnd.microsoft.servicebus.json`:
// `[{"Body": "...", "UserProperties": {...}, "BrokerProperties": {"PartitionKey": "..."}}]`), also under
// `/{hub}/partitions/{id}/messages` and `/{hub}/publishers/{name}/messages`. Authorization: a SAS token or a
// bearer token, the same checks as AMQP.
import type { IncomingMessage, ServerResponse } from 'node:http';
import rhea from 'rhea';
import { BodyTooLargeError, readBody } from '../common/http.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/log.js';
import { AccessError, type Claim, type NamespaceAccess } from './access.js';
import type { EventStore, NewEvent } from './events.js';
import { MAX_MESSAGE_BYTES, pickPartition } from './amqp.js';
import type { CompiledNamespace, Origin } from './settings.js';
import { firewallRefusal } from './settings.js';

const PATH = /^\/([^/]+)(?:\/partitions\/(\d{1,3})|\/publishers\/([^/]+))?\/messages\/?$/i;
const BATCH_TYPE = 'application/vnd.microsoft.servicebus.json';

export interface RestDeps {
  access: NamespaceAccess;
  events: EventStore;
  clock: Clock;
  logger: Logger;
  view(): CompiledNamespace | undefined;
}

function sendError(res: ServerResponse, status: number, detail: string): void {
  const body = `<Error><Code>${status}</Code><Detail>${detail.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' }[c]!))}</Detail></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function message(body: Buffer, props: Record<string, unknown> | undefined, partitionKey: string | undefined): NewEvent {
  const m = { body: rhea.message.data_section(body), ...(props && Object.keys(props).length ? { application_properties: props } : {}) };
  return { message: rhea.message.encode(m), ...(partitionKey !== undefined ? { partitionKey } : {}) };
}

function brokerProperties(v: unknown): { partitionKey?: string } {
  if (v === undefined || v === null) return {};
  const o = typeof v === 'string' ? JSON.parse(v) as unknown : v;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new AccessError('amqp:invalid-field', 'BrokerProperties must be a JSON object.', 400);
  const pk = (o as Record<string, unknown>).PartitionKey;
  return pk === undefined ? {} : { partitionKey: String(pk) };
}

/** Properties of a single event: the request's custom headers (not HTTP's own, not BrokerProperties). */
const STANDARD_HEADERS = new Set(['host', 'authorization', 'content-type', 'content-length', 'brokerproperties', 'connection', 'user-agent', 'accept', 'accept-encoding', 'expect', 'transfer-encoding', 'x-ms-client-request-id', 'x-ms-version']);

export async function serveRest(d: RestDeps, req: IncomingMessage, res: ServerResponse, origin: Origin): Promise<void> {
  try {
    const ns = d.view();
    if (!ns) { sendError(res, 404, 'The namespace could not be found.'); return; }
    const refusal = firewallRefusal(ns, origin);
    if (refusal) { sendError(res, 403, refusal); return; }
    const url = new URL(req.url ?? '/', 'https://x');
    const m = PATH.exec(url.pathname);
    if (req.method !== 'POST' || !m) { sendError(res, 404, `No resource at ${req.method} ${url.pathname}.`); return; }
    const hubName = decodeURIComponent(m[1]);
    const partition = m[2] !== undefined ? Number(m[2]) : undefined;
    // 1. authenticate and authorize: Send on the hub.
    const auth = req.headers.authorization ?? '';
    const claims: Claim[] = [];
    if (auth.startsWith('SharedAccessSignature ')) claims.push(await d.access.putToken(ns, 'servicebus.windows.net:sastoken', `sb://x/${hubName}`, auth, false));
    else if (/^bearer /i.test(auth)) claims.push(await d.access.putToken(ns, 'jwt', `sb://x/${hubName}`, auth.slice(7).trim(), false));
    else { sendError(res, 401, 'MissingToken: The authorization header was not found.'); return; }
    await d.access.check(ns, claims, undefined, hubName, 'Send');
    const hub = ns.hubs.get(hubName.toLowerCase())!;
    if (partition !== undefined && partition >= hub.partitionCount) { sendError(res, 400, `The specified partition is invalid. It should be between 0 and ${hub.partitionCount - 1}.`); return; }
    // 2. read the events.
    const body = await readBody(req, MAX_MESSAGE_BYTES);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    let events: NewEvent[];
    if (contentType === BATCH_TYPE) {
      let list: unknown;
      try { list = JSON.parse(body.toString('utf8')); } catch { sendError(res, 400, 'The batch is not valid JSON.'); return; }
      if (!Array.isArray(list) || list.length === 0) { sendError(res, 400, 'A batch is a non-empty JSON array of messages.'); return; }
      events = list.map((item, i) => {
        if (typeof item !== 'object' || item === null || typeof (item as Record<string, unknown>).Body !== 'string') {
          throw new AccessError('amqp:invalid-field', `Message ${i} of the batch must have a string Body.`, 400);
        }
        const it = item as { Body: string; UserProperties?: Record<string, unknown>; BrokerProperties?: unknown };
        const props = it.UserProperties && typeof it.UserProperties === 'object' ? Object.fromEntries(Object.entries(it.UserProperties).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))) : undefined;
        return message(Buffer.from(it.Body, 'utf8'), props, brokerProperties(it.BrokerProperties).partitionKey);
      });
    } else {
      const props: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (!STANDARD_HEADERS.has(k) && typeof v === 'string') props[k] = v;
      events = [message(body, props, brokerProperties(req.headers.brokerproperties).partitionKey)];
    }
    // 3. store: one partition for the whole request (the key's, the path's, or the next in turn).
    const keys = new Set(events.map((e) => e.partitionKey));
    if (partition !== undefined && [...keys].some((k) => k !== undefined)) { sendError(res, 400, 'A partition key cannot be set when sending to a partition.'); return; }
    const target = partition ?? pickPartition(hub.partitionCount, events[0].partitionKey);
    await d.events.append(ns.key, hub.key, target, events);
    res.writeHead(201, { 'content-length': 0 });
    res.end();
  } catch (e) {
    if (e instanceof BodyTooLargeError) { sendError(res, 413, `The request body exceeds the limit of ${MAX_MESSAGE_BYTES} bytes.`); return; }
    if (e instanceof SyntaxError) { sendError(res, 400, 'BrokerProperties is not valid JSON.'); return; }
    if (e instanceof AccessError) { sendError(res, e.status === 401 ? 401 : e.status, e.message); return; }
    d.logger.error('event hubs REST send failed', e);
    sendError(res, 500, 'The service was unable to process the request; please retry the operation.');
  }
}
