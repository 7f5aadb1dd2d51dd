// service/{svc}/backends: a URL and protocol (http | soap) that set-backend-service backend-id points
// at; the other settings (credentials, tls, proxy, circuit breaker, pool) are stored as given.
import type { ArmRequest, ResourceTypeRegistration } from '../registry.js';
import type { ResourceBody } from '../resource-store.js';
import {
  childType, deleteChild, getChild, listChildren, propertiesOf, requireInstance,
  storeChild, str, validationError, type ApimChildDeps, existingForWrite } from './api-management-common.js';

export const BACKEND_TYPE = 'Microsoft.ApiManagement/service/backends';

const WRITABLE = ['title', 'description', 'resourceId', 'properties', 'credentials', 'proxy', 'tls', 'circuitBreaker', 'pool', 'type', 'url', 'protocol'];
const PROTOCOLS = ['http', 'soap'];
const OBJECTS = ['properties', 'credentials', 'proxy', 'tls', 'circuitBreaker', 'pool'];

function backendProperties(merged: Record<string, any>): Record<string, unknown> {
  const url = str(merged, 'url', { required: true, max: 2000 })!;
  let ok = false;
  try { ok = ['http:', 'https:'].includes(new URL(url).protocol); } catch { ok = false; }
  if (!ok) throw validationError('url', `'${url}' is not a valid absolute http(s) URL.`);
  const protocol = str(merged, 'protocol', { required: true })!;
  if (!PROTOCOLS.includes(protocol.toLowerCase())) throw validationError('protocol', `Protocol '${protocol}' is invalid. Valid values are: ${PROTOCOLS.join(', ')}.`);
  for (const f of ['title', 'description', 'resourceId'] as const) str(merged, f, { max: f === 'title' ? 300 : 2000 });
  for (const f of OBJECTS) {
    const v = merged[f];
    if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) throw validationError(f, `'${f}' must be an object.`);
  }
  const out: Record<string, unknown> = {};
  for (const k of WRITABLE) if (merged[k] !== undefined) out[k] = merged[k];
  return { ...out, url, protocol: protocol.toLowerCase(), type: merged.type ?? 'Single' };
}

export function backendRegistration(deps: ApimChildDeps): ResourceTypeRegistration {
  const { arm } = deps;
  async function write(req: ArmRequest, merge: boolean) {
    await requireInstance(deps, req);
    const name = req.target.name!;
    const existing = await existingForWrite(deps, req, 'Backend', merge);
    const props = propertiesOf(req, merge ? 'BackendUpdateParameters' : 'BackendContract', WRITABLE);
    const merged: Record<string, any> = { ...(merge ? existing!.body.properties : {}) };
    for (const k of WRITABLE) if (props[k] !== undefined) merged[k] = props[k];
    const doc: ResourceBody = { id: existing?.id ?? req.target.id, type: BACKEND_TYPE, name: existing?.body.name ?? name, properties: backendProperties(merged) };
    const r = await storeChild(deps, req, doc, { ifMatch: merge ? undefined : (req.ctx.req.headers['if-match'] as string | undefined) });
    return merge ? { ...r, status: 200 } : r;
  }
  return childType('backends', {
    get: (req) => getChild(deps, req, 'Backend'),
    put: (req) => write(req, false),
    patch: (req) => write(req, true),
    async delete(req) {
      await requireInstance(deps, req);
      return deleteChild(deps, req, await arm.resources.get(req.target.id));
    },
    list: (req) => listChildren(deps, req, BACKEND_TYPE),
  });
}
