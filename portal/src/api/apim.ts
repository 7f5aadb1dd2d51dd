// API Management's child resources as the portal reads and writes them (ARM, API_VERSIONS.apiManagement),
// the policy validation errors' positions, and the Test tab's call: debug credentials, the gateway proxy
// (README "What the portal calls"), the trace.
import type { ApiClient } from './client';
import { API_VERSIONS, type ArmResource } from './arm-types';
import type { AzureApiError } from './errors';

export const APIM_VERSION = API_VERSIONS.apiManagement;
export const APIM_TYPE = 'Microsoft.ApiManagement/service';
export const APIM_WRITE = `${APIM_TYPE}/write`;

export interface ServiceProperties { gatewayUrl?: string }
export interface ServiceResource extends ArmResource<ServiceProperties> {
  identity?: { type?: string; principalId?: string; userAssignedIdentities?: Record<string, { clientId?: string; principalId?: string }> };
}

export interface ApiProperties {
  displayName: string; path: string; serviceUrl?: string; subscriptionRequired?: boolean; protocols?: string[]; description?: string;
  subscriptionKeyParameterNames?: { header: string; query: string };
}
export interface TemplateParameter { name: string; required?: boolean; type?: string; defaultValue?: string }
export interface OperationProperties { displayName: string; method: string; urlTemplate: string; templateParameters?: TemplateParameter[]; description?: string }
export interface ProductProperties { displayName: string; description?: string; state?: string; subscriptionRequired?: boolean; approvalRequired?: boolean }
export interface SubscriptionProperties { displayName: string; scope: string; state: string; createdDate?: string; allowTracing?: boolean }
export interface BackendProperties { url: string; protocol: string; description?: string; title?: string }
export interface LoggerProperties { loggerType: string; description?: string; credentials?: Record<string, string>; isBuffered?: boolean; resourceId?: string }
export interface PolicyProperties { format?: string; value: string }

export type Api = ArmResource<ApiProperties>;
export type Operation = ArmResource<OperationProperties>;

/** A child collection's path under the instance. */
export const childPath = (serviceId: string, rel: string): string => `${serviceId}/${rel.replace(/^\/+/, '')}`;

export function listChildren<P>(api: ApiClient, serviceId: string, rel: string): Promise<ArmResource<P>[]> {
  return api.arm.list<ArmResource<P>>(childPath(serviceId, rel), APIM_VERSION);
}

/** The policy document path of a scope: the instance (All APIs), an API, or an operation. */
export function policyPath(serviceId: string, apiName?: string, operationName?: string): string {
  if (!apiName) return `${serviceId}/policies/policy`;
  if (!operationName) return `${serviceId}/apis/${apiName}/policies/policy`;
  return `${serviceId}/apis/${apiName}/operations/${operationName}/policies/policy`;
}

/** The document a scope starts with when it has none (what Azure's portal shows). */
export const DEFAULT_POLICY = `<policies>
    <inbound>
        <base />
    </inbound>
    <backend>
        <base />
    </backend>
    <outbound>
        <base />
    </outbound>
    <on-error>
        <base />
    </on-error>
</policies>`;
export const GLOBAL_DEFAULT_POLICY = DEFAULT_POLICY.replace(/<base \/>/g, '').replace(/\n\s*\n/g, '\n').replace('<backend>\n    </backend>', '<backend>\n        <forward-request />\n    </backend>');

export interface PolicyProblem { line: number; column: number; element?: string; message: string }

/** The problems of a policy PUT's 400 ValidationError with their positions ("... on line N, column M: ..."). */
export function policyProblems(e: AzureApiError): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  for (const d of [{ code: e.code, message: e.message, target: e.target }, ...e.details]) {
    const m = /on line (\d+), column (\d+)/.exec(d.message);
    if (m) out.push({ line: Number(m[1]), column: Number(m[2]), element: d.target, message: d.message });
  }
  return out;
}

/** A character offset in `text` of a 1-based line and column. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  const end = text.indexOf('\n', offset);
  return Math.min(offset + Math.max(column - 1, 0), end < 0 ? text.length : end);
}

// --- The Test tab -------------------------------------------------------------------------------------

export interface ProxyRequest { method: string; url: string; headers: Record<string, string>; body?: string }
export interface ProxyResponse { status: number; reason?: string; headers: Record<string, string | string[]>; body: string; bodyEncoding: 'utf8' | 'base64'; truncated?: boolean }

export interface TraceEntry { source: string; timestamp: string; elapsed: string; data: unknown }
export interface Trace {
  traceId: string; api?: unknown; operation?: unknown; lastError?: unknown; variables?: Record<string, unknown>;
  traceEntries: Record<string, TraceEntry[]>;
}

/** Sends a request to the instance's gateway through the portal's proxy; with `trace`, asks for a debug trace and reads it. */
export async function testCall(api: ApiClient, serviceId: string, apiId: string, req: ProxyRequest, trace: boolean): Promise<{ response: ProxyResponse; trace?: Trace; traceProblem?: string }> {
  const headers = { ...req.headers };
  if (trace) {
    // Azure's current tracing protocol: a short-lived credential for this API, then listTrace by the id the gateway answers.
    const cred = await api.arm.post<{ token: string }>(`${serviceId}/gateways/managed/listDebugCredentials`, APIM_VERSION,
      { credentialsExpireAfter: 'PT1H', apiId, purposes: ['tracing'] });
    headers['Apim-Debug-Authorization'] = cred.token;
  }
  const sent = await api.send<ProxyResponse>('arm', 'POST', `${api.session.authority}/apim-local/gateway-proxy`, {
    serviceId, method: req.method, url: req.url, headers, ...(req.body ? { body: req.body, bodyEncoding: 'utf8' } : {}),
  });
  const response = sent.body;
  if (!trace) return { response };
  const h = (name: string) => { const v = response.headers[name]; return Array.isArray(v) ? v[0] : v; };
  const traceId = h('apim-trace-id');
  if (!traceId) {
    return { response, traceProblem: h('apim-debug-authorization-expired') ?? h('apim-debug-authorization-wrongapi') ?? 'The gateway returned no trace id (Apim-Trace-Id).' };
  }
  const t = await api.arm.post<Trace>(`${serviceId}/gateways/managed/listTrace`, APIM_VERSION, { traceId });
  return { response, trace: t };
}
