// The AMQP addresses and filters Event Hubs clients use: `{hub}`, `{hub}/Partitions/{n}` (send),
// `{hub}/ConsumerGroups/{cg}/Partitions/{n}` (receive), each possibly as an absolute
// `amqps://host/...` / `sb://host/...` URI, and the selector filter of a receiver's start position.
import type { StartPosition } from './events.js';

export type Address =
  | { kind: 'send'; hub: string; partition?: number }
  | { kind: 'receive'; hub: string; consumerGroup: string; partition: number }
  | { kind: 'node'; node: '$cbs' | '$management' };

export class AddressError extends Error {}

const PARTITION = /^\d{1,3}$/;

export function parseAddress(raw: string, forReceive: boolean): Address {
  let path = raw.trim();
  const abs = /^[a-z][a-z0-9+.-]*:\/\/[^/]*\/?(.*)$/i.exec(path);
  if (abs) path = abs[1];
  path = path.replace(/^\/+|\/+$/g, '');
  const lower = path.toLowerCase();
  if (lower === '$cbs') return { kind: 'node', node: '$cbs' };
  if (lower === '$management') return { kind: 'node', node: '$management' };
  const parts = path.split('/');
  if (!forReceive) {
    if (parts.length === 1 && parts[0]) return { kind: 'send', hub: parts[0] };
    if (parts.length === 3 && parts[1].toLowerCase() === 'partitions' && PARTITION.test(parts[2])) return { kind: 'send', hub: parts[0], partition: Number(parts[2]) };
    throw new AddressError(`The address '${raw}' is not an event hub ('{hub}' or '{hub}/Partitions/{id}').`);
  }
  if (parts.length === 5 && parts[1].toLowerCase() === 'consumergroups' && parts[3].toLowerCase() === 'partitions' && PARTITION.test(parts[4]) && parts[2]) {
    return { kind: 'receive', hub: parts[0], consumerGroup: parts[2], partition: Number(parts[4]) };
  }
  throw new AddressError(`The address '${raw}' is not a partition of a consumer group ('{hub}/ConsumerGroups/{group}/Partitions/{id}').`);
}

/**
 * The start position of a selector filter: `amqp.annotation.x-opt-offset > '12'` (or `>=`; `'-1'` is the
 * start, `'@latest'` the end), `amqp.annotation.x-opt-sequence-number > '5'`,
 * `amqp.annotation.x-opt-enqueued-time > '1700000000000'`. No filter: the start.
 */
export function parseStartFilter(filter: string | undefined): StartPosition {
  if (filter === undefined || filter.trim() === '') return { kind: 'start' };
  const m = /^\s*amqp\.annotation\.(x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)\s*(>=|>)\s*'?([^']*)'?\s*$/i.exec(filter);
  if (!m) throw new AddressError(`The selector filter '${filter}' is not supported.`);
  const [, field, op, value] = m;
  const inclusive = op === '>=';
  const f = field.toLowerCase();
  if (f === 'x-opt-offset') {
    if (value === '@latest') return { kind: 'latest' };
    if (value === '-1') return { kind: 'start' };
    if (!/^\d{1,18}$/.test(value)) throw new AddressError(`The offset '${value}' is not valid.`);
    return { kind: 'offset', value: Number(value), inclusive };
  }
  if (!/^-?\d{1,18}$/.test(value)) throw new AddressError(`The value '${value}' of ${field} is not a number.`);
  if (f === 'x-opt-sequence-number') return { kind: 'seq', value: Number(value), inclusive };
  return { kind: 'time', value: Number(value) };
}
