// validate-content (Microsoft Learn, "Validate content"): the size of a request's or response's body
// (max-size against Content-Length, or the body's length when there is none; at most 4 MB), whether its
// content type is one the API specifies, and its content against a JSON schema: the API definition's
// (the operation's representation for that content type: schemaId + typeName, in `apis/{api}/schemas`)
// or the instance's global schema `schema-id` (at `schema-ref`); or against an XML schema (validate-as
// "xml": the whole body; "soap": the content of the SOAP envelope's Body), the API definition's (the
// representation's schemaId) or the global `schema-id`, with any top-level element of the schema as the
// root (xml-schemas.ts). schema-ref is for JSON only; allow-additional-properties and
// case-insensitive-property-names are JSON's ("For a JSON schema") and have no effect on XML.
import type { XNode } from '../../policy/xml.js';
import { fixed, type CompileContext, type PolicyDefinition, type Read, type Run } from '../../policy/types.js';
import { bool, intAtLeast, oneOf } from '../../policy/parse.js';
import { bufferRequestBody } from '../routing.js';
import { BackendStream } from '../../runtime/backend.js';
import type { GatewayContext } from '../../runtime/context.js';
import type { RepresentationConfig } from '../../config.js';
import { ACTIONS, INTERNAL, checksResponse, report, type Action, type Issue } from './report.js';
import { SchemaLookupError, type JsonCheck, type SchemaOverrides } from './json-schemas.js';
import { loadLibxml, type XmlCheck } from './xml-schemas.js';

/** The largest max-size API Management accepts. */
export const MAX_CONTENT_SIZE = 4 * 1024 * 1024;
const action = oneOf(ACTIONS);
const VALIDATE_AS = ['json', 'xml', 'soap'] as const;

interface ContentRule {
  type: string | undefined;
  as: (typeof VALIDATE_AS)[number];
  action: Read<Action>;
  schemaId: string | undefined;
  schemaRef: string | undefined;
  overrides: SchemaOverrides;
}

interface TypeMapping { from?: string; when?: (ctx: GatewayContext) => boolean; to: string }

const mediaType = (v: string | string[] | undefined): string => (Array.isArray(v) ? v[0] : v ?? '').split(';')[0].trim().toLowerCase();

/**
 * A chunked request body read only up to `limit` bytes (size-exceeded-action="prevent": a client cannot
 * make the gateway hold more than the limit): the body, or how many bytes had come when reading stopped.
 */
function readRequestUpTo(ctx: GatewayContext, limit: number): Promise<{ body: Buffer } | { over: number }> {
  return new Promise((resolve, reject) => {
    const req = ctx.req;
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (d: Buffer) => {
      size += d.length;
      if (size > limit) { req.off('data', onData); req.off('end', onEnd); req.pause(); resolve({ over: size }); return; }
      chunks.push(d);
    };
    const onEnd = () => {
      const body = Buffer.concat(chunks);
      ctx.requestBodyConsumed = true;
      ctx.requestBody = body;
      resolve({ body });
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

/** Line and position (1-based) of character `index` in `text`, as Newtonsoft reports them. */
function lineAndPosition(text: string, index: number): { line: number; position: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; start = i + 1; }
  return { line, position: index - start + 1 };
}

/** JSON.parse, or the syntax error in APIM's form ("... Line: n, Position: m"). */
function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(msg);
    const { line, position } = lineAndPosition(text, at ? Number(at[1]) : text.length);
    return { error: `${msg.replace(/ in JSON at position \d+.*$/, '')}. Line: ${line}, Position: ${position}` };
  }
}

const validateContent: PolicyDefinition = {
  name: 'validate-content',
  sections: ['inbound', 'outbound', 'on-error'],
  schema: {
    attrs: {
      'unspecified-content-type-action': { required: true, values: ACTIONS, expr: true },
      'max-size': { required: true, type: 'int', expr: true },
      'size-exceeded-action': { required: true, values: ACTIONS, expr: true },
      'errors-variable-name': {},
    },
    children: {
      'content-type-map': {
        attrs: { 'any-content-type-value': {}, 'missing-content-type-value': {} },
        children: { type: { attrs: { from: {}, when: { expr: true, type: 'bool' }, to: { required: true } } } },
        max: 1,
      },
      content: {
        attrs: {
          type: {}, 'validate-as': { required: true, values: VALIDATE_AS }, 'schema-id': {}, 'schema-ref': {},
          action: { required: true, values: ACTIONS, expr: true },
          'allow-additional-properties': { type: 'bool' }, 'case-insensitive-property-names': { type: 'bool' },
        },
      },
    },
  },
  check(node) {
    const max = node.attrs['max-size'];
    if (max !== undefined && /^\s*\d+\s*$/.test(max) && Number(max) > MAX_CONTENT_SIZE) {
      return `The 'max-size' attribute has an invalid value '${max}': the maximum allowed value is ${MAX_CONTENT_SIZE} bytes (4 MB).`;
    }
    for (const ch of node.children) {
      if (ch.name === 'content-type-map') {
        for (const t of ch.children) {
          if ((t.attrs.from === undefined) === (t.attrs.when === undefined)) return { node: t, message: `Exactly one of the 'from' and 'when' attributes must be given.` };
        }
      }
      if (ch.name !== 'content') continue;
      const as = (ch.attrs['validate-as'] ?? '').toLowerCase();
      // "For an XML schema, schema-ref isn't supported."
      if ((as === 'xml' || as === 'soap') && ch.attrs['schema-ref'] !== undefined) return { node: ch, message: `The 'schema-ref' attribute is supported only with validate-as="json"; with an XML schema any top-level element is a valid root.` };
      if (ch.attrs['schema-ref'] !== undefined && ch.attrs['schema-id'] === undefined) return { node: ch, message: `The 'schema-ref' attribute needs a 'schema-id'.` };
      const ref = ch.attrs['schema-ref'];
      if (ref !== undefined && !/^#(\/.*)?$/.test(ref)) return { node: ch, message: `The 'schema-ref' attribute must be a local JSON pointer such as '#/components/schemas/address'.` };
    }
    const types = node.children.filter((c) => c.name === 'content').map((c) => (c.attrs.type ?? '').toLowerCase());
    const dup = types.find((t, i) => types.indexOf(t) !== i);
    if (dup !== undefined) return `Two 'content' elements are for the same content type '${dup || '(any)'}'.`;
    return undefined;
  },
  compile(node: XNode, c: CompileContext): Run {
    const unspecified = c.read(node, 'unspecified-content-type-action', action)!;
    const maxSize = c.read(node, 'max-size', intAtLeast(0, 'max-size'))!;
    const sizeAction = c.read(node, 'size-exceeded-action', action)!;
    const errorsVariable = c.attr(node, 'errors-variable-name')?.constant;
    const map = node.children.find((ch) => ch.name === 'content-type-map');
    const anyType = map?.attrs['any-content-type-value']?.toLowerCase();
    const missingType = map?.attrs['missing-content-type-value']?.toLowerCase();
    const mappings: TypeMapping[] = (map?.children ?? []).map((t) => ({
      from: t.attrs.from?.toLowerCase(), when: t.attrs.when !== undefined ? c.condition(t, 'when') : undefined, to: t.attrs.to.toLowerCase(),
    }));
    const rules: ContentRule[] = node.children.filter((ch) => ch.name === 'content').map((ch) => ({
      type: ch.attrs.type ? ch.attrs.type.toLowerCase() : undefined,
      as: (ch.attrs['validate-as'] ?? 'json').toLowerCase() as ContentRule['as'],
      action: c.read(ch, 'action', action) ?? fixed<Action>('ignore'),
      schemaId: ch.attrs['schema-id'],
      schemaRef: ch.attrs['schema-ref'],
      overrides: {
        additionalProperties: ch.attrs['allow-additional-properties'] !== undefined ? bool(ch.attrs['allow-additional-properties']) : undefined,
        caseInsensitive: ch.attrs['case-insensitive-property-names'] !== undefined ? bool(ch.attrs['case-insensitive-property-names']) : undefined,
      },
    }));
    // libxml2 (WebAssembly) loads in the background as soon as a policy validates XML.
    if (rules.some((r) => r.as !== 'json')) loadLibxml().catch(() => undefined);
    const response = checksResponse(c.section);
    const what = response ? 'response' : 'request';
    const Type = response ? 'ResponseBody' : 'RequestBody';
    const publicOr = (m: string) => (response ? INTERNAL : m);

    /** The content type validation uses: the type map's first match, else any/missing, else the header's. */
    const mapped = (ctx: GatewayContext, media: string): string => {
      for (const m of mappings) if (m.from !== undefined ? m.from === media : m.when!(ctx)) return m.to;
      if (anyType) return anyType;
      if (media === '' && missingType) return missingType;
      return media;
    };
    const representations = (ctx: GatewayContext): RepresentationConfig[] => {
      const op = ctx.operation?.config;
      if (!op) return [];
      if (!response) return op.request?.representations ?? [];
      const status = ctx.response?.status ?? 200;
      return (op.responses ?? []).find((r) => r.statusCode === status)?.representations ?? [];
    };
    const readBody = async (ctx: GatewayContext): Promise<Buffer> => {
      if (!response) return bufferRequestBody(ctx);
      const r = ctx.ensureResponse();
      if (r.body instanceof BackendStream) r.body = await r.body.readAll(MAX_CONTENT_SIZE + 1);
      return typeof r.body === 'string' ? Buffer.from(r.body) : r.body ?? Buffer.alloc(0);
    };
    /** The issue that a rule's schema cannot be used. */
    const lookupIssue = (e: SchemaLookupError, type: string): Omit<Issue, 'action'> => {
      const details = e.rule === 'MissingDefinition' ? `${e.message}, which is associated with the content type ${type}.` : e.message;
      return { name: e.rule === 'MissingDefinition' ? type : '', type: e.rule === 'MissingDefinition' ? Type : 'ApiSchema', rule: e.rule === 'MissingDefinition' ? 'MissingDefinition' : '', details, public: INTERNAL };
    };
    /** The JSON validator of a content rule for a content type, or the issue that there is none. */
    const checker = (ctx: GatewayContext, rule: ContentRule, type: string, reps: RepresentationConfig[]): { check: JsonCheck; definition: string } | Omit<Issue, 'action'> => {
      const table = c.services.schemas;
      try {
        if (!table) throw new SchemaLookupError('ApiSchema', `API's schema does not exist or it could not be resolved.`);
        if (rule.schemaId !== undefined) {
          return { check: table.forGlobal(rule.schemaId, rule.schemaRef, rule.overrides), definition: rule.schemaRef ? `${rule.schemaId}${rule.schemaRef}` : rule.schemaId };
        }
        const rep = reps.find((r) => r.contentType.toLowerCase() === type);
        if (!rep?.schemaId || !rep.typeName) throw new SchemaLookupError('ApiSchema', `API's schema does not exist or it could not be resolved.`);
        return { check: table.forApi(ctx.api.name, rep.schemaId, rep.typeName, rule.overrides), definition: rep.typeName };
      } catch (e) {
        if (!(e instanceof SchemaLookupError)) throw e;
        return lookupIssue(e, type);
      }
    };
    /** The XML validator of a content rule: the global schema-id's, else the representation's API schema. */
    const xmlChecker = async (ctx: GatewayContext, rule: ContentRule, type: string, reps: RepresentationConfig[]): Promise<{ check: XmlCheck; definition: string } | Omit<Issue, 'action'>> => {
      const table = c.services.xmlSchemas;
      try {
        if (!table) throw new SchemaLookupError('ApiSchema', `API's schema does not exist or it could not be resolved.`);
        if (rule.schemaId !== undefined) return { check: await table.forGlobal(rule.schemaId), definition: rule.schemaId };
        const rep = reps.find((r) => r.contentType.toLowerCase() === type);
        if (!rep?.schemaId) throw new SchemaLookupError('ApiSchema', `API's schema does not exist or it could not be resolved.`);
        return { check: await table.forApi(ctx.api.name, rep.schemaId), definition: rep.typeName ?? rep.schemaId };
      } catch (e) {
        if (!(e instanceof SchemaLookupError)) throw e;
        return lookupIssue(e, type);
      }
    };

    return async (ctx) => {
      const headers = response ? ctx.ensureResponse().headers : ctx.headers;
      const media = mediaType(headers['content-type']);
      const type = mapped(ctx, media);
      const issues: Issue[] = [];
      // 1. Size: Content-Length, or the body's length when the body comes without one.
      const limit = maxSize(ctx);
      const declared = headers['content-length'];
      let size = typeof declared === 'string' && /^\d+$/.test(declared) ? Number(declared) : undefined;
      let body: Buffer | undefined;
      if (size === undefined) {
        if (!response && ctx.requestBody === undefined && sizeAction(ctx) === 'prevent') {
          const got = await readRequestUpTo(ctx, limit);
          if ('over' in got) size = got.over; else { body = got.body; size = body.length; }
        } else {
          body = await readBody(ctx);
          size = body.length;
        }
      }
      if (size > limit) {
        const details = `${what === 'request' ? 'Request' : 'Response'}'s body is ${size} bytes long and it exceeds the configured limit of ${limit} bytes.`;
        issues.push({ name: '', type: Type, rule: 'SizeLimit', details, public: publicOr(`Request's body is ${size} bytes long and it exceeds the limit of ${limit} bytes.`), action: sizeAction(ctx) });
        // Content beyond the limit is not validated.
        report(ctx, 'validate-content', issues, errorsVariable);
        return;
      }
      if (size === 0 && media === '') return; // no body: nothing to validate
      // 2. Content type: one the API specifies (or a content element names), else unspecified-content-type-action.
      const reps = representations(ctx);
      const rule = rules.find((r) => (r.type !== undefined ? r.type === type : reps.some((rep) => rep.contentType.toLowerCase() === type)));
      if (!rule && !reps.some((rep) => rep.contentType.toLowerCase() === type)) {
        const m = `Unspecified content type ${type || media} is not allowed.`;
        issues.push({ name: type || media, type: Type, rule: 'Unspecified', details: m, public: publicOr(m), action: unspecified(ctx) });
      }
      // 3. Content against its schema.
      const act = rule?.action(ctx);
      if (rule && act !== 'ignore') {
        body ??= await readBody(ctx);
        const found = rule.as === 'json' ? checker(ctx, rule, type, reps) : await xmlChecker(ctx, rule, type, reps);
        if (!('check' in found)) {
          issues.push({ ...found, action: act! });
        } else if (rule.as !== 'json') {
          const lead = `Body of the ${what} does not conform to the definition ${found.definition}, which is associated with the content type ${type}.`;
          const problem = (found.check as XmlCheck)(body, rule.as === 'soap');
          if (problem !== undefined) issues.push({ name: type, type: Type, rule: 'IncorrectMessage', details: `${lead} ${problem}`, public: publicOr(`${lead} ${problem}`), action: act! });
        } else {
          const lead = `Body of the ${what} does not conform to the definition ${found.definition}, which is associated with the content type ${type}.`;
          const parsed = parseJson(body.toString('utf8'));
          const problem = 'error' in parsed ? parsed.error : (found.check as JsonCheck)(parsed.value);
          if (problem !== undefined) issues.push({ name: type, type: Type, rule: 'IncorrectMessage', details: `${lead} ${problem}`, public: publicOr(`${lead} ${problem}`), action: act! });
        }
      }
      report(ctx, 'validate-content', issues, errorsVariable);
    };
  },
};

export const validateContentPolicies: PolicyDefinition[] = [validateContent];
