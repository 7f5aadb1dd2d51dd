// IP networks as az's keyvault commands compare them (Python's ipaddress.ip_network): an address is a
// /32 (IPv4) or /128 (IPv6) network; a network with host bits set is refused; two rules are the same
// when they are the same network, and overlap when one holds the other's first address.
import net from 'node:net';
import { CliError } from '../errors.js';

export interface IpNetwork { family: 4 | 6; start: bigint; bits: number }

function ipv4(addr: string): bigint {
  return addr.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6(addr: string): bigint {
  let text = addr;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** ip_network(value): refuses what Python refuses, with its message. */
export function parseNetwork(value: string): IpNetwork {
  const [addr, bitsText, extra] = value.trim().split('/');
  const family = net.isIP(addr);
  const bad = () => new CliError(`'${value}' does not appear to be an IPv4 or IPv6 network`);
  if (family === 0 || extra !== undefined) throw bad();
  const max = family === 4 ? 32 : 128;
  if (bitsText !== undefined && !/^\d+$/.test(bitsText)) throw bad();
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (bits > max) throw bad();
  const start = family === 4 ? ipv4(addr) : ipv6(addr);
  const hostMask = (1n << BigInt(max - bits)) - 1n;
  if ((start & hostMask) !== 0n) throw new CliError(`${value} has host bits set`);
  return { family: family as 4 | 6, start, bits };
}

const contains = (a: IpNetwork, addr: bigint): boolean => {
  const max = a.family === 4 ? 32 : 128;
  const shift = BigInt(max - a.bits);
  return (addr >> shift) === (a.start >> shift);
};

export const sameNetwork = (a: IpNetwork, b: IpNetwork): boolean => a.family === b.family && a.start === b.start && a.bits === b.bits;

export const overlaps = (a: IpNetwork, b: IpNetwork): boolean => a.family === b.family && (contains(a, b.start) || contains(b, a.start));
