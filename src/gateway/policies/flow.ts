// set-variable, choose/when/otherwise, return-response, set-status, set-body, mock-response, trace.
//
// choose: each `when` condition is a bool policy expression (or the literal true/false).
import type { PolicyDefinition, Run, Step, ChildSchema } from '../policy/types.js';
import { statusCode } from '../policy/parse.js';
import { headerNameProblem, headerSetter, setHeaderSchema } from './headers.js';
import { GatewayResponse, type GatewayContext } from '../runtime/context.js';
import { BackendStream } from '../runtime/backend.js';
import { runSteps } from '../runtime/steps.js';
import type { ResponseConfig } from '../config.js';

const ALL = ['inbound', 'backend', 'outbound', 'on-error'] as const;

const setVariable: PolicyDefinition = {
  name: 'set-variable',
  sections: ALL,
  schema: { attrs: { name: { required: true }, value: { required: true, expr: true } } },
  compile(node, c): Run {
    const name = c.attr(node, 'name')!.constant!;
    const value = c.object(node, 'value')!;
    return (ctx) => { ctx.variables.set(name, value(ctx)); };
  },
};

const choose: PolicyDefinition = {
  name: 'choose',
  sections: ALL,
  // `condition` is "Boolean expression | Boolean constant" (the page has no "Policy expressions are allowed" line).
  schema: { children: { when: { attrs: { condition: { required: true, expr: true, type: 'bool' } }, policies: true, min: 1 }, otherwise: { policies: true, max: 1 } } },
  check(node) {
    const last = node.children[node.children.length - 1];
    if (node.children.some((ch) => ch.name === 'otherwise' && ch !== last)) return `The 'otherwise' element must be the last child of 'choose'.`;
    return undefined;
  },
  compile(node, c): Run {
    let whenIndex = 0;
    const branches: { cond: (ctx: GatewayContext) => boolean; steps: Step[] }[] = [];
    let otherwise: Step[] = [];
    for (const ch of node.children) {
      if (ch.name === 'when') branches.push({ cond: c.condition(ch, 'condition'), steps: c.steps(ch, `when[${++whenIndex}]/`) });
      else if (ch.name === 'otherwise') otherwise = c.steps(ch, 'otherwise[1]/');
    }
    return (ctx) => {
      for (const b of branches) if (b.cond(ctx)) return runSteps(b.steps, ctx);
      return runSteps(otherwise, ctx);
    };
  },
};

// ---- responses ----

/** Replaces a response's body, dropping a backend body still streaming in. */
export function replaceBody(r: GatewayResponse, body: string | Buffer): void {
  if (r.body instanceof BackendStream) r.body.discard();
  r.body = body;
  delete r.headers['content-length'];
  delete r.headers['content-encoding'];
}

const statusAttrs: ChildSchema['attrs'] = { code: { required: true, type: 'int', expr: true }, reason: { expr: true } };
const statusSchema: ChildSchema = { attrs: statusAttrs, max: 1 };
const bodySchema: ChildSchema = { attrs: { template: { values: ['none'] }, 'xsi-nil': { values: ['blank', 'null'] } }, text: true, textExpr: true, max: 1 };

const returnResponse: PolicyDefinition = {
  name: 'return-response',
  sections: ALL,
  schema: { attrs: { 'response-variable-name': {} }, children: { 'set-status': statusSchema, 'set-header': setHeaderSchema, 'set-body': bodySchema } },
  check(node) {
    for (const h of node.children) {
      const problem = h.name === 'set-header' ? headerNameProblem(h) : undefined;
      if (problem) return { node: h, message: problem };
    }
    return undefined;
  },
  compile(node, c): Run {
    const variable = c.attr(node, 'response-variable-name')?.constant;
    const statusNode = node.children.find((ch) => ch.name === 'set-status');
    const status = statusNode ? c.read(statusNode, 'code', statusCode) : undefined;
    const reason = statusNode ? c.attr(statusNode, 'reason') : undefined;
    const edits = node.children.filter((ch) => ch.name === 'set-header').map((ch) => headerSetter(ch, c));
    const bodyNode = node.children.find((ch) => ch.name === 'set-body');
    const body = bodyNode ? c.value(bodyNode.text) : undefined;
    return (ctx) => {
      const fromVar = variable ? ctx.variables.get(variable) : undefined;
      const r = fromVar instanceof GatewayResponse
        ? new GatewayResponse(fromVar.status, { ...fromVar.headers }) : new GatewayResponse(200, {});
      if (fromVar instanceof GatewayResponse) r.body = fromVar.body;
      if (status !== undefined) { r.status = status(ctx); r.reason = reason?.(ctx); }
      for (const e of edits) e(r.headers, ctx);
      if (body) r.body = body(ctx);
      if (ctx.response?.body instanceof BackendStream) ctx.response.body.discard();
      ctx.response = r;
      ctx.stopped = true;
    };
  },
};

const setStatus: PolicyDefinition = {
  name: 'set-status',
  sections: ALL,
  schema: { attrs: statusAttrs },
  compile(node, c): Run {
    const code = c.read(node, 'code', statusCode)!;
    const reason = c.attr(node, 'reason');
    const k = code.constant;
    if (k !== undefined) return (ctx) => { const r = ctx.ensureResponse(); r.status = k; r.reason = reason?.(ctx); };
    return (ctx) => { const status = code(ctx); const r = ctx.ensureResponse(); r.status = status; r.reason = reason?.(ctx); };
  },
};

const setBody: PolicyDefinition = {
  name: 'set-body',
  sections: ALL,
  // The page's table is silent on `template`, says "aren't allowed" for xsi-nil; the body is an expression in its examples.
  schema: { attrs: { template: { values: ['none'] }, 'xsi-nil': { values: ['blank', 'null'] } }, text: true, textExpr: true },
  compile(node, c): Run {
    const body = c.value(node.text);
    if (c.section === 'inbound' || c.section === 'backend') {
      return (ctx) => {
        if (!ctx.requestBodyConsumed) { ctx.requestBodyConsumed = true; ctx.req.resume(); }
        ctx.requestBody = Buffer.from(body(ctx));
      };
    }
    return (ctx) => { replaceBody(ctx.ensureResponse(), body(ctx)); };
  },
};

// mock-response answers from the operation's response definitions (ResponseContract): the response with
// the status code, its representation with the content type (none named: the first, whose content type
// the answer takes), and that representation's example; no such example: an empty body. A document at
// API, product or global scope serves many operations, so the answers are compiled per operation with
// the instance (compileMockResponses) and looked up in the request's operation.

export interface MockAnswer {
  /** The representation's content type, as defined. */
  contentType: string;
  body: Buffer;
}

export interface MockStatus {
  /** The first representation's answer (mock-response without content-type). */
  first?: MockAnswer;
  /** By content type, lower-cased; also by media type without parameters (`application/json`). */
  byType: Map<string, MockAnswer>;
}

/** An operation's mock answers by status code. */
export type MockResponses = ReadonlyMap<number, MockStatus>;

const EMPTY = Buffer.alloc(0);
const mediaType = (lowerContentType: string) => lowerContentType.split(';')[0].trim();

/** Precomputes an operation's mock answers: example values serialized once (a string as is, else JSON). */
export function compileMockResponses(responses: readonly ResponseConfig[] | undefined): MockResponses {
  const out = new Map<number, MockStatus>();
  for (const r of responses ?? []) {
    if (out.has(r.statusCode)) continue; // the first definition of a status code wins
    const status: MockStatus = { byType: new Map() };
    for (const rep of r.representations ?? []) {
      if (typeof rep?.contentType !== 'string') continue;
      const value = rep.example?.value;
      const body = rep.example === undefined || value === undefined ? EMPTY
        : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
      const answer: MockAnswer = { contentType: rep.contentType, body };
      status.first ??= answer;
      const key = rep.contentType.trim().toLowerCase();
      if (!status.byType.has(key)) status.byType.set(key, answer);
      if (!status.byType.has(mediaType(key))) status.byType.set(mediaType(key), answer);
    }
    out.set(r.statusCode, status);
  }
  return out;
}

const mockResponse: PolicyDefinition = {
  name: 'mock-response',
  sections: ['inbound', 'outbound', 'on-error'],
  schema: { attrs: { 'status-code': { type: 'int' }, 'content-type': {} } },
  compile(node, c): Run {
    const status = Number(c.attr(node, 'status-code')?.constant ?? 200);
    const contentType = c.attr(node, 'content-type')?.constant;
    const key = contentType?.trim().toLowerCase();
    const essence = key === undefined ? undefined : mediaType(key);
    return (ctx) => {
      const defined = ctx.operation?.mocks.get(status);
      const answer = defined === undefined ? undefined
        : key === undefined ? defined.first : defined.byType.get(key) ?? defined.byType.get(essence!);
      const type = contentType ?? answer?.contentType;
      if (ctx.response?.body instanceof BackendStream) ctx.response.body.discard();
      const r = new GatewayResponse(status, type === undefined ? {} : { 'content-type': type });
      r.body = answer?.body ?? EMPTY;
      ctx.response = r;
      ctx.stopped = true;
    };
  },
};

const trace: PolicyDefinition = {
  name: 'trace',
  sections: ALL,
  schema: {
    attrs: { source: { required: true }, severity: { values: ['verbose', 'information', 'error'] } },
    // metadata's attribute table is silent, but the policy statement reads name="string literal or expressions" value="...".
    children: { message: { text: true, textExpr: true, min: 1, max: 1 }, metadata: { attrs: { name: { required: true, expr: true }, value: { required: true, expr: true } } } },
  },
  compile(node, c): Run {
    const source = c.attr(node, 'source')!;
    const severity = node.attrs.severity?.toLowerCase() ?? 'verbose';
    const message = c.value(node.children.find((ch) => ch.name === 'message')?.text ?? '');
    const metadata = node.children.filter((ch) => ch.name === 'metadata').map((m) => ({ name: c.attr(m, 'name')!, value: c.attr(m, 'value')! }));
    return (ctx) => {
      ctx.trace?.message({
        source: source(ctx), severity, message: message(ctx),
        metadata: Object.fromEntries(metadata.map((m) => [m.name(ctx), m.value(ctx)])),
      });
    };
  },
};

export const flowPolicies: PolicyDefinition[] = [setVariable, choose, returnResponse, setStatus, setBody, mockResponse, trace];
