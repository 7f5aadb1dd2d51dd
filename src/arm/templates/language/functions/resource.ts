// Resource functions (template-functions-resource): ids at every scope, and reference()/list*(),
// which read resources through the engine (scope.reference / scope.list) at deployment time only.
import { ExpressionError, Msg } from '../errors.js';
import { buildResourceId, typeSegments } from '../resource-ids.js';
import { resolveTemplateResource } from '../resources.js';
import type { JsonValue } from '../values.js';
import { typeName } from '../values.js';
import { arity, defineAll, fail, str, type FunctionContext } from './types.js';

const ID_HELP = 'Please see https://aka.ms/arm-resourceid for usage details.';

function strings(name: string, a: readonly JsonValue[]): string[] {
  return a.map((v) => {
    if (typeof v !== 'string') throw fail(name, `all parameters must be of type 'String'; a parameter is of type '${typeName(v)}'.`);
    return v;
  });
}

/** Splits [prefix..., type, names...] at the first argument with a '/', and checks the name count. */
function typeAndNames(name: string, args: string[], maxPrefix: number): { prefix: string[]; type: string; names: string[] } {
  const t = args.findIndex((x) => x.includes('/'));
  if (t < 0 || t > maxPrefix) {
    throw new ExpressionError(`Unable to evaluate template language function '${name}': function requires exactly one multi-segmented argument which must be resource type including resource provider namespace. Current function arguments '${args.join(',')}'. ${ID_HELP}`);
  }
  const type = args[t]!;
  const names = args.slice(t + 1);
  const { types } = typeSegments(type);
  if (types.length === 0 || types.some((s) => s === '') || names.length !== types.length) {
    throw new ExpressionError(`Unable to evaluate template language function '${name}': the type '${type}' requires '${types.length}' resource name argument(s). ${ID_HELP}`);
  }
  return { prefix: args.slice(0, t), type, names };
}

function runtimeOnly(c: FunctionContext): void {
  if (c.phase !== 'runtime') throw new ExpressionError(Msg.functionNotExpected(c.name));
}

export const resourceFunctions = defineAll(
  {
    name: 'resourceId', call: (a, c) => {
      arity(c.name, a, 2, Infinity);
      const { prefix, type, names } = typeAndNames(c.name, strings(c.name, a), 2);
      const sub = prefix.length === 2 ? prefix[0]! : c.scope.subscription.subscriptionId;
      const group = prefix.length === 2 ? prefix[1] : prefix.length === 1 ? prefix[0] : c.scope.resourceGroup?.name;
      const scopeId = group === undefined ? `/subscriptions/${sub}` : `/subscriptions/${sub}/resourceGroups/${group}`;
      return buildResourceId(scopeId, type, names);
    },
  },
  {
    name: 'subscriptionResourceId', call: (a, c) => {
      arity(c.name, a, 2, Infinity);
      const { prefix, type, names } = typeAndNames(c.name, strings(c.name, a), 1);
      return buildResourceId(`/subscriptions/${prefix[0] ?? c.scope.subscription.subscriptionId}`, type, names);
    },
  },
  {
    name: 'tenantResourceId', call: (a, c) => {
      arity(c.name, a, 2, Infinity);
      const { type, names } = typeAndNames(c.name, strings(c.name, a), 0);
      return buildResourceId('', type, names);
    },
  },
  {
    name: 'extensionResourceId', call: (a, c) => {
      arity(c.name, a, 3, Infinity);
      const all = strings(c.name, a);
      const base = all[0]!;
      if (!base.startsWith('/')) throw fail(c.name, `the first parameter '${base}' must be a fully qualified resource id.`);
      const { type, names } = typeAndNames(c.name, all.slice(1), 0);
      return buildResourceId(base.replace(/\/+$/, ''), type, names);
    },
  },
  {
    name: 'reference', call: async (a, c) => {
      arity(c.name, a, 1, 3);
      runtimeOnly(c);
      const target = str(c.name, a, 0);
      let apiVersion = a.length >= 2 && a[1] !== null ? str(c.name, a, 1) : undefined;
      if (a.length === 3 && (typeof a[2] !== 'string' || a[2].toLowerCase() !== 'full')) {
        throw fail(c.name, `the third parameter must be 'Full' but is '${String(a[2])}'.`);
      }
      let id = target;
      if (!target.startsWith('/')) {
        const found = await resolveTemplateResource(c.scope, target);
        if (!found) throw new ExpressionError(Msg.referenceNotFound(target));
        id = found.id;
        apiVersion ??= found.apiVersion;
      }
      return (await c.scope.reference(id, apiVersion, a.length === 3)) as JsonValue;
    },
  },
);

/** list*(resourceId, apiVersion, functionValues?): listKeys, listSecrets, listAccountSas, ... */
export async function listCall(a: JsonValue[], c: FunctionContext): Promise<JsonValue> {
  arity(c.name, a, 2, 3);
  runtimeOnly(c);
  let id = str(c.name, a, 0);
  const apiVersion = str(c.name, a, 1);
  if (!id.startsWith('/')) {
    const found = await resolveTemplateResource(c.scope, id);
    if (!found) throw new ExpressionError(Msg.referenceNotFound(id));
    id = found.id;
  }
  return (await c.scope.list(id, c.name, apiVersion, a[2])) as JsonValue;
}

