// set-header, set-query-parameter, check-header.
import type { XNode } from '../policy/xml.js';
import { PolicyError, apimBody, type CompileContext, type PolicyDefinition, type Run, type Value } from '../policy/types.js';
import type { GatewayContext } from '../runtime/context.js';

const EXISTS = ['override', 'skip', 'append', 'delete'] as const;
type ExistsAction = (typeof EXISTS)[number];

const valueChildren = (node: XNode, c: CompileContext): Value[] =>
  node.children.filter((ch) => ch.name === 'value').map((ch) => c.value(ch.text));

/** All values when constant (precomputed once), else computed per request. */
function valuesOf(values: Value[]): (ctx: GatewayContext) => string[] {
  if (values.every((v) => v.constant !== undefined)) {
    const fixed = values.map((v) => v.constant!);
    return () => fixed;
  }
  return (ctx) => values.map((v) => v(ctx));
}

type Bag = Record<string, string | string[] | undefined>;

function applyAction(bag: Bag, name: string, action: ExistsAction, vals: string[]): void {
  const prev = bag[name];
  switch (action) {
    case 'delete': delete bag[name]; return;
    case 'skip': if (prev !== undefined) return; break;
    case 'append':
      if (prev !== undefined) { bag[name] = [...(Array.isArray(prev) ? prev : [prev]), ...vals]; return; }
      break;
    default: break;
  }
  bag[name] = vals.length === 1 ? vals[0] : vals.length === 0 ? '' : [...vals];
}

const setHeader: PolicyDefinition = {
  name: 'set-header',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  schema: { attrs: { name: { required: true, expr: 'pending' }, 'exists-action': { values: EXISTS, expr: 'pending' } }, children: { value: { text: true, textExpr: true } } },
  compile(node, c): Run {
    const name = c.attr(node, 'name')!.constant!.toLowerCase();
    const action = (node.attrs['exists-action']?.toLowerCase() ?? 'override') as ExistsAction;
    const vals = valuesOf(valueChildren(node, c));
    if (c.section === 'inbound' || c.section === 'backend') {
      return (ctx) => { applyAction(ctx.headers, name, action, vals(ctx)); };
    }
    return (ctx) => { applyAction(ctx.ensureResponse().headers, name, action, vals(ctx)); };
  },
};

const setQueryParameter: PolicyDefinition = {
  name: 'set-query-parameter',
  sections: ['inbound', 'backend'],
  schema: { attrs: { name: { required: true, expr: 'pending' }, 'exists-action': { values: EXISTS, expr: 'pending' } }, children: { value: { text: true, textExpr: true } } },
  compile(node, c): Run {
    const name = c.attr(node, 'name')!.constant!;
    const action = (node.attrs['exists-action']?.toLowerCase() ?? 'override') as ExistsAction;
    const vals = valuesOf(valueChildren(node, c));
    return (ctx) => {
      const q = ctx.query;
      const has = q.has(name);
      if (action === 'delete') { q.delete(name); return; }
      if (action === 'skip' && has) return;
      const vs = vals(ctx);
      if (action === 'append' || vs.length === 0) { for (const v of vs) q.append(name, v); return; }
      // override (and skip of an absent one): in place, keeping the parameter's position.
      q.set(name, vs[0]);
      for (let i = 1; i < vs.length; i++) q.append(name, vs[i]);
    };
  },
};

const checkHeader: PolicyDefinition = {
  name: 'check-header',
  sections: ['inbound'],
  schema: {
    attrs: {
      name: { required: true, expr: 'pending' }, 'failed-check-httpcode': { required: true, type: 'int', expr: 'pending' },
      'failed-check-error-message': { required: true, expr: true }, 'ignore-case': { required: true, type: 'bool', expr: 'pending' },
    },
    // Microsoft's page says "Policy expressions are allowed" for all four attributes but nothing for `value`.
    children: { value: { text: true } },
  },
  compile(node, c): Run {
    const name = c.attr(node, 'name')!.constant!.toLowerCase();
    const status = Number(c.attr(node, 'failed-check-httpcode')!.constant);
    const message = c.attr(node, 'failed-check-error-message')!;
    const ignoreCase = c.attr(node, 'ignore-case')!.constant!.toLowerCase() === 'true';
    const allowed = valuesOf(valueChildren(node, c));
    const norm = (s: string) => (ignoreCase ? s.trim().toLowerCase() : s.trim());
    return (ctx) => {
      const got = ctx.header(name);
      const list = allowed(ctx).map(norm);
      const ok = got !== undefined && (list.length === 0 || list.includes(norm(got)) || got.split(',').some((p) => list.includes(norm(p))));
      if (ok) return;
      const msg = message(ctx);
      throw new PolicyError(got === undefined ? 'HeaderNotFound' : 'HeaderValueNotAllowed', msg,
        { status, headers: { 'content-type': 'application/json' }, body: apimBody(status, msg) });
    };
  },
};

export const headerPolicies: PolicyDefinition[] = [setHeader, setQueryParameter, checkHeader];
