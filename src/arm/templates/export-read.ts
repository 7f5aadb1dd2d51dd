// What exportTemplate reads: the picked resources of a group and, below each, every child the ARM plane
// lists (an instance's APIs, their operations and policies, products and their API links, named values,
// ...), depth first so a parent comes before its children. Everything is read through the front door
// as the caller, so what Azure hides (a secret named value's value, subscription keys) stays hidden.
import type { ArmContext } from '../context.js';
import type { ArmCaller } from '../registry.js';
import { encodeId, newestApiVersion, type Dispatch } from './plan.js';

type Json = Record<string, unknown>;

export interface ReadResource {
  id: string;
  /** Full type: `Microsoft.ApiManagement/service/apis/operations`. */
  type: string;
  /** Name segments from the top-level resource down: ['contoso', 'echo', 'get']. */
  names: string[];
  apiVersion: string;
  body: Json;
  /** The resource this one sits under (children only). */
  parent?: ReadResource;
}

interface Reader {
  arm: ArmContext;
  dispatch: Dispatch;
  caller: ArmCaller;
  correlationId: string;
}

/** Reads `top` (ids of top-level resources with their type and name) and everything under them. */
export async function readResources(arm: ArmContext, dispatch: Dispatch, caller: ArmCaller, correlationId: string,
  top: { id: string; type: string; name: string }[]): Promise<ReadResource[]> {
  const reader: Reader = { arm, dispatch, caller, correlationId };
  const out: ReadResource[] = [];
  for (const r of top) {
    const reg = arm.registry.type(r.type);
    const apiVersion = newestApiVersion(arm, r.type);
    if (!reg?.get || !apiVersion) continue;
    const body = await get(reader, r.id, apiVersion);
    const item: ReadResource = { id: r.id, type: reg.type, names: [r.name], apiVersion, body };
    out.push(item, ...await childrenOf(reader, item));
  }
  return out;
}

async function get(r: Reader, id: string, apiVersion: string): Promise<Json> {
  const got = await r.dispatch({ method: 'GET', path: `${encodeId(id)}?api-version=${apiVersion}`, caller: r.caller, correlationId: r.correlationId });
  return got.body as Json;
}

/** The child types served one level below `type` that can be listed (a type that is only written, such as vaults/accessPolicies, is not). */
function childTypes(arm: ArmContext, type: string): string[] {
  const prefix = `${type.toLowerCase()}/`;
  return arm.registry.typesOf(type.split('/')[0])
    .filter((t) => t.list && t.get && t.put && t.type.toLowerCase().startsWith(prefix) && !t.type.slice(prefix.length).includes('/'))
    .map((t) => t.type);
}

async function childrenOf(r: Reader, parent: ReadResource): Promise<ReadResource[]> {
  const out: ReadResource[] = [];
  for (const type of childTypes(r.arm, parent.type)) {
    const apiVersion = newestApiVersion(r.arm, type)!;
    const segment = type.split('/').pop()!;
    for (const name of await listNames(r, `${parent.id}/${segment}`, apiVersion)) {
      const id = `${parent.id}/${segment}/${name}`;
      const item: ReadResource = { id, type, names: [...parent.names, name], apiVersion, body: await get(r, id, apiVersion), parent };
      out.push(item, ...await childrenOf(r, item));
    }
  }
  return out;
}

/** The names of a collection, every page. */
async function listNames(r: Reader, collectionId: string, apiVersion: string): Promise<string[]> {
  const names: string[] = [];
  let path: string | undefined = `${encodeId(collectionId)}?api-version=${apiVersion}`;
  while (path) {
    const page = (await r.dispatch({ method: 'GET', path, caller: r.caller, correlationId: r.correlationId })).body as { value?: Json[]; nextLink?: string };
    for (const v of page.value ?? []) if (typeof v.name === 'string') names.push(v.name);
    path = page.nextLink ? pathOf(page.nextLink) : undefined;
  }
  return names;
}

const pathOf = (link: string): string => {
  const u = new URL(link);
  return `${u.pathname}${u.search}`;
};
