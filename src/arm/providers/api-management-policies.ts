// Policy documents at the four scopes: service/{svc}/policies/policy (global), products/{p}/policies/policy,
// apis/{api}/policies/policy and apis/{api}/operations/{op}/policies/policy. A PUT is validated by the
// gateway's policy compiler (400 ValidationError naming element and line) and every {{named value}} it
// uses must exist (by display name, as Azure resolves them). The document is stored as given and GET
// returns it as stored (Azure re-formats `xml` documents; this does not); `?format=rawxml` labels it so.
import type { ArmRequest, ResourceTypeRegistration } from '../registry.js';
import { isAzureError } from '../../common/errors.js';
import type { PolicyScope } from '../../gateway/config.js';
import {
  ApimChildErrors, PRIVATE, childType, deleteChild, instanceIdOf, propertiesOf, requireEntity, requireInstance,
  storeChild, str, validationError, type ApimChildDeps,
} from './api-management-common.js';
import { NAMED_VALUE_TYPE } from './api-management-keyvault-refresh.js';
import { fetchLink } from './api-management-import.js';

export const POLICY_FORMATS = ['xml', 'rawxml'] as const;
/** Formats whose value is a URL: the document is downloaded at PUT and stored as xml / rawxml. */
const LINK_FORMATS: Record<string, string> = { 'xml-link': 'xml', 'rawxml-link': 'rawxml' };

interface Scope {
  /** Type under service/: 'policies', 'products/policies', ... */
  type: string;
  kind: PolicyScope['kind'];
  /** The entity the policy hangs off (404 when missing), undefined for global. */
  parentEntity?: string;
}

const SCOPES: Scope[] = [
  { type: 'policies', kind: 'global' },
  { type: 'products/policies', kind: 'product', parentEntity: 'Product' },
  { type: 'apis/policies', kind: 'api', parentEntity: 'Api' },
  { type: 'apis/operations/policies', kind: 'operation', parentEntity: 'Operation' },
];

export const POLICY_TYPES = SCOPES.map((s) => `Microsoft.ApiManagement/service/${s.type}`);

/** `{{name}}` references of a document: the fallback while the gateway cannot validate. */
export function namedValueReferences(xml: string): string[] {
  return [...new Set([...xml.matchAll(/\{\{([^{}]+)\}\}/g)].map((m) => m[1].trim()))];
}

export function policyRegistrations(deps: ApimChildDeps): ResourceTypeRegistration[] {
  const { arm } = deps;

  async function parent(req: ArmRequest, scope: Scope) {
    await requireInstance(deps, req);
    if (scope.parentEntity) await requireEntity(deps, req.target.scope, scope.parentEntity);
    if (req.target.name!.toLowerCase() !== 'policy') throw ApimChildErrors.notFound('Policy');
  }

  /** The gateway validates; the named values it names must exist. Returns them. */
  async function validate(req: ArmRequest, xml: string, scope: Scope): Promise<string[]> {
    let used: string[];
    try {
      used = arm.gateway.validatePolicy(xml, scope.kind).namedValues;
    } catch (e) {
      if (isAzureError(e)) throw e;
      // The gateway's compiler is not available: accept the document, still tracking its named values.
      deps.logger.error('policy validation is unavailable; the document is stored without validation', e);
      used = namedValueReferences(xml);
    }
    const instanceId = instanceIdOf(req.target.id);
    const known = new Set((await arm.resources.list({ parent: instanceId, type: NAMED_VALUE_TYPE })).map((n) => String(n.body.properties.displayName)));
    for (const n of used) {
      if (known.has(n)) continue;
      // As Azure: "Error in element 'set-header' on line 3, column 10: Cannot find a property 'x'".
      const at = locateReference(xml, n);
      throw at
        ? validationError(at.element, `Error in element '${at.element}' on line ${at.line}, column ${at.column}: Cannot find a property '${n}'`)
        : validationError('value', `Cannot find a property '${n}'`);
    }
    return used;
  }

  const present = (body: Record<string, any>, req: ArmRequest) => {
    const asked = req.ctx.query.get('format');
    const { [PRIVATE]: _p, ...rest } = body;
    return asked && (POLICY_FORMATS as readonly string[]).includes(asked.toLowerCase())
      ? { ...rest, properties: { ...rest.properties, format: asked.toLowerCase() } } : rest;
  };

  return SCOPES.map((scope) => {
    const fullType = `Microsoft.ApiManagement/service/${scope.type}`;
    return childType(scope.type, {
      async get(req) {
        await parent(req, scope);
        const r = await arm.resources.get(req.target.id);
        if (!r) throw ApimChildErrors.notFound('Policy');
        return { status: 200, body: present(r.body, req), headers: { etag: r.etag } };
      },
      async put(req) {
        await parent(req, scope);
        const props = propertiesOf(req, 'PolicyContract', ['value', 'format']);
        let value = str(props, 'value', { required: true })!;
        let format = (str(props, 'format') ?? 'xml').toLowerCase();
        if (LINK_FORMATS[format]) {
          value = await fetchLink(value);
          format = LINK_FORMATS[format];
        }
        if (!(POLICY_FORMATS as readonly string[]).includes(format)) {
          throw validationError('format', `Policy format '${format}' is not supported. Supported formats: ${[...POLICY_FORMATS, ...Object.keys(LINK_FORMATS)].join(', ')}.`);
        }
        const namedValues = await validate(req, value, scope);
        const doc = { id: req.target.id, type: fullType, name: 'policy', properties: { format, value }, [PRIVATE]: { namedValues } };
        const r = await storeChild(deps, req, doc, { ifMatch: req.ctx.req.headers['if-match'] as string | undefined });
        return { ...r, body: present(doc, req) };
      },
      async delete(req) {
        await parent(req, scope);
        return deleteChild(deps, req, await arm.resources.get(req.target.id));
      },
      async list(req) {
        await requireInstance(deps, req);
        if (scope.parentEntity) await requireEntity(deps, req.target.scope, scope.parentEntity);
        const items = await arm.resources.list({ parent: req.target.scope, type: fullType });
        return { status: 200, body: { value: items.map((i) => present(i.body, req)), count: items.length } };
      },
    });
  });
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

/** Policies (any scope) of an instance that use the named value with this display name. */
export async function policiesUsing(deps: ApimChildDeps, instanceId: string, displayName: string): Promise<string[]> {
  const prefix = instanceId.toLowerCase() + '/';
  const users: string[] = [];
  for (const type of POLICY_TYPES) {
    for (const p of await deps.arm.resources.list({ type })) {
      if (!p.id.toLowerCase().startsWith(prefix)) continue;
      const used: string[] = p.body[PRIVATE]?.namedValues ?? namedValueReferences(String(p.body.properties?.value ?? ''));
      if (used.includes(displayName)) users.push(p.id);
    }
  }
  return users;
}
