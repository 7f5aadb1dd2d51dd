// ip-filter (Microsoft Learn, "Restrict caller IPs"): allow or forbid the caller's address against single
// addresses and from–to ranges, IPv4 and IPv6. `allow` denies every address not listed, `forbid` allows
// every address not listed; a denied call answers APIM's 403 {"statusCode":403,"message":"Forbidden"}.
// Constant lists compile once to a node:net BlockList (which also matches IPv4-mapped IPv6 callers).
import { BlockList, isIP } from 'node:net';
import type { XNode } from '../policy/xml.js';
import { PolicyError, apimBody, type CompileContext, type PolicyDefinition, type Run, type Value } from '../policy/types.js';
import { oneOf } from '../policy/parse.js';
import { isExpression } from '../policy/values.js';
import type { GatewayContext } from '../runtime/context.js';

const ACTIONS = ['allow', 'forbid'] as const;

/** The caller's address as API Management reports it (context.Request.IpAddress): IPv4-mapped IPv6 unwrapped. */
export function callerIp(ctx: GatewayContext): string {
  return (ctx.req.socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

const family = (ip: string): 'ipv4' | 'ipv6' | undefined => { const f = isIP(ip); return f === 4 ? 'ipv4' : f === 6 ? 'ipv6' : undefined; };

/** A literal address's problem (validation at PUT), or undefined. */
function addressProblem(text: string, what: string): string | undefined {
  if (text.includes('{{') || isExpression(text)) return undefined;
  return family(text.trim()) ? undefined : `${what} '${text.trim()}' is not a valid IPv4 or IPv6 address.`;
}

interface Rule { kind: 'address'; value: Value }
interface RangeRule { kind: 'range'; from: Value; to: Value }

/** Adds one address or range to `list`; false when an address is not an IP address of one family. */
function add(list: BlockList, rule: Rule | RangeRule, ctx: GatewayContext | undefined): boolean {
  const v = (x: Value) => (ctx ? x(ctx) : x.constant!).trim();
  if (rule.kind === 'address') {
    const ip = v(rule.value);
    const f = family(ip);
    if (!f) return false;
    list.addAddress(ip, f);
    return true;
  }
  const from = v(rule.from);
  const to = v(rule.to);
  const f = family(from);
  if (!f || family(to) !== f) return false;
  try { list.addRange(from, to, f); } catch { return false; } // from after to
  return true;
}

const ipFilter: PolicyDefinition = {
  name: 'ip-filter',
  sections: ['inbound'],
  schema: {
    attrs: { action: { required: true, values: ACTIONS, expr: true } },
    children: {
      address: { text: true, textExpr: true },
      'address-range': { attrs: { from: { required: true }, to: { required: true } } },
    },
  },
  check(node: XNode) {
    if (node.children.length === 0) return `At least one 'address' or 'address-range' element is required.`;
    for (const c of node.children) {
      const p = c.name === 'address' ? addressProblem(c.text, 'The address')
        : addressProblem(c.attrs.from ?? '', `The 'from' address`) ?? addressProblem(c.attrs.to ?? '', `The 'to' address`);
      if (p) return { node: c, message: p };
      const literal = c.name === 'address-range' && !/[{@]/.test(`${c.attrs.from ?? ''}${c.attrs.to ?? ''}`);
      if (literal && family((c.attrs.from ?? '').trim()) !== family((c.attrs.to ?? '').trim())) {
        return { node: c, message: `The 'from' and 'to' addresses must be of the same family (IPv4 or IPv6).` };
      }
    }
    return undefined;
  },
  compile(node, c: CompileContext): Run {
    const action = c.read(node, 'action', oneOf(ACTIONS))!;
    const rules: (Rule | RangeRule)[] = node.children.map((ch) => (ch.name === 'address'
      ? { kind: 'address', value: c.value(ch.text) }
      : { kind: 'range', from: c.value(ch.attrs.from), to: c.value(ch.attrs.to) }));
    const constant = rules.every((r) => (r.kind === 'address' ? r.value.constant !== undefined : r.from.constant !== undefined && r.to.constant !== undefined));
    let fixedList: BlockList | undefined;
    if (constant) {
      fixedList = new BlockList();
      // A {{named value}} that is no address matches nobody (allow: everyone is refused; fail closed).
      for (const r of rules) add(fixedList, r, undefined);
    }
    const listed = (ctx: GatewayContext, ip: string): boolean => {
      const f = family(ip);
      if (!f) return false;
      let list = fixedList;
      if (!list) { list = new BlockList(); for (const r of rules) add(list, r, ctx); }
      return list.check(ip, f);
    };
    return (ctx) => {
      const ip = callerIp(ctx);
      const hit = listed(ctx, ip);
      if (action(ctx) === 'allow' ? hit : !hit) return;
      const err = new PolicyError('CallerIpNotAllowed', `Caller IP address ${ip} is not allowed. Access denied.`,
        { status: 403, headers: { 'content-type': 'application/json' }, body: apimBody(403, 'Forbidden') });
      err.source = 'ip-filter';
      throw err;
    };
  },
};

export const ipFilterPolicies: PolicyDefinition[] = [ipFilter];
