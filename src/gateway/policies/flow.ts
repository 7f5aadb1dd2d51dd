// set-variable, choose/when/otherwise, return-response, set-status, set-body, mock-response, trace.
//
// choose: each `when` condition is a bool policy expression (or the literal true/false).
import { PolicyError, type CompileContext, type PolicyDefinition, type Run, type Step, type ChildSchema } from '../policy/types.js';
import { XML_ESCAPES, writeContent, type Escapes, type XNode } from '../policy/xml.js';
import { parseLiquid, renderLiquid } from '../transform/liquid.js';
import { bodyScope, contextScope } from '../transform/liquid-scope.js';
import { contentType, isRequestSection, readBody, writeBody } from '../transform/message.js';
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

const statusAttrs: ChildSchema['attrs'] = { code: { required: true, type: 'int', expr: true }, reason: { expr: true } };
const statusSchema: ChildSchema = { attrs: statusAttrs, max: 1 };

const isLiquid = (node: XNode) => (node.attrs.template ?? '').trim().toLowerCase() === 'liquid';

/**
 * set-body (set-body reference page): template ("liquid"; none: the body as written), xsi-nil and
 * parse-date ("Policy expressions aren't allowed"); the body is text, a policy expression, XML (the
 * element's content as written), or a Liquid template, whose {{...}} are Liquid's, not named values.
 */
const setBodySchema: ChildSchema = {
  attrs: { template: { values: ['liquid', 'none'] }, 'xsi-nil': { values: ['blank', 'null'] }, 'parse-date': { type: 'bool' } },
  text: true, textExpr: true, anyContent: true, template: isLiquid,
};
const bodySchema: ChildSchema = { ...setBodySchema, max: 1 };

/** Liquid markup ({{ ... }}, {% ... %}) is the template's own: written as is, the XML around it escaped. */
const LIQUID_MARKUP = /(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\})/;
const outsideMarkup = (esc: (s: string) => string) => (s: string) => s.split(LIQUID_MARKUP).map((part, i) => (i % 2 === 1 ? part : esc(part))).join('');
const LIQUID_ESCAPES: Escapes = { text: outsideMarkup(XML_ESCAPES.text), attr: outsideMarkup(XML_ESCAPES.attr) };

/** A template's source: the text as written, or, with XML in it, the content as XML. */
const templateSource = (node: XNode) => (node.children.length === 0 ? node.text : writeContent(node, undefined, LIQUID_ESCAPES));

/** A set-body whose Liquid template does not parse: the document's error at PUT, with Liquid's message. */
function liquidProblem(node: XNode): { node: XNode; message: string } | undefined {
  if (!isLiquid(node)) return undefined;
  try { parseLiquid(templateSource(node)); } catch (e) {
    return { node, message: `The Liquid template could not be parsed: ${(e as Error).message}` };
  }
  return undefined;
}

/**
 * A set-body element compiled: the new body for a request. `input`: where a Liquid template reads `body`
 * (the section's message), or none (inside return-response the template's input is empty, as the
 * set-body page says).
 */
function bodyOf(node: XNode, c: CompileContext, input: 'request' | 'response' | 'none'): (ctx: GatewayContext) => string | Promise<string> {
  if (isLiquid(node)) {
    let template: ReturnType<typeof parseLiquid>;
    try { template = parseLiquid(templateSource(node)); } catch (e) {
      const message = `The Liquid template of 'set-body' could not be parsed: ${(e as Error).message}`;
      return () => { throw new PolicyError('LiquidTemplateInvalid', message); };
    }
    const xsiNil = (node.attrs['xsi-nil'] ?? 'blank').trim().toLowerCase() === 'null' ? 'null' : 'blank';
    const parseDates = (node.attrs['parse-date'] ?? 'true').trim().toLowerCase() !== 'false';
    const render = (ctx: GatewayContext, raw: Buffer | undefined, type: string) => {
      const body = raw === undefined ? '' : bodyScope(raw.toString('utf8'), type, xsiNil, parseDates);
      try {
        return renderLiquid(template, { context: contextScope(ctx, raw !== undefined && raw.length > 0), body });
      } catch (e) {
        throw new PolicyError('LiquidTemplateRenderFailed', `The Liquid template of 'set-body' could not be rendered: ${(e as Error).message}`);
      }
    };
    if (input === 'none') return (ctx) => render(ctx, undefined, '');
    const request = input === 'request';
    return async (ctx) => render(ctx, await readBody(ctx, request), contentType(ctx, request));
  }
  if (node.children.length > 0) {
    const xml = writeContent(node, (s) => c.substitute(s)).trim();
    return () => xml;
  }
  return c.value(node.text);
}

const returnResponse: PolicyDefinition = {
  name: 'return-response',
  sections: ALL,
  schema: { attrs: { 'response-variable-name': {} }, children: { 'set-status': statusSchema, 'set-header': setHeaderSchema, 'set-body': bodySchema } },
  check(node) {
    for (const h of node.children) {
      const problem = h.name === 'set-header' ? headerNameProblem(h) : undefined;
      if (problem) return { node: h, message: problem };
    }
    const body = node.children.find((ch) => ch.name === 'set-body');
    return body ? liquidProblem(body) : undefined;
  },
  compile(node, c): Run {
    const variable = c.attr(node, 'response-variable-name')?.constant;
    const statusNode = node.children.find((ch) => ch.name === 'set-status');
    const status = statusNode ? c.read(statusNode, 'code', statusCode) : undefined;
    const reason = statusNode ? c.attr(statusNode, 'reason') : undefined;
    const edits = node.children.filter((ch) => ch.name === 'set-header').map((ch) => headerSetter(ch, c));
    const bodyNode = node.children.find((ch) => ch.name === 'set-body');
    const body = bodyNode ? bodyOf(bodyNode, c, 'none') : undefined;
    return (ctx) => {
      const fromVar = variable ? ctx.variables.get(variable) : undefined;
      const r = fromVar instanceof GatewayResponse
        ? new GatewayResponse(fromVar.status, { ...fromVar.headers }) : new GatewayResponse(200, {});
      if (fromVar instanceof GatewayResponse) r.body = fromVar.body;
      if (status !== undefined) { r.status = status(ctx); r.reason = reason?.(ctx); }
      for (const e of edits) e(r.headers, ctx);
      if (body) r.body = body(ctx) as string;
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
  schema: setBodySchema,
  check: liquidProblem,
  compile(node, c): Run {
    const request = isRequestSection(c.section);
    const body = bodyOf(node, c, request ? 'request' : 'response');
    return (ctx) => {
      const b = body(ctx);
      if (typeof b === 'string') { writeBody(ctx, request, b); return; }
      return b.then((text) => { writeBody(ctx, request, text); });
    };
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
    children: { message: { text: true, textExpr: true, max: 1 }, metadata: { attrs: { name: { required: true, expr: true }, value: { required: true, expr: true } } } },
    // The older form, still accepted by Azure: the message as the element's text (`<trace source="x">text</trace>`).
    text: true, textExpr: true,
  },
  check(node) {
    const hasMessage = node.children.some((ch) => ch.name === 'message');
    const hasText = node.text.trim() !== '';
    if (hasMessage && hasText) return `The element 'trace' has both a 'message' element and text: give the message once.`;
    if (!hasMessage && !hasText) return `The element 'trace' must contain a 'message' element.`;
    return undefined;
  },
  compile(node, c): Run {
    const source = c.attr(node, 'source')!;
    const severity = node.attrs.severity?.toLowerCase() ?? 'verbose';
    const messageNode = node.children.find((ch) => ch.name === 'message');
    const message = c.value(messageNode ? messageNode.text : node.text.trim());
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
