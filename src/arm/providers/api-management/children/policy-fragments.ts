// service/{svc}/policyFragments: reusable `<fragment>` documents that policies insert with
// include-fragment. Stored as given (xml or rawxml), validated by the gateway's policy validator
// (every policy known, attributes valid, {{named values}} existing); listReferences names the policies
// that include one, and a fragment in use cannot be deleted.
import { namedValueKey } from '../../../../gateway/config.js';
import { AzureError, isAzureError } from '../../../../common/errors.js';
import { resourceKind, type BatchWriter } from '../../../resource-store.js';
import { defineApimChild, type ApimChildDeps } from '../child.js';
import { str, validationError } from '../validation.js';
import { NAMED_VALUE } from './named-values.js';
import { POLICY_KINDS, documentOf, presentPolicyLike, type PolicyProperties } from './policies.js';

export interface PolicyFragmentProperties extends PolicyProperties {
  description?: string;
  provisioningState: string;
}

export const POLICY_FRAGMENT = resourceKind<PolicyFragmentProperties>('Microsoft.ApiManagement/service/policyFragments');

/** `<include-fragment fragment-id="x" />`: the fragments a policy document includes. */
const INCLUDE = /<include-fragment\b[^>]*\bfragment-id\s*=\s*(["'])(.*?)\1/g;

/** Policies (any scope) of an instance that include the fragment named `name`. */
async function policiesIncluding(reader: Pick<BatchWriter, 'listOf'>, instanceId: string, name: string): Promise<string[]> {
  const users: string[] = [];
  for (const kind of POLICY_KINDS) {
    for (const p of await reader.listOf(kind, { under: instanceId })) {
      if ([...p.body.properties.value.matchAll(INCLUDE)].some((m) => m[2].toLowerCase() === name.toLowerCase())) users.push(p.id);
    }
  }
  return users;
}

export function policyFragmentRegistration(deps: ApimChildDeps) {
  const { arm } = deps;
  return defineApimChild(deps, {
    kind: POLICY_FRAGMENT, path: 'policyFragments', entity: 'PolicyFragment',
    contracts: { create: 'PolicyFragmentContract', update: 'PolicyFragmentContract' },
    writable: ['value', 'format', 'description'], readOnly: ['provisioningState'],
    async properties({ instance, merged }) {
      const doc = await documentOf(merged);
      const description = str(merged, 'description', { max: 1000 });
      let used: string[];
      try {
        used = arm.gateway.validatePolicyFragment(doc.value).namedValues;
      } catch (e) {
        if (isAzureError(e)) throw e;
        deps.logger.error('policy fragment validation failed unexpectedly', e);
        throw validationError('value', 'The policy fragment could not be validated.');
      }
      const known = new Set((await arm.resources.listOf(NAMED_VALUE, { parent: instance.id })).map((n) => namedValueKey(n.body.properties.displayName)));
      const missing = used.find((n) => !known.has(namedValueKey(n)));
      if (missing !== undefined) throw validationError('value', `Cannot find a property '${missing}'`);
      return {
        properties: { ...doc, ...(description !== undefined ? { description } : {}), provisioningState: 'Succeeded' },
        private: { namedValues: used },
      };
    },
    present: presentPolicyLike,
    async beforeDelete(existing, _req, batch) {
      const users = await policiesIncluding(batch, existing.id.slice(0, existing.id.lastIndexOf('/policyFragments/')), existing.body.name);
      if (users.length > 0) {
        throw new AzureError({ status: 409, code: 'Conflict', message: `Policy fragment '${existing.body.name}' cannot be deleted because it is referenced by ${users.length} polic${users.length === 1 ? 'y' : 'ies'}.` });
      }
    },
    actions: {
      // PolicyFragment_ListReferences: the policies that include it, as ResourceCollection.
      async listreferences(_req, fragment) {
        const instanceId = fragment.id.slice(0, fragment.id.lastIndexOf('/policyFragments/'));
        const ids = await policiesIncluding(arm.resources, instanceId, fragment.body.name);
        const value = ids.map((id) => ({ id, type: (id.split('/providers/')[1] ?? '').split('/').filter((_, k) => k % 2 === 0).join('/'), name: id.split('/').pop() }));
        return { status: 200, body: { value, count: value.length } };
      },
    },
  });
}
