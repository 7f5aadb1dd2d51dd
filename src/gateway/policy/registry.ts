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
import { controlPolicies } from '../policies/control.js';
import { transformationPolicies } from '../policies/transformation.js';

export const POLICIES: ReadonlyMap<string, PolicyDefinition> = new Map(
  [...headerPolicies, ...flowPolicies, ...routingPolicies, ...identityPolicies, ...jwtPolicies, ...rateLimitPolicies,
    ...corsPolicies, ...sendRequestPolicies, ...controlPolicies, ...transformationPolicies].map((d) => [d.name, d]),
);
