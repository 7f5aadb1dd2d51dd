// service/{svc}/apis: path (unique per instance), serviceUrl, protocols, subscription key settings;
// one revision ("1", current). A PUT with `format` and `value` imports an OpenAPI document: the API
// takes its title and server, and its operations are replaced by the document's.
import type { ArmRequest, ResourceTypeRegistration } from '../registry.js';
import type { ResourceBody } from '../resource-store.js';
import {
  ApimChildErrors, bool, childType, deleteChild, getChild, instanceIdOf, listChildren,
  propertiesOf, reloadGateway, requireInstance, storeChild, str, validationError, type ApimChildDeps, existingForWrite } from './api-management-common.js';
import { OPERATION_TYPE, operationDocument, operationProperties } from './api-management-operations.js';
import { importDocument } from './api-management-import.js';

export const API_TYPE = 'Microsoft.ApiManagement/service/apis';
export const PRODUCT_API_TYPE = 'Microsoft.ApiManagement/service/products/apis';

const WRITABLE = ['description', 'authenticationSettings', 'subscriptionKeyParameterNames', 'type', 'apiRevision', 'apiVersion', 'isCurrent',
  'apiRevisionDescription', 'apiVersionDescription', 'apiVersionSetId', 'subscriptionRequired', 'termsOfServiceUrl', 'contact', 'license',
  'sourceApiId', 'displayName', 'serviceUrl', 'path', 'protocols', 'apiVersionSet', 'apiType', 'translateRequiredQueryParameters'];
const IMPORT_ONLY = ['value', 'format', 'wsdlSelector'];
const READ_ONLY = ['isOnline', 'provisioningState'];
const PROTOCOLS = ['http', 'https', 'ws', 'wss'];
const DEFAULT_KEY_NAMES = { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' };

const normalizePath = (p: string): string => p.replace(/^\/+|\/+$/g, '');

function apiProperties(merged: Record<string, any>): Record<string, unknown> {
  const displayName = str(merged, 'displayName', { required: true, max: 300 })!;
  const pathRaw = merged.path;
  if (pathRaw === undefined || pathRaw === null) throw ApimChildErrors.required('path');
  if (typeof pathRaw !== 'string') throw validationError('path', "'path' must be a string.");
  if (pathRaw.length > 400) throw ApimChildErrors.tooLong('path', 400);
  const path = normalizePath(pathRaw);
  if (/[?#{}\s]/.test(path)) throw validationError('path', `'${pathRaw}' is not a valid API path.`);
  const serviceUrl = str(merged, 'serviceUrl', { max: 2000 });
  if (serviceUrl !== undefined && serviceUrl !== '') {
    let ok = false;
    try { ok = ['http:', 'https:', 'ws:', 'wss:'].includes(new URL(serviceUrl).protocol); } catch { ok = false; }
    if (!ok) throw validationError('serviceUrl', `'${serviceUrl}' is not a valid absolute URL.`);
  }
  const protocols = merged.protocols ?? ['https'];
  if (!Array.isArray(protocols) || protocols.length === 0) throw validationError('protocols', "'protocols' must be a non-empty array.");
  for (const p of protocols) if (typeof p !== 'string' || !PROTOCOLS.includes(p.toLowerCase())) throw validationError('protocols', `Protocol '${String(p)}' is not supported. Supported protocols: ${PROTOCOLS.join(', ')}.`);
  const keys = merged.subscriptionKeyParameterNames ?? DEFAULT_KEY_NAMES;
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) throw validationError('subscriptionKeyParameterNames', "'subscriptionKeyParameterNames' must be an object.");
  const subscriptionRequired = bool(merged, 'subscriptionRequired') ?? true;
  const description = str(merged, 'description');
  return {
    displayName,
    apiRevision: '1',
    ...(description !== undefined ? { description } : {}),
    subscriptionRequired,
    ...(serviceUrl ? { serviceUrl } : {}),
    path,
    protocols: protocols.map((p: string) => p.toLowerCase()),
    authenticationSettings: merged.authenticationSettings ?? { oAuth2: null, openid: null },
    subscriptionKeyParameterNames: { header: keys.header ?? DEFAULT_KEY_NAMES.header, query: keys.query ?? DEFAULT_KEY_NAMES.query },
    isCurrent: true,
    isOnline: true,
    type: merged.type ?? merged.apiType ?? 'http',
    ...(merged.apiVersion !== undefined ? { apiVersion: merged.apiVersion } : {}),
    ...(merged.apiVersionSetId !== undefined ? { apiVersionSetId: merged.apiVersionSetId } : {}),
    ...(merged.termsOfServiceUrl !== undefined ? { termsOfServiceUrl: merged.termsOfServiceUrl } : {}),
    ...(merged.contact !== undefined ? { contact: merged.contact } : {}),
    ...(merged.license !== undefined ? { license: merged.license } : {}),
    provisioningState: 'Succeeded',
  };
}

export function apiRegistration(deps: ApimChildDeps): ResourceTypeRegistration {
  const { arm } = deps;

  /** Path uniqueness: two APIs of an instance share a path only as versions of one version set. */
  async function checkPathFree(req: ArmRequest, name: string, props: Record<string, any>): Promise<void> {
    const others = await arm.resources.list({ parent: req.target.scope, type: API_TYPE });
    for (const o of others) {
      if (o.body.name.toLowerCase() === name.toLowerCase()) continue;
      const op = o.body.properties;
      if (String(op.path).toLowerCase() !== String(props.path).toLowerCase()) continue;
      const sameSet = op.apiVersionSetId && props.apiVersionSetId && String(op.apiVersionSetId).toLowerCase() === String(props.apiVersionSetId).toLowerCase()
        && op.apiVersion !== props.apiVersion;
      if (!sameSet) throw validationError('path', `Cannot create API '${name}' with the same Path '${props.path}' as API '${o.body.name}'  unless it's a part of the same version set`);
    }
  }

  async function write(req: ArmRequest, merge: boolean) {
    await requireInstance(deps, req);
    const name = req.target.name!;
    const existing = await existingForWrite(deps, req, 'Api', merge);
    const props = propertiesOf(req, merge ? 'ApiUpdateContract' : 'ApiCreateOrUpdateParameter', [...WRITABLE, ...READ_ONLY, ...(merge ? [] : IMPORT_ONLY)]);
    const merged: Record<string, any> = { ...(existing?.body.properties ?? {}) };
    for (const k of WRITABLE) if (props[k] !== undefined) merged[k] = props[k];

    // Import: the document supplies the title, description and service URL the request leaves out.
    let imported: Awaited<ReturnType<typeof importDocument>> | undefined;
    const format = str(props, 'format');
    const value = str(props, 'value');
    if (format !== undefined || value !== undefined) {
      if (format === undefined) throw ApimChildErrors.required('format');
      if (value === undefined) throw ApimChildErrors.required('value');
      imported = await importDocument(format, value);
      merged.displayName ??= imported.title;
      if (merged.description === undefined && imported.description !== undefined) merged.description = imported.description;
      merged.serviceUrl ??= imported.serviceUrl;
    }
    const properties = apiProperties(merged);
    await checkPathFree(req, name, properties);
    const id = existing?.id ?? req.target.id;
    const operations = imported?.operations.map((o) => operationDocument(id, o.name, operationProperties(o.properties)));

    const doc: ResourceBody = { id, type: API_TYPE, name: existing?.body.name ?? name, properties };
    const result = await storeChild(deps, req, doc, { ifMatch: merge ? undefined : (req.ctx.req.headers['if-match'] as string | undefined) });
    if (operations) {
      for (const old of await arm.resources.list({ parent: id, type: OPERATION_TYPE })) await arm.resources.deleteTree(old.id);
      for (const op of operations) await arm.resources.put({ id: op.id, parent: id, body: op });
      await reloadGateway(deps, instanceIdOf(id));
    }
    return merge ? { ...result, status: 200 } : result;
  }

  // Deleting an API also unlinks it from every product.
  arm.resources.onDelete(API_TYPE, async (deleted) => {
    const instanceId = instanceIdOf(deleted.id);
    for (const link of await arm.resources.list({ type: PRODUCT_API_TYPE })) {
      if (link.id.toLowerCase().startsWith(instanceId.toLowerCase() + '/') && link.body.name.toLowerCase() === deleted.body.name.toLowerCase()) {
        await arm.resources.deleteTree(link.id);
      }
    }
  });

  return childType('apis', {
    get: (req) => getChild(deps, req, 'Api'),
    put: (req) => write(req, false),
    patch: (req) => write(req, true),
    async delete(req) {
      await requireInstance(deps, req);
      return deleteChild(deps, req, await arm.resources.get(req.target.id));
    },
    list: (req) => listChildren(deps, req, API_TYPE),
  });
}
