// service/{svc}/loggers: where log-to-eventhub and diagnostics send events (azureEventHub,
// applicationInsights, azureMonitor). As Azure does, a credential that is a secret (an Event Hubs
// connection string, an Application Insights instrumentation key or connection string) is kept in a
// secret named value `Logger-Credentials--{id}` and the logger holds `{{Logger-Credentials--{id}}}`,
// so GET and list never show it. Managed identity credentials (`identityClientId`, `endpointAddress`)
// are not secrets and are kept as given.
import crypto from 'node:crypto';
import { resourceKind, type BatchWriter } from '../../../resource-store.js';
import { defineApimChild, sealFor, type ApimChildDeps } from '../child.js';
import { ApimChildErrors, bool, oneOf, str, stringMap, validationError } from '../validation.js';
import { NAMED_VALUE, type NamedValueProperties } from './named-values.js';

export interface LoggerProperties {
  loggerType: 'azureEventHub' | 'applicationInsights' | 'azureMonitor';
  description?: string;
  credentials?: Record<string, string>;
  isBuffered: boolean;
  resourceId?: string;
}

export const LOGGER = resourceKind<LoggerProperties>('Microsoft.ApiManagement/service/loggers');

/** The credentials that are secrets, by logger type. */
const SECRET_CREDENTIALS: Record<LoggerProperties['loggerType'], readonly string[]> = {
  azureEventHub: ['connectionString'],
  applicationInsights: ['instrumentationKey', 'connectionString'],
  azureMonitor: [],
};
const CREDENTIAL_NAMES: Record<LoggerProperties['loggerType'], readonly string[]> = {
  azureEventHub: ['name', 'connectionString', 'identityClientId', 'endpointAddress'],
  applicationInsights: ['instrumentationKey', 'connectionString', 'identityClientId'],
  azureMonitor: [],
};
const REFERENCE = /^\{\{\s*(Logger-Credentials-[^{}]+?)\s*\}\}$/;

/** Checks each type's required credentials (Azure's: a hub name with a connection string or a managed identity endpoint). */
function checkCredentials(type: LoggerProperties['loggerType'], credentials: Record<string, string> | undefined): void {
  const c = credentials ?? {};
  for (const k of Object.keys(c)) {
    if (!CREDENTIAL_NAMES[type].includes(k)) throw validationError(`credentials.${k}`, `'${k}' is not a credential of a logger of type '${type}'. Allowed: ${CREDENTIAL_NAMES[type].join(', ') || 'none'}.`);
  }
  if (type === 'azureEventHub') {
    if (!c.name) throw ApimChildErrors.required('credentials.name');
    if (!c.connectionString && !c.endpointAddress) throw validationError('credentials', "An azureEventHub logger needs 'connectionString', or 'endpointAddress' with 'identityClientId' (managed identity).");
    if (c.endpointAddress && !c.identityClientId) throw ApimChildErrors.required('credentials.identityClientId');
  }
  if (type === 'applicationInsights' && !c.instrumentationKey && !c.connectionString) {
    throw validationError('credentials', "An applicationInsights logger needs 'instrumentationKey' or 'connectionString'.");
  }
}

export function loggerRegistration(deps: ApimChildDeps) {
  /** Puts a secret credential into its own secret named value; returns the reference the logger keeps. */
  async function seal(batch: BatchWriter, instanceId: string, value: string): Promise<string> {
    const name = `Logger-Credentials--${crypto.randomBytes(12).toString('hex')}`;
    const id = `${instanceId}/namedValues/${name}`;
    const properties: NamedValueProperties = { displayName: name, tags: [], secret: true, provisioningState: 'Succeeded' };
    await batch.put({ id, parent: instanceId, body: { id, type: NAMED_VALUE.type, name, properties, _private: { sealedValue: sealFor(deps, id, 'value', value) } } });
    return `{{${name}}}`;
  }

  /** The named values a logger's credentials refer to. */
  const referencedBy = (credentials: Record<string, string> | undefined): string[] =>
    Object.values(credentials ?? {}).map((v) => REFERENCE.exec(v)?.[1]).filter((n): n is string => n !== undefined);

  return defineApimChild(deps, {
    kind: LOGGER, path: 'loggers', entity: 'Logger',
    contracts: { create: 'LoggerContract', update: 'LoggerUpdateContract' },
    writable: ['loggerType', 'description', 'credentials', 'isBuffered', 'resourceId'],
    properties(w) {
      const { merged, existing } = w;
      const loggerType = oneOf(merged, 'loggerType', ['azureEventHub', 'applicationInsights', 'azureMonitor'] as const);
      if (loggerType === undefined) throw ApimChildErrors.required('loggerType');
      if (existing && existing.body.properties.loggerType !== loggerType) throw validationError('loggerType', `The type of logger '${w.name}' cannot be changed.`);
      const description = str(merged, 'description', { max: 256 });
      const resourceId = str(merged, 'resourceId');
      const credentials = stringMap(merged, 'credentials');
      checkCredentials(loggerType, credentials);
      return {
        properties: {
          loggerType,
          ...(description !== undefined ? { description } : {}),
          ...(credentials ? { credentials } : {}),
          isBuffered: bool(merged, 'isBuffered') ?? true,
          ...(resourceId !== undefined ? { resourceId } : {}),
        },
      };
    },
    // Secrets move to named values in the same transaction, before the logger is stored; replaced ones go.
    async prepare(w, body, batch) {
      const given = body.properties.credentials;
      if (!given) return body;
      const credentials: Record<string, string> = {};
      for (const [k, v] of Object.entries(given)) {
        credentials[k] = SECRET_CREDENTIALS[body.properties.loggerType].includes(k) && !REFERENCE.test(v) ? await seal(batch, w.instance.id, v) : v;
      }
      const kept = new Set(referencedBy(credentials).map((n) => n.toLowerCase()));
      for (const name of referencedBy(w.existing?.body.properties.credentials)) {
        if (!kept.has(name.toLowerCase())) await batch.deleteTree(`${w.instance.id}/namedValues/${name}`);
      }
      return { ...body, properties: { ...body.properties, credentials } };
    },
    async beforeDelete(logger, _req, batch) {
      const instanceId = logger.id.slice(0, logger.id.lastIndexOf('/loggers/'));
      for (const name of referencedBy(logger.body.properties.credentials)) await batch.deleteTree(`${instanceId}/namedValues/${name}`);
    },
  });
}
