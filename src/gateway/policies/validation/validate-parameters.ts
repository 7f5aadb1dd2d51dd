// validate-parameters, validate-headers and validate-status-code (Microsoft Learn: "Validate parameters",
// "Validate headers", "Validate status code"): a request's path, query and header parameters, a
// response's headers and its status code, against what the operation declares (templateParameters,
// request.queryParameters / headers, responses[].statusCode / headers). Declared values are checked for
// one value, their type (integer, number, boolean), their allowed values and, with schemaId + typeName,
// their JSON schema; undeclared ones are judged by the unspecified-… action. Actions cascade: the
// policy's, a group's (headers, query, path), a named parameter's.
import type { XNode } from '../../policy/xml.js';
import { fixed, type CompileContext, type PolicyDefinition, type Read, type Run } from '../../policy/types.js';
import { oneOf } from '../../policy/parse.js';
import type { GatewayContext } from '../../runtime/context.js';
import type { ParameterConfig } from '../../config.js';
import { ACTIONS, INTERNAL, report, type Action, type Issue } from './report.js';
import { SchemaLookupError } from './json-schemas.js';

const action = oneOf(ACTIONS);
const actionAttr = { values: ACTIONS, expr: true } as const;

type Kind = 'path' | 'query' | 'header';
const KIND_WORDS: Record<Kind, { word: string; type: string }> = {
  path: { word: 'path parameter', type: 'PathParameter' },
  query: { word: 'query parameter', type: 'QueryParameter' },
  header: { word: 'header', type: 'RequestHeader' },
};

/** A parameter's value checked against its declaration: the problem, or undefined. */
function valueProblem(ctx: GatewayContext, p: ParameterConfig, value: string, c: CompileContext): string | undefined {
  const type = (p.type ?? 'string').toLowerCase();
  let typed: unknown = value;
  if (type === 'integer' || type === 'int32' || type === 'int64' || type === 'long') {
    if (!/^[-+]?\d+$/.test(value.trim())) return `Invalid type. Expected Integer but got String.`;
    typed = Number(value);
  } else if (type === 'number' || type === 'double' || type === 'float') {
    if (value.trim() === '' || !Number.isFinite(Number(value))) return `Invalid type. Expected Number but got String.`;
    typed = Number(value);
  } else if (type === 'boolean') {
    if (!/^(true|false)$/i.test(value.trim())) return `Invalid type. Expected Boolean but got String.`;
    typed = value.trim().toLowerCase() === 'true';
  }
  if (p.values && p.values.length > 0 && !p.values.includes(value)) return `Value is not defined in enum.`;
  if (p.schemaId && p.typeName) {
    const table = c.services.schemas;
    if (!table) throw new SchemaLookupError('ApiSchema', `API's schema does not exist or it could not be resolved.`);
    return table.forApi(ctx.api.name, p.schemaId, p.typeName, {})(typed);
  }
  return undefined;
}

const isArrayType = (p: ParameterConfig) => (p.type ?? '').toLowerCase() === 'array';

interface Group { specified?: Read<Action>; unspecified?: Read<Action>; byName: Map<string, Read<Action>> }

function group(node: XNode | undefined, c: CompileContext, names: 'ci' | 'cs', specifiedAttr: string, unspecifiedAttr: string): Group {
  const byName = new Map<string, Read<Action>>();
  for (const p of node?.children ?? []) byName.set(names === 'ci' ? p.attrs.name.toLowerCase() : p.attrs.name, c.read(p, 'action', action) ?? fixed<Action>('ignore'));
  return { specified: node ? c.read(node, specifiedAttr, action) : undefined, unspecified: node ? c.read(node, unspecifiedAttr, action) : undefined, byName };
}

/**
 * Checks a set of actual values against declarations: issues for undeclared names (unspecified action),
 * several values for a single-valued one, and values that do not fit their declaration.
 */
function checkValues(ctx: GatewayContext, c: CompileContext, kind: Kind, response: boolean, actual: Map<string, string[]>, declared: ParameterConfig[],
  specified: Action, unspecified: Action, override: (name: string) => Action | undefined, issues: Issue[]): void {
  const { word, type } = response ? { word: 'header', type: 'ResponseHeader' } : KIND_WORDS[kind];
  const ci = kind === 'header';
  const decl = new Map(declared.map((p) => [ci ? p.name.toLowerCase() : p.name, p]));
  const who = response ? 'Response' : 'Request';
  const pub = (m: string) => (response ? INTERNAL : m);
  for (const [name, values] of actual) {
    const p = decl.get(ci ? name.toLowerCase() : name);
    const act = override(ci ? name.toLowerCase() : name) ?? (p ? specified : unspecified);
    if (act === 'ignore') continue;
    if (!p) {
      const m = `Unspecified ${word} ${name} is not allowed.`;
      issues.push({ name, type, rule: 'Unspecified', details: m, public: pub(m), action: act });
      continue;
    }
    if (values.length > 1 && !isArrayType(p)) {
      const m = `${who} cannot contain multiple values for the ${word} ${name}.`;
      issues.push({ name, type, rule: 'IncorrectMessage', details: m, public: pub(m), action: act });
      continue;
    }
    for (const v of isArrayType(p) ? [] : values) {
      let problem: string | undefined;
      try {
        problem = valueProblem(ctx, p, v, c);
      } catch (e) {
        if (!(e instanceof SchemaLookupError)) throw e;
        const m = e.rule === 'MissingDefinition' ? `${e.message}, which is associated with the ${word} ${name}.` : e.message;
        issues.push({ name: e.rule === 'MissingDefinition' ? name : '', type: e.rule === 'MissingDefinition' ? type : 'ApiSchema', rule: e.rule === 'MissingDefinition' ? 'MissingDefinition' : '', details: m, public: INTERNAL, action: act });
        continue;
      }
      if (problem === undefined) continue;
      const m = `Value of the ${word} ${name} does not conform to the definition. ${problem}`;
      issues.push({ name, type, rule: 'IncorrectMessage', details: m, public: response ? INTERNAL : `The value of the ${word} ${name} does not conform to the definition. ${problem}`, action: act });
    }
  }
}

const headerValues = (h: Record<string, string | string[] | undefined>, skip: Set<string>): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || skip.has(k.toLowerCase())) continue;
    // A list header arrives as one value joined by commas; several lines of it count as several values.
    out.set(k, Array.isArray(v) ? v : [v]);
  }
  return out;
};

const validateParameters: PolicyDefinition = {
  name: 'validate-parameters',
  sections: ['inbound'],
  schema: {
    attrs: { 'specified-parameter-action': { required: true, ...actionAttr }, 'unspecified-parameter-action': { required: true, ...actionAttr }, 'errors-variable-name': {} },
    children: {
      headers: { attrs: { 'specified-parameter-action': actionAttr, 'unspecified-parameter-action': actionAttr }, children: { parameter: { attrs: { name: { required: true }, action: { required: true, ...actionAttr } } } }, max: 1 },
      query: { attrs: { 'specified-parameter-action': actionAttr, 'unspecified-parameter-action': actionAttr }, children: { parameter: { attrs: { name: { required: true }, action: { required: true, ...actionAttr } } } }, max: 1 },
      path: { attrs: { 'specified-parameter-action': actionAttr }, children: { parameter: { attrs: { name: { required: true }, action: { required: true, ...actionAttr } } } }, max: 1 },
    },
  },
  compile(node, c): Run {
    const specified = c.read(node, 'specified-parameter-action', action)!;
    const unspecified = c.read(node, 'unspecified-parameter-action', action)!;
    const errorsVariable = c.attr(node, 'errors-variable-name')?.constant;
    const child = (n: string) => node.children.find((ch) => ch.name === n);
    const groups: Record<Kind, Group> = {
      header: group(child('headers'), c, 'ci', 'specified-parameter-action', 'unspecified-parameter-action'),
      query: group(child('query'), c, 'cs', 'specified-parameter-action', 'unspecified-parameter-action'),
      path: group(child('path'), c, 'cs', 'specified-parameter-action', 'unspecified-parameter-action'),
    };
    return (ctx) => {
      const op = ctx.operation.config;
      const issues: Issue[] = [];
      const top = { specified: specified(ctx), unspecified: unspecified(ctx) };
      const run = (kind: Kind, actual: Map<string, string[]>, declared: ParameterConfig[]) => {
        const g = groups[kind];
        checkValues(ctx, c, kind, false, actual, declared, g.specified?.(ctx) ?? top.specified, g.unspecified?.(ctx) ?? top.unspecified,
          (name) => g.byName.get(name)?.(ctx), issues);
      };
      // Path: the template's parameters (those in its path; the others are query-template ones).
      const pathNames = new Set(ctx.operation.route.pathNames);
      const templ = op.templateParameters ?? [];
      const matched = ctx.matchedParameters ?? {};
      run('path', new Map(Object.entries(matched).filter(([k]) => pathNames.has(k)).map(([k, v]) => [k, [v]])), templ.filter((t) => pathNames.has(t.name)));
      // Query: the request's, but the subscription key; declared: request.queryParameters and query-template parameters.
      const query = new Map<string, string[]>();
      for (const [k, v] of ctx.query) if (k !== ctx.api.keyQuery) query.set(k, [...(query.get(k) ?? []), v]);
      run('query', query, [...(op.request?.queryParameters ?? []), ...templ.filter((t) => !pathNames.has(t.name))]);
      // Headers: the request's, but the subscription key and the trace switch (the gateway's own).
      run('header', headerValues(ctx.headers, new Set([ctx.api.keyHeader, 'ocp-apim-trace'])), op.request?.headers ?? []);
      report(ctx, 'validate-parameters', issues, errorsVariable);
    };
  },
};

const validateHeaders: PolicyDefinition = {
  name: 'validate-headers',
  sections: ['outbound', 'on-error'],
  schema: {
    attrs: { 'specified-header-action': { required: true, ...actionAttr }, 'unspecified-header-action': { required: true, ...actionAttr }, 'errors-variable-name': {} },
    children: { header: { attrs: { name: { required: true }, action: { required: true, ...actionAttr } } } },
  },
  compile(node, c): Run {
    const specified = c.read(node, 'specified-header-action', action)!;
    const unspecified = c.read(node, 'unspecified-header-action', action)!;
    const errorsVariable = c.attr(node, 'errors-variable-name')?.constant;
    const byName = new Map(node.children.map((h) => [h.attrs.name.toLowerCase(), c.read(h, 'action', action) ?? fixed<Action>('ignore')]));
    return (ctx) => {
      const r = ctx.ensureResponse();
      const declared = (ctx.operation?.config.responses ?? []).find((x) => x.statusCode === r.status)?.headers ?? [];
      const issues: Issue[] = [];
      checkValues(ctx, c, 'header', true, headerValues(r.headers, new Set()), declared, specified(ctx), unspecified(ctx), (n) => byName.get(n)?.(ctx), issues);
      report(ctx, 'validate-headers', issues, errorsVariable);
    };
  },
};

const validateStatusCode: PolicyDefinition = {
  name: 'validate-status-code',
  sections: ['outbound', 'on-error'],
  schema: {
    attrs: { 'unspecified-status-code-action': { required: true, ...actionAttr }, 'errors-variable-name': {} },
    children: { 'status-code': { attrs: { code: { required: true, type: 'int' }, action: { required: true, ...actionAttr } } } },
  },
  check(node) {
    for (const s of node.children) {
      const n = Number(s.attrs.code);
      if (!(n >= 100 && n <= 599)) return { node: s, message: `The 'code' attribute has an invalid value '${s.attrs.code}': an HTTP status code (100-599) is expected.` };
    }
    return undefined;
  },
  compile(node, c): Run {
    const unspecified = c.read(node, 'unspecified-status-code-action', action)!;
    const errorsVariable = c.attr(node, 'errors-variable-name')?.constant;
    const byCode = new Map(node.children.map((s) => [Number(s.attrs.code), c.read(s, 'action', action) ?? fixed<Action>('ignore')]));
    return (ctx) => {
      const status = ctx.ensureResponse().status;
      const declared = (ctx.operation?.config.responses ?? []).some((x) => x.statusCode === status);
      // A status-code element sets the action for its code; a declared code is allowed.
      const act = byCode.get(status)?.(ctx) ?? (declared ? 'ignore' : unspecified(ctx));
      if (act === 'ignore') return;
      const m = `Response status code ${status} is not allowed.`;
      report(ctx, 'validate-status-code', [{ name: String(status), type: 'StatusCode', rule: 'Unspecified', details: m, public: INTERNAL, action: act }], errorsVariable);
    };
  },
};

export const validateParameterPolicies: PolicyDefinition[] = [validateParameters, validateHeaders, validateStatusCode];
