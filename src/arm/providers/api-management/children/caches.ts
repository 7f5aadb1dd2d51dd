// service/{svc}/caches: an external cache (Azure Cache for Redis) for the caching policies
// (Microsoft Learn, "Use an external Azure Cache for Redis in Azure API Management"). As Azure does, the
// connection string is a secret: it goes into a secret named value of its own and the cache holds
// `{{<id>}}` (Azure's example answers `"connectionString": "{{5f7fbca77a891a2200f3db38}}"`), so GET and
// list never show it. A connection string that is already a `{{reference}}` is kept as given.
import crypto from 'node:crypto';
import { resourceKind, type BatchWriter } from '../../../resource-store.js';
import { PRIVATE, defineApimChild, sealFor, type ApimChildDeps } from '../child.js';
import { ApimChildErrors, str, validationError } from '../validation.js';
import { NAMED_VALUE, type NamedValueProperties } from './named-values.js';
import type { CacheConfig, NamedValueConfig } from '../../../../gateway/config.js';
import { namedValueKey } from '../../../../gateway/config.js';

export interface CacheProperties {
  connectionString: string;
  useFromLocation: string;
  description?: string;
  resourceId?: string;
}

export const CACHE = resourceKind<CacheProperties>('Microsoft.ApiManagement/service/caches');

const REFERENCE = /^\{\{\s*([^{}]+?)\s*\}\}$/;
/** Cache identifiers: 'default' or an Azure region (CacheIdParameter: 1-80 characters, not `*#&+:<>?`). */
const CACHE_ID = /^[^*#&+:<>?]{1,80}$/;

export function cacheRegistration(deps: ApimChildDeps) {
  /** Puts the connection string into a secret named value; returns its name. */
  async function seal(batch: BatchWriter, instanceId: string, value: string): Promise<string> {
    const name = crypto.randomBytes(12).toString('hex');
    const id = `${instanceId}/namedValues/${name}`;
    const properties: NamedValueProperties = { displayName: name, tags: [], secret: true, provisioningState: 'Succeeded' };
    await batch.put({ id, parent: instanceId, body: { id, type: NAMED_VALUE.type, name, properties, [PRIVATE]: { sealedValue: sealFor(deps, id, 'value', value) } } });
    return name;
  }

  /** The named value this cache made for its connection string (deleted with it or when replaced). */
  const generatedOf = (body: { [PRIVATE]?: Record<string, unknown> } | undefined): string | undefined => {
    const v = body?.[PRIVATE]?.generatedNamedValue;
    return typeof v === 'string' ? v : undefined;
  };

  return defineApimChild(deps, {
    kind: CACHE, path: 'caches', entity: 'Cache',
    contracts: { create: 'CacheContract', update: 'CacheUpdateParameters' },
    writable: ['connectionString', 'useFromLocation', 'description', 'resourceId'],
    checkName(name) {
      if (!CACHE_ID.test(name)) throw validationError('cacheId', `Cache identifier '${name}' is not valid: 'default' or an Azure region identifier, 1 to 80 characters, none of *#&+:<>?.`);
    },
    properties({ merged }) {
      const connectionString = str(merged, 'connectionString', { max: 300 });
      if (connectionString === undefined || connectionString.trim() === '') throw ApimChildErrors.required('connectionString');
      const useFromLocation = str(merged, 'useFromLocation', { max: 256 });
      if (useFromLocation === undefined || useFromLocation.trim() === '') throw ApimChildErrors.required('useFromLocation');
      const description = str(merged, 'description', { max: 2000 });
      const resourceId = str(merged, 'resourceId', { max: 2000 });
      return {
        properties: {
          useFromLocation, connectionString,
          ...(description !== undefined ? { description } : {}),
          ...(resourceId !== undefined ? { resourceId } : {}),
        },
      };
    },
    // A given connection string moves to a named value in the same transaction; one this cache made before goes.
    async prepare(w, body, batch) {
      const given = body.properties.connectionString;
      const previous = generatedOf(w.existing?.body as { [PRIVATE]?: Record<string, unknown> } | undefined);
      if (REFERENCE.test(given)) {
        const keeps = previous !== undefined && REFERENCE.exec(given)![1].toLowerCase() === previous.toLowerCase();
        if (previous !== undefined && !keeps) await batch.deleteTree(`${w.instance.id}/namedValues/${previous}`);
        return { ...body, ...(keeps ? { [PRIVATE]: { generatedNamedValue: previous } } : {}) };
      }
      if (previous !== undefined) await batch.deleteTree(`${w.instance.id}/namedValues/${previous}`);
      const name = await seal(batch, w.instance.id, given);
      return { ...body, properties: { ...body.properties, connectionString: `{{${name}}}` }, [PRIVATE]: { generatedNamedValue: name } };
    },
    async beforeDelete(cache, _req, batch) {
      const made = generatedOf(cache.body as { [PRIVATE]?: Record<string, unknown> });
      if (made === undefined) return;
      const instanceId = cache.id.slice(0, cache.id.toLowerCase().lastIndexOf('/caches/'));
      await batch.deleteTree(`${instanceId}/namedValues/${made}`);
    },
  });
}

/** The caches as the gateway uses them: connection strings with their {{references}} resolved (unresolved ones are left out). */
export function cacheConfigs(caches: { body: { name: string; properties: CacheProperties } }[], namedValues: NamedValueConfig[]): CacheConfig[] {
  const byName = new Map(namedValues.map((nv) => [namedValueKey(nv.displayName), nv.value]));
  const out: CacheConfig[] = [];
  for (const c of caches) {
    let missing = false;
    const connectionString = c.body.properties.connectionString.replace(/\{\{([^{}]*)\}\}/g, (_, n: string) => {
      const v = byName.get(namedValueKey(n));
      if (v === undefined) missing = true;
      return v ?? '';
    });
    if (!missing) out.push({ name: c.body.name, useFromLocation: c.body.properties.useFromLocation, connectionString });
  }
  return out;
}
