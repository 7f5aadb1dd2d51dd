// The Resource Manager documents the portal reads, typed as far as the portal uses them.

export interface ArmResource<P = Record<string, unknown>> {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  properties?: P;
}

export interface Subscription { id: string; subscriptionId: string; displayName: string; state: string; tenantId?: string }

export interface ResourceGroup extends ArmResource<{ provisioningState?: string }> { location: string }

export interface UserAssignedIdentityProperties { clientId?: string; principalId?: string; tenantId?: string }

export const API_VERSIONS = {
  resources: '2021-04-01',
  subscriptions: '2022-12-01',
  managedIdentity: '2023-01-31',
  authorization: '2022-04-01',
  deployments: '2021-04-01',
  apiManagement: '2024-05-01',
} as const;

/** Parts of a resource id: subscription, resource group, the full type (namespace/type[/child...]) and name. */
export interface ResourceIdParts { subscriptionId?: string; resourceGroup?: string; type: string; name: string }

export function parseResourceId(id: string): ResourceIdParts {
  const seg = id.split('/').filter(Boolean);
  const out: ResourceIdParts = { type: 'Microsoft.Resources/subscriptions', name: '' };
  let i = 0;
  if (seg[i]?.toLowerCase() === 'subscriptions') { out.subscriptionId = seg[i + 1]; out.name = seg[i + 1] ?? ''; i += 2; }
  if (seg[i]?.toLowerCase() === 'resourcegroups') {
    out.resourceGroup = seg[i + 1]; out.type = 'Microsoft.Resources/resourceGroups'; out.name = seg[i + 1] ?? ''; i += 2;
  }
  if (seg[i]?.toLowerCase() === 'providers' && seg.length > i + 2) {
    const ns = seg[i + 1];
    const types: string[] = [];
    let name = '';
    for (let j = i + 2; j + 1 < seg.length; j += 2) { types.push(seg[j]); name = seg[j + 1]; }
    out.type = [ns, ...types].join('/');
    out.name = name;
  }
  return out;
}

/** A resource id's parent scopes, outermost first (subscription, resource group, parents). */
export function parentScopes(id: string): string[] {
  const p = parseResourceId(id);
  const out: string[] = [];
  if (p.subscriptionId) out.push(`/subscriptions/${p.subscriptionId}`);
  if (p.resourceGroup) out.push(`/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}`);
  return out.filter((s) => s.toLowerCase() !== id.toLowerCase());
}

/** Regions offered in create forms (Azure's names); any location Resource Manager accepts works. */
export const REGIONS: readonly { name: string; displayName: string }[] = [
  { name: 'westeurope', displayName: 'West Europe' },
  { name: 'northeurope', displayName: 'North Europe' },
  { name: 'eastus', displayName: 'East US' },
  { name: 'eastus2', displayName: 'East US 2' },
  { name: 'westus2', displayName: 'West US 2' },
  { name: 'centralus', displayName: 'Central US' },
  { name: 'uksouth', displayName: 'UK South' },
  { name: 'francecentral', displayName: 'France Central' },
  { name: 'germanywestcentral', displayName: 'Germany West Central' },
  { name: 'swedencentral', displayName: 'Sweden Central' },
  { name: 'southeastasia', displayName: 'Southeast Asia' },
  { name: 'japaneast', displayName: 'Japan East' },
  { name: 'australiaeast', displayName: 'Australia East' },
];

export function regionDisplayName(name: string | undefined): string {
  return REGIONS.find((r) => r.name === name?.replace(/\s+/g, '').toLowerCase())?.displayName ?? name ?? '';
}
