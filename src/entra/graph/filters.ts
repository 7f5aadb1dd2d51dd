// `$filter` on Graph's directory collections: the fields and operators Graph documents for them
// (eq on ids and names, startswith on names, any() over servicePrincipalNames and identifierUris), bound
// with the one OData filter evaluator of the project (common/odata-filter-eval.ts).
import type { ComparisonOp } from '../../common/odata-filter.js';
import { compileFilter, type FieldValue, type FilterField, type FilterFunction, type FilterPredicate, type FilterSchema } from '../../common/odata-filter-eval.js';
import { ODataFilterError } from '../../common/odata-filter.js';
import { applicationObjectId, type Principal } from '../directory.js';
import { GraphErrors } from './errors.js';
import { servicePrincipalNames, type ShapeContext } from './shapes.js';

const EQ: readonly ComparisonOp[] = ['eq', 'ne'];
const RANGE: readonly ComparisonOp[] = ['eq', 'ne', 'ge', 'le'];
const eq = <T>(value: (x: T) => FieldValue): FilterField<T> => ({ type: 'string', operators: EQ, functions: [], value });
const named = <T>(value: (x: T) => FieldValue): FilterField<T> => ({ type: 'string', operators: RANGE, functions: ['startswith'], value });
const names = <T>(value: (x: T) => FieldValue, functions: readonly FilterFunction[] = ['any']): FilterField<T> => ({ type: 'strings', operators: ['eq'], functions: [...functions, 'startswith'], value });

export function servicePrincipalFilter(c: ShapeContext): FilterSchema<Principal> {
  return {
    fields: {
      id: eq((p) => p.objectId), appId: eq((p) => p.appId), displayName: named((p) => p.displayName),
      servicePrincipalNames: names((p) => servicePrincipalNames(p, c)),
      alternativeNames: names((p) => p.alternativeNames ?? []),
      servicePrincipalType: eq((p) => (p.principalType === 'ManagedIdentity' ? 'ManagedIdentity' : 'Application')),
      accountEnabled: { type: 'boolean', operators: EQ, functions: [], value: () => true },
    },
  };
}

export const APPLICATION_FILTER: FilterSchema<Principal> = {
  fields: {
    id: eq((p) => applicationObjectId(p)), appId: eq((p) => p.appId), displayName: named((p) => p.displayName),
    identifierUris: names((p) => p.identifierUris ?? []),
  },
};

/** No users exist here; a filter on them is still checked, as Graph checks it. */
export const USER_FILTER: FilterSchema<never> = {
  fields: { id: eq(() => null), userPrincipalName: named(() => null), displayName: named(() => null), mail: named(() => null) },
};

/** The predicate of a `$filter`, or Graph's 400 naming the fault. */
export function graphFilter<T>(text: string, schema: FilterSchema<T>): FilterPredicate<T> {
  try {
    return compileFilter(text, schema);
  } catch (e) {
    if (!(e instanceof ODataFilterError)) throw e;
    if (/^(Filtering by|The operator|The function)/.test(e.message)) throw GraphErrors.unsupportedQuery(`Unsupported or invalid query filter clause specified: ${e.message}`);
    throw GraphErrors.invalidFilter(e.message);
  }
}
