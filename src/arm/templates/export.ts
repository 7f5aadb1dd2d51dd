// POST /subscriptions/{s}/resourcegroups/{g}/exportTemplate: a template of the group's resources, as
// Azure's export makes it. Each resource is read through the front door as the caller (so what Azure
// hides stays hidden and what the caller may not read is refused), read-only properties are left out,
// names become parameters (`service_contoso_name`) unless SkipResourceNameParameterization, and a
// user-assigned identity of the group is referred to with resourceId() and depended on.
import type { ArmContext } from '../context.js';
import type { ArmRequest, ArmResult } from '../registry.js';
import { asObject, rejectUnknown } from '../envelope.js';
import { ArmErrors } from '../errors.js';
import { DEPLOYMENT_TYPE } from './documents.js';
import { encodeId, type Dispatch } from './plan.js';

/** Properties a GET returns that a PUT does not take, by type (lower-case). */
const READ_ONLY: Record<string, readonly string[]> = {
  'microsoft.apimanagement/service': ['provisioningState', 'targetProvisioningState', 'createdAtUtc', 'gatewayUrl', 'gatewayRegionalUrl', 'portalUrl',
    'managementApiUrl', 'scmUrl', 'developerPortalUrl', 'publicIPAddresses', 'privateIPAddresses', 'outboundPublicIPAddresses', 'platformVersion'],
  'microsoft.keyvault/vaults': ['provisioningState', 'vaultUri', 'hsmPoolResourceId'],
  'microsoft.managedidentity/userassignedidentities': ['tenantId', 'principalId', 'clientId'],
};
const ENVELOPE = ['location', 'tags', 'sku', 'identity', 'kind', 'zones'];
const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

type Json = Record<string, unknown>;

interface Exported {
  id: string;
  type: string;
  name: string;
  apiVersion: string;
  body: Json;
  param: string;
}

export async function exportTemplate(arm: ArmContext, dispatch: Dispatch, req: ArmRequest): Promise<ArmResult> {
  const body = asObject(req.body ?? {}, '');
  rejectUnknown(body, ['resources', 'options', 'outputFormat'], 'ExportTemplateRequest', '');
  const options = new Set(String(body.options ?? '').split(',').map((o) => o.trim().toLowerCase()).filter(Boolean));
  const wanted = Array.isArray(body.resources) ? body.resources : [];
  if (wanted.length === 0 || wanted.some((r) => typeof r !== 'string')) {
    throw ArmErrors.invalidValue('resources', "The request content was invalid: 'resources' must list resource ids, or '*' for every resource of the group.");
  }
  const group = req.target.id;
  const all = (await arm.resources.list({ group, topLevel: true })).filter((r) => r.body.type.toLowerCase() !== DEPLOYMENT_TYPE.toLowerCase());
  const picked = wanted.includes('*') ? all : (wanted as string[]).map((id) => {
    const r = all.find((x) => x.id.toLowerCase() === id.toLowerCase());
    if (!r) throw ArmErrors.invalidValue('resources', `The resource '${id}' is not a resource of resource group '${req.target.name}'.`);
    return r;
  });

  const items: Exported[] = [];
  for (const r of picked) {
    const reg = arm.registry.type(r.body.type);
    const versions = [...(reg?.apiVersions ?? [])].sort();
    const apiVersion = versions.filter((v) => !v.includes('preview')).pop() ?? versions.pop();
    if (!reg?.get || !apiVersion) continue;
    const got = await dispatch({ method: 'GET', path: `${encodeId(r.id)}?api-version=${apiVersion}`, caller: req.caller, correlationId: req.ctx.correlationId });
    const lastType = reg.type.split('/').pop()!;
    items.push({ id: r.id, type: reg.type, name: r.body.name, apiVersion, body: got.body as Json, param: `${lastType}_${r.body.name.replace(/[^A-Za-z0-9]/g, '_')}_name` });
  }

  const parameterize = !options.has('skipresourcenameparameterization');
  const withDefaults = options.has('includeparameterdefaultvalue');
  const nameOf = (x: Exported) => (parameterize ? `[parameters('${x.param}')]` : x.name);
  const resourceIdOf = (x: Exported) => (parameterize ? `[resourceId('${x.type}', parameters('${x.param}'))]` : `[resourceId('${x.type}', '${x.name}')]`);
  const parameters: Json = {};
  if (parameterize) for (const x of items) parameters[x.param] = { ...(withDefaults ? { defaultValue: x.name } : {}), type: 'String' };

  const resources = items.map((x) => {
    const out: Json = { type: x.type, apiVersion: x.apiVersion, name: nameOf(x) };
    for (const k of ENVELOPE) if (x.body[k] !== undefined && x.body[k] !== null) out[k] = structuredClone(x.body[k]);
    const dependsOn: string[] = [];
    const identity = out.identity as Json | undefined;
    if (identity) {
      delete identity.principalId;
      delete identity.tenantId;
      const users = identity.userAssignedIdentities as Json | undefined;
      if (users) {
        const refs: Json = {};
        for (const id of Object.keys(users)) {
          const own = items.find((i) => i.id.toLowerCase() === id.toLowerCase());
          if (own) { refs[resourceIdOf(own)] = {}; dependsOn.push(resourceIdOf(own)); } else refs[id] = {};
        }
        identity.userAssignedIdentities = refs;
      }
      if (identity.type === 'None') delete out.identity;
    }
    if (dependsOn.length > 0) out.dependsOn = dependsOn;
    out.properties = exportedProperties(x);
    return out;
  });
  return { status: 200, body: { template: { $schema: SCHEMA, contentVersion: '1.0.0.0', parameters, variables: {}, resources } } };
}

/** The properties a PUT takes: read-only ones out, and no built-in or inline-certificate hostname (its PFX is not readable). */
function exportedProperties(x: Exported): Json {
  const props: Json = structuredClone((x.body.properties ?? {}) as Json);
  for (const k of READ_ONLY[x.type.toLowerCase()] ?? ['provisioningState']) delete props[k];
  for (const [k, v] of Object.entries(props)) if (v === null) delete props[k];
  if (Array.isArray(props.hostnameConfigurations)) {
    props.hostnameConfigurations = (props.hostnameConfigurations as Json[])
      .filter((h) => h.certificateSource === 'KeyVault')
      .map(({ certificate: _c, certificateSource: _s, certificateStatus: _t, ...h }) => h);
  }
  return props;
}
