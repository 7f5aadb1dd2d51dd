// API import: an OpenAPI 3 (or Swagger 2) document given inline (`openapi+json`, `openapi`: JSON or
// YAML; `swagger-json`) or by link (`openapi+json-link`, `openapi-link`, `swagger-link-json`) becomes
// the API's title, description and service URL, and one operation per path and method (operationId →
// operation name, as API Management names them), with its request and responses: representations per
// content type, and their examples (what mock-response answers).
import { validationError } from './validation.js';

export const IMPORT_FORMATS = ['openapi+json', 'openapi', 'swagger-json', 'openapi+json-link', 'openapi-link', 'swagger-link-json'] as const;

export interface ImportedOperation {
  name: string;
  properties: Record<string, unknown>;
}

export interface ImportedApi {
  title?: string;
  description?: string;
  serviceUrl?: string;
  operations: ImportedOperation[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const LINK_TIMEOUT_MS = 10_000;

const invalid = (why: string) => validationError('value', `Parsing error(s): ${why}`);

/** Reads the import's document (fetching links) and translates it. */
export async function importDocument(format: string, value: string): Promise<ImportedApi> {
  const f = format.toLowerCase();
  if (!(IMPORT_FORMATS as readonly string[]).includes(f)) {
    throw validationError('format', `Format '${format}' is not supported. Supported formats: ${IMPORT_FORMATS.join(', ')}.`);
  }
  let text = value;
  if (f.endsWith('-link') || f === 'swagger-link-json') text = await fetchLink(value);
  // yaml is loaded for a YAML import only.
  const parseYaml = f.includes('json') ? undefined : (await import('yaml')).parse;
  let doc: unknown;
  try {
    doc = parseYaml === undefined ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw invalid(e instanceof Error ? e.message.split('\n')[0] : 'the document is not valid JSON or YAML.');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalid('the document is not an object.');
  const d = doc as Record<string, any>;
  const isOpenApi3 = typeof d.openapi === 'string' && d.openapi.startsWith('3.');
  const isSwagger2 = d.swagger === '2.0';
  if (f.startsWith('openapi') && !isOpenApi3) throw invalid("the document is not an OpenAPI 3 document ('openapi: 3.x').");
  if (f.startsWith('swagger') && !isSwagger2) throw invalid("the document is not a Swagger 2.0 document ('swagger: \"2.0\"').");
  return translate(d, isOpenApi3);
}

/** Downloads a document given by link (imports, policy documents `xml-link` / `rawxml-link`). */
export async function fetchLink(url: string): Promise<string> {
  if (!/^https?:\/\//i.test(url)) throw validationError('value', `'${url}' is not an absolute http(s) URL.`);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(LINK_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`the link answered ${res.status}.`);
    return await res.text();
  } catch (e) {
    throw validationError('value', `Unable to download the document from '${url}': ${e instanceof Error ? e.message : String(e)}`);
  }
}

function translate(d: Record<string, any>, openApi3: boolean): ImportedApi {
  const info = (d.info ?? {}) as Record<string, unknown>;
  let serviceUrl: string | undefined;
  if (openApi3) {
    const server = Array.isArray(d.servers) ? d.servers.find((s: any) => typeof s?.url === 'string' && /^https?:\/\//i.test(s.url)) : undefined;
    serviceUrl = server ? expandServerVariables(server.url, server.variables) : undefined;
  } else if (typeof d.host === 'string') {
    const scheme = Array.isArray(d.schemes) && d.schemes.includes('https') ? 'https' : (Array.isArray(d.schemes) && d.schemes[0]) || 'https';
    serviceUrl = `${scheme}://${d.host}${typeof d.basePath === 'string' ? d.basePath : ''}`;
  }
  const operations: ImportedOperation[] = [];
  const used = new Set<string>();
  const paths = (d.paths ?? {}) as Record<string, any>;
  for (const [path, item] of Object.entries(paths)) {
    if (item === null || typeof item !== 'object') continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (op === null || typeof op !== 'object') continue;
      const params = [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])].map((p: any) => resolveRef(d, p)).filter((p: any) => p && typeof p.name === 'string');
      const paramType = (p: any) => String(p.schema?.type ?? p.type ?? 'string');
      const pathParams = params.filter((p: any) => p.in === 'path');
      const queryParams = params.filter((p: any) => p.in === 'query');
      const headerParams = params.filter((p: any) => p.in === 'header');
      let name = typeof op.operationId === 'string' && op.operationId !== '' ? sanitize(op.operationId) : sanitize(`${method}-${path}`);
      for (let n = 2; used.has(name.toLowerCase()); n++) name = `${name}-${n}`;
      used.add(name.toLowerCase());
      const templateNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const toParam = (p: any) => ({
        name: p.name, type: paramType(p), required: !!p.required, values: Array.isArray(p.schema?.enum ?? p.enum) ? (p.schema?.enum ?? p.enum).map(String) : [],
        ...(typeof p.description === 'string' ? { description: p.description } : {}),
      });
      operations.push({
        name,
        properties: {
          displayName: (typeof op.summary === 'string' && op.summary) || (typeof op.operationId === 'string' && op.operationId) || `${path} - ${method.toUpperCase()}`,
          method: method.toUpperCase(),
          urlTemplate: path,
          ...(typeof op.description === 'string' ? { description: op.description.slice(0, 1000) } : {}),
          templateParameters: templateNames.map((t) => {
            const p = pathParams.find((x: any) => x.name === t);
            return p ? { ...toParam(p), required: true } : { name: t, type: 'string', required: true, values: [] };
          }),
          request: { queryParameters: queryParams.map(toParam), headers: headerParams.map(toParam), representations: requestRepresentations(d, op, openApi3) },
          responses: Object.entries((op.responses ?? {}) as Record<string, any>).filter(([code]) => /^\d{3}$/.test(code)).map(([code, ref]) => {
            const r = resolveRef(d, ref);
            return {
              statusCode: Number(code),
              description: typeof r?.description === 'string' ? r.description : '',
              representations: openApi3 ? contentRepresentations(d, r?.content) : swaggerResponseRepresentations(d, op, r),
              headers: [],
            };
          }),
        },
      });
    }
  }
  return {
    title: typeof info.title === 'string' ? info.title : undefined,
    description: typeof info.description === 'string' ? info.description : undefined,
    serviceUrl,
    operations,
  };
}

interface Representation {
  contentType: string;
  examples?: Record<string, Record<string, unknown>>;
}

function requestRepresentations(d: Record<string, any>, op: any, openApi3: boolean): Representation[] {
  if (openApi3) return contentRepresentations(d, resolveRef(d, op.requestBody)?.content);
  return Array.isArray(op.consumes) ? op.consumes.map((contentType: string) => ({ contentType })) : [];
}

/**
 * OpenAPI 3 media types (`content`) as representations, with their examples as API Management stores them
 * (ParameterExampleContract by name): `example` becomes `default`, `examples` keep their names ($ref resolved).
 */
function contentRepresentations(d: Record<string, any>, content: unknown): Representation[] {
  if (content === null || typeof content !== 'object' || Array.isArray(content)) return [];
  return Object.entries(content as Record<string, unknown>).map(([contentType, raw]) => {
    const media = resolveRef(d, raw);
    const entries: [string, Record<string, unknown>][] = [];
    if (media !== null && typeof media === 'object') {
      if (media.example !== undefined) entries.push(['default', { value: media.example }]);
      if (media.examples !== null && typeof media.examples === 'object' && !Array.isArray(media.examples)) {
        for (const [name, ref] of Object.entries(media.examples as Record<string, unknown>)) {
          const e = resolveRef(d, ref);
          if (e === null || typeof e !== 'object' || entries.some(([n]) => n === name)) continue;
          entries.push([name, {
            ...(typeof e.summary === 'string' ? { summary: e.summary } : {}),
            ...(typeof e.description === 'string' ? { description: e.description } : {}),
            ...(e.value !== undefined ? { value: e.value } : {}),
            ...(typeof e.externalValue === 'string' ? { externalValue: e.externalValue } : {}),
          }]);
        }
      }
    }
    const examples = Object.fromEntries(entries);
    return Object.keys(examples).length > 0 ? { contentType, examples } : { contentType };
  });
}

/**
 * Swagger 2: a response with a schema or examples has a representation per MIME type the operation
 * produces (`produces`, else the document's), and per MIME type of its `examples`, whose example for that
 * type becomes `default`.
 */
function swaggerResponseRepresentations(d: Record<string, any>, op: any, response: any): Representation[] {
  if (response === null || typeof response !== 'object') return [];
  const examples = response.examples !== null && typeof response.examples === 'object' && !Array.isArray(response.examples)
    ? response.examples as Record<string, unknown> : {};
  if (response.schema === undefined && Object.keys(examples).length === 0) return [];
  const produces = Array.isArray(op.produces) ? op.produces : Array.isArray(d.produces) ? d.produces : [];
  const types: string[] = [];
  for (const t of [...produces, ...Object.keys(examples)]) if (typeof t === 'string' && !types.includes(t)) types.push(t);
  return types.map((contentType) => (Object.hasOwn(examples, contentType) && examples[contentType] !== undefined
    ? { contentType, examples: { default: { value: examples[contentType] } } } : { contentType }));
}

/** `$ref: '#/components/parameters/x'` within the document; anything else as is. */
function resolveRef(doc: Record<string, any>, value: any): any {
  if (!value || typeof value !== 'object' || typeof value.$ref !== 'string' || !value.$ref.startsWith('#/')) return value;
  let cur: any = doc;
  for (const part of value.$ref.slice(2).split('/')) cur = cur?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return cur;
}

function expandServerVariables(url: string, variables: unknown): string {
  const vars = (variables ?? {}) as Record<string, { default?: unknown }>;
  return url.replace(/\{([^}]+)\}/g, (m, n) => (vars[n]?.default !== undefined ? String(vars[n].default) : m)).replace(/\/$/, '');
}

/** An operation name API Management accepts: characters of its identifier pattern, at most 80. */
function sanitize(s: string): string {
  const cleaned = s.replace(/[{}]/g, '').replace(/[^A-Za-z0-9_.~-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return (cleaned || 'operation').slice(0, 80);
}
