// API Management's `$filter` on list operations: per collection, the fields, operators and functions of
// the `$filter` parameter's table in Azure/azure-rest-api-specs, specification/apimanagement/
// resource-manager/Microsoft.ApiManagement/stable/2024-05-01 (file and operationId at each table). A
// field is named as documented (`displayName`) or under `properties/` as Azure also accepts
// (MicrosoftDocs/feedback#3217); `name` is the entity's name. A bad filter is API Management's
// 400 ValidationError (Azure/azure-docs#94849 shows one: code ValidationError, Microsoft.OData's text).
import { AzureError } from '../../../common/errors.js';
import { ODataFilterError, type ComparisonOp } from '../../../common/odata-filter.js';
import { compileFilter, type FieldValue, type FilterField, type FilterFunction, type FilterPredicate, type FilterSchema } from '../../../common/odata-filter-eval.js';
import type { ResourceBody } from '../../resource-store.js';

const ALL_OPS: readonly ComparisonOp[] = ['ge', 'le', 'eq', 'ne', 'gt', 'lt'];
const STRING_FNS: readonly FilterFunction[] = ['substringof', 'contains', 'startswith', 'endswith'];

type Doc = ResourceBody<unknown>;
const propsOf = (d: Doc): Record<string, unknown> => (d.properties ?? {}) as Record<string, unknown>;
const prop = (name: string) => (d: Doc): FieldValue => propsOf(d)[name] as FieldValue;

/** `| field | filter | ge, le, eq, ne, gt, lt | substringof, contains, startswith, endswith |` */
const text = (value: (d: Doc) => FieldValue): FilterField<Doc> => ({ type: 'string', operators: ALL_OPS, functions: STRING_FNS, value });
const eqOnly = (value: (d: Doc) => FieldValue): FilterField<Doc> => ({ type: 'string', operators: ['eq'], functions: [], value });
const nameField = text((d) => d.name);

/** The last segment of `.../{collection}/{name}` in an id, else null. */
const idName = (collection: string) => (id: FieldValue): string | null => {
  if (typeof id !== 'string') return null;
  const m = new RegExp(`/${collection}/([^/]+)/?$`, 'i').exec(id);
  return m ? m[1] : null;
};

function schema(fields: Record<string, FilterField<Doc>>): FilterSchema<Doc> {
  const aliases: Record<string, string> = {};
  for (const n of Object.keys(fields)) if (n !== 'name') aliases[`properties/${n}`] = n;
  return { fields, aliases };
}

/** apimapis.json, Api_ListByService; ProductApi_ListByProduct (apimproducts.json) has the same fields less isCurrent. */
const API_FIELDS = {
  name: nameField, displayName: text(prop('displayName')), description: text(prop('description')),
  serviceUrl: text(prop('serviceUrl')), path: text(prop('path')),
};

/** The filterable fields of each API Management collection, by the list's resource type. */
export const APIM_FILTERS: Readonly<Record<string, FilterSchema<Doc>>> = {
  'Microsoft.ApiManagement/service/apis': schema({
    ...API_FIELDS, isCurrent: { type: 'boolean', operators: ['eq', 'ne'], functions: [], value: prop('isCurrent') },
  }),
  'Microsoft.ApiManagement/service/products/apis': schema(API_FIELDS),
  // apimapis.json, ApiOperation_ListByApi.
  'Microsoft.ApiManagement/service/apis/operations': schema({
    name: nameField, displayName: text(prop('displayName')), method: text(prop('method')),
    description: text(prop('description')), urlTemplate: text(prop('urlTemplate')),
  }),
  // apimnamedvalues.json, NamedValue_ListByService: tags (with any, all) and displayName only.
  'Microsoft.ApiManagement/service/namedValues': schema({
    tags: { type: 'strings', operators: ALL_OPS, functions: [...STRING_FNS, 'any', 'all'], value: prop('tags') },
    displayName: text(prop('displayName')),
  }),
  // apimproducts.json, Product_ListByService (`groups` is an $expand there, not a filter).
  'Microsoft.ApiManagement/service/products': schema({
    name: nameField, displayName: text(prop('displayName')), description: text(prop('description')),
    terms: text(prop('terms')), state: eqOnly(prop('state')),
  }),
  // apimsubscriptions.json, Subscription_List (`user` is an $expand). userId and productId are ours to
  // derive: the user of ownerId (`.../users/{userId}`) and the product of scope (`.../products/{productId}`).
  'Microsoft.ApiManagement/service/subscriptions': schema({
    name: nameField, displayName: text(prop('displayName')), stateComment: text(prop('stateComment')),
    ownerId: text(prop('ownerId')), scope: text(prop('scope')),
    userId: text((d) => idName('users')(propsOf(d).ownerId as FieldValue)), productId: text((d) => idName('products')(propsOf(d).scope as FieldValue)),
    state: eqOnly(prop('state')),
  }),
  // apimbackends.json, Backend_ListByService.
  'Microsoft.ApiManagement/service/backends': schema({
    name: nameField, title: text(prop('title')), url: text(prop('url')),
  }),
  // apimapiversionsets.json, ApiVersionSet_ListByService: the table names no field; name and displayName
  // are what Azure's API Management filters every collection by.
  'Microsoft.ApiManagement/service/apiVersionSets': schema({ name: nameField, displayName: text(prop('displayName')) }),
  // apimtags.json, Tag_ListByService and Tag_ListByApi: displayName and name.
  'Microsoft.ApiManagement/service/tags': schema({ name: nameField, displayName: text(prop('displayName')) }),
  'Microsoft.ApiManagement/service/apis/tags': schema({ name: nameField, displayName: text(prop('displayName')) }),
  // apimpolicyfragments.json, PolicyFragment_ListByService: name, description, value.
  'Microsoft.ApiManagement/service/policyFragments': schema({ name: nameField, description: text(prop('description')), value: text(prop('value')) }),
  // apimloggers.json, Logger_ListByService: name, description, loggerType, resourceId.
  'Microsoft.ApiManagement/service/loggers': schema({
    name: nameField, description: text(prop('description')), loggerType: eqOnly(prop('loggerType')), resourceId: text(prop('resourceId')),
  }),
};

export const ApimFilterErrors = {
  invalid: (message: string) => new AzureError({ status: 400, code: 'ValidationError', message }),
  /** Microsoft.OData's text for a repeated system query option. */
  repeated: () => new AzureError({ status: 400, code: 'ValidationError', message: "Query option '$filter' was specified more than once, but it must be specified at most once." }),
  /** Ours: a collection without a documented `$filter` table. */
  unsupported: (type: string) => new AzureError({ status: 400, code: 'ValidationError', message: `$filter is not supported when listing ${type}.` }),
};

/** The request's `$filter` as a predicate over stored documents of `type`; undefined when there is none. */
export function apimFilterOf(query: URLSearchParams, type: string): FilterPredicate<Doc> | undefined {
  const all = query.getAll('$filter');
  if (all.length === 0) return undefined;
  if (all.length > 1) throw ApimFilterErrors.repeated();
  const s = APIM_FILTERS[type];
  if (!s) throw ApimFilterErrors.unsupported(type);
  try {
    return compileFilter(all[0], s);
  } catch (e) {
    if (e instanceof ODataFilterError) throw ApimFilterErrors.invalid(e.message);
    throw e;
  }
}

/** The documents `query`'s `$filter` keeps (all of them without one). */
export function applyApimFilter(query: URLSearchParams, type: string, docs: Doc[]): Doc[] {
  const keep = apimFilterOf(query, type);
  return keep ? docs.filter(keep) : docs;
}
