// service/{svc}/subscriptions: a scope (all APIs, one API or one product, given relative — `/apis/{api}` —
// or as a full id, stored as a full id as Azure returns it), two keys generated when not given, sealed at
// rest and never returned by GET or list (api-versions since 2019-12-01 hide them): POST listSecrets
// returns them, regeneratePrimaryKey / regenerateSecondaryKey replace them.
import crypto from 'node:crypto';
import type { ArmRequest, ResourceTypeRegistration } from '../registry.js';
import type { ResourceBody, StoredResource } from '../resource-store.js';
import {
  ApimChildErrors, PRIVATE, bool, childType, deleteChild, getChild, instanceIdOf, listChildren,
  openFor, propertiesOf, publicBody, reloadGateway, requireInstance, sealFor, storeChild, str, validationError, type ApimChildDeps, existingForWrite } from './api-management-common.js';

export const SUBSCRIPTION_TYPE = 'Microsoft.ApiManagement/service/subscriptions';

const CREATE = ['ownerId', 'scope', 'displayName', 'primaryKey', 'secondaryKey', 'state', 'allowTracing'];
const UPDATE = [...CREATE, 'expirationDate', 'stateComment'];
const STATES = ['suspended', 'active', 'expired', 'submitted', 'rejected', 'cancelled'];

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

export function subscriptionRegistration(deps: ApimChildDeps): ResourceTypeRegistration {
  const { arm } = deps;

  async function fullScope(instanceId: string, scope: string): Promise<string> {
    const rel = relativeScope(instanceId, scope);
    const invalid = () => validationError('scope', `Scope '${scope}' is invalid: expected '/apis', '/apis/{apiId}' or '/products/{productId}' of this service.`);
    if (!rel) throw invalid();
    if (rel !== '/apis') {
      const target = await arm.resources.get(instanceId + rel);
      if (!target) throw invalid();
      return target.id;
    }
    return instanceId + rel;
  }

  function keyOf(props: Record<string, unknown>, field: 'primaryKey' | 'secondaryKey'): string | undefined {
    const k = str(props, field, { max: 256 });
    if (k !== undefined && k.length < 1) throw ApimChildErrors.required(field);
    return k;
  }

  async function write(req: ArmRequest, merge: boolean) {
    const svc = await requireInstance(deps, req);
    const name = req.target.name!;
    const existing = await existingForWrite(deps, req, 'Subscription', merge);
    const props = propertiesOf(req, merge ? 'SubscriptionUpdateParameters' : 'SubscriptionCreateParameters', merge ? UPDATE : CREATE);
    const prev = existing?.body.properties ?? {};
    const id = existing?.id ?? req.target.id;
    const scopeIn = str(props, 'scope') ?? prev.scope;
    if (scopeIn === undefined) throw ApimChildErrors.required('scope');
    const scope = await fullScope(svc.id, scopeIn);
    const displayName = str(props, 'displayName', { max: 100 }) ?? prev.displayName;
    if (displayName === undefined || displayName === '') throw ApimChildErrors.required('displayName');
    const state = str(props, 'state') ?? prev.state ?? 'submitted';
    if (!STATES.includes(state)) throw validationError('state', `State '${state}' is invalid. Valid values are: ${STATES.join(', ')}.`);
    const allowTracing = bool(props, 'allowTracing') ?? prev.allowTracing ?? false;
    const keys = existing ? currentKeys(existing) : { primaryKey: newSubscriptionKey(), secondaryKey: newSubscriptionKey() };
    const primaryKey = keyOf(props, 'primaryKey') ?? keys.primaryKey;
    const secondaryKey = keyOf(props, 'secondaryKey') ?? keys.secondaryKey;
    const nowIso = new Date(arm.clock.nowMs()).toISOString();
    const ownerId = str(props, 'ownerId') ?? prev.ownerId;
    // As Azure answers: the dates and comment only once they have a value.
    const optional = {
      ownerId,
      startDate: state === 'active' ? prev.startDate ?? nowIso.slice(0, 10) + 'T00:00:00Z' : prev.startDate,
      expirationDate: props.expirationDate ?? prev.expirationDate,
      endDate: prev.endDate,
      notificationDate: prev.notificationDate,
      stateComment: props.stateComment ?? prev.stateComment,
    };
    const properties: Record<string, unknown> = {
      scope, displayName, state, createdDate: prev.createdDate ?? nowIso, allowTracing,
      ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined && v !== null)),
    };
    const doc = withKeys({ id, type: SUBSCRIPTION_TYPE, name: existing?.body.name ?? name, properties }, primaryKey, secondaryKey);
    const r = await storeChild(deps, req, doc, { ifMatch: merge ? undefined : (req.ctx.req.headers['if-match'] as string | undefined) });
    return merge ? { ...r, status: 200 } : r;
  }

  function withKeys(body: ResourceBody, primaryKey: string, secondaryKey: string): ResourceBody {
    return { ...body, [PRIVATE]: { primaryKey: sealFor(deps, body.id, 'primaryKey', primaryKey), secondaryKey: sealFor(deps, body.id, 'secondaryKey', secondaryKey) } };
  }

  function currentKeys(s: StoredResource): { primaryKey: string; secondaryKey: string } {
    const p = s.body[PRIVATE];
    return { primaryKey: openFor(deps, s.id, 'primaryKey', p.primaryKey), secondaryKey: openFor(deps, s.id, 'secondaryKey', p.secondaryKey) };
  }

  async function find(req: ArmRequest): Promise<StoredResource> {
    await requireInstance(deps, req);
    const s = await arm.resources.get(req.target.id);
    if (!s) throw ApimChildErrors.notFound('Subscription');
    return s;
  }

  async function regenerate(req: ArmRequest, which: 'primaryKey' | 'secondaryKey') {
    const s = await find(req);
    const keys = currentKeys(s);
    keys[which] = newSubscriptionKey();
    await arm.resources.put({ id: s.id, parent: instanceIdOf(s.id), body: withKeys(publicBody(s.body) as ResourceBody, keys.primaryKey, keys.secondaryKey) });
    await reloadGateway(deps, instanceIdOf(s.id));
    return { status: 204 };
  }

  return childType('subscriptions', {
    get: (req) => getChild(deps, req, 'Subscription'),
    put: (req) => write(req, false),
    patch: (req) => write(req, true),
    async delete(req) {
      await requireInstance(deps, req);
      return deleteChild(deps, req, await arm.resources.get(req.target.id));
    },
    list: (req) => listChildren(deps, req, SUBSCRIPTION_TYPE),
    actions: {
      async listsecrets(req) {
        const s = await find(req);
        return { status: 200, body: currentKeys(s), headers: { etag: s.etag } };
      },
      regenerateprimarykey: (req) => regenerate(req, 'primaryKey'),
      regeneratesecondarykey: (req) => regenerate(req, 'secondaryKey'),
    },
  });
}

/** The keys of a stored subscription, for the gateway's configuration. */
export function subscriptionKeys(deps: ApimChildDeps, s: StoredResource): { primaryKey: string; secondaryKey: string } {
  const p = s.body[PRIVATE];
  return { primaryKey: openFor(deps, s.id, 'primaryKey', p.primaryKey), secondaryKey: openFor(deps, s.id, 'secondaryKey', p.secondaryKey) };
}
