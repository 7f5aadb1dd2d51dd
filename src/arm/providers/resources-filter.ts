// `$filter` of the generic resources list (GET /subscriptions/{s}[/resourceGroups/{g}]/resources), as
// ARM documents it (Resources - List): eq / ne on name, resourceGroup, resourceType and location,
// `substringof('x', name|resourceGroup)`, joined with and / or / not; tags by `tagName eq 'k'`,
// `startswith(tagName, 'k')` or `tagName eq 'k' and tagValue eq 'v'` (one tag with that name and value),
// which ARM takes only alone: combined with anything else it is refused, as ARM refuses it
// (InvalidFilterInQueryString, "Invalid $filter '...' specified in the query string."). A resource
// group list takes the tag filters only.
import { ArmErrors } from '../errors.js';
import { parseFilter, ODataFilterError, type FilterExpr } from '../../common/odata-filter.js';
import { compileFilter, type FilterField, type FilterSchema } from '../../common/odata-filter-eval.js';

/** What a filter reads of a listed resource. */
export interface FilterableResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
}

/** A compiled filter: which items to keep, and whether ARM leaves their tags out (a tag name and value filter). */
export interface ResourceFilter {
  keep(r: FilterableResource): boolean;
  hidesTags: boolean;
}

const groupOf = (id: string): string | null => /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? null;
const field = (value: (r: FilterableResource) => string | null | undefined, substring = false): FilterField<FilterableResource> => ({
  type: 'string', operators: ['eq', 'ne'], functions: substring ? ['substringof'] : [], value,
});

const RESOURCE_FIELDS: FilterSchema<FilterableResource> = {
  fields: {
    name: field((r) => r.name, true),
    resourceGroup: field((r) => groupOf(r.id), true),
    resourceType: field((r) => r.type),
    location: field((r) => r.location),
  },
};

type TagTest = { name?: string; prefix?: string; value?: string };

/** `tagName eq 'k'`, `startswith(tagName,'k')`, `tagName eq 'k' and tagValue eq 'v'` (either order); undefined otherwise. */
function tagTest(e: FilterExpr): TagTest | undefined {
  const member = (x: FilterExpr, n: string) => x.kind === 'member' && x.path.length === 1 && x.path[0].toLowerCase() === n;
  const str = (x: FilterExpr) => (x.kind === 'literal' && typeof x.value === 'string' ? x.value : undefined);
  const eqOf = (x: FilterExpr, n: string): string | undefined => (x.kind === 'compare' && x.op === 'eq' && member(x.left, n) ? str(x.right) : undefined);
  const name = eqOf(e, 'tagname');
  if (name !== undefined) return { name };
  if (e.kind === 'call' && e.name.toLowerCase() === 'startswith' && e.args.length === 2 && member(e.args[0], 'tagname')) {
    const prefix = str(e.args[1]);
    if (prefix !== undefined) return { prefix };
  }
  if (e.kind === 'logical' && e.op === 'and') {
    for (const [a, b] of [[e.left, e.right], [e.right, e.left]]) {
      const n = eqOf(a, 'tagname');
      const v = eqOf(b, 'tagvalue');
      if (n !== undefined && v !== undefined) return { name: n, value: v };
    }
  }
  return undefined;
}

function mentionsTags(e: FilterExpr): boolean {
  switch (e.kind) {
    case 'member': return ['tagname', 'tagvalue'].includes(e.path.join('/').toLowerCase());
    case 'compare': case 'logical': return mentionsTags(e.left) || mentionsTags(e.right);
    case 'not': return mentionsTags(e.operand);
    case 'call': return e.args.some(mentionsTags);
    case 'lambda': return e.collection.join('/').toLowerCase().startsWith('tag') || (e.body !== undefined && mentionsTags(e.body));
    default: return false;
  }
}

function tagFilter(t: TagTest): ResourceFilter {
  // Tag names compare without case, values exactly, as ARM's tag index.
  const name = t.name?.toLowerCase();
  const prefix = t.prefix?.toLowerCase();
  return {
    keep: (r) => Object.entries(r.tags ?? {}).some(([k, v]) => (name !== undefined ? k.toLowerCase() === name : k.toLowerCase().startsWith(prefix!)) && (t.value === undefined || v === t.value)),
    hidesTags: t.value !== undefined,
  };
}

/** The filter of the resources list; ARM's 400 for anything it does not take. */
export function resourcesFilter(filter: string): ResourceFilter {
  try {
    const expr = parseFilter(filter);
    if (mentionsTags(expr)) {
      const t = tagTest(expr);
      if (!t) throw ArmErrors.invalidFilter(filter);
      return tagFilter(t);
    }
    return { keep: compileFilter(filter, RESOURCE_FIELDS), hidesTags: false };
  } catch (e) {
    if (e instanceof ODataFilterError) throw ArmErrors.invalidFilter(filter);
    throw e;
  }
}

/** The filter of the resource groups list: the tag filters only. */
export function resourceGroupsFilter(filter: string): ResourceFilter {
  let expr: FilterExpr;
  try { expr = parseFilter(filter); } catch (e) {
    if (e instanceof ODataFilterError) throw ArmErrors.invalidFilter(filter);
    throw e;
  }
  const t = tagTest(expr);
  if (!t) throw ArmErrors.invalidFilter(filter);
  return tagFilter(t);
}
