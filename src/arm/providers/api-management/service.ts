// Microsoft.ApiManagement/service: API Management instances with Azure's validation, read-only
// properties, a gatewayUrl that works on this machine, and managed identities (identity-property.ts).
import { X509Certificate } from 'node:crypto';
import type { ArmRequest, ResourceTypeRegistration } from '../../registry.js';
import type { ArmContext } from '../../context.js';
import { AzureError } from '../../../common/errors.js';
import { ArmErrors } from '../../errors.js';
import { asObject, normalizeLocation, preconditions, rejectUnknown, systemData, validateTags } from '../../envelope.js';
import { applyIdentity, commitIdentity, releaseIdentity, rollbackIdentity, type IdentityProperty, type IdentityRemovalCheck } from '../../identity-property.js';
import { trackedResourceHandlers } from '../../tracked-resource.js';
import { resourceKind } from '../../resource-store.js';
import { bool, obj, oneOf, str, stringMap, validationError } from './validation.js';
import type { HostnameCertificates } from './hostnames.js';

export const APIM_API_VERSIONS = ['2021-01-01-preview', '2021-04-01-preview', '2021-08-01', '2021-12-01-preview', '2022-04-01-preview',
  '2022-08-01', '2022-09-01-preview', '2023-03-01-preview', '2023-05-01-preview', '2023-09-01-preview', '2024-05-01',
  '2024-06-01-preview', '2024-10-01-preview', '2025-03-01-preview'] as const;

export const SERVICE_TYPE = 'Microsoft.ApiManagement/service';

/** A hostname of the instance (`hostnameConfigurations[]`). */
export interface HostnameConfiguration {
  type: string;
  hostName: string;
  keyVaultId?: string | null;
  identityClientId?: string | null;
  encodedCertificate?: string | null;
  certificatePassword?: string | null;
  negotiateClientCertificate?: boolean;
  defaultSslBinding?: boolean;
  certificateSource?: string;
  certificateStatus?: string;
  certificate?: { expiry: string; thumbprint: string; subject: string } | null;
}

/** The stored properties of an instance: what the caller set and what Azure computes (serviceProperties below). */
export interface ServiceProperties {
  publisherEmail: string;
  publisherName: string;
  gatewayUrl: string;
  createdAtUtc: string;
  hostnameConfigurations: HostnameConfiguration[];
  disableGateway: boolean;
  // The other settings (customProperties, virtualNetworkType, ...), validated and stored as Azure returns them.
  [setting: string]: unknown;
}

export const SERVICE = resourceKind<ServiceProperties>(SERVICE_TYPE);
const NAME = /^[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAX_USER_ASSIGNED = 10;

/** Allowed units per sku, as Azure's: Consumption has none; Developer one. */
const SKU_CAPACITY: Record<string, [number, number]> = {
  Consumption: [0, 0], Developer: [1, 1], Basic: [1, 2], Standard: [1, 4], Premium: [1, 31], Isolated: [1, 31],
  BasicV2: [1, 10], StandardV2: [1, 10], PremiumV2: [1, 30],
};

const v = (message: string, target: string) => new AzureError({ status: 400, code: 'ValidationError', message, target, details: [{ code: 'ValidationError', target, message }] });

export const ApimErrors = {
  invalidName: (name: string) => new AzureError({
    status: 400, code: 'InvalidResourceName',
    message: `Resource name '${name}' is invalid. The name must be 1 to 50 characters, start with a letter, contain only letters, numbers and hyphens, and end with a letter or number.`,
  }),
  required: (field: string) => v(`${field.split('.').pop()} is required.`, field),
  invalidEmail: (value: string) => v(`Email address '${value}' is not valid.`, 'properties.publisherEmail'),
  tooLong: (field: string, max: number) => v(`${field.split('.').pop()} may not exceed ${max} characters.`, field),
  invalidSku: (name: unknown) => v(`Sku name '${String(name)}' is invalid. Valid values are: ${Object.keys(SKU_CAPACITY).join(', ')}.`, 'sku.name'),
  invalidCapacity: (sku: string, capacity: unknown, [min, max]: [number, number]) =>
    sku === 'Consumption'
      ? new AzureError({ status: 400, code: 'InvalidParameters', target: 'sku.capacity', message: 'Invalid parameter: For Consumption SKU Type capacity must be specified as 0.' })
      : v(`Capacity '${String(capacity)}' is invalid for sku '${sku}'. It must be between ${min} and ${max}.`, 'sku.capacity'),
  nameTaken: (name: string) => new AzureError({
    status: 409, code: 'ServiceAlreadyExists', message: `Api service already exists: ${name}`,
  }),
  notFound: (req: ArmRequest) => ArmErrors.resourceNotFound(SERVICE_TYPE, req.target.names[0], req.target.resourceGroup),
};

const ALLOWED_TOP = ['sku', 'identity', 'location', 'tags', 'zones', 'properties', 'etag', 'id', 'name', 'type', 'systemData'];
const WRITABLE_PROPS = ['publisherEmail', 'publisherName', 'notificationSenderEmail', 'hostnameConfigurations', 'virtualNetworkConfiguration',
  'virtualNetworkType', 'additionalLocations', 'customProperties', 'certificates', 'enableClientCertificate', 'disableGateway',
  'apiVersionConstraint', 'restore', 'publicNetworkAccess', 'publicIpAddressId', 'natGatewayState', 'developerPortalStatus',
  'legacyPortalStatus', 'releaseChannel', 'configurationApi', 'privateEndpointConnections'];
const READ_ONLY_PROPS = ['provisioningState', 'targetProvisioningState', 'createdAtUtc', 'gatewayUrl', 'gatewayRegionalUrl', 'portalUrl',
  'managementApiUrl', 'scmUrl', 'developerPortalUrl', 'publicIPAddresses', 'privateIPAddresses', 'outboundPublicIPAddresses',
  'platformVersion', 'platformVersion'];

/**
 * Removing an identity that a hostname's Key Vault certificate is read with is refused: the gateway
 * could no longer renew the certificate (Microsoft Learn, "Use managed identities in Azure API
 * Management": "If an API Management instance is configured with a custom SSL certificate from Key
 * Vault and you try to disable a managed identity, the request will fail"). The hostnames checked are
 * the ones the request leaves in place: switching a hostname to an inline certificate in the same
 * request, or before, lets the identity go. Key Vault named values are not covered (the same page
 * names only certificates; a named value whose identity is gone shows the failure in lastStatus).
 */
const identityInUse: (hostnames: unknown) => IdentityRemovalCheck = (hostnames) => async (removed) => {
  for (const h of (Array.isArray(hostnames) ? hostnames : []) as HostnameConfiguration[]) {
    if (!h.keyVaultId) continue;
    const usesSystem = !h.identityClientId;
    const usesRemovedUser = !!h.identityClientId && removed.userAssigned.some((u) => u.clientId.toLowerCase() === h.identityClientId!.toLowerCase());
    if ((usesSystem && removed.systemAssigned) || usesRemovedUser) {
      throw new AzureError({
        status: 400, code: 'InvalidParameters', target: 'identity',
        message: `The ${usesSystem ? 'system-assigned' : `user-assigned (clientId ${h.identityClientId})`} identity cannot be removed: hostname '${h.hostName}' reads its certificate from Key Vault (${h.keyVaultId}) with it. Switch the hostname to an inline certificate (encodedCertificate) or another identity first.`,
      });
    }
  }
};

/** `Microsoft.ApiManagement/service`: the instance, its gateway listener and its managed identities. */
export function serviceRegistration(arm: ArmContext, hostnames: HostnameCertificates): ResourceTypeRegistration {
  async function write(req: ArmRequest, merge: boolean) {
    const name = req.target.names[0];
    const existing = await arm.resources.get(req.target.id);
    if (merge && !existing) throw ApimErrors.notFound(req);
    if (!NAME.test(name) || name.length > 50) throw ApimErrors.invalidName(name);
    if (req.body === undefined && !merge) throw ArmErrors.missingBody();
    const body = asObject(req.body ?? {}, '');
    rejectUnknown(body, ALLOWED_TOP, 'ApiManagementServiceResource', '');
    const props = body.properties === undefined || body.properties === null ? {} : asObject(body.properties, 'properties');
    rejectUnknown(props, [...WRITABLE_PROPS, ...READ_ONLY_PROPS], 'ApiManagementServiceProperties', 'properties');

    const prev = existing?.body;
    const merged: Record<string, any> = merge ? { ...prev!.properties } : {};
    for (const k of WRITABLE_PROPS) if (props[k] !== undefined) merged[k] = props[k];
    checkSettings(merged);

    // Location and sku
    let location: string = prev?.location;
    if (!merge) {
      if (typeof body.location !== 'string' || !body.location.trim()) throw ArmErrors.locationRequired();
      location = normalizeLocation(body.location);
      if (prev && prev.location !== location) throw v(`The location of an existing service cannot be changed from '${prev.location}' to '${body.location}'.`, 'location');
    }
    const sku = validateSku(body.sku ?? (merge ? prev!.sku : undefined));
    if (prev && prev.sku.name === 'Consumption' !== (sku.name === 'Consumption')) {
      throw v(`The sku of service '${name}' cannot be changed between Consumption and '${sku.name === 'Consumption' ? prev.sku.name : sku.name}'.`, 'sku.name');
    }

    // Publisher
    for (const f of ['publisherEmail', 'publisherName'] as const) {
      const value = merged[f];
      if (value === undefined || value === null || value === '') throw ApimErrors.required(`properties.${f}`);
      if (typeof value !== 'string') throw v(`${f} must be a string.`, `properties.${f}`);
      if (value.length > 100) throw ApimErrors.tooLong(`properties.${f}`, 100);
    }
    if (!EMAIL.test(merged.publisherEmail)) throw ApimErrors.invalidEmail(merged.publisherEmail);

    // Names are global in Azure (they are DNS names): unique here across every subscription.
    if (!existing) {
      const taken = (await arm.resources.list({ type: SERVICE_TYPE })).some((s) => s.body.name.toLowerCase() === name.toLowerCase());
      if (taken) throw ApimErrors.nameTaken(name);
    }
    const tags = body.tags === undefined && merge ? prev!.tags : validateTags(body.tags);

    const id = existing?.id ?? req.target.id;
    const change = await applyIdentity(arm, {
      resourceId: id, resourceName: existing?.body.name ?? name, requested: body.identity, previous: prev?.identity as IdentityProperty | undefined,
      // A PUT without `identity` keeps the instance's identities, as API Management's does (`az apim update
      // --publisher-name X` sends the instance back without them); `{"type": "None"}` removes them.
      merge, omitted: 'keep', maxUserAssigned: MAX_USER_ASSIGNED, checkRemoval: identityInUse(merged.hostnameConfigurations),
      caller: req.caller, action: `${SERVICE_TYPE}/write`,
    });

    let gatewayPort = prev ? Number(new URL(prev.properties.gatewayUrl).port) : 0;
    try {
      gatewayPort = await arm.gateway.ensureInstance(id, gatewayPort);
      // Hostnames and their certificates (read from Key Vault now): a failure here stores nothing.
      const resolved = await hostnames.resolve({
        instanceId: id, builtInHostName: `${existing?.body.name ?? name}.azure-api.net`, identity: change.identity,
        given: (Array.isArray(merged.hostnameConfigurations) ? merged.hostnameConfigurations : []) as Record<string, unknown>[],
      });
      merged.hostnameConfigurations = resolved.configurations;
      const nowIso = new Date(arm.clock.nowMs()).toISOString();
      const doc = {
        id, name: existing?.body.name ?? name, type: SERVICE_TYPE, location,
        ...(tags ? { tags } : {}),
        sku,
        // An instance without identities has no `identity` at all, as Azure answers (ApiManagementCreateService
        // example): `az apim update --enable-managed-identity` adds one only where it finds none.
        ...(change.identity.type === 'None' ? {} : { identity: change.identity }),
        ...(Array.isArray(body.zones) ? { zones: body.zones } : prev?.zones ? { zones: prev.zones } : {}),
        systemData: systemData(req.caller, prev?.systemData, arm.clock.nowMs()),
        properties: serviceProperties(merged, {
          name: existing?.body.name ?? name, sku: sku.name, gatewayUrl: `https://localhost:${gatewayPort}`,
          createdAtUtc: prev?.properties.createdAtUtc ?? nowIso,
        }),
      };
      const r = await arm.resources.batch(async (batch) => {
        const put = await batch.put({ id, parent: req.target.scope, body: doc, keepEtagField: true, ...preconditions(req) });
        await hostnames.store(batch, id, resolved.stored);
        return put;
      });
      await commitIdentity(arm, id, change);
      return { status: r.created ? 201 : 200, body: r.resource.body, headers: { etag: r.resource.etag } };
    } catch (e) {
      await rollbackIdentity(arm, change);
      if (!existing) await arm.gateway.removeInstance(id);
      throw e;
    }
  }

  const service: ResourceTypeRegistration = {
    type: SERVICE_TYPE, apiVersions: APIM_API_VERSIONS, scopes: ['resourceGroup'], listScopes: ['subscription', 'resourceGroup'],
    locations: [],
    async get(req) {
      const r = await arm.resources.get(req.target.id);
      if (!r) throw ApimErrors.notFound(req);
      return { status: 200, body: r.body, headers: { etag: r.etag } };
    },
    put: (req) => write(req, false),
    patch: (req) => write(req, true),
    ...trackedResourceHandlers(arm, SERVICE_TYPE),
  };
  // Deleting an instance (or its group) deletes its system-assigned principal and stops its gateway.
  arm.resources.onDelete(SERVICE, async (deleted) => {
    await releaseIdentity(arm, deleted.id, deleted.body.identity);
    await arm.gateway.removeInstance(deleted.id);
  });

  return service;
}

/** After a restart: every instance's gateway listens again on the port of its gatewayUrl. */
export async function startGatewayListeners(arm: ArmContext): Promise<void> {
  for (const s of await arm.resources.listOf(SERVICE)) {
    await arm.gateway.ensureInstance(s.id, Number(new URL(s.body.properties.gatewayUrl).port));
  }
}

const HOSTNAME_TYPES = ['Proxy', 'Portal', 'Management', 'Scm', 'DeveloperPortal', 'ConfigurationApi'] as const;
const ENABLED = ['Enabled', 'Disabled'] as const;

/** `null` or an array (of objects when `objects`). */
function arrayOrNull(props: Record<string, unknown>, field: string, objects = true): unknown[] | undefined {
  const v = props[field];
  if (v === undefined || v === null) return undefined;
  const at = `properties.${field}`;
  if (!Array.isArray(v)) throw validationError(at, `'${at}' must be an array.`);
  if (objects) v.forEach((x, k) => { if (x === null || typeof x !== 'object' || Array.isArray(x)) throw validationError(`${at}[${k}]`, `'${at}[${k}]' must be an object.`); });
  return v;
}

/**
 * The type of every setting a PUT or PATCH gives (Azure's ApiManagementServiceProperties): a wrongly
 * typed value is refused here, never stored for the gateway or a later reader to trip over.
 */
function checkSettings(set: Record<string, unknown>): void {
  const at = (f: string) => `properties.${f}`;
  str(set, 'notificationSenderEmail', { max: 100, at: at('notificationSenderEmail') });
  for (const f of ['enableClientCertificate', 'disableGateway', 'restore']) bool(set, f, at(f));
  for (const f of ['publicNetworkAccess', 'natGatewayState', 'developerPortalStatus', 'legacyPortalStatus'] as const) oneOf(set, f, ENABLED, at(f));
  oneOf(set, 'virtualNetworkType', ['None', 'External', 'Internal'] as const, at('virtualNetworkType'));
  oneOf(set, 'releaseChannel', ['Early', 'Default', 'Late', 'Preview', 'Stable'] as const, at('releaseChannel'));
  for (const f of ['virtualNetworkConfiguration', 'configurationApi']) obj(set, f, at(f));
  const constraint = obj(set, 'apiVersionConstraint', at('apiVersionConstraint'));
  if (constraint) str(constraint, 'minApiVersion', { at: 'properties.apiVersionConstraint.minApiVersion' });
  str(set, 'publicIpAddressId', { at: at('publicIpAddressId') });
  stringMap(set, 'customProperties', at('customProperties'));
  for (const f of ['additionalLocations', 'privateEndpointConnections']) arrayOrNull(set, f);
  const cas = arrayOrNull(set, 'certificates');
  if (cas) set.certificates = cas.map((c, k) => caCertificate(c as Record<string, unknown>, `properties.certificates[${k}]`));
  (arrayOrNull(set, 'hostnameConfigurations') ?? []).forEach((h, k) => {
    const hc = h as Record<string, unknown>;
    const p = `properties.hostnameConfigurations[${k}]`;
    if (oneOf(hc, 'type', HOSTNAME_TYPES, `${p}.type`) === undefined) throw validationError(`${p}.type`, `'${p}.type' is required.`);
    if (!str(hc, 'hostName', { max: 253, at: `${p}.hostName` })) throw validationError(`${p}.hostName`, `'${p}.hostName' is required.`);
    for (const f of ['keyVaultId', 'identityClientId', 'encodedCertificate', 'certificatePassword']) str(hc, f, { at: `${p}.${f}` });
    for (const f of ['negotiateClientCertificate', 'defaultSslBinding']) bool(hc, f, `${p}.${f}`);
    oneOf(hc, 'certificateSource', ['Managed', 'KeyVault', 'Custom', 'BuiltIn'] as const, `${p}.certificateSource`);
    oneOf(hc, 'certificateStatus', ['Completed', 'Failed', 'InProgress'] as const, `${p}.certificateStatus`);
    obj(hc, 'certificate', `${p}.certificate`);
  });
}

/**
 * A CA certificate of the instance (CertificateConfiguration): a public .cer (base64 DER) in the Root or
 * CertificateAuthority store. What is kept is the certificate and its information (expiry, thumbprint,
 * subject), never `certificatePassword`.
 */
function caCertificate(c: Record<string, unknown>, at: string): Record<string, unknown> {
  if (oneOf(c, 'storeName', ['Root', 'CertificateAuthority'] as const, `${at}.storeName`) === undefined) throw validationError(`${at}.storeName`, `'${at}.storeName' is required.`);
  const encoded = str(c, 'encodedCertificate', { at: `${at}.encodedCertificate` });
  str(c, 'certificatePassword', { at: `${at}.certificatePassword` });
  if (!encoded) throw validationError(`${at}.encodedCertificate`, `'${at}.encodedCertificate' is required.`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(encoded, 'base64'));
  } catch {
    throw validationError(`${at}.encodedCertificate`, `'${at}.encodedCertificate' must be a base64-encoded X.509 certificate (.cer).`);
  }
  return {
    encodedCertificate: encoded, storeName: c.storeName,
    certificate: { expiry: new Date(cert.validTo).toISOString().replace(/\.\d{3}Z$/, 'Z'), thumbprint: cert.fingerprint.replace(/:/g, ''), subject: cert.subject.split('\n').reverse().join(', ') },
  };
}

function validateSku(value: unknown): { name: string; capacity: number } {
  if (value === undefined || value === null) throw ApimErrors.required('sku');
  const sku = asObject(value, 'sku');
  rejectUnknown(sku, ['name', 'capacity'], 'ApiManagementServiceSkuProperties', 'sku');
  const name = Object.keys(SKU_CAPACITY).find((k) => typeof sku.name === 'string' && k.toLowerCase() === sku.name.toLowerCase());
  if (!name) throw ApimErrors.invalidSku(sku.name);
  // A number in a string ("1", as the seed's template writes it) is read as the number, as Azure's deserializer does.
  const capacity = typeof sku.capacity === 'string' && /^\d{1,3}$/.test(sku.capacity) ? Number(sku.capacity) : sku.capacity;
  const range = SKU_CAPACITY[name];
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < range[0] || capacity > range[1]) {
    throw ApimErrors.invalidCapacity(name, capacity, range);
  }
  return { name, capacity };
}

/** The instance's properties: what the caller set, and the read-only values Azure computes. */
function serviceProperties(set: Record<string, any>, computed: { name: string; sku: string; gatewayUrl: string; createdAtUtc: string }): Record<string, unknown> {
  const n = computed.name.toLowerCase();
  const consumption = computed.sku === 'Consumption';
  const custom = (set.hostnameConfigurations ?? []) as HostnameConfiguration[];
  return {
    publisherEmail: set.publisherEmail,
    publisherName: set.publisherName,
    notificationSenderEmail: set.notificationSenderEmail ?? 'apimgmt-noreply@mail.windowsazure.com',
    provisioningState: 'Succeeded',
    targetProvisioningState: '',
    createdAtUtc: computed.createdAtUtc,
    gatewayUrl: computed.gatewayUrl,
    gatewayRegionalUrl: consumption ? undefined : computed.gatewayUrl,
    portalUrl: consumption ? undefined : `https://${n}.portal.azure-api.net`,
    developerPortalUrl: consumption ? undefined : `https://${n}.developer.azure-api.net`,
    managementApiUrl: consumption ? undefined : `https://${n}.management.azure-api.net`,
    scmUrl: consumption ? undefined : `https://${n}.scm.azure-api.net`,
    hostnameConfigurations: [
      { type: 'Proxy', hostName: `${n}.azure-api.net`, negotiateClientCertificate: false, defaultSslBinding: !custom.some((h) => h.type === 'Proxy' && h.defaultSslBinding), certificateSource: 'BuiltIn' },
      ...custom,
    ],
    publicIPAddresses: consumption ? undefined : ['127.0.0.1'],
    outboundPublicIPAddresses: ['127.0.0.1'],
    additionalLocations: set.additionalLocations ?? null,
    virtualNetworkConfiguration: set.virtualNetworkConfiguration ?? null,
    virtualNetworkType: set.virtualNetworkType ?? 'None',
    customProperties: set.customProperties ?? (consumption ? undefined : {
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10': 'False',
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11': 'False',
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls10': 'False',
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls11': 'False',
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30': 'False',
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Protocols.Server.Http2': 'False',
    }),
    certificates: set.certificates ?? null,
    enableClientCertificate: set.enableClientCertificate ?? (consumption ? false : undefined),
    disableGateway: set.disableGateway ?? false,
    natGatewayState: set.natGatewayState ?? 'Disabled',
    apiVersionConstraint: set.apiVersionConstraint ?? {},
    publicIpAddressId: set.publicIpAddressId ?? null,
    publicNetworkAccess: set.publicNetworkAccess ?? 'Enabled',
    privateEndpointConnections: set.privateEndpointConnections ?? null,
    platformVersion: consumption ? 'mtv1' : 'stv2',
    developerPortalStatus: set.developerPortalStatus ?? 'Enabled',
    legacyPortalStatus: set.legacyPortalStatus ?? 'Enabled',
    releaseChannel: set.releaseChannel ?? 'Default',
  };
}
