// service/{svc}/backends: a URL and protocol (http | soap) that set-backend-service backend-id points
// at; the other settings (credentials, tls, proxy, circuit breaker, pool) are checked as objects and
// stored as given.
import { resourceKind } from '../../../resource-store.js';
import { defineApimChild, type ApimChildDeps } from '../child.js';
import { oneOf, obj, requiredStr, str, url } from '../validation.js';

export interface BackendProperties {
  url: string;
  protocol: 'http' | 'soap';
  type: 'Single' | 'Pool';
  title?: string;
  description?: string;
  resourceId?: string;
  properties?: Record<string, unknown>;
  credentials?: Record<string, unknown>;
  proxy?: Record<string, unknown>;
  tls?: Record<string, unknown>;
  circuitBreaker?: Record<string, unknown>;
  pool?: Record<string, unknown>;
}

export const BACKEND = resourceKind<BackendProperties>('Microsoft.ApiManagement/service/backends');
export const BACKEND_TYPE = BACKEND.type;

const OBJECTS = ['properties', 'credentials', 'proxy', 'tls', 'circuitBreaker', 'pool'] as const;

export function backendRegistration(deps: ApimChildDeps) {
  return defineApimChild(deps, {
    kind: BACKEND, path: 'backends', entity: 'Backend',
    contracts: { create: 'BackendContract', update: 'BackendUpdateParameters' },
    writable: ['title', 'description', 'resourceId', ...OBJECTS, 'type', 'url', 'protocol'],
    properties({ merged }) {
      requiredStr(merged, 'url');
      const properties: BackendProperties = {
        url: url(merged, 'url', ['http:', 'https:'], { required: true, max: 2000 })!,
        protocol: oneOf(merged, 'protocol', ['http', 'soap'] as const) ?? (requiredStr(merged, 'protocol'), 'http'),
        type: oneOf(merged, 'type', ['Single', 'Pool'] as const) ?? 'Single',
      };
      const title = str(merged, 'title', { max: 300 });
      const description = str(merged, 'description', { max: 2000 });
      const resourceId = str(merged, 'resourceId', { max: 2000 });
      if (title !== undefined) properties.title = title;
      if (description !== undefined) properties.description = description;
      if (resourceId !== undefined) properties.resourceId = resourceId;
      for (const f of OBJECTS) {
        const v = obj(merged, f);
        if (v !== undefined) properties[f] = v;
      }
      return { properties };
    },
  });
}
