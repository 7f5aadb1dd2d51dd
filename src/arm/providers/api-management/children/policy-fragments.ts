// service/{svc}/policyFragments: reusable `<fragment>` documents that policies insert with
// include-fragment. Stored as given (xml or rawxml), validated by the gateway's policy validator
// (every policy known, attributes valid, {{named values}} existing); listReferences names the policies
// that include one, and a fragment in use cannot be deleted.
import { namedValueKey } from '../../../../gateway/config.js';
import { AzureError, isAzureError } from '../../../../common/errors.js';
import type { BatchWriter, StoredResource } from '../../../resource-store.js';
import { PRIVATE, defineApimChild, type ApimChildDeps } from '../child.js';
import { str, validationError, validationErrors } from '../validation.js';
import { NAMED_VALUE } from './named-values.js';
import {
  POLICY_FRAGMENT, POLICY_KINDS, POLICY_SCOPE_KINDS, documentOf, fragmentDocuments, presentPolicyLike, validatePolicyDocument,
  type PolicyPrivate, type PolicyProperties,
} from './policies.js';

export { POLICY_FRAGMENT } from './policies.js';

export interface PolicyFragmentProperties extends PolicyProperties {
  description?: string;
  provisioningState: string;
}

/** "The maximum size of a policy fragment is 32 KB" (Microsoft Learn, "Reuse policy configurations"). */
const MAX_FRAGMENT_CHARS = 32 * 1024;

/** `<include-fragment fragment-id="x" />`: the fragments a policy stored before they were recorded includes. */
const INCLUDE = /<include-fragment\b[^>]*\bfragment-id\s*=\s*(["'])(.*?)\1/g;

/** The fragments a stored policy includes: as recorded at its PUT, else read from its text. */
const fragmentsOf = (p: StoredResource<PolicyProperties>): string[] =>
  (p.body[PRIVATE] as PolicyPrivate | undefined)?.fragments ?? [...p.body.properties.value.matchAll(INCLUDE)].map((m) => m[2]);

/** Policies (any scope) of an instance that include the fragment named `name`, with their scope kind. */
async function policiesIncluding(reader: Pick<BatchWriter, 'listOf'>, instanceId: string, name: string) {
  const users: { policy: StoredResource<PolicyProperties>; scope: (typeof POLICY_SCOPE_KINDS)[number] }[] = [];
  for (const [k, kind] of POLICY_KINDS.entries()) {
    for (const p of await reader.listOf(kind, { under: instanceId })) {
      if (fragmentsOf(p).some((f) => f.toLowerCase() === name.toLowerCase())) users.push({ policy: p, scope: POLICY_SCOPE_KINDS[k] });
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
    async properties({ instance, merged, name }) {
      const doc = await documentOf(merged);
      if (doc.value.length > MAX_FRAGMENT_CHARS) throw validationError('value', `The policy fragment is larger than the maximum of ${MAX_FRAGMENT_CHARS} characters (32 KB).`);
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
      // The edit reaches every policy that includes the fragment (the gateway reloads the instance): each
      // must still be valid with the new document where it includes it, else the edit is refused.
      const users = await policiesIncluding(arm.resources, instance.id, name);
      if (users.length > 0) {
        const fragments = await fragmentDocuments(arm.resources, instance.id);
        fragments.set(name.toLowerCase(), doc.value);
        for (const { policy, scope } of users) {
          try {
            await validatePolicyDocument(deps, instance.id, policy.body.properties.value, scope, fragments);
          } catch (e) {
            if (!isAzureError(e)) throw e;
            throw validationErrors((e.details ?? [{ code: e.code, message: e.message }]).map((d) => ({
              code: 'ValidationError', target: 'value', message: `The fragment cannot be used where policy '${policy.id}' includes it: ${d.message}`,
            })));
          }
        }
      }
      return {
        properties: { ...doc, ...(description !== undefined ? { description } : {}), provisioningState: 'Succeeded' },
        private: { namedValues: used },
      };
    },
    present: presentPolicyLike,
    async beforeDelete(existing, _req, batch) {
      const users = await policiesIncluding(batch, existing.id.slice(0, existing.id.lastIndexOf('/policyFragments/')), existing.body.name);
      if (users.length > 0) {
        // As Azure: a fragment that policies include cannot be deleted (remove the include-fragment first).
        throw new AzureError({ status: 409, code: 'Conflict', message: `Policy fragment '${existing.body.name}' cannot be deleted because it is referenced by ${users.length} polic${users.length === 1 ? 'y' : 'ies'}.` });
      }
    },
    actions: {
      // PolicyFragment_ListReferences: the policies that include it, as ResourceCollection.
      async listreferences(_req, fragment) {
        const instanceId = fragment.id.slice(0, fragment.id.lastIndexOf('/policyFragments/'));
        const ids = (await policiesIncluding(arm.resources, instanceId, fragment.body.name)).map((u) => u.policy.id);
        const value = ids.map((id) => ({ id, type: (id.split('/providers/')[1] ?? '').split('/').filter((_, k) => k % 2 === 0).join('/'), name: id.split('/').pop() }));
        return { status: 200, body: { value, count: value.length } };
      },
    },
  });
}
