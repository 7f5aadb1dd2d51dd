// A hand-made EvalScope for unit tests of the template language library: fixed subscription, group and
// deployment, and reference()/list*() answered from a table (recording every call).
import type { EvalScope } from '../../../../src/arm/templates/language/index.js';

export const SUB = '00000000-0000-0000-0000-000000000000';
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const RG_ID = `/subscriptions/${SUB}/resourceGroups/rg1`;

export interface FakeScope extends EvalScope {
  calls: { fn: string; id: string; apiVersion?: string; full?: boolean; body?: unknown }[];
}

export function fakeScope(opts: { parameters?: Record<string, unknown>; variables?: Record<string, unknown>; resources?: Record<string, unknown>; subscriptionLevel?: boolean } = {}): FakeScope {
  const calls: FakeScope['calls'] = [];
  const resources = opts.resources ?? {};
  const lookup = (id: string) => {
    const key = Object.keys(resources).find((k) => k.toLowerCase() === id.toLowerCase());
    if (key === undefined) throw new Error(`fake: no resource ${id}`);
    return resources[key];
  };
  return {
    calls,
    parameters: opts.parameters ?? {},
    variables: opts.variables ?? {},
    subscription: { id: `/subscriptions/${SUB}`, subscriptionId: SUB, tenantId: TENANT, displayName: 'Test subscription' },
    ...(opts.subscriptionLevel ? {} : { resourceGroup: { id: RG_ID, name: 'rg1', location: 'westus', properties: { provisioningState: 'Succeeded' } } }),
    deployment: { name: 'deploy1', properties: { template: {}, parameters: {}, mode: 'Incremental' } },
    tenantId: TENANT,
    async reference(id, apiVersion, full) {
      calls.push({ fn: 'reference', id, apiVersion, full });
      const r = lookup(id) as Record<string, unknown>;
      return full ? r : r.properties;
    },
    async list(id, fn, apiVersion, body) {
      calls.push({ fn, id, apiVersion, body });
      return lookup(`${id}#${fn}`);
    },
  };
}
