// service/{svc}/products and the link of a product to an API (products/{p}/apis/{api}).
//
// Default products: Azure creates "Starter" and "Unlimited" (with the Echo API, groups and the built-in
// all-access subscription) in every non-Consumption instance. apim-local does not: an instance starts
// with no products and no APIs, so that what a test or template creates is all the gateway serves, and
// lists are predictable. Templates that expect Starter/Unlimited create them explicitly (as ARM exports do).
import type { ArmRequest, ResourceTypeRegistration } from '../registry.js';
import type { ResourceBody } from '../resource-store.js';
import {
  ApimChildErrors, bool, childType, deleteChild, getChild, instanceIdOf, listChildren, pageOfDocuments, propertiesOf,
  publicBody, reloadGateway, requireEntity, requireInstance, storeChild, str, validationError, type ApimChildDeps, existingForWrite } from './api-management-common.js';
import { API_TYPE, PRODUCT_API_TYPE } from './api-management-apis.js';
import { SUBSCRIPTION_TYPE } from './api-management-subscriptions.js';

export const PRODUCT_TYPE = 'Microsoft.ApiManagement/service/products';

const WRITABLE = ['description', 'terms', 'subscriptionRequired', 'approvalRequired', 'subscriptionsLimit', 'state', 'displayName'];
const STATES = ['notPublished', 'published'];

function productProperties(merged: Record<string, any>): Record<string, unknown> {
  const displayName = str(merged, 'displayName', { required: true, max: 300 })!;
  const description = str(merged, 'description', { max: 1000 });
  const terms = str(merged, 'terms');
  const subscriptionRequired = bool(merged, 'subscriptionRequired') ?? true;
  const approvalRequired = bool(merged, 'approvalRequired');
  const limit = merged.subscriptionsLimit;
  if (limit !== undefined && limit !== null && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0)) {
    throw validationError('subscriptionsLimit', "'subscriptionsLimit' must be a non-negative integer.");
  }
  const state = merged.state ?? 'notPublished';
  if (typeof state !== 'string' || !STATES.includes(state)) throw validationError('state', `State '${String(state)}' is invalid. Valid values are: ${STATES.join(', ')}.`);
  if (!subscriptionRequired && (approvalRequired || (limit !== undefined && limit !== null))) {
    throw validationError('subscriptionRequired', 'approvalRequired and subscriptionsLimit can be set only when subscriptionRequired is true.');
  }
  return {
    displayName,
    ...(description !== undefined ? { description } : {}),
    ...(terms !== undefined ? { terms } : {}),
    subscriptionRequired,
    ...(subscriptionRequired ? { approvalRequired: approvalRequired ?? false, subscriptionsLimit: limit ?? null } : {}),
    state,
  };
}

export function productRegistrations(deps: ApimChildDeps): ResourceTypeRegistration[] {
  const { arm } = deps;

  async function write(req: ArmRequest, merge: boolean) {
    await requireInstance(deps, req);
    const name = req.target.name!;
    const existing = await existingForWrite(deps, req, 'Product', merge);
    const props = propertiesOf(req, merge ? 'ProductUpdateParameters' : 'ProductContract', WRITABLE);
    const merged: Record<string, any> = { ...(merge ? existing!.body.properties : {}) };
    for (const k of WRITABLE) if (props[k] !== undefined) merged[k] = props[k];
    const doc: ResourceBody = { id: existing?.id ?? req.target.id, type: PRODUCT_TYPE, name: existing?.body.name ?? name, properties: productProperties(merged) };
    const r = await storeChild(deps, req, doc, { ifMatch: merge ? undefined : (req.ctx.req.headers['if-match'] as string | undefined) });
    return merge ? { ...r, status: 200 } : r;
  }

  const products = childType('products', {
    get: (req) => getChild(deps, req, 'Product'),
    put: (req) => write(req, false),
    patch: (req) => write(req, true),
    async delete(req) {
      await requireInstance(deps, req);
      const existing = await arm.resources.get(req.target.id);
      const result = await deleteChild(deps, req, existing);
      // ?deleteSubscriptions=true also deletes the subscriptions to the product.
      if (existing && req.ctx.query.get('deleteSubscriptions')?.toLowerCase() === 'true') {
        for (const s of await arm.resources.list({ parent: instanceIdOf(existing.id), type: SUBSCRIPTION_TYPE })) {
          if (String(s.body.properties.scope).toLowerCase() === existing.id.toLowerCase()) await arm.resources.deleteTree(s.id);
        }
        await reloadGateway(deps, instanceIdOf(existing.id));
      }
      return result;
    },
    list: (req) => listChildren(deps, req, PRODUCT_TYPE),
  });

  const product = async (req: ArmRequest) => {
    await requireInstance(deps, req);
    return requireEntity(deps, req.target.scope, 'Product');
  };
  const apiOf = (req: ArmRequest, apiName: string) => requireEntity(deps, `${instanceIdOf(req.target.id)}/apis/${apiName}`, 'Api');

  // The link: PUT answers with the API's contract; HEAD (checkEntityExists) 204 or 404.
  const links = childType('products/apis', {
    headStatus: 204,
    async get(req) {
      await product(req);
      if (!(await arm.resources.get(req.target.id))) throw ApimChildErrors.notFound('Api');
      const api = await apiOf(req, req.target.name!);
      return { status: 200, body: publicBody(api.body) };
    },
    async put(req) {
      const p = await product(req);
      const api = await apiOf(req, req.target.name!);
      const id = `${p.id}/apis/${api.body.name}`;
      const r = await arm.resources.put({ id, parent: p.id, body: { id, type: PRODUCT_API_TYPE, name: api.body.name, properties: {} } });
      await reloadGateway(deps, instanceIdOf(p.id));
      return { status: r.created ? 201 : 200, body: publicBody(api.body) };
    },
    async delete(req) {
      await product(req);
      const existing = await arm.resources.get(req.target.id);
      if (!existing) return { status: 204 };
      await arm.resources.deleteTree(existing.id);
      await reloadGateway(deps, instanceIdOf(existing.id));
      return { status: 200 };
    },
    async list(req) {
      const p = await product(req);
      const linked = await arm.resources.list({ parent: p.id, type: PRODUCT_API_TYPE });
      const instanceId = instanceIdOf(p.id);
      const apis: ResourceBody[] = [];
      for (const l of linked) {
        const api = await arm.resources.get(`${instanceId}/apis/${l.body.name}`);
        if (api && api.body.type === API_TYPE) apis.push(api.body);
      }
      return pageOfDocuments(deps, req, PRODUCT_API_TYPE, apis);
    },
  });
  return [products, links];
}

/** Names of the APIs linked to a product. */
export async function productApiNames(deps: ApimChildDeps, productId: string): Promise<string[]> {
  return (await deps.arm.resources.list({ parent: productId, type: PRODUCT_API_TYPE })).map((l) => l.body.name);
}
