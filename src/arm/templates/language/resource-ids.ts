// Resource ids as the template functions build them: a scope, then /providers/{namespace}/{type}/{name}
// for each type segment. Used by resourceId() and friends and by the resource expander.
import type { EvalScope } from './scope.js';

/** The id of what the deployment targets: the resource group, or the subscription. */
export function deploymentScopeId(scope: Pick<EvalScope, 'resourceGroup' | 'subscription'>): string {
  return scope.resourceGroup?.id ?? scope.subscription.id;
}

/** Type segments after the namespace: 'Microsoft.KeyVault/vaults/accessPolicies' → ['vaults', 'accessPolicies']. */
export function typeSegments(type: string): { namespace: string; types: string[] } {
  const [namespace, ...types] = type.split('/');
  return { namespace: namespace!, types };
}

/** `{scopeId}/providers/{ns}/{t1}/{n1}/{t2}/{n2}`; `names` pair with the type segments. */
export function buildResourceId(scopeId: string, type: string, names: readonly string[]): string {
  const { namespace, types } = typeSegments(type);
  let id = `${scopeId}/providers/${namespace}`;
  types.forEach((t, i) => { id += `/${t}/${names[i]}`; });
  return id;
}

/**
 * For `.../providers/X/y/z/providers/Microsoft.ManagedIdentity/Identities/default` (an extension of
 * a resource), the id of the resource it extends; undefined for an id with one provider segment.
 */
export function extendedResourceId(id: string): string | undefined {
  const i = id.toLowerCase().lastIndexOf('/providers/');
  const first = id.toLowerCase().indexOf('/providers/');
  if (i <= first) return undefined;
  return id.slice(0, i);
}
