// Every policy the gateway knows, by element name. A policy family module exports its definitions;
// an element not in this table is a validation error at PUT, never a silent no-op.
import type { PolicyDefinition } from './types.js';
import { headerPolicies } from '../policies/headers.js';
import { flowPolicies } from '../policies/flow.js';
import { routingPolicies } from '../policies/routing.js';
import { identityPolicies } from '../policies/identity.js';
import { jwtPolicies } from '../policies/jwt.js';
import { rateLimitPolicies } from '../policies/rate-limit.js';
import { corsPolicies } from '../policies/cors.js';
import { sendRequestPolicies } from '../policies/send-request.js';
import { logToEventhubPolicies } from '../policies/log-to-eventhub.js';
import { controlPolicies } from '../policies/control.js';
import { transformationPolicies } from '../policies/transformation.js';
import { ipFilterPolicies } from '../policies/ip-filter.js';
import { metricPolicies } from '../policies/emit-metric.js';
import { validateOdataPolicies } from '../policies/validation/validate-odata.js';
import { azureAdTokenPolicies } from '../policies/azure-ad-token.js';
import { validateContentPolicies } from '../policies/validation/validate-content.js';
import { validateParameterPolicies } from '../policies/validation/validate-parameters.js';
import { cachingPolicies } from '../policies/caching.js';
import { limitPolicies } from '../policies/limits.js';
import { authenticationPolicies } from '../policies/authentication.js';
import { clientCertificatePolicies } from '../policies/client-certificate.js';

export const POLICIES: ReadonlyMap<string, PolicyDefinition> = new Map(
  [...headerPolicies, ...flowPolicies, ...routingPolicies, ...identityPolicies, ...jwtPolicies, ...rateLimitPolicies,
    ...corsPolicies, ...sendRequestPolicies, ...controlPolicies, ...transformationPolicies,
    ...ipFilterPolicies, ...metricPolicies, ...validateContentPolicies, ...validateParameterPolicies, ...azureAdTokenPolicies, ...validateOdataPolicies,
    ...authenticationPolicies, ...clientCertificatePolicies, ...cachingPolicies, ...limitPolicies,
    ...logToEventhubPolicies].map((d) => [d.name, d]),
);
