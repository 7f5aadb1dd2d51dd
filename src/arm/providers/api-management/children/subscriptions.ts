// service/{svc}/subscriptions: a scope (all APIs, one API or one product, given relative — `/apis/{api}` —
// or as a full id, stored as a full id as Azure returns it), two keys generated when not given, sealed at
// rest and never returned by GET or list (api-versions since 2019-12-01 hide them): POST listSecrets
// returns them, regeneratePrimaryKey / regenerateSecondaryKey replace them.
import crypto from 'node:crypto';
import { resourceKind, type StoredResource } from '../../../resource-store.js';
import { PRIVATE, defineApimChild, openFor, sealFor, type ApimChildDeps } from '../child.js';
import { ApimChildErrors, bool, oneOf, str, validationError } from '../validation.js';

export interface SubscriptionProperties {
  scope: string;
  displayName: string;
  state: SubscriptionState;
  createdDate: string;
  allowTracing: boolean;
  ownerId?: string;
  startDate?: string;
  expirationDate?: string;
  endDate?: string;
  notificationDate?: string;
  stateComment?: string;
}

const STATES = ['suspended', 'active', 'expired', 'submitted', 'rejected', 'cancelled'] as const;
export type SubscriptionState = typeof STATES[number];

export const SUBSCRIPTION = resourceKind<SubscriptionProperties>('Microsoft.ApiManagement/service/subscriptions');
export const SUBSCRIPTION_TYPE = SUBSCRIPTION.type;

const CREATE = ['ownerId', 'scope', 'displayName', 'primaryKey', 'secondaryKey', 'state', 'allowTracing'];

/** A key as API Management generates them: 32 hex characters. */
export const newSubscriptionKey = (): string => crypto.randomBytes(16).toString('hex');

/** `/apis`, `/apis/{api}`, `/products/{p}` relative to the instance, from either form. */
export function relativeScope(instanceId: string, scope: string): string | undefined {
  let s = scope.trim().replace(/\/+$/, '');
  if (s.toLowerCase().startsWith(instanceId.toLowerCase() + '/')) s = s.slice(instanceId.length);
  else if (/^\/subscriptions\//i.test(s)) return undefined;
  const m = /^\/(apis)(?:\/([^/]+))?$|^\/(products)\/([^/]+)$/i.exec(s);
  if (!m) return undefined;
  return m[1] ? (m[2] ? `/apis/${m[2]}` : '/apis') : `/products/${m[4]}`;
}

interface Keys { primaryKey: string; secondaryKey: string }

/** The keys of a stored subscription (sealed in its private fields). */
export function subscriptionKeys(deps: ApimChildDeps, s: StoredResource<SubscriptionProperties>): Keys {
  const p = s.body[PRIVATE] as Record<string, string>;
  return { primaryKey: openFor(deps, s.id, 'primaryKey', p.primaryKey), secondaryKey: openFor(deps, s.id, 'secondaryKey', p.secondaryKey) };
}

function sealedKeys(deps: ApimChildDeps, id: string, keys: Keys): Record<string, string> {
  return { primaryKey: sealFor(deps, id, 'primaryKey', keys.primaryKey), secondaryKey: sealFor(deps, id, 'secondaryKey', keys.secondaryKey) };
}

export function subscriptionRegistration(deps: ApimChildDeps) {
  const { resources } = deps.arm;

  async function fullScope(instanceId: string, scope: string): Promise<string> {
    const rel = relativeScope(instanceId, scope);
    const invalid = () => validationError('scope', `Scope '${scope}' is invalid: expected '/apis', '/apis/{apiId}' or '/products/{productId}' of this service.`);
    if (!rel) throw invalid();
    if (rel !== '/apis') {
      const target = await resources.get(instanceId + rel);
      if (!target) throw invalid();
      return target.id;
    }
    return instanceId + rel;
  }

  function keyOf(props: Record<string, unknown>, field: keyof Keys): string | undefined {
    const k = str(props, field, { max: 256 });
    if (k !== undefined && k.length < 1) throw ApimChildErrors.required(field);
    return k;
  }

  async function regenerate(s: StoredResource<SubscriptionProperties>, which: keyof Keys) {
    const keys = { ...subscriptionKeys(deps, s), [which]: newSubscriptionKey() };
    await resources.put({ id: s.id, parent: s.id.slice(0, s.id.lastIndexOf('/subscriptions/')), body: { ...s.body, [PRIVATE]: sealedKeys(deps, s.id, keys) } });
    return { status: 204 };
  }

  return defineApimChild(deps, {
    kind: SUBSCRIPTION, path: 'subscriptions', entity: 'Subscription',
    contracts: { create: 'SubscriptionCreateParameters', update: 'SubscriptionUpdateParameters' },
    // PATCH alone may set expirationDate and stateComment (SubscriptionUpdateParameters).
    writable: CREATE, updateOnly: ['expirationDate', 'stateComment'],
    async properties({ instance, id, existing, given }) {
      const prev: Partial<SubscriptionProperties> = existing?.body.properties ?? {};
      const scopeIn = str(given, 'scope') ?? prev.scope;
      if (scopeIn === undefined) throw ApimChildErrors.required('scope');
      const scope = await fullScope(instance.id, scopeIn);
      const displayName = str(given, 'displayName', { max: 100 }) ?? prev.displayName;
      if (displayName === undefined || displayName === '') throw ApimChildErrors.required('displayName');
      const state = oneOf(given, 'state', STATES) ?? prev.state ?? 'submitted';
      const allowTracing = bool(given, 'allowTracing') ?? prev.allowTracing ?? false;
      const keys = existing ? subscriptionKeys(deps, existing) : { primaryKey: newSubscriptionKey(), secondaryKey: newSubscriptionKey() };
      const nowIso = new Date(deps.arm.clock.nowMs()).toISOString();
      const expirationDate = str(given, 'expirationDate');
      if (expirationDate !== undefined && Number.isNaN(Date.parse(expirationDate))) throw validationError('expirationDate', `'${expirationDate}' is not a valid date-time.`);
      // As Azure answers: the dates and comment only once they have a value.
      const optional = {
        ownerId: str(given, 'ownerId') ?? prev.ownerId,
        startDate: state === 'active' ? prev.startDate ?? nowIso.slice(0, 10) + 'T00:00:00Z' : prev.startDate,
        expirationDate: expirationDate ?? prev.expirationDate,
        endDate: prev.endDate,
        notificationDate: prev.notificationDate,
        stateComment: str(given, 'stateComment') ?? prev.stateComment,
      };
      const properties: SubscriptionProperties = {
        scope, displayName, state, createdDate: prev.createdDate ?? nowIso, allowTracing,
        ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined && v !== null)),
      };
      const primaryKey = keyOf(given, 'primaryKey') ?? keys.primaryKey;
      const secondaryKey = keyOf(given, 'secondaryKey') ?? keys.secondaryKey;
      return { properties, private: sealedKeys(deps, id, { primaryKey, secondaryKey }) };
    },
    actions: {
      listsecrets: async (_req, s) => ({ status: 200, body: subscriptionKeys(deps, s), headers: { etag: s.etag } }),
      regenerateprimarykey: (_req, s) => regenerate(s, 'primaryKey'),
      regeneratesecondarykey: (_req, s) => regenerate(s, 'secondaryKey'),
    },
  });
}
