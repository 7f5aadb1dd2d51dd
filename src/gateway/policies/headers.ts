// set-header, set-query-parameter, check-header.
import type { XNode } from '../policy/xml.js';
import { PolicyError, apimBody, fixed, type CompileContext, type ElementSchema, type PolicyDefinition, type Run, type Value } from '../policy/types.js';
import { bool, headerName, nonEmpty, oneOf, statusCode } from '../policy/parse.js';
import type { GatewayContext } from '../runtime/context.js';
import { isExpression, namedValueRefs } from '../policy/values.js';

export const EXISTS = ['override', 'skip', 'append', 'delete'] as const;
type ExistsAction = (typeof EXISTS)[number];
const existsAction = oneOf(EXISTS);
const OVERRIDE = fixed<ExistsAction>('override');

/** set-header's schema: the policy, and the set-header element of return-response and send-request. */
export const setHeaderSchema: ElementSchema = {
  attrs: { name: { required: true, expr: true }, 'exists-action': { values: EXISTS, expr: true } },
  children: { value: { text: true, textExpr: true } },
};

/** RFC 9110 token characters: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A constant set-header name that is not an HTTP token, refused at PUT (every call through it would
 * fail); a name from an expression or a {{named value}} is checked per call (parse.headerName).
 */
export function headerNameProblem(node: XNode): string | undefined {
  const name = node.attrs.name;
  if (name === undefined || isExpression(name) || namedValueRefs(name).length > 0) return undefined;
  if (name === '') return `The 'name' attribute cannot be empty.`;
  return TOKEN.test(name) ? undefined : `The header name '${name}' format is invalid: a header name is an HTTP token (letters, digits and !#$%&'*+-.^_\`|~).`;
}

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

/**
 * A set-header element compiled: applies it to a header bag. Name and exists-action are precomputed when
 * constant (the usual case), else read per request; a name that is not an HTTP token or an unknown
 * action is the policy's error.
 */
export function headerSetter(node: XNode, c: CompileContext): (bag: Bag, ctx: GatewayContext) => void {
  const name = c.read(node, 'name', headerName)!;
  const action = c.read(node, 'exists-action', existsAction) ?? OVERRIDE;
  const vals = valuesOf(valueChildren(node, c));
  const n = name.constant;
  const a = action.constant;
  if (n !== undefined && a !== undefined) return (bag, ctx) => { applyAction(bag, n, a, vals(ctx)); };
  return (bag, ctx) => { applyAction(bag, name(ctx), action(ctx), vals(ctx)); };
}

const setHeader: PolicyDefinition = {
  name: 'set-header',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  schema: setHeaderSchema,
  check: headerNameProblem,
  compile(node, c): Run {
    const set = headerSetter(node, c);
    if (c.section === 'inbound' || c.section === 'backend') return (ctx) => { set(ctx.headers, ctx); };
    return (ctx) => { set(ctx.ensureResponse().headers, ctx); };
  },
};

const setQueryParameter: PolicyDefinition = {
  name: 'set-query-parameter',
  sections: ['inbound', 'backend'],
  schema: setHeaderSchema,
  compile(node, c): Run {
    const name = c.read(node, 'name', nonEmpty)!;
    const action = c.read(node, 'exists-action', existsAction) ?? OVERRIDE;
    const vals = valuesOf(valueChildren(node, c));
    const apply = (q: URLSearchParams, n: string, a: ExistsAction, ctx: GatewayContext) => {
      const has = q.has(n);
      if (a === 'delete') { q.delete(n); return; }
      if (a === 'skip' && has) return;
      const vs = vals(ctx);
      if (a === 'append' || vs.length === 0) { for (const v of vs) q.append(n, v); return; }
      // override (and skip of an absent one): in place, keeping the parameter's position.
      q.set(n, vs[0]);
      for (let i = 1; i < vs.length; i++) q.append(n, vs[i]);
    };
    const n = name.constant;
    const a = action.constant;
    if (n !== undefined && a !== undefined) return (ctx) => { apply(ctx.query, n, a, ctx); };
    return (ctx) => { apply(ctx.query, name(ctx), action(ctx), ctx); };
  },
};

const exact = (s: string) => s.trim();
const folded = (s: string) => s.trim().toLowerCase();

const checkHeader: PolicyDefinition = {
  name: 'check-header',
  sections: ['inbound'],
  schema: {
    attrs: {
      name: { required: true, expr: true }, 'failed-check-httpcode': { required: true, type: 'int', expr: true },
      'failed-check-error-message': { required: true, expr: true }, 'ignore-case': { required: true, type: 'bool', expr: true },
    },
    // Microsoft's page says "Policy expressions are allowed" for all four attributes but nothing for `value`.
    children: { value: { text: true } },
  },
  check: headerNameProblem,
  compile(node, c): Run {
    const name = c.read(node, 'name', headerName)!;
    const status = c.read(node, 'failed-check-httpcode', statusCode)!;
    const message = c.attr(node, 'failed-check-error-message')!;
    const ignoreCase = c.read(node, 'ignore-case', bool)!;
    const allowed = valuesOf(valueChildren(node, c));
    return (ctx) => {
      const got = ctx.header(name(ctx));
      const norm = ignoreCase(ctx) ? folded : exact;
      const list = allowed(ctx).map(norm);
      const ok = got !== undefined && (list.length === 0 || list.includes(norm(got)) || got.split(',').some((p) => list.includes(norm(p))));
      if (ok) return;
      const msg = message(ctx);
      const code = status(ctx);
      throw new PolicyError(got === undefined ? 'HeaderNotFound' : 'HeaderValueNotAllowed', msg,
        { status: code, headers: { 'content-type': 'application/json' }, body: apimBody(code, msg) });
    };
  },
};

export const headerPolicies: PolicyDefinition[] = [setHeader, setQueryParameter, checkHeader];
