// `apim-local apim product create|show|list|update|delete` and `apim product api add|delete(remove)|list|
// check`: az's product commands (az apim product ...), with az's flags and output (ProductContract; the
// product's APIs as ApiContract).
import type { Command } from 'commander';
import { action, parseChoice, parseIntArg, parseThreeState, withCommonOptions, type CliContext } from '../command.js';
import type { AzureApiError } from '../errors.js';
import {
  confirmed, contractView, create, generatedId, get, ifMatchOption, list, remove, send, serviceOptions, servicePath, write,
  type Resource, type ServiceOptions,
} from './apim-common.js';
import { apiView } from './apim-api.js';

const PRODUCT_FIELDS = ['approvalRequired', 'description', 'displayName', 'state', 'subscriptionRequired', 'subscriptionsLimit', 'terms'] as const;
const STATES = ['notPublished', 'published'] as const;

const productView = (b: Resource): Resource => contractView(b, PRODUCT_FIELDS);

interface ProductOptions extends ServiceOptions { productId: string }
interface ProductApiOptions extends ProductOptions { apiId: string }
interface PropertyOptions {
  productName?: string; description?: string; legalTerms?: string; subscriptionRequired?: string | boolean; approvalRequired?: string | boolean;
  subscriptionsLimit?: string; state?: string;
}

const productPath = (ctx: CliContext, o: ProductOptions, ...rest: string[]) => servicePath(ctx, o, 'products', o.productId, ...rest);

function propertyOptions(cmd: Command): Command {
  return cmd
    .option('--description <text>', 'description of the product')
    .option('--legal-terms <text>', 'terms of use, shown to developers who subscribe')
    .option('--subscription-required [bool]', 'whether calls to its APIs need a subscription key (true|false; default true)')
    .option('--approval-required [bool]', 'whether subscriptions need an administrator\'s approval (true|false; only with a subscription)')
    .option('--subscriptions-limit <n>', 'how many subscriptions a user may have at once (only with a subscription)')
    .option('--state <state>', `${STATES.join(' | ')} (default notPublished)`);
}

function properties(o: PropertyOptions): Resource {
  const p: Resource = {};
  if (o.productName !== undefined) p.displayName = o.productName;
  if (o.description !== undefined) p.description = o.description;
  if (o.legalTerms !== undefined) p.terms = o.legalTerms;
  const subscriptionRequired = parseThreeState('--subscription-required', o.subscriptionRequired);
  if (subscriptionRequired !== undefined) p.subscriptionRequired = subscriptionRequired;
  const approvalRequired = parseThreeState('--approval-required', o.approvalRequired);
  if (approvalRequired !== undefined) p.approvalRequired = approvalRequired;
  const limit = parseIntArg('--subscriptions-limit', o.subscriptionsLimit);
  if (limit !== undefined) p.subscriptionsLimit = limit;
  const state = parseChoice('--state', o.state, STATES);
  if (state !== undefined) p.state = state;
  return p;
}

export function registerApimProduct(apim: Command): void {
  const product = apim.command('product').description('Manage the products of an API Management service instance.');

  withCommonOptions(propertyOptions(serviceOptions(product.command('create').description('Create a product.'))))
    .requiredOption('--product-name <name>', 'display name of the product')
    .option('--product-id <id>', 'identifier of the product (default: a new one)')
    .option('--no-wait', 'do not wait for the long-running operation to finish')
    .action(action<ServiceOptions & PropertyOptions & { productId?: string; wait: boolean }>(async (ctx, o) => {
      const p = properties(o);
      const created = await create(ctx, productPath(ctx, { ...o, productId: o.productId ?? generatedId() }), { properties: p }, o.wait);
      return created ? { value: productView(created) } : undefined;
    }));

  withCommonOptions(serviceOptions(product.command('show').description('Show the details of a product.')))
    .requiredOption('--product-id <id>', 'identifier of the product')
    .action(action<ProductOptions>(async (ctx, o) => ({ value: productView(await get(ctx, productPath(ctx, o))) })));

  withCommonOptions(serviceOptions(product.command('list').description('List the products of an instance.')))
    .action(action<ServiceOptions>(async (ctx, o) => ({ value: (await list(ctx, servicePath(ctx, o, 'products'))).map(productView) })));

  withCommonOptions(ifMatchOption(propertyOptions(serviceOptions(product.command('update').description('Update a product (what is not given stays).')))))
    .requiredOption('--product-id <id>', 'identifier of the product')
    .option('--product-name <name>', 'display name of the product')
    .action(action<ProductOptions & PropertyOptions & { ifMatch?: string }>(async (ctx, o) => ({
      value: productView(await write(ctx, 'PATCH', productPath(ctx, o), { properties: properties(o) }, o.ifMatch ?? '*')),
    })));

  withCommonOptions(ifMatchOption(serviceOptions(product.command('delete').description('Delete a product (its API links go with it).'))))
    .requiredOption('--product-id <id>', 'identifier of the product')
    .option('--delete-subscriptions', 'also delete the subscriptions to the product')
    .option('-y, --yes', 'do not prompt for confirmation')
    .option('--no-wait', 'do not wait for the long-running operation to finish')
    .action(action<ProductOptions & { ifMatch?: string; deleteSubscriptions?: boolean; yes?: boolean; wait: boolean }>(async (ctx, o) => {
      if (!(await confirmed(ctx, o.yes))) return;
      await remove(ctx, productPath(ctx, o), o.ifMatch, o.deleteSubscriptions ? { deleteSubscriptions: 'true' } : undefined);
    }));

  const api = product.command('api').description('Manage the APIs of a product.');

  withCommonOptions(serviceOptions(api.command('add').description('Add an API to a product; prints the API.')))
    .requiredOption('--product-id <id>', 'identifier of the product')
    .requiredOption('--api-id <id>', 'identifier of the API')
    .action(action<ProductApiOptions>(async (ctx, o) => {
      const res = await send(ctx, 'PUT', productPath(ctx, o, 'apis', o.apiId));
      return { value: apiView(res.json as Resource) };
    }));

  withCommonOptions(serviceOptions(api.command('delete').alias('remove').description('Remove an API from a product (the API stays).')))
    .requiredOption('--product-id <id>', 'identifier of the product')
    .requiredOption('--api-id <id>', 'identifier of the API')
    .action(action<ProductApiOptions>(async (ctx, o) => { await send(ctx, 'DELETE', productPath(ctx, o, 'apis', o.apiId)); }));

  withCommonOptions(serviceOptions(api.command('list').description('List the APIs of a product.')))
    .requiredOption('--product-id <id>', 'identifier of the product')
    .action(action<ProductOptions>(async (ctx, o) => ({ value: (await list(ctx, productPath(ctx, o, 'apis'))).map(apiView) })));

  withCommonOptions(serviceOptions(api.command('check').description('Whether an API is in a product: true or false.')))
    .requiredOption('--product-id <id>', 'identifier of the product')
    .requiredOption('--api-id <id>', 'identifier of the API')
    .action(action<ProductApiOptions>(async (ctx, o) => {
      try {
        await send(ctx, 'HEAD', productPath(ctx, o, 'apis', o.apiId));
        return { value: true };
      } catch (e) {
        if ((e as AzureApiError).status === 404) return { value: false };
        throw e;
      }
    }));
}
