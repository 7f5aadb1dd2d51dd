// `service/gateways`: the instance's managed gateway ("managed"; self-hosted gateways are not run here),
// for the two actions of API Management's current tracing protocol (Microsoft Learn, "Debug your APIs
// using request tracing", api-version 2023-05-01-preview on):
//   POST gateways/managed/listDebugCredentials {credentialsExpireAfter, apiId, purposes: ["tracing"]} → {token}
//   POST gateways/managed/listTrace {traceId} → the trace
// Authorized by Azure's actions Microsoft.ApiManagement/service/gateways/listDebugCredentials/action and
// .../listTrace/action (the default for POST actions). The token is made by the gateway plane's format
// (src/gateway/runtime/debug-token.ts) under the instance's debug key, the one gateway-config.ts hands
// the gateway; the trace is read through the gateway plane's interface, never its store.
import type { ArmRequest, ArmResult, ResourceTypeRegistration } from '../../../registry.js';
import { asObject } from '../../../envelope.js';
import { ArmErrors } from '../../../errors.js';
import { DEBUG_MAX_LIFETIME_MS, DEBUG_PURPOSES, issueDebugToken, type DebugPurpose } from '../../../../gateway/index.js';
import { childType, requireInstance, type ApimChildDeps } from '../child.js';
import { API } from './apis.js';
import { ApimChildErrors, requiredStr, str, validationError } from '../validation.js';

/** The managed gateway's id in the gateways collection (as Azure's docs name it). */
const MANAGED = 'managed';

/** The key that signs an instance's debug credentials: derived from the master key, the same in every process. */
export function debugCredentialsKey(deps: ApimChildDeps, instanceId: string): string {
  return deps.box.mac('apim-debug-credentials', instanceId.toLowerCase()).toString('base64url');
}

/** ISO 8601 duration (PT1H, PT30M, PT90S, P0DT1H) in milliseconds; undefined when it is not one. */
function durationMs(text: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (!m || text.toUpperCase() === 'P' || /T$/i.test(text)) return undefined;
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000;
}

export function gatewayRegistration(deps: ApimChildDeps): ResourceTypeRegistration {
  const { arm } = deps;

  async function managedGateway(req: ArmRequest) {
    const svc = await requireInstance(deps, req);
    if (req.target.names[1].toLowerCase() !== MANAGED) throw ApimChildErrors.notFound('Gateway');
    if (req.body === undefined) throw ArmErrors.missingBody();
    return { svc, body: asObject(req.body, '') };
  }

  return childType('gateways', {
    actions: {
      async listdebugcredentials(req): Promise<ArmResult> {
        const { svc, body } = await managedGateway(req);
        const expireAfter = str(body, 'credentialsExpireAfter') ?? 'PT1H';
        const lifetime = durationMs(expireAfter);
        if (lifetime === undefined) throw validationError('credentialsExpireAfter', `'${expireAfter}' is not a valid ISO 8601 duration.`);
        if (lifetime <= 0 || lifetime > DEBUG_MAX_LIFETIME_MS) throw validationError('credentialsExpireAfter', 'Maximum duration of the credentials is PT1H.');
        const purposes = body.purposes;
        if (!Array.isArray(purposes) || purposes.length === 0) throw ApimChildErrors.required('purposes');
        for (const [i, p] of purposes.entries()) {
          if (typeof p !== 'string' || !(DEBUG_PURPOSES as readonly string[]).includes(p)) {
            throw ApimChildErrors.oneOf(`purposes[${i}]`, p, DEBUG_PURPOSES);
          }
        }
        // The API by its full resource id, under this instance ("The apiId can only be pulled from the full resource ID").
        const apiId = requiredStr(body, 'apiId');
        const prefix = `${svc.id}/apis/`.toLowerCase();
        const apiName = apiId.toLowerCase().startsWith(prefix) ? apiId.slice(prefix.length) : '';
        if (apiName === '' || apiName.includes('/')) throw validationError('apiId', `'${apiId}' is not the resource id of an API of this service.`);
        const api = await arm.resources.getOf(API, `${svc.id}/apis/${apiName}`);
        if (!api) throw ApimChildErrors.notFound('Api');
        const token = issueDebugToken(debugCredentialsKey(deps, svc.id), svc.id, {
          apiName: api.body.name, purposes: [...new Set(purposes as DebugPurpose[])], expiresAtMs: arm.clock.nowMs() + lifetime,
        });
        return { status: 200, body: { token } };
      },
      async listtrace(req): Promise<ArmResult> {
        const { svc, body } = await managedGateway(req);
        const traceId = requiredStr(body, 'traceId');
        const trace = await arm.gateway.debugTrace(svc.id, traceId);
        if (!trace) throw ApimChildErrors.notFound('Trace');
        return { status: 200, body: trace };
      },
    },
  });
}
