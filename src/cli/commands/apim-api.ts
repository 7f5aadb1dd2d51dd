// `apim-local apim api create|import|show|list|update|delete` and `apim api operation create|show|list|
// update|delete`: az's API and operation commands (az apim api ..., az apim api operation ...), with
// az's flags, defaults and output (the Python SDK's ApiContract and OperationContract).
import fs from 'node:fs';
import type { Command } from 'commander';
import { action, parseChoice, parseThreeState, withCommonOptions, type CliContext } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import {
  confirmed, contractView, create, generatedId, get, ifMatchOption, list, remove, serviceOptions, servicePath, write,
  type Resource, type ServiceOptions,
} from './apim-common.js';

/** ApiContract's properties (api_type is the wire's `type`). */
const API_FIELDS = [
  'apiRevision', 'apiRevisionDescription', 'apiType', 'apiVersion', 'apiVersionDescription', 'apiVersionSet', 'apiVersionSetId',
  'authenticationSettings', 'contact', 'description', 'displayName', 'isCurrent', 'isOnline', 'license', 'path', 'protocols',
  'serviceUrl', 'sourceApiId', 'subscriptionKeyParameterNames', 'subscriptionRequired', 'termsOfServiceUrl',
] as const;
const OPERATION_FIELDS = ['description', 'displayName', 'method', 'policies', 'request', 'responses', 'templateParameters', 'urlTemplate'] as const;

export const apiView = (b: Resource): Resource => contractView(b, API_FIELDS, { apiType: 'type' });
const operationView = (b: Resource): Resource => contractView(b, OPERATION_FIELDS);

const PROTOCOLS = ['http', 'https', 'ws', 'wss'] as const;
const API_TYPES = ['graphql', 'http', 'soap', 'websocket'] as const;
/** az's ImportFormat → the API's `format`: [from a file, from a URL]. */
const IMPORT_FORMATS: Record<string, [string, string]> = {
  Wadl: ['wadl-xml', 'wadl-link-json'],
  Swagger: ['swagger-json', 'swagger-link-json'],
  OpenApi: ['openapi', 'openapi-link'],
  OpenApiJson: ['openapi+json', 'openapi+json-link'],
  Wsdl: ['wsdl', 'wsdl-link'],
  GraphQL: ['graphql-link', 'graphql-link'],
};

interface ApiIdOptions extends ServiceOptions { apiId: string }
interface OperationIdOptions extends ApiIdOptions { operationId: string }
interface NoWait { wait: boolean }

const apiPath = (ctx: CliContext, o: ApiIdOptions) => servicePath(ctx, o, 'apis', o.apiId);
const operationPath = (ctx: CliContext, o: OperationIdOptions) => servicePath(ctx, o, 'apis', o.apiId, 'operations', o.operationId);

function protocolList(values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  if (values.length > 0 && values[0].startsWith('-')) throw new UsageError('argument --protocols: expected at least one argument');
  return values.map((v) => parseChoice('--protocols', v, PROTOCOLS)!);
}

/** az's _get_subscription_key_parameter_names: only when one of them is given. */
function keyNames(header: string | undefined, query: string | undefined): Resource | undefined {
  if (header === undefined && query === undefined) return undefined;
  return { ...(header !== undefined ? { header } : {}), ...(query !== undefined ? { query } : {}) };
}

/** Drops undefined members (what az leaves None is not sent). */
function defined(o: Resource): Resource {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** `{id}`, `{*path}` and `{name}` of `?q={name}`: the parameter names of a URL template. */
export function templateNames(template: string): string[] {
  return [...template.matchAll(/\{\*?([^{}]+)\}/g)].map((m) => m[1]);
}

/**
 * `--template-parameters name=id type=string required=true [description=...] ...`: each `name=` starts
 * a parameter (az's TemplateParameter action takes one per occurrence of the option).
 */
export function parseTemplateParameters(values: string[] | undefined): Resource[] {
  const out: Resource[] = [];
  const keys: Record<string, string> = { default_value: 'defaultValue', type_name: 'typeName', schema_id: 'schemaId' };
  for (const item of values ?? []) {
    const i = item.indexOf('=');
    if (i <= 0) throw new UsageError(`usage error: --template-parameters NAME=VALUE ('${item}')`);
    const key = keys[item.slice(0, i)] ?? item.slice(0, i);
    const value = item.slice(i + 1);
    if (key === 'name' || out.length === 0 || out[out.length - 1][key] !== undefined) out.push({});
    const p = out[out.length - 1];
    if (key === 'required') p.required = parseThreeState('--template-parameters required', value);
    else if (key === 'values') p.values = value === '' ? [] : value.split(',');
    else p[key] = value;
  }
  for (const p of out) {
    if (!p.name) throw new UsageError('usage error: every --template-parameters needs name=NAME');
    p.type ??= 'string';
    p.required ??= true;
  }
  return out;
}

/** The declared parameters, plus one (string, required) for each name the template uses and none declares. */
function withTemplateParameters(urlTemplate: string, declared: Resource[]): Resource[] {
  const out = [...declared];
  for (const n of templateNames(urlTemplate)) {
    if (!out.some((p) => String(p.name).toLowerCase() === n.toLowerCase())) out.push({ name: n, type: 'string', required: true, values: [] });
  }
  return out;
}

export function registerApimApi(apim: Command): void {
  const api = apim.command('api').description('Manage the APIs of an API Management service instance.');

  withCommonOptions(serviceOptions(api.command('create').description('Create an API.')))
    .requiredOption('--api-id <id>', 'identifier of the API (unique in the instance)')
    .requiredOption('--path <path>', 'URL suffix of the API under the gateway URL')
    .requiredOption('--display-name <name>', 'display name of the API')
    .option('--service-url <url>', 'URL of the backend service implementing the API')
    .option('--protocols <protocols...>', `protocols the API is served on: ${PROTOCOLS.join(' ')} (default https)`)
    .option('--description <text>', 'description of the API')
    .option('--subscription-required [bool]', 'whether calls need a subscription key (true|false; default false, as az)')
    .option('--subscription-key-header-name <name>', 'header for the subscription key (default Ocp-Apim-Subscription-Key)')
    .option('--subscription-key-query-param-name <name>', 'query parameter for the subscription key (default subscription-key)')
    .option('--api-type <type>', `type of the API: ${API_TYPES.join(', ')}`)
    .option('--no-wait', 'do not wait for the long-running operation to finish')
    .action(action<ApiIdOptions & NoWait & {
      path: string; displayName: string; serviceUrl?: string; protocols?: string[]; description?: string; subscriptionRequired?: string | boolean;
      subscriptionKeyHeaderName?: string; subscriptionKeyQueryParamName?: string; apiType?: string;
    }>(async (ctx, o) => {
      const properties = defined({
        displayName: o.displayName, path: o.path, serviceUrl: o.serviceUrl, description: o.description,
        protocols: protocolList(o.protocols) ?? ['https'],
        subscriptionRequired: parseThreeState('--subscription-required', o.subscriptionRequired) ?? false,
        subscriptionKeyParameterNames: keyNames(o.subscriptionKeyHeaderName, o.subscriptionKeyQueryParamName),
        type: parseChoice('--api-type', o.apiType, API_TYPES),
      });
      const created = await create(ctx, apiPath(ctx, o), { properties }, o.wait);
      return created ? { value: apiView(created) } : undefined;
    }));

  withCommonOptions(serviceOptions(api.command('import').description('Import an API from a specification (OpenAPI 3 as YAML or JSON, Swagger 2), given as a file or a URL.')))
    .requiredOption('--path <path>', 'URL suffix of the API under the gateway URL')
    .requiredOption('--specification-format <format>', `format of the specification: ${Object.keys(IMPORT_FORMATS).join(', ')}`)
    .option('--specification-path <file>', 'the specification file')
    .option('--specification-url <url>', 'URL of the specification (downloaded by the server)')
    .option('--api-id <id>', 'identifier of the API (default: a new one)')
    .option('--display-name <name>', "display name (default: the specification's title)")
    .option('--service-url <url>', "URL of the backend service (default: the specification's server)")
    .option('--protocols <protocols...>', `protocols the API is served on: ${PROTOCOLS.join(' ')} (default https)`)
    .option('--description <text>', "description (default: the specification's)")
    .option('--subscription-required [bool]', 'whether calls need a subscription key (true|false)')
    .option('--subscription-key-header-name <name>', 'header for the subscription key')
    .option('--subscription-key-query-param-name <name>', 'query parameter for the subscription key')
    .option('--api-type <type>', `type of the API: ${API_TYPES.join(', ')}`)
    .option('--no-wait', 'do not wait for the long-running operation to finish')
    .action(action<ServiceOptions & NoWait & {
      path: string; specificationFormat: string; specificationPath?: string; specificationUrl?: string; apiId?: string; displayName?: string;
      serviceUrl?: string; protocols?: string[]; description?: string; subscriptionRequired?: string | boolean;
      subscriptionKeyHeaderName?: string; subscriptionKeyQueryParamName?: string; apiType?: string;
    }>(async (ctx, o) => {
      const format = parseChoice('--specification-format', o.specificationFormat, Object.keys(IMPORT_FORMATS))!;
      if (o.specificationPath !== undefined && o.specificationUrl !== undefined) throw new UsageError("Can't specify specification-url and specification-path at the same time.");
      if (o.specificationPath === undefined && o.specificationUrl === undefined) throw new UsageError('Please either specify specification-url or specification-path.');
      let value: string;
      if (o.specificationPath !== undefined) {
        try {
          value = fs.readFileSync(o.specificationPath, 'utf8');
        } catch (e) {
          throw new CliError(`Cannot read the specification file '${o.specificationPath}': ${(e as { code?: string }).code ?? String(e)}`);
        }
      } else {
        value = o.specificationUrl!;
      }
      const properties = defined({
        format: IMPORT_FORMATS[format][o.specificationPath !== undefined ? 0 : 1], value,
        path: o.path, displayName: o.displayName, serviceUrl: o.serviceUrl, description: o.description, protocols: protocolList(o.protocols),
        subscriptionRequired: parseThreeState('--subscription-required', o.subscriptionRequired),
        subscriptionKeyParameterNames: keyNames(o.subscriptionKeyHeaderName, o.subscriptionKeyQueryParamName),
        type: parseChoice('--api-type', o.apiType, API_TYPES),
      });
      const apiId = o.apiId ?? generatedId();
      const created = await create(ctx, apiPath(ctx, { ...o, apiId }), { properties }, o.wait);
      return created ? { value: apiView(created) } : undefined;
    }));

  withCommonOptions(serviceOptions(api.command('show').description('Show the details of an API.')))
    .requiredOption('--api-id <id>', 'identifier of the API')
    .action(action<ApiIdOptions>(async (ctx, o) => ({ value: apiView(await get(ctx, apiPath(ctx, o))) })));

  withCommonOptions(serviceOptions(api.command('list').description('List the APIs of an instance.')))
    .option('--filter-display-name <text>', 'only APIs whose display name contains this text')
    .action(action<ServiceOptions & { filterDisplayName?: string }>(async (ctx, o) => {
      let items = (await list(ctx, servicePath(ctx, o, 'apis'))).map(apiView);
      if (o.filterDisplayName !== undefined) {
        const f = o.filterDisplayName.toLowerCase();
        items = items.filter((a) => String(a.displayName ?? '').toLowerCase().includes(f));
      }
      return { value: items };
    }));

  withCommonOptions(ifMatchOption(serviceOptions(api.command('update').description('Update an API (what is not given stays).'))))
    .requiredOption('--api-id <id>', 'identifier of the API')
    .option('--path <path>', 'URL suffix of the API under the gateway URL')
    .option('--display-name <name>', 'display name of the API')
    .option('--service-url <url>', 'URL of the backend service implementing the API')
    .option('--protocols <protocols...>', `protocols the API is served on: ${PROTOCOLS.join(' ')}`)
    .option('--description <text>', 'description of the API')
    .option('--subscription-required [bool]', 'whether calls need a subscription key (true|false)')
    .option('--subscription-key-header-name <name>', 'header for the subscription key')
    .option('--subscription-key-query-param-name <name>', 'query parameter for the subscription key')
    .action(action<ApiIdOptions & {
      ifMatch?: string; path?: string; displayName?: string; serviceUrl?: string; protocols?: string[]; description?: string;
      subscriptionRequired?: string | boolean; subscriptionKeyHeaderName?: string; subscriptionKeyQueryParamName?: string;
    }>(async (ctx, o) => {
      const properties = defined({
        path: o.path, displayName: o.displayName, serviceUrl: o.serviceUrl, description: o.description, protocols: protocolList(o.protocols),
        subscriptionRequired: parseThreeState('--subscription-required', o.subscriptionRequired),
        subscriptionKeyParameterNames: keyNames(o.subscriptionKeyHeaderName, o.subscriptionKeyQueryParamName),
      });
      const updated = await write(ctx, 'PATCH', apiPath(ctx, o), { properties }, o.ifMatch ?? '*');
      return { value: apiView(updated) };
    }));

  withCommonOptions(ifMatchOption(serviceOptions(api.command('delete').description('Delete an API (with its operations and policies; its product links go too).'))))
    .requiredOption('--api-id <id>', 'identifier of the API')
    .option('-y, --yes', 'do not prompt for confirmation')
    .option('--no-wait', 'do not wait for the long-running operation to finish')
    .action(action<ApiIdOptions & NoWait & { ifMatch?: string; yes?: boolean }>(async (ctx, o) => {
      if (!(await confirmed(ctx, o.yes))) return;
      await remove(ctx, apiPath(ctx, o), o.ifMatch);
    }));

  registerOperation(api);
}

function registerOperation(api: Command): void {
  const op = api.command('operation').description('Manage the operations of an API.');

  withCommonOptions(serviceOptions(op.command('create').description('Create an operation of an API.')))
    .requiredOption('--api-id <id>', 'identifier of the API')
    .requiredOption('--url-template <template>', 'relative URL template, e.g. /users/{id} (parameters in braces)')
    .requiredOption('--method <method>', 'HTTP method, e.g. GET')
    .requiredOption('--display-name <name>', 'display name of the operation')
    .option('--operation-id <id>', 'identifier of the operation (default: a new one)')
    .option('--description <text>', 'description of the operation')
    .option('-p, --template-parameters <params...>', 'a URL template parameter: name=NAME [type=string] [required=true] [description=...] '
      + '[values=a,b] (repeat the option for more; parameters of the template not given are declared as required strings)')
    .action(action<ApiIdOptions & { urlTemplate: string; method: string; displayName: string; operationId?: string; description?: string; templateParameters?: string[] }>(async (ctx, o) => {
      const operationId = o.operationId ?? generatedId();
      const properties = defined({
        displayName: o.displayName, method: o.method, urlTemplate: o.urlTemplate, description: o.description,
        templateParameters: withTemplateParameters(o.urlTemplate, parseTemplateParameters(o.templateParameters)),
      });
      const created = await write(ctx, 'PUT', operationPath(ctx, { ...o, operationId }), { properties });
      return { value: operationView(created) };
    }));

  withCommonOptions(serviceOptions(op.command('show').description('Show the details of an operation.')))
    .requiredOption('--api-id <id>', 'identifier of the API')
    .requiredOption('--operation-id <id>', 'identifier of the operation')
    .action(action<OperationIdOptions>(async (ctx, o) => ({ value: operationView(await get(ctx, operationPath(ctx, o))) })));

  withCommonOptions(serviceOptions(op.command('list').description('List the operations of an API.')))
    .requiredOption('--api-id <id>', 'identifier of the API')
    .action(action<ApiIdOptions>(async (ctx, o) => ({ value: (await list(ctx, servicePath(ctx, o, 'apis', o.apiId, 'operations'))).map(operationView) })));

  withCommonOptions(ifMatchOption(serviceOptions(op.command('update').description('Update an operation (what is not given stays).'))))
    .requiredOption('--api-id <id>', 'identifier of the API')
    .requiredOption('--operation-id <id>', 'identifier of the operation')
    .option('--url-template <template>', 'relative URL template (parameters no longer in it are dropped, new ones declared)')
    .option('--method <method>', 'HTTP method')
    .option('--display-name <name>', 'display name of the operation')
    .option('--description <text>', 'description of the operation')
    .option('-p, --template-parameters <params...>', 'URL template parameters, as for create (replace the declared ones)')
    .action(action<OperationIdOptions & { ifMatch?: string; urlTemplate?: string; method?: string; displayName?: string; description?: string; templateParameters?: string[] }>(async (ctx, o) => {
      const path = operationPath(ctx, o);
      let templateParameters: Resource[] | undefined;
      if (o.urlTemplate !== undefined || o.templateParameters !== undefined) {
        const current = await get(ctx, path);
        const template = o.urlTemplate ?? String(current.properties?.urlTemplate ?? '');
        const names = templateNames(template).map((n) => n.toLowerCase());
        const declared = o.templateParameters !== undefined ? parseTemplateParameters(o.templateParameters)
          : ((current.properties?.templateParameters ?? []) as Resource[]).filter((p) => names.includes(String(p.name).toLowerCase()));
        templateParameters = withTemplateParameters(template, declared);
      }
      const properties = defined({ urlTemplate: o.urlTemplate, method: o.method, displayName: o.displayName, description: o.description, templateParameters });
      return { value: operationView(await write(ctx, 'PATCH', path, { properties }, o.ifMatch ?? '*')) };
    }));

  withCommonOptions(ifMatchOption(serviceOptions(op.command('delete').description('Delete an operation of an API.'))))
    .requiredOption('--api-id <id>', 'identifier of the API')
    .requiredOption('--operation-id <id>', 'identifier of the operation')
    .action(action<OperationIdOptions & { ifMatch?: string }>(async (ctx, o) => { await remove(ctx, operationPath(ctx, o), o.ifMatch); }));
}
