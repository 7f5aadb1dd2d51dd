// service/{svc}/apis: path (unique per instance), serviceUrl, protocols, subscription key settings;
// one revision ("1", current). A PUT with `format` and `value` imports an OpenAPI document: the API
// takes its title and server, and its operations are replaced by the document's.
import { resourceKind } from '../../../resource-store.js';
import { defineApimChild, type ApimChildDeps, type ChildWrite } from '../child.js';
import { ApimChildErrors, bool, obj, oneOf, requiredStr, str, url, validationError } from '../validation.js';
import { OPERATION, operationDocument, operationProperties } from './operations.js';
import { importDocument } from '../import.js';

export interface ApiProperties {
  displayName: string;
  apiRevision: string;
  description?: string;
  subscriptionRequired: boolean;
  serviceUrl?: string;
  path: string;
  protocols: string[];
  authenticationSettings: Record<string, unknown>;
  subscriptionKeyParameterNames: { header: string; query: string };
  isCurrent: boolean;
  isOnline: boolean;
  type: string;
  apiVersion?: string;
  apiVersionSetId?: string;
  termsOfServiceUrl?: string;
  contact?: { name?: string; url?: string; email?: string };
  license?: { name?: string; url?: string };
  provisioningState: string;
}

export const API = resourceKind<ApiProperties>('Microsoft.ApiManagement/service/apis');
export const API_TYPE = API.type;

const WRITABLE = ['description', 'authenticationSettings', 'subscriptionKeyParameterNames', 'type', 'apiRevision', 'apiVersion', 'isCurrent',
  'apiRevisionDescription', 'apiVersionDescription', 'apiVersionSetId', 'subscriptionRequired', 'termsOfServiceUrl', 'contact', 'license',
  'sourceApiId', 'displayName', 'serviceUrl', 'path', 'protocols', 'apiVersionSet', 'apiType', 'translateRequiredQueryParameters'];
const IMPORT_ONLY = ['value', 'format', 'wsdlSelector'];
const READ_ONLY = ['isOnline', 'provisioningState'];
const PROTOCOLS = ['http', 'https', 'ws', 'wss'] as const;
const API_TYPES = ['http', 'soap', 'websocket', 'graphql', 'odata', 'grpc'] as const;
const DEFAULT_KEY_NAMES = { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' };
/** RFC 7230 token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const normalizePath = (p: string): string => p.replace(/^\/+|\/+$/g, '');

/** `{name, url, email}` / `{name, url}`: each a string; the URL absolute. */
function contactLike(merged: Record<string, unknown>, field: 'contact' | 'license', members: readonly string[]): Record<string, string> | undefined {
  const o = obj(merged, field);
  if (o === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (!members.includes(k)) throw validationError(`${field}.${k}`, `Could not find member '${k}' on object of type '${field === 'contact' ? 'ApiContactInformation' : 'ApiLicenseInformation'}'.`);
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string') throw validationError(`${field}.${k}`, `'${field}.${k}' must be a string.`);
    out[k] = v;
  }
  if (out.url !== undefined) url(out, 'url', ['http:', 'https:']);
  return out;
}

function keyNames(merged: Record<string, unknown>): { header: string; query: string } {
  const keys = obj(merged, 'subscriptionKeyParameterNames') ?? {};
  for (const k of Object.keys(keys)) {
    if (k !== 'header' && k !== 'query') throw validationError(`subscriptionKeyParameterNames.${k}`, `Could not find member '${k}' on object of type 'SubscriptionKeyParameterNamesContract'.`);
  }
  const header = str(keys, 'header', { max: 100, at: 'subscriptionKeyParameterNames.header' }) || DEFAULT_KEY_NAMES.header;
  const query = str(keys, 'query', { max: 100, at: 'subscriptionKeyParameterNames.query' }) || DEFAULT_KEY_NAMES.query;
  if (!HEADER_NAME.test(header)) throw validationError('subscriptionKeyParameterNames.header', `'${header}' is not a valid header name.`);
  return { header, query };
}

function apiProperties(merged: Record<string, unknown>): ApiProperties {
  const displayName = requiredStr(merged, 'displayName', { max: 300 });
  const pathRaw = requiredStr(merged, 'path', { max: 400 });
  const path = normalizePath(pathRaw);
  if (/[?#{}\s]/.test(path)) throw validationError('path', `'${pathRaw}' is not a valid API path.`);
  const serviceUrl = url(merged, 'serviceUrl', ['http:', 'https:', 'ws:', 'wss:'], { max: 2000 });
  const protocols = merged.protocols ?? ['https'];
  if (!Array.isArray(protocols) || protocols.length === 0) throw validationError('protocols', "'protocols' must be a non-empty array.");
  for (const p of protocols) {
    if (typeof p !== 'string' || !(PROTOCOLS as readonly string[]).includes(p.toLowerCase())) throw validationError('protocols', `Protocol '${String(p)}' is not supported. Supported protocols: ${PROTOCOLS.join(', ')}.`);
  }
  const subscriptionRequired = bool(merged, 'subscriptionRequired') ?? true;
  const description = str(merged, 'description');
  const type = oneOf(merged, 'type', API_TYPES) ?? oneOf(merged, 'apiType', API_TYPES) ?? 'http';
  const apiVersion = str(merged, 'apiVersion', { max: 100 });
  const apiVersionSetId = str(merged, 'apiVersionSetId');
  const termsOfServiceUrl = str(merged, 'termsOfServiceUrl');
  const authenticationSettings = obj(merged, 'authenticationSettings') ?? { oAuth2: null, openid: null };
  const contact = contactLike(merged, 'contact', ['name', 'url', 'email']);
  const license = contactLike(merged, 'license', ['name', 'url']);
  return {
    displayName,
    apiRevision: '1',
    ...(description !== undefined ? { description } : {}),
    subscriptionRequired,
    ...(serviceUrl ? { serviceUrl } : {}),
    path,
    protocols: (protocols as string[]).map((p) => p.toLowerCase()),
    authenticationSettings,
    subscriptionKeyParameterNames: keyNames(merged),
    isCurrent: true,
    isOnline: true,
    type,
    ...(apiVersion !== undefined ? { apiVersion } : {}),
    ...(apiVersionSetId !== undefined ? { apiVersionSetId } : {}),
    ...(termsOfServiceUrl !== undefined ? { termsOfServiceUrl } : {}),
    ...(contact !== undefined ? { contact } : {}),
    ...(license !== undefined ? { license } : {}),
    provisioningState: 'Succeeded',
  };
}

export function apiRegistration(deps: ApimChildDeps) {
  const { resources } = deps.arm;

  /** Path uniqueness: two APIs of an instance share a path only as versions of one version set. */
  async function checkPathFree(w: ChildWrite<ApiProperties>, props: ApiProperties): Promise<void> {
    for (const o of await resources.listOf(API, { parent: w.instance.id })) {
      if (o.body.name.toLowerCase() === w.name.toLowerCase()) continue;
      const op = o.body.properties;
      if (op.path.toLowerCase() !== props.path.toLowerCase()) continue;
      const sameSet = op.apiVersionSetId && props.apiVersionSetId && op.apiVersionSetId.toLowerCase() === props.apiVersionSetId.toLowerCase()
        && op.apiVersion !== props.apiVersion;
      if (!sameSet) throw validationError('path', `Cannot create API '${w.name}' with the same Path '${props.path}' as API '${o.body.name}'  unless it's a part of the same version set`);
    }
  }

  /** Operations an import brings, by the write they belong to (validated before anything is stored). */
  const imports = new WeakMap<ChildWrite<ApiProperties>, ReturnType<typeof operationProperties>[] & { names?: string[] }>();

  return defineApimChild(deps, {
    kind: API, path: 'apis', entity: 'Api',
    contracts: { create: 'ApiCreateOrUpdateParameter', update: 'ApiUpdateContract' },
    writable: WRITABLE, readOnly: READ_ONLY, createOnly: IMPORT_ONLY,
    async properties(w) {
      // A PUT over an existing API keeps what it does not name (the SDK's createOrUpdate of a revision).
      const merged: Record<string, unknown> = { ...(w.existing?.body.properties ?? {}), ...w.merged };
      // Import: the document supplies the title, description and service URL the request leaves out.
      const format = str(w.given, 'format');
      const value = str(w.given, 'value');
      if (format !== undefined || value !== undefined) {
        if (format === undefined) throw ApimChildErrors.required('format');
        if (value === undefined) throw ApimChildErrors.required('value');
        const imported = await importDocument(format, value);
        merged.displayName ??= imported.title;
        if (merged.description === undefined && imported.description !== undefined) merged.description = imported.description;
        merged.serviceUrl ??= imported.serviceUrl;
        const ops = Object.assign(imported.operations.map((o) => operationProperties(o.properties)), { names: imported.operations.map((o) => o.name) });
        imports.set(w, ops);
      }
      const properties = apiProperties(merged);
      await checkPathFree(w, properties);
      return { properties };
    },
    // An import replaces the API's operations, in the same transaction as the API.
    async alsoWrite(w, stored, batch) {
      const ops = imports.get(w);
      if (!ops) return;
      for (const old of await batch.listOf(OPERATION, { parent: stored.id })) await batch.deleteTree(old.id);
      for (const [k, properties] of ops.entries()) {
        const op = operationDocument(stored.id, ops.names![k], properties);
        await batch.put({ id: op.id, parent: stored.id, body: op });
      }
    },
  });
}
