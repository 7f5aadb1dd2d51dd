// Policy documents at the four scopes: service/{svc}/policies/policy (global), products/{p}/policies/policy,
// apis/{api}/policies/policy and apis/{api}/operations/{op}/policies/policy. A PUT is validated by the
// gateway's policy compiler (400 ValidationError naming element and line) and every {{named value}} it
// uses must exist (by display name, as Azure resolves them). The document is stored as given and GET
// returns it as stored (Azure re-formats `xml` documents; this does not); `?format=rawxml` labels it so.
import type { ArmRequest, ResourceTypeRegistration } from '../../../registry.js';
import { isAzureError } from '../../../../common/errors.js';
import { namedValueKey, type PolicyScope } from '../../../../gateway/config.js';
import { resourceKind, type BatchWriter, type ResourceBody, type ResourceKind } from '../../../resource-store.js';
import { PRIVATE, defineApimChild, type ApimChildDeps } from '../child.js';
import { ApimChildErrors, requiredStr, str, validationError } from '../validation.js';
import { fetchLink } from '../import.js';
import { API } from './apis.js';
import { OPERATION } from './operations.js';
import { PRODUCT } from './products.js';
import { NAMED_VALUE } from './named-values.js';

export const POLICY_FORMATS = ['xml', 'rawxml'] as const;
/** Formats whose value is a URL: the document is downloaded at PUT and stored as xml / rawxml. */
const LINK_FORMATS: Record<string, string> = { 'xml-link': 'xml', 'rawxml-link': 'rawxml' };

export interface PolicyProperties {
  format: 'xml' | 'rawxml';
  value: string;
}

/** The named values (display names) and policy fragments a stored policy uses (kept private, for the in-use checks). */
export interface PolicyPrivate { namedValues?: string[]; fragments?: string[] }

interface Scope {
  /** Type under service/: 'policies', 'products/policies', ... */
  path: string;
  kind: PolicyScope['kind'];
  parent?: { kind: ResourceKind<unknown>; entity: string };
}

const SCOPES: Scope[] = [
  { path: 'policies', kind: 'global' },
  { path: 'products/policies', kind: 'product', parent: { kind: PRODUCT, entity: 'Product' } },
  { path: 'apis/policies', kind: 'api', parent: { kind: API, entity: 'Api' } },
  { path: 'apis/operations/policies', kind: 'operation', parent: { kind: OPERATION, entity: 'Operation' } },
];

/** service/policyFragments (policy-fragments.ts): here because a policy's validation reads them. */
export const POLICY_FRAGMENT = resourceKind<PolicyProperties & { description?: string; provisioningState: string }>('Microsoft.ApiManagement/service/policyFragments');

export const POLICY_KINDS = SCOPES.map((s) => resourceKind<PolicyProperties>(`Microsoft.ApiManagement/service/${s.path}`));
export const POLICY_TYPES = POLICY_KINDS.map((k) => k.type);
/** The scope kind of each of POLICY_KINDS, in the same order. */
export const POLICY_SCOPE_KINDS: readonly PolicyScope['kind'][] = SCOPES.map((s) => s.kind);

/** `{{name}}` references of a document: the fallback while the gateway cannot validate. */
export function namedValueReferences(xml: string): string[] {
  return [...new Set([...xml.matchAll(/\{\{([^{}]+)\}\}/g)].map((m) => m[1].trim()))];
}

/** What reads policies: the store, or a batch in progress. */
type Reader = Pick<BatchWriter, 'listOf'>;

/** Policies (any scope) of an instance that use the named value with this display name. */
export async function policiesUsing(reader: Reader, instanceId: string, displayName: string): Promise<string[]> {
  const users: string[] = [];
  for (const kind of POLICY_KINDS) {
    for (const p of await reader.listOf(kind, { under: instanceId })) {
      const used = ((p.body[PRIVATE] as PolicyPrivate | undefined)?.namedValues ?? namedValueReferences(p.body.properties.value));
      if (used.some((u) => namedValueKey(u) === namedValueKey(displayName))) users.push(p.id);
    }
  }
  return users;
}

/** The instance's policy fragments by name (any case): their documents, for include-fragment's checks. */
export async function fragmentDocuments(reader: Reader, instanceId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await reader.listOf(POLICY_FRAGMENT, { parent: instanceId })) out.set(f.body.name.toLowerCase(), f.body.properties.value);
  return out;
}

/**
 * Validates a policy document for a scope with the gateway's compiler (400 ValidationError naming the
 * element and line): every include-fragment names an existing fragment (`fragments`: the instance's,
 * by lower-cased name) whose policies fit where it is included, and every {{named value}} it uses
 * exists. Returns the named values and fragments it uses.
 */
export async function validatePolicyDocument(deps: ApimChildDeps, instanceId: string, xml: string, scope: PolicyScope['kind'],
  fragments?: Map<string, string>): Promise<Required<PolicyPrivate>> {
  const { arm } = deps;
  let used: string[];
  let included: string[];
  const known = fragments ?? await fragmentDocuments(arm.resources, instanceId);
  try {
    ({ namedValues: used, fragments: included } = arm.gateway.validatePolicy(xml, scope, (id) => known.get(id.toLowerCase())));
  } catch (e) {
    if (isAzureError(e)) throw e;
    // A compiler failure that is not a validation error must not let the document through.
    deps.logger.error('policy validation failed unexpectedly', e);
    throw validationError('value', 'The policy document could not be validated.');
  }
  const names = new Set((await arm.resources.listOf(NAMED_VALUE, { parent: instanceId })).map((n) => namedValueKey(n.body.properties.displayName)));
  for (const n of used) {
    if (names.has(namedValueKey(n))) continue;
    // As Azure: "Error in element 'set-header' on line 3, column 10: Cannot find a property 'x'".
    const at = locateReference(xml, n);
    throw at
      ? validationError(at.element, `Error in element '${at.element}' on line ${at.line}, column ${at.column}: Cannot find a property '${n}'`)
      : validationError('value', `Cannot find a property '${n}'`);
  }
  return { namedValues: used, fragments: included };
}

/** `?format=xml|rawxml` on GET and list labels the document so. */
export function presentPolicyLike<P extends { format: string }>(body: ResourceBody<P>, req: ArmRequest): Record<string, unknown> {
  const asked = req.ctx.query.get('format');
  const { [PRIVATE]: _p, ...rest } = body;
  return asked && (POLICY_FORMATS as readonly string[]).includes(asked.toLowerCase())
    ? { ...rest, properties: { ...rest.properties, format: asked.toLowerCase() } } : rest;
}

/** `value` and `format` of a policy-like document; a link format is downloaded. */
export async function documentOf(given: Record<string, unknown>): Promise<PolicyProperties> {
  let value = requiredStr(given, 'value');
  let format = (str(given, 'format') ?? 'xml').toLowerCase();
  if (LINK_FORMATS[format]) {
    value = await fetchLink(value);
    format = LINK_FORMATS[format];
  }
  if (!(POLICY_FORMATS as readonly string[]).includes(format)) {
    throw validationError('format', `Policy format '${format}' is not supported. Supported formats: ${[...POLICY_FORMATS, ...Object.keys(LINK_FORMATS)].join(', ')}.`);
  }
  return { format: format as PolicyProperties['format'], value };
}

/**
 * Policy documents at the four scopes. The document is stored as given and GET returns it as stored
 * (Azure re-formats `xml` documents; this does not); `?format=rawxml` labels it so.
 */
export function policyRegistrations(deps: ApimChildDeps): ResourceTypeRegistration[] {
  return SCOPES.map((scope, k) => defineApimChild(deps, {
    kind: POLICY_KINDS[k], path: scope.path, entity: 'Policy', parent: scope.parent,
    contracts: { create: 'PolicyContract', update: 'PolicyContract' },
    writable: ['value', 'format'],
    checkName(name) {
      if (name.toLowerCase() !== 'policy') throw ApimChildErrors.notFound('Policy');
    },
    async properties({ instance, given }) {
      const properties = await documentOf(given);
      const used = await validatePolicyDocument(deps, instance.id, properties.value, scope.kind);
      return { properties, private: used };
    },
    present: presentPolicyLike,
  }));
}

/**
 * The policy element around the first `{{name}}` (the innermost open element other than a `<value>`),
 * with the 1-based line and column of its '<'.
 */
export function locateReference(xml: string, name: string): { element: string; line: number; column: number } | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ref = new RegExp(`\\{\\{\\s*${escaped}\\s*\\}\\}`).exec(xml);
  if (!ref) return undefined;
  const stack: { name: string; index: number }[] = [];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>/g;
  for (let m = tag.exec(xml); m && m.index < ref.index; m = tag.exec(xml)) {
    if (m.index + m[0].length > ref.index) { stack.push({ name: m[2], index: m.index }); break; } // inside this tag's attributes
    if (m[1]) { const k = stack.map((e) => e.name).lastIndexOf(m[2]); if (k >= 0) stack.length = k; } else if (!m[3]) stack.push({ name: m[2], index: m.index });
  }
  const el = [...stack].reverse().find((e) => e.name !== 'value') ?? stack[stack.length - 1];
  if (!el) return undefined;
  const before = xml.slice(0, el.index).split('\n');
  return { element: el.name, line: before.length, column: before[before.length - 1].length + 1 };
}
