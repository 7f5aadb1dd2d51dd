// What an expression can see: the deployment's parameters, variables and scope objects, and the two
// calls that read other resources (answered by the engine through ARM).
import type { Template } from './template.js';
import type { JsonObject } from './values.js';

export interface EvalScope {
  /** Bound parameter values (bindParameters' `values`), by name. */
  parameters: Record<string, unknown>;
  /** The template's raw variables (with `copy`); evaluated lazily on first use, once per scope. */
  variables: Record<string, unknown>;
  subscription: { id: string; subscriptionId: string; tenantId: string; displayName: string };
  resourceGroup?: { id: string; name: string; location: string; properties: { provisioningState: string }; type?: string; tags?: Record<string, string>; managedBy?: string };
  deployment: { name: string; location?: string; properties: { templateLink?: unknown; template: unknown; parameters: unknown; mode: string; provisioningState?: string; templateHash?: string } };
  tenantId: string;
  /** Current copy loop indexes by loop name; '' is the resource's own loop (copyIndex() without a name). */
  copyIndex?: Record<string, number>;
  /** reference(idOrName, apiVersion?, 'Full'?): the engine answers (GET through ARM). */
  reference(resourceId: string, apiVersion: string | undefined, full: boolean): Promise<unknown>;
  /** listKeys/listSecrets/list*: POST through ARM. */
  list(resourceId: string, fn: string, apiVersion: string, body?: unknown): Promise<unknown>;
  /** The template being evaluated: positions for error messages, and its resources for reference('name'). */
  template?: Template;
  /** environment(); defaults to AzureCloud's. */
  environment?: JsonObject;
}

/**
 * Where an expression is evaluated decides what it may call: utcNow/newGuid only in parameter
 * defaults; reference/list* not where ARM must know the value before deploying anything (names,
 * types, copy counts, dependsOn, conditions), nor in variables.
 */
export type Phase = 'parameterDefault' | 'static' | 'variable' | 'runtime';
