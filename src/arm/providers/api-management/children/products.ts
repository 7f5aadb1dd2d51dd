// service/{svc}/products and the link of a product to an API (products/{p}/apis/{api}).
//
// Default products: Azure creates "Starter" and "Unlimited" (with the Echo API, groups and the built-in
// all-access subscription) in every non-Consumption instance. apim-local does not: an instance starts
// with no products and no APIs, so that what a test or template creates is all the gateway serves, and
// lists are predictable. Templates that expect Starter/Unlimited create them explicitly (as ARM exports do).
import { resourceKind } from '../../../resource-store.js';
import { defineApimChild, defineApimLink, instanceIdOf, unlinkOnDelete, type ApimChildDeps } from '../child.js';
import { bool, int, oneOf, requiredStr, str, validationError } from '../validation.js';
import { API } from './apis.js';
import { SUBSCRIPTION } from './subscriptions.js';

export interface ProductProperties {
  displayName: string;
  description?: string;
  terms?: string;
  subscriptionRequired: boolean;
  approvalRequired?: boolean;
  subscriptionsLimit?: number | null;
  state: 'notPublished' | 'published';
}

export const PRODUCT = resourceKind<ProductProperties>('Microsoft.ApiManagement/service/products');
export const PRODUCT_TYPE = PRODUCT.type;
/** The link of a product to an API: `products/{p}/apis/{api}`, named as the API. */
export const PRODUCT_API = resourceKind<Record<string, never>>('Microsoft.ApiManagement/service/products/apis');
export const PRODUCT_API_TYPE = PRODUCT_API.type;

export function productRegistrations(deps: ApimChildDeps) {
  const products = defineApimChild(deps, {
    kind: PRODUCT, path: 'products', entity: 'Product',
    contracts: { create: 'ProductContract', update: 'ProductUpdateParameters' },
    writable: ['description', 'terms', 'subscriptionRequired', 'approvalRequired', 'subscriptionsLimit', 'state', 'displayName'],
    properties({ merged }) {
      const displayName = requiredStr(merged, 'displayName', { max: 300 });
      const description = str(merged, 'description', { max: 1000 });
      const terms = str(merged, 'terms');
      const subscriptionRequired = bool(merged, 'subscriptionRequired') ?? true;
      const approvalRequired = bool(merged, 'approvalRequired');
      const limit = int(merged, 'subscriptionsLimit', { min: 0 });
      const state = oneOf(merged, 'state', ['notPublished', 'published'] as const) ?? 'notPublished';
      if (!subscriptionRequired && (approvalRequired || limit !== undefined)) {
        throw validationError('subscriptionRequired', 'approvalRequired and subscriptionsLimit can be set only when subscriptionRequired is true.');
      }
      return {
        properties: {
          displayName,
          ...(description !== undefined ? { description } : {}),
          ...(terms !== undefined ? { terms } : {}),
          subscriptionRequired,
          ...(subscriptionRequired ? { approvalRequired: approvalRequired ?? false, subscriptionsLimit: limit ?? null } : {}),
          state,
        },
      };
    },
    // ?deleteSubscriptions=true also deletes the subscriptions to the product.
    async beforeDelete(existing, req, batch) {
      if (req.ctx.query.get('deleteSubscriptions')?.toLowerCase() !== 'true') return;
      for (const s of await batch.listOf(SUBSCRIPTION, { parent: instanceIdOf(existing.id) })) {
        if (s.body.properties.scope.toLowerCase() === existing.id.toLowerCase()) await batch.deleteTree(s.id);
      }
    },
  });
  // The link: PUT answers with the API's contract; HEAD (checkEntityExists) 204 or 404.
  const links = defineApimLink(deps, {
    path: 'products/apis', kind: PRODUCT_API, parent: { kind: PRODUCT, entity: 'Product' },
    target: { kind: API, collection: 'apis', entity: 'Api' }, headStatus: 204,
  });
  // Deleting an API also unlinks it from every product.
  unlinkOnDelete(deps, API, PRODUCT_API);
  return [products, links];
}
