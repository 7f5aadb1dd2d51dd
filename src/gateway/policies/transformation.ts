// Transformation policies (Microsoft's policy reference, "Transformation"): set-method, json-to-xml,
// xml-to-json, find-and-replace, redirect-content-urls, xsl-transform, cross-domain, jsonp. set-body
// (with Liquid templates and XML content) is in flow.ts with the other response builders.
//
// Each works on the message of its section (transform/message.ts): the request in inbound and backend,
// the response in outbound and on-error.
import { Xslt, XmlParser } from 'xslt-processor';
import type { XNode } from '../policy/xml.js';
import { writeContent, writeElement } from '../policy/xml.js';
import { PolicyError, fixed, type PolicyDefinition, type Run } from '../policy/types.js';
import { bool, oneOf, text } from '../policy/parse.js';
import type { GatewayContext } from '../runtime/context.js';
import { ConversionError, jsonToXml, xmlToJson } from '../transform/json-xml.js';
import { contentType, isJsonType, isRequestSection, isXmlType, mediaTypes, readBody, setContentType, writeBody } from '../transform/message.js';
import { parseXml } from '../expressions/dotnet/xml.js';

// ---- set-method ----

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const setMethod: PolicyDefinition = {
  name: 'set-method',
  // set-method reference page: inbound, on-error; "Policy expressions are allowed" for the method.
  sections: ['inbound', 'on-error'],
  schema: { text: true, textExpr: true },
  check: (node) => (node.text.trim() === '' ? `The element 'set-method' must contain the HTTP method.` : undefined),
  compile(node, c): Run {
    const method = c.value(node.text.trim());
    const parse = (m: string) => {
      const t = m.trim();
      if (!METHOD.test(t)) throw new PolicyError('ExpressionValueEvaluationFailure', `Expression evaluation failed. The method '${m}' is not a valid HTTP method.`);
      return t;
    };
    if (method.constant !== undefined) {
      const m = method.constant;
      return (ctx) => { ctx.method = parse(m); };
    }
    return (ctx) => { ctx.method = parse(method(ctx)); };
  },
};

// ---- json-to-xml / xml-to-json ----

const requestedBy = (ctx: GatewayContext, wanted: (t: string) => boolean) => mediaTypes(ctx.header('accept')).some(wanted);

/**
 * Whether a conversion applies: `apply` always, or only when the message's Content-Type is of the source
 * kind; with consider-accept-header (default true), only when the client's Accept asks for the target kind.
 */
function applies(ctx: GatewayContext, request: boolean, apply: string, considerAccept: boolean, source: (t: string) => boolean, target: (t: string) => boolean): boolean {
  if (apply !== 'always' && !mediaTypes(contentType(ctx, request)).some(source)) return false;
  return !considerAccept || requestedBy(ctx, target);
}

const CONVERSION_SECTIONS = ['inbound', 'outbound', 'on-error'] as const;

const jsonToXmlPolicy: PolicyDefinition = {
  name: 'json-to-xml',
  sections: CONVERSION_SECTIONS,
  schema: {
    attrs: {
      apply: { required: true, values: ['always', 'content-type-json'], expr: true },
      'consider-accept-header': { type: 'bool', expr: true },
      // "Policy expressions aren't allowed."
      'parse-date': { type: 'bool' },
      'namespace-separator': { expr: true },
      'namespace-prefix': { expr: true },
      'attribute-block-name': { expr: true },
    },
  },
  compile(node, c): Run {
    const request = isRequestSection(c.section);
    const apply = c.read(node, 'apply', oneOf(['always', 'content-type-json']))!;
    const accept = c.read(node, 'consider-accept-header', bool) ?? fixed(true);
    const parseDate = (node.attrs['parse-date'] ?? 'true').trim().toLowerCase() !== 'false';
    const separator = c.read(node, 'namespace-separator', text);
    const prefix = c.read(node, 'namespace-prefix', text);
    const block = c.read(node, 'attribute-block-name', text);
    return async (ctx) => {
      if (!applies(ctx, request, apply(ctx), accept(ctx), isJsonType, isXmlType)) return;
      const body = (await readBody(ctx, request)).toString('utf8');
      if (body.trim() === '') return;
      let xml: string;
      try {
        xml = jsonToXml(body, { parseDate, namespaceSeparator: separator?.(ctx), namespacePrefix: prefix?.(ctx), attributeBlockName: block?.(ctx) });
      } catch (e) {
        if (e instanceof ConversionError) throw new PolicyError('JsonToXmlConversionFailed', e.message);
        throw e;
      }
      writeBody(ctx, request, xml);
      setContentType(ctx, request, 'application/xml');
    };
  },
};

const xmlToJsonPolicy: PolicyDefinition = {
  name: 'xml-to-json',
  sections: CONVERSION_SECTIONS,
  schema: {
    attrs: {
      kind: { required: true, values: ['javascript-friendly', 'direct'], expr: true },
      apply: { required: true, values: ['always', 'content-type-xml'], expr: true },
      'consider-accept-header': { type: 'bool', expr: true },
      'always-array-child-elements': { type: 'bool', expr: true },
    },
  },
  compile(node, c): Run {
    const request = isRequestSection(c.section);
    const kind = c.read(node, 'kind', oneOf(['javascript-friendly', 'direct'] as const))!;
    const apply = c.read(node, 'apply', oneOf(['always', 'content-type-xml'] as const))!;
    const accept = c.read(node, 'consider-accept-header', bool) ?? fixed(true);
    const arrays = c.read(node, 'always-array-child-elements', bool) ?? fixed(false);
    return async (ctx) => {
      if (!applies(ctx, request, apply(ctx), accept(ctx), isXmlType, isJsonType)) return;
      const body = (await readBody(ctx, request)).toString('utf8');
      if (body.trim() === '') return;
      let json: string;
      try {
        json = xmlToJson(body, { kind: kind(ctx), alwaysArrayChildElements: arrays(ctx) });
      } catch (e) {
        if (e instanceof ConversionError) throw new PolicyError('XmlToJsonConversionFailed', e.message);
        throw e;
      }
      writeBody(ctx, request, json);
      setContentType(ctx, request, 'application/json');
    };
  },
};

// ---- find-and-replace ----

const findAndReplace: PolicyDefinition = {
  name: 'find-and-replace',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  schema: { attrs: { from: { required: true, expr: true }, to: { required: true, expr: true } } },
  compile(node, c): Run {
    const request = isRequestSection(c.section);
    const from = c.attr(node, 'from')!;
    const to = c.attr(node, 'to')!;
    return async (ctx) => {
      const f = from(ctx);
      // String.Replace refuses an empty string to look for.
      if (f === '') throw new PolicyError('ExpressionValueEvaluationFailure', `String cannot be of zero length. (Parameter 'oldValue')`);
      const body = (await readBody(ctx, request)).toString('utf8');
      writeBody(ctx, request, body.split(f).join(to(ctx)));
    };
  },
};

// ---- redirect-content-urls ----

/** The API's address on the gateway, as the client called it: scheme and Host, then the API's path. */
const gatewayBase = (ctx: GatewayContext) => `${ctx.secure ? 'https' : 'http'}://${ctx.host}${ctx.api.prefix ? `/${ctx.api.prefix}` : ''}`;
const backendBase = (ctx: GatewayContext) => `${ctx.backendOrigin}${ctx.backendBasePath}`;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const redirectContentUrls: PolicyDefinition = {
  name: 'redirect-content-urls',
  sections: ['inbound', 'outbound'],
  oncePerSection: true,
  schema: {},
  compile(_node, c): Run {
    const request = isRequestSection(c.section);
    return async (ctx) => {
      // Outbound: links to the backend point to the gateway; inbound: the opposite.
      const [from, to] = request ? [gatewayBase(ctx), backendBase(ctx)] : [backendBase(ctx), gatewayBase(ctx)];
      if (from === '' || from === to) return;
      const body = (await readBody(ctx, request)).toString('utf8');
      // Scheme and host are case-insensitive; the path is compared as written.
      writeBody(ctx, request, body.replace(new RegExp(escapeRegex(from), 'gi'), to));
    };
  },
};

// ---- xsl-transform ----

const STYLESHEETS = ['xsl:stylesheet', 'xsl:transform'];

const xslTransform: PolicyDefinition = {
  name: 'xsl-transform',
  sections: ['inbound', 'outbound'],
  schema: {
    children: {
      // The page's statement names the attribute parameter-name, its example name: either is taken.
      parameter: { attrs: { name: { expr: true }, 'parameter-name': { expr: true } }, text: true, textExpr: true },
      'xsl:stylesheet': { anyContent: true, max: 1 },
      'xsl:transform': { anyContent: true, max: 1 },
    },
  },
  check(node) {
    const sheets = node.children.filter((ch) => STYLESHEETS.includes(ch.name));
    if (sheets.length !== 1) return `The element 'xsl-transform' must contain one 'xsl:stylesheet' element.`;
    for (const p of node.children.filter((ch) => ch.name === 'parameter')) {
      const n = ['name', 'parameter-name'].filter((a) => p.attrs[a] !== undefined).length;
      if (n !== 1) return { node: p, message: `Exactly one of the 'name' and 'parameter-name' attributes must be given.` };
    }
    try {
      parseXml(writeElement(sheets[0]));
    } catch (e) {
      return { node: sheets[0], message: `The stylesheet is not well-formed XML: ${(e as Error).message}` };
    }
    return undefined;
  },
  compile(node, c): Run {
    const request = isRequestSection(c.section);
    const sheet = node.children.find((ch) => STYLESHEETS.includes(ch.name))!;
    const source = writeElement(sheet, (s) => c.substitute(s));
    const params = node.children.filter((ch) => ch.name === 'parameter').map((p) => ({
      name: c.attr(p, 'name') ?? c.attr(p, 'parameter-name')!,
      value: c.value(p.text),
    }));
    return async (ctx) => {
      const body = (await readBody(ctx, request)).toString('utf8');
      try {
        parseXml(body); // well-formedness first: xslt-processor's own parser is lenient
      } catch (e) {
        throw new PolicyError('XslTransformationFailed', `The body is not well-formed XML: ${(e as Error).message}`);
      }
      const parser = new XmlParser();
      const xslt = new Xslt({
        escape: true,
        parameters: params.map((p) => ({ name: p.name(ctx), value: p.value(ctx) })),
        // No xsl:import/xsl:include or document() reaches out of the gateway.
        fetchFunction: async (uri) => { throw new Error(`External stylesheets are not loaded: ${uri}`); },
        documentLoader: () => null,
      });
      xslt.warningsCallback = () => {};
      let out: string;
      try {
        out = await xslt.xsltProcess(parser.xmlParse(body), parser.xmlParse(source));
      } catch (e) {
        throw new PolicyError('XslTransformationFailed', `The XSL transformation failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      writeBody(ctx, request, out);
    };
  },
};

// ---- cross-domain ----

const crossDomain: PolicyDefinition = {
  name: 'cross-domain',
  // cross-domain reference page: inbound, global scope. What it configures is answered at /crossdomain.xml
  // (CompiledInstance.crossDomain), not by this step.
  sections: ['inbound'],
  scopes: ['global'],
  schema: { anyContent: true },
  compile(): Run { return () => {}; },
};

/** The crossdomain.xml a global policy's cross-domain element configures, or undefined. */
export function crossDomainFile(doc: XNode, substitute: (s: string) => string): string | undefined {
  const inbound = doc.children.find((s) => s.name === 'inbound');
  const policy = inbound?.children.find((p) => p.name === 'cross-domain');
  if (!policy) return undefined;
  const body = writeContent(policy, substitute).trim();
  return `<?xml version="1.0"?>\n${body}`;
}

// ---- jsonp ----

/** A callback that is a JavaScript name path (a.b.c, $x, f[0]), so it cannot inject script. */
const CALLBACK = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\])*$/;

const jsonp: PolicyDefinition = {
  name: 'jsonp',
  sections: ['outbound'],
  oncePerSection: true,
  schema: { attrs: { 'callback-parameter-name': { required: true, expr: true } } },
  compile(node, c): Run {
    const param = c.attr(node, 'callback-parameter-name')!;
    return async (ctx) => {
      const raw = ctx.req.url ?? '';
      const q = raw.indexOf('?');
      const callback = q < 0 ? null : new URLSearchParams(raw.slice(q + 1)).get(param(ctx));
      // Without the parameter the answer is plain JSON (the page's example); a callback that is not a
      // name is not reflected into script.
      if (!callback || !CALLBACK.test(callback)) return;
      const body = (await readBody(ctx, false)).toString('utf8');
      writeBody(ctx, false, `${callback}(${body})`);
      setContentType(ctx, false, 'application/javascript; charset=utf-8');
    };
  },
};

export const transformationPolicies: PolicyDefinition[] = [
  setMethod, jsonToXmlPolicy, xmlToJsonPolicy, findAndReplace, redirectContentUrls, xslTransform, crossDomain, jsonp,
];
