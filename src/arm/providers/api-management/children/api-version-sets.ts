// service/{svc}/apiVersionSets: how the versions of an API are told apart (a path segment, a query
// parameter or a header), which APIs join with `apiVersionSetId` and `apiVersion`.
import { resourceKind } from '../../../resource-store.js';
import { defineApimChild, type ApimChildDeps } from '../child.js';
import { ApimChildErrors, oneOf, requiredStr, str } from '../validation.js';

export interface ApiVersionSetProperties {
  displayName: string;
  versioningScheme: 'Segment' | 'Query' | 'Header';
  description?: string;
  versionQueryName?: string;
  versionHeaderName?: string;
}

export const API_VERSION_SET = resourceKind<ApiVersionSetProperties>('Microsoft.ApiManagement/service/apiVersionSets');

export function apiVersionSetRegistration(deps: ApimChildDeps) {
  return defineApimChild(deps, {
    kind: API_VERSION_SET, path: 'apiVersionSets', entity: 'ApiVersionSet',
    contracts: { create: 'ApiVersionSetContract', update: 'ApiVersionSetUpdateParameters' },
    writable: ['displayName', 'versioningScheme', 'description', 'versionQueryName', 'versionHeaderName'],
    properties({ merged }) {
      const displayName = requiredStr(merged, 'displayName', { max: 100 });
      const versioningScheme = oneOf(merged, 'versioningScheme', ['Segment', 'Query', 'Header'] as const);
      if (versioningScheme === undefined) throw ApimChildErrors.required('versioningScheme');
      const description = str(merged, 'description');
      // The name of the query parameter or header is required by the scheme that uses it, and kept only for it.
      const versionQueryName = versioningScheme === 'Query' ? requiredStr(merged, 'versionQueryName', { max: 100 }) : str(merged, 'versionQueryName', { max: 100 });
      const versionHeaderName = versioningScheme === 'Header' ? requiredStr(merged, 'versionHeaderName', { max: 100 }) : str(merged, 'versionHeaderName', { max: 100 });
      return {
        properties: {
          displayName, versioningScheme,
          ...(description !== undefined ? { description } : {}),
          ...(versionQueryName !== undefined ? { versionQueryName } : {}),
          ...(versionHeaderName !== undefined ? { versionHeaderName } : {}),
        },
      };
    },
  });
}
