// The table of an API Management instance's child command groups (apim api, api operation, policy,
// nv, product, product api, subscription, subscription keys, backend): az's flags, defaults and output
// (the Python SDK's contracts, properties lifted to the top, null where unset). What each group does
// beyond its property flags is in its `finish` hooks; the rest is child-group.ts.
import fs from 'node:fs';
import { parseChoice, parseThreeState } from '../command.js';
import { CliError, UsageError, type AzureApiError } from '../errors.js';
import {
  contractView, createVerb, deleteVerb, flag, flagName, listVerb, postVerb, pyDateTime, showVerb, updateVerb, V,
  type ChildGroup, type Options, type PropertyFlag, type Resource,
} from './child-group.js';

const readFile = (what: string, file: string): string => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`Cannot read the ${what} file '${file}': ${(e as { code?: string }).code ?? String(e)}`);
  }
};

// ---- APIs and operations ----

/** ApiContract's properties (api_type is the wire's `type`). */
const API_FIELDS = [
  'apiRevision', 'apiRevisionDescription', 'apiType', 'apiVersion', 'apiVersionDescription', 'apiVersionSet', 'apiVersionSetId',
  'authenticationSettings', 'contact', 'description', 'displayName', 'isCurrent', 'isOnline', 'license', 'path', 'protocols',
  'serviceUrl', 'sourceApiId', 'subscriptionKeyParameterNames', 'subscriptionRequired', 'termsOfServiceUrl',
] as const;
const OPERATION_FIELDS = ['description', 'displayName', 'method', 'policies', 'request', 'responses', 'templateParameters', 'urlTemplate'] as const;

const apiView = (b: Resource): Resource => contractView(b, API_FIELDS, { apiType: 'type' });
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

function protocolList(values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  if (values.length > 0 && values[0].startsWith('-')) throw new UsageError('argument --protocols: expected at least one argument');
  return values.map((v) => parseChoice('--protocols', v, PROTOCOLS)!);
}

/** The API flags create, import and update share; protocols and the key names are set by apiExtras. */
const API_PROPS: PropertyFlag[] = [
  { flags: '--path <path>', help: 'URL suffix of the API under the gateway URL' },
  { flags: '--display-name <name>', help: 'display name of the API' },
  { flags: '--service-url <url>', help: 'URL of the backend service implementing the API' },
  { flags: '--description <text>', help: 'description of the API' },
  { flags: '--subscription-required [bool]', help: 'whether calls need a subscription key (true|false)', type: 'bool' },
];
const API_EXTRA_FLAGS: PropertyFlag[] = [
  { flags: '--protocols <protocols...>', help: `protocols the API is served on: ${PROTOCOLS.join(' ')}`, prop: null },
  { flags: '--subscription-key-header-name <name>', help: 'header for the subscription key', prop: null },
  { flags: '--subscription-key-query-param-name <name>', help: 'query parameter for the subscription key', prop: null },
];
const API_TYPE: PropertyFlag = { flags: '--api-type <type>', help: `type of the API: ${API_TYPES.join(', ')}`, prop: 'type', type: API_TYPES };

/** --protocols and az's _get_subscription_key_parameter_names (only when one of them is given). */
function apiExtras(p: Resource, o: Options): Resource {
  const protocols = protocolList(o.protocols);
  if (protocols) p.protocols = protocols;
  const header = o.subscriptionKeyHeaderName as string | undefined;
  const query = o.subscriptionKeyQueryParamName as string | undefined;
  if (header !== undefined || query !== undefined) {
    p.subscriptionKeyParameterNames = { ...(header !== undefined ? { header } : {}), ...(query !== undefined ? { query } : {}) };
  }
  return p;
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

const OPERATION_PROPS: PropertyFlag[] = [
  { flags: '--url-template <template>', help: 'relative URL template, e.g. /users/{id} (parameters in braces)' },
  { flags: '--method <method>', help: 'HTTP method, e.g. GET' },
  { flags: '--display-name <name>', help: 'display name of the operation' },
  { flags: '--description <text>', help: 'description of the operation' },
  { flags: '-p, --template-parameters <params...>', prop: null, help: 'a URL template parameter: name=NAME [type=string] [required=true] [description=...] '
    + '[values=a,b] (repeat the option for more; parameters of the template not given are declared as required strings)' },
];
const required = (flags: PropertyFlag[], keys: string[]): PropertyFlag[] =>
  flags.map((f) => (keys.includes(flagName(f.flags)) ? flag(f, { required: true }) : f));

const API_GROUPS: ChildGroup[] = [
  {
    group: ['api'], description: 'Manage the APIs of an API Management service instance.', path: ['apis', '{apiId}'],
    verbs: [
      createVerb(apiView, {
        description: 'Create an API.', flags: [...required(API_PROPS, ['--path', '--display-name']), ...API_EXTRA_FLAGS, API_TYPE],
        finish: (p, o) => {
          const out = apiExtras(p, o);
          out.protocols ??= ['https'];
          out.subscriptionRequired ??= false; // as az
          return out;
        },
      }),
      createVerb(apiView, {
        name: 'import', generatedId: true,
        description: 'Import an API from a specification (OpenAPI 3 as YAML or JSON, Swagger 2), given as a file or a URL.',
        flags: [
          ...required(API_PROPS, ['--path']), ...API_EXTRA_FLAGS, API_TYPE,
          { flags: '--specification-format <format>', help: `format of the specification: ${Object.keys(IMPORT_FORMATS).join(', ')}`, required: true, prop: null },
          { flags: '--specification-path <file>', help: 'the specification file', prop: null },
          { flags: '--specification-url <url>', help: 'URL of the specification (downloaded by the server)', prop: null },
        ],
        finish: (p, o) => {
          const format = parseChoice('--specification-format', o.specificationFormat, Object.keys(IMPORT_FORMATS))!;
          if (o.specificationPath !== undefined && o.specificationUrl !== undefined) throw new UsageError("Can't specify specification-url and specification-path at the same time.");
          if (o.specificationPath === undefined && o.specificationUrl === undefined) throw new UsageError('Please either specify specification-url or specification-path.');
          const fromFile = o.specificationPath !== undefined;
          const value = fromFile ? readFile('specification', o.specificationPath) : String(o.specificationUrl);
          return { format: IMPORT_FORMATS[format][fromFile ? 0 : 1], value, ...apiExtras(p, o) };
        },
      }),
      showVerb(apiView, 'Show the details of an API.'),
      listVerb(apiView, 'List the APIs of an instance.', {
        flags: [{ flags: '--filter-display-name <text>', help: 'only APIs whose display name contains this text' }],
        filter: (items, o) => {
          if (o.filterDisplayName === undefined) return items;
          const f = String(o.filterDisplayName).toLowerCase();
          return items.filter((a) => String(a.displayName ?? '').toLowerCase().includes(f));
        },
      }),
      updateVerb(apiView, { description: 'Update an API (what is not given stays).', flags: [...API_PROPS, ...API_EXTRA_FLAGS], finish: apiExtras }),
      deleteVerb({ description: 'Delete an API (with its operations and policies; its product links go too).', confirm: true, noWait: true }),
    ],
  },
  {
    group: ['api', 'operation'], description: 'Manage the operations of an API.', path: ['apis', '{apiId}', 'operations', '{operationId}'],
    verbs: [
      createVerb(operationView, {
        description: 'Create an operation of an API.', generatedId: true, noWait: false,
        flags: required(OPERATION_PROPS, ['--url-template', '--method', '--display-name']),
        finish: (p, o) => {
          p.templateParameters = withTemplateParameters(o.urlTemplate, parseTemplateParameters(o.templateParameters));
          return p;
        },
      }),
      showVerb(operationView, 'Show the details of an operation.'),
      listVerb(operationView, 'List the operations of an API.'),
      updateVerb(operationView, {
        description: 'Update an operation (what is not given stays); parameters no longer in the template are dropped, new ones declared.',
        flags: OPERATION_PROPS,
        async finish(p, o, ctx, t) {
          if (o.urlTemplate === undefined && o.templateParameters === undefined) return p;
          const current = await ctx.arm.get<Resource>(t.path, V);
          const template = o.urlTemplate ?? String(current.properties?.urlTemplate ?? '');
          const names = templateNames(template).map((n) => n.toLowerCase());
          const declared = o.templateParameters !== undefined ? parseTemplateParameters(o.templateParameters)
            : ((current.properties?.templateParameters ?? []) as Resource[]).filter((tp) => names.includes(String(tp.name).toLowerCase()));
          p.templateParameters = withTemplateParameters(template, declared);
          return p;
        },
      }),
      deleteVerb({ description: 'Delete an operation of an API.' }),
    ],
  },
];

// ---- policies at the four scopes ----

const SCOPES = ['global', 'product', 'api', 'operation'] as const;
type Scope = (typeof SCOPES)[number];
const POLICY_FORMATS = ['rawxml', 'xml'] as const;
const policyView = (b: Resource): Resource => contractView(b, ['format', 'value']);

/** The policy's segments for the scope; the ids a scope needs are required, others refused. */
export function policySegments(o: Options): string[] {
  const given = parseChoice('--scope', o.scope, SCOPES);
  const scope: Scope = given ?? (o.operationId !== undefined ? 'operation' : o.apiId !== undefined ? 'api' : o.productId !== undefined ? 'product' : 'global');
  const needs: Record<Scope, string[]> = { global: [], product: ['productId'], api: ['apiId'], operation: ['apiId', 'operationId'] };
  const flagOf = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const missing = needs[scope].filter((k) => o[k] === undefined);
  if (missing.length > 0) throw new UsageError(`usage error: --scope ${scope} requires ${missing.map(flagOf).join(' and ')}`);
  const extra = ['productId', 'apiId', 'operationId'].filter((k) => o[k] !== undefined && !needs[scope].includes(k));
  if (extra.length > 0) throw new UsageError(`usage error: ${extra.map(flagOf).join(' and ')} cannot be used with --scope ${scope}`);
  switch (scope) {
    case 'global': return ['policies', 'policy'];
    case 'product': return ['products', o.productId, 'policies', 'policy'];
    case 'api': return ['apis', o.apiId, 'policies', 'policy'];
    case 'operation': return ['apis', o.apiId, 'operations', o.operationId, 'policies', 'policy'];
  }
}

const POLICY_GROUP: ChildGroup = {
  group: ['policy'], description: "Manage policy documents at the instance's four scopes: global, product, API and operation.",
  path: policySegments,
  pathFlags: [
    { flags: '--scope <scope>', help: `${SCOPES.join(' | ')} (default: from the ids given: --operation-id → operation, --api-id → api, --product-id → product, none → global)` },
    { flags: '--product-id <id>', help: 'the product (scope product)' },
    { flags: '--api-id <id>', help: 'the API (scopes api and operation)' },
    { flags: '--operation-id <id>', help: 'the operation of --api-id (scope operation)' },
  ],
  verbs: [
    createVerb(policyView, {
      name: 'set', description: 'Set the policy document of a scope (replacing the one there).', noWait: false,
      flags: [
        { flags: '--xml-file <file>', help: 'the policy document (<policies> with <inbound>, <backend>, <outbound>, <on-error>)', prop: null },
        { flags: '--xml-value <xml>', help: 'the policy document, inline', prop: 'value' },
        { flags: '--format <format>', help: `${POLICY_FORMATS.join(' | ')}: rawxml (default) takes the document as written; xml expects XML-escaped expressions`, type: POLICY_FORMATS },
      ],
      finish: (p, o) => {
        if ((o.xmlFile === undefined) === (o.xmlValue === undefined)) throw new UsageError('usage error: specify exactly one: --xml-file FILE, --xml-value XML');
        return { format: p.format ?? 'rawxml', value: o.xmlFile !== undefined ? readFile('policy', o.xmlFile) : p.value };
      },
    }),
    {
      name: 'show', description: 'Show the policy document of a scope: the XML as stored (with --output or --query, the policy contract).',
      target: 'item', ownDefaultOutput: true,
      async run(ctx, o, t) {
        const view = policyView(await ctx.arm.get<Resource>(t.path, V, { format: 'rawxml' }));
        if (o.output !== undefined || o.query !== undefined) return { value: view };
        const xml = String(view.value ?? '');
        return { value: view, text: xml.endsWith('\n') ? xml : `${xml}\n` };
      },
    },
    deleteVerb({ description: 'Delete the policy document of a scope.' }),
  ],
};

// ---- named values ----

const NV_FIELDS = ['displayName', 'keyVault', 'provisioningState', 'secret', 'tags', 'value'] as const;

/** NamedValueContract as az prints it; keyVault as KeyVaultContractProperties (lastStatus's time as a Python datetime). */
function nvView(b: Resource): Resource {
  const out = contractView(b, NV_FIELDS);
  const kv = out.keyVault as Resource | null;
  if (kv) {
    const s = kv.lastStatus as Resource | undefined | null;
    out.keyVault = {
      identityClientId: kv.identityClientId ?? null,
      lastStatus: s ? { code: s.code ?? null, message: s.message ?? null, timeStampUtc: pyDateTime(s.timeStampUtc) } : null,
      secretIdentifier: kv.secretIdentifier ?? null,
    };
  }
  return out;
}

const NV_PROPS: PropertyFlag[] = [
  { flags: '--value <value>', help: 'the value (may hold policy expressions)' },
  { flags: '--secret [bool]', help: 'hide the value from show and list (true|false; alone: true)', type: 'bool' },
  { flags: '--tags <tags...>', help: 'tags of the named value (strings); "" clears them', prop: null },
  { flags: '--key-vault-secret-id <url>', prop: null, help: 'a Key Vault secret identifier (https://{vault}.vault.azure.net/secrets/{name}[/{version}]) the value is read from, instead of --value' },
  { flags: '--identity-client-id <id>', prop: null, help: "client id of the instance's user-assigned identity that reads the secret (default: its system-assigned identity)" },
];
const NV_DISPLAY_NAME: PropertyFlag = { flags: '--display-name <name>', help: 'the name policies use ({{display-name}}): letters, digits, periods, dashes and underscores' };

/** --tags (a list of strings; a single "" clears them) and the Key Vault reference. */
function nvExtras(p: Resource, o: Options, keyVault: Resource | undefined): Resource {
  if (o.value !== undefined && o.keyVaultSecretId !== undefined) throw new UsageError('usage error: --value and --key-vault-secret-id cannot be used together');
  if (o.tags !== undefined) p.tags = (o.tags as string[]).filter((t) => t !== '');
  if (keyVault) p.keyVault = keyVault;
  return p;
}

const NV_GROUP: ChildGroup = {
  group: ['nv'], description: 'Manage the named values of an API Management service instance.', path: ['namedValues', '{namedValueId}'],
  verbs: [
    createVerb(nvView, {
      description: 'Create a named value: --value, or --key-vault-secret-id.', flags: [...NV_PROPS, flag(NV_DISPLAY_NAME, { required: true })],
      finish: (p, o) => {
        if (o.value === undefined && o.keyVaultSecretId === undefined) throw new UsageError('usage error: --value VALUE | --key-vault-secret-id URL [--identity-client-id ID]');
        if (o.identityClientId !== undefined && o.keyVaultSecretId === undefined) throw new UsageError('usage error: --identity-client-id needs --key-vault-secret-id');
        const keyVault = o.keyVaultSecretId !== undefined ? { secretIdentifier: o.keyVaultSecretId, identityClientId: o.identityClientId ?? null } : undefined;
        const out = nvExtras(p, o, keyVault);
        out.secret ??= keyVault !== undefined; // a Key Vault value is a secret unless told otherwise
        out.tags ??= [];
        return out;
      },
    }),
    showVerb(nvView, 'Show a named value (a secret value is not shown: see show-secret).'),
    listVerb(nvView, 'List the named values of an instance (secret values not shown).'),
    postVerb('show-secret', 'Show the value of a named value, secret or from Key Vault (listValue).', 'listValue', (r) => ({ value: r?.value ?? null })),
    postVerb('refresh', 'Read the Key Vault secret of a named value again (refreshSecret); prints the named value with keyVault.lastStatus.', 'refreshSecret',
      async (r, ctx, t) => nvView(r && r.id ? r : await ctx.arm.get<Resource>(t.path, V))),
    updateVerb(nvView, {
      description: 'Update a named value (what is not given stays).',
      flags: [...NV_PROPS, { ...NV_DISPLAY_NAME, help: 'a new display name (refused while a policy uses the old one)' }],
      async finish(p, o, ctx, t) {
        let keyVault: Resource | undefined;
        if (o.keyVaultSecretId !== undefined) {
          keyVault = { secretIdentifier: o.keyVaultSecretId, identityClientId: o.identityClientId ?? null };
        } else if (o.identityClientId !== undefined) {
          // Another identity for the same secret.
          const current = await ctx.arm.get<Resource>(t.path, V);
          const id = current.properties?.keyVault?.secretIdentifier;
          if (!id) throw new UsageError('usage error: --identity-client-id needs --key-vault-secret-id (the named value is not a Key Vault one)');
          keyVault = { secretIdentifier: id, identityClientId: o.identityClientId === '' ? null : o.identityClientId };
        }
        return nvExtras(p, o, keyVault);
      },
    }),
    deleteVerb({ description: 'Delete a named value (refused while a policy uses it).', confirm: true }),
  ],
};

// ---- products and their APIs ----

const PRODUCT_FIELDS = ['approvalRequired', 'description', 'displayName', 'state', 'subscriptionRequired', 'subscriptionsLimit', 'terms'] as const;
const PRODUCT_STATES = ['notPublished', 'published'] as const;
const productView = (b: Resource): Resource => contractView(b, PRODUCT_FIELDS);

const PRODUCT_PROPS: PropertyFlag[] = [
  { flags: '--product-name <name>', help: 'display name of the product', prop: 'displayName' },
  { flags: '--description <text>', help: 'description of the product' },
  { flags: '--legal-terms <text>', help: 'terms of use, shown to developers who subscribe', prop: 'terms' },
  { flags: '--subscription-required [bool]', help: 'whether calls to its APIs need a subscription key (true|false; default true)', type: 'bool' },
  { flags: '--approval-required [bool]', help: "whether subscriptions need an administrator's approval (true|false; only with a subscription)", type: 'bool' },
  { flags: '--subscriptions-limit <n>', help: 'how many subscriptions a user may have at once (only with a subscription)', type: 'int' },
  { flags: '--state <state>', help: `${PRODUCT_STATES.join(' | ')} (default notPublished)`, type: PRODUCT_STATES },
];

const PRODUCT_GROUPS: ChildGroup[] = [
  {
    group: ['product'], description: 'Manage the products of an API Management service instance.', path: ['products', '{productId}'],
    verbs: [
      createVerb(productView, { description: 'Create a product.', generatedId: true, flags: required(PRODUCT_PROPS, ['--product-name']) }),
      showVerb(productView, 'Show the details of a product.'),
      listVerb(productView, 'List the products of an instance.'),
      updateVerb(productView, { description: 'Update a product (what is not given stays).', flags: PRODUCT_PROPS }),
      deleteVerb({
        description: 'Delete a product (its API links go with it).', confirm: true, noWait: true,
        flags: [{ flags: '--delete-subscriptions', help: 'also delete the subscriptions to the product' }],
        query: (o) => ({ deleteSubscriptions: o.deleteSubscriptions ? 'true' : undefined }),
      }),
    ],
  },
  {
    group: ['product', 'api'], description: 'Manage the APIs of a product.', path: ['products', '{productId}', 'apis', '{apiId}'],
    verbs: [
      { name: 'add', description: 'Add an API to a product; prints the API.', target: 'item', run: async (ctx, _o, t) => ({ value: apiView(await ctx.arm.put<Resource>(t.path, V)) }) },
      { ...deleteVerb({ description: 'Remove an API from a product (the API stays).' }), alias: 'remove' },
      listVerb(apiView, 'List the APIs of a product.'),
      {
        name: 'check', description: 'Whether an API is in a product: true or false.', target: 'item',
        async run(ctx, _o, t) {
          try {
            await ctx.arm.send('HEAD', t.path, { apiVersion: V });
            return { value: true };
          } catch (e) {
            if ((e as AzureApiError).status === 404) return { value: false };
            throw e;
          }
        },
      },
    ],
  },
];

// ---- subscriptions and their keys ----

const SUBSCRIPTION_FIELDS = [
  'allowTracing', 'createdDate', 'displayName', 'endDate', 'expirationDate', 'notificationDate', 'ownerId', 'primaryKey', 'scope',
  'secondaryKey', 'startDate', 'state', 'stateComment',
] as const;
const DATES = ['createdDate', 'endDate', 'expirationDate', 'notificationDate', 'startDate'];
const SUBSCRIPTION_STATES = ['active', 'cancelled', 'expired', 'rejected', 'submitted', 'suspended'] as const;
const KEY_KINDS = ['primary', 'secondary'] as const;

function subscriptionView(b: Resource): Resource {
  const out = contractView(b, SUBSCRIPTION_FIELDS);
  for (const d of DATES) out[d] = pyDateTime(out[d]);
  return out;
}

const SUBSCRIPTION_PROPS: PropertyFlag[] = [
  { flags: '--display-name <name>', help: 'display name of the subscription' },
  { flags: '--state <state>', help: `${SUBSCRIPTION_STATES.join(' | ')} (create: default active)`, type: SUBSCRIPTION_STATES },
  { flags: '--allow-tracing [bool]', help: 'whether the keys may turn on request tracing (Ocp-Apim-Trace) (true|false)', type: 'bool' },
  { flags: '--primary-key <key>', help: 'the primary key (default: generated)' },
  { flags: '--secondary-key <key>', help: 'the secondary key (default: generated)' },
  { flags: '--owner-id <id>', help: 'the owner (a user id), if any' },
  // The scope: at most one of these; none is all APIs on create, unchanged on update.
  { flags: '--api-id <id>', help: 'scope: one API', prop: null },
  { flags: '--product-id <id>', help: 'scope: one product', prop: null },
  { flags: '--all-apis', help: 'scope: all APIs of the instance (the default)', prop: null },
  { flags: '--scope <scope>', help: 'scope as API Management writes it: /apis, /apis/{apiId} or /products/{productId}', prop: null },
];

function withScope(p: Resource, o: Options): Resource {
  const given = [o.apiId, o.productId, o.allApis, o.scope].filter((v) => v !== undefined);
  if (given.length > 1) throw new UsageError('usage error: specify at most one: --api-id, --product-id, --all-apis, --scope');
  const scope = o.apiId !== undefined ? `/apis/${o.apiId}` : o.productId !== undefined ? `/products/${o.productId}` : o.allApis ? '/apis' : o.scope;
  return { ...(scope !== undefined ? { scope } : {}), ...p };
}

const keysOf = (r: Resource | undefined): Resource => ({ primaryKey: r?.primaryKey ?? null, secondaryKey: r?.secondaryKey ?? null });

const SUBSCRIPTION_GROUPS: ChildGroup[] = [
  {
    group: ['subscription'], description: 'Manage the subscriptions (keys) of an API Management service instance.', path: ['subscriptions', '{subscriptionId}'],
    verbs: [
      createVerb(subscriptionView, {
        description: 'Create a subscription to one API, one product or all APIs.', generatedId: true, flags: required(SUBSCRIPTION_PROPS, ['--display-name']),
        finish: (p, o) => {
          const out = withScope(p, o);
          out.scope ??= '/apis';
          out.state ??= 'active';
          return out;
        },
      }),
      showVerb(subscriptionView, 'Show a subscription (without its keys: see keys list).'),
      listVerb(subscriptionView, 'List the subscriptions of an instance (without their keys).'),
      updateVerb(subscriptionView, { description: 'Update a subscription (what is not given stays).', flags: SUBSCRIPTION_PROPS, finish: withScope }),
      deleteVerb({ description: 'Delete a subscription (its keys stop working).', confirm: true }),
    ],
  },
  {
    group: ['subscription', 'keys'], description: "Show or regenerate a subscription's keys.", path: ['subscriptions', '{subscriptionId}'],
    verbs: [
      postVerb('list', 'The primary and secondary keys of a subscription (listSecrets).', 'listSecrets', keysOf),
      {
        name: 'regenerate', description: 'Replace the primary or secondary key with a new one; prints both keys.', target: 'item',
        flags: [{ flags: '--key-kind <kind>', help: `the key to replace: ${KEY_KINDS.join(' | ')}`, required: true }],
        async run(ctx, o, t) {
          const kind = parseChoice('--key-kind', o.keyKind, KEY_KINDS)!;
          await ctx.arm.post(`${t.path}/${kind === 'primary' ? 'regeneratePrimaryKey' : 'regenerateSecondaryKey'}`, V);
          return { value: keysOf(await ctx.arm.post<Resource>(`${t.path}/listSecrets`, V)) };
        },
      },
    ],
  },
];

// ---- backends ----

const BACKEND_FIELDS = ['credentials', 'description', 'properties', 'protocol', 'proxy', 'resourceId', 'title', 'tls', 'url'] as const;
const BACKEND_PROTOCOLS = ['http', 'soap'] as const;
const backendView = (b: Resource): Resource => contractView(b, BACKEND_FIELDS);

const BACKEND_PROPS: PropertyFlag[] = [
  { flags: '--url <url>', help: 'runtime URL of the backend' },
  { flags: '--protocol <protocol>', help: BACKEND_PROTOCOLS.join(' | '), type: BACKEND_PROTOCOLS },
  { flags: '--title <title>', help: 'title of the backend' },
  { flags: '--description <text>', help: 'description of the backend' },
  { flags: '--resource-id <url>', help: 'management URI of the resource behind the backend (e.g. a function app)' },
];

const BACKEND_GROUP: ChildGroup = {
  group: ['backend'], description: 'Manage the backends of an API Management service instance (what set-backend-service backend-id names).',
  path: ['backends', '{backendId}'],
  verbs: [
    createVerb(backendView, {
      description: 'Create a backend (or replace one).',
      flags: BACKEND_PROPS.map((f) => (f.flags.startsWith('--url') ? flag(f, { required: true })
        : f.flags.startsWith('--protocol') ? flag(f, { help: `${f.help} (default http)`, default: 'http' }) : f)),
    }),
    showVerb(backendView, 'Show the details of a backend.'),
    listVerb(backendView, 'List the backends of an instance.'),
    updateVerb(backendView, { description: 'Update a backend (what is not given stays).', flags: BACKEND_PROPS }),
    deleteVerb({ description: 'Delete a backend.', confirm: true }),
  ],
};

const LOGGER_FIELDS = ['loggerType', 'description', 'credentials', 'isBuffered', 'resourceId'] as const;
const loggerView = (b: Resource): Resource => contractView(b, LOGGER_FIELDS);
const LOGGER_TYPES = ['azureEventHub', 'applicationInsights', 'azureMonitor'] as const;

/** The flags that make a logger's credentials (azureEventHub: a hub with a connection string, or a managed identity). */
const LOGGER_PROPS: PropertyFlag[] = [
  { flags: '--logger-type <type>', help: LOGGER_TYPES.join(' | '), type: LOGGER_TYPES },
  { flags: '--description <text>', help: 'description of the logger' },
  { flags: '--is-buffered [bool]', help: 'whether records are buffered before publishing (true|false)', type: 'bool' },
  { flags: '--event-hub-name <name>', help: 'azureEventHub: the event hub', prop: null },
  { flags: '--connection-string <cs>', help: 'azureEventHub: the connection string of a rule with Send (kept as a secret)', prop: null },
  { flags: '--endpoint-address <host>', help: 'azureEventHub: the namespace, {namespace}.servicebus.windows.net (with --identity-client-id)', prop: null },
  { flags: '--identity-client-id <id>', help: "azureEventHub: 'SystemAssigned', or the client id of a user-assigned identity", prop: null },
];

const LOGGER_GROUP: ChildGroup = {
  group: ['logger'], description: 'Manage the loggers of an API Management service instance (where log-to-eventhub sends).',
  path: ['loggers', '{loggerId}'],
  verbs: [
    createVerb(loggerView, {
      description: 'Create a logger (or replace one).',
      flags: LOGGER_PROPS.map((f) => (f.flags.startsWith('--logger-type') ? flag(f, { help: `${f.help} (default azureEventHub)`, default: 'azureEventHub' }) : f)),
      finish(props, o) {
        const credentials: Record<string, string> = {};
        const add = (k: string, v: unknown) => { if (typeof v === 'string' && v !== '') credentials[k] = v; };
        add('name', o.eventHubName);
        add('connectionString', o.connectionString);
        add('endpointAddress', o.endpointAddress);
        add('identityClientId', o.identityClientId);
        return Object.keys(credentials).length ? { ...props, credentials } : props;
      },
    }),
    showVerb(loggerView, 'Show the details of a logger (secret credentials as their named value reference).'),
    listVerb(loggerView, 'List the loggers of an instance.'),
    deleteVerb({ description: 'Delete a logger.', confirm: true }),
  ],
};

/** The table, in registration order (a group before its subgroups). */
export const APIM_CHILD_GROUPS: readonly ChildGroup[] = [
  ...API_GROUPS, POLICY_GROUP, NV_GROUP, ...PRODUCT_GROUPS, ...SUBSCRIPTION_GROUPS, BACKEND_GROUP, LOGGER_GROUP,
];

