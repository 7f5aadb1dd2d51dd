// Every blade of the portal, one line each (one file per blade beside this one). Add yours to the list;
// page blades with `nav: true` appear in the portal menu in this order, resource blades in their type's
// resource menu in this order, grouped by `group`.
import { lazy } from 'react';
import type { BladeDefinition } from './registry';

export const BLADES: readonly BladeDefinition[] = [
  // Pages
  { kind: 'page', route: '', title: 'Home', nav: true, component: lazy(() => import('./home')) },
  { kind: 'page', route: 'browse/Microsoft.ManagedIdentity/userAssignedIdentities', title: 'Managed Identities', nav: true, component: lazy(() => import('./managed-identities')) },
  { kind: 'page', route: 'create/Microsoft.ManagedIdentity/userAssignedIdentities', title: 'Create User Assigned Managed Identity', component: lazy(() => import('./managed-identity-create')) },
  { kind: 'page', route: 'create/Microsoft.Template', title: 'Custom deployment', nav: true, navLabel: 'Deploy a custom template', component: lazy(() => import('./deploy-template')) },

  // Key Vault (pages)
  { kind: 'page', route: 'browse/Microsoft.KeyVault/vaults', title: 'Key vaults', nav: true, component: lazy(() => import('./keyvaults')) },
  // Event Hubs (pages)
  { kind: 'page', route: 'browse/Microsoft.EventHub/namespaces', title: 'Event Hubs', nav: true, navLabel: 'Event Hubs', component: lazy(() => import('./eventhubs-namespaces')) },

  // Resource blades
  { kind: 'resource', resourceType: 'Microsoft.ManagedIdentity/userAssignedIdentities', name: 'overview', title: 'Overview', component: lazy(() => import('./managed-identity-overview')) },
  // Key Vault
  { kind: 'resource', resourceType: 'Microsoft.KeyVault/vaults', name: 'overview', title: 'Overview', component: lazy(() => import('./keyvault-overview')) },
  { kind: 'resource', resourceType: 'Microsoft.KeyVault/vaults', name: 'iam', title: 'Access control (IAM)', component: lazy(() => import('./access-control')) },
  { kind: 'resource', resourceType: 'Microsoft.KeyVault/vaults', name: 'secrets', title: 'Secrets', group: 'Objects', component: lazy(() => import('./keyvault-secrets')) },
  { kind: 'resource', resourceType: 'Microsoft.KeyVault/vaults', name: 'certificates', title: 'Certificates', group: 'Objects', component: lazy(() => import('./keyvault-certificates')) },
  { kind: 'resource', resourceType: 'Microsoft.KeyVault/vaults', name: 'accessconfiguration', title: 'Access configuration', group: 'Settings', component: lazy(() => import('./keyvault-access-configuration')) },
  { kind: 'resource', resourceType: 'Microsoft.KeyVault/vaults', name: 'accesspolicies', title: 'Access policies', group: 'Settings', component: lazy(() => import('./keyvault-access-policies')) },
  { kind: 'resource', resourceType: 'Microsoft.KeyVault/vaults', name: 'networking', title: 'Networking', group: 'Settings', component: lazy(() => import('./keyvault-networking')) },
  // Event Hubs
  { kind: 'resource', resourceType: 'Microsoft.EventHub/namespaces', name: 'overview', title: 'Overview', component: lazy(() => import('./eventhubs-namespace-overview')) },
  { kind: 'resource', resourceType: 'Microsoft.EventHub/namespaces', name: 'iam', title: 'Access control (IAM)', component: lazy(() => import('./access-control')) },
  { kind: 'resource', resourceType: 'Microsoft.EventHub/namespaces', name: 'eventhubs', title: 'Event Hubs', group: 'Entities', component: lazy(() => import('./eventhubs-hubs')) },
  { kind: 'resource', resourceType: 'Microsoft.EventHub/namespaces/eventhubs', name: 'dataexplorer', title: 'Data Explorer', component: lazy(() => import('./eventhub-data-explorer')) },
  // API Management, in the order of Azure's resource menu: Overview; APIs, Products, Subscriptions, Named values, Backends;
  // Custom domains; Managed identities; Loggers (branches portal-apis and portal-apim)
  { kind: 'resource', resourceType: 'Microsoft.ApiManagement/service', name: 'overview', title: 'Overview', component: lazy(() => import('./apim-overview')) },
  { kind: 'resource', resourceType: 'Microsoft.ApiManagement/service', name: 'apis', title: 'APIs', group: 'APIs', component: lazy(() => import('./apim-apis')) },
  { kind: 'resource', resourceType: 'Microsoft.ApiManagement/service', name: 'products', title: 'Products', group: 'APIs', component: lazy(() => import('./apim-products')) },
  { kind: 'resource', resourceType: 'Microsoft.ApiManagement/service', name: 'subscriptions', title: 'Subscriptions', group: 'APIs', component: lazy(() => import('./apim-subscriptions')) },
  { kind: 'resource', resourceType: 'Microsoft.ApiManagement/service', name: 'namedvalues', title: 'Named values', group: 'APIs', component: lazy(() => import('./apim-named-values')) },
  { kind: 'resource', resourceType: 'Microsoft.ApiManagement/service', name: 'backends', title: 'Backends', group: 'APIs', component: lazy(() => import('./apim-backends')) },
  { kind: 'resource', resourceType: 'Microsoft.ApiManagement/service', name: 'customdomains', title: 'Custom domains', group: 'Deployment + infrastructure', component: lazy(() => import('./apim-custom-domains')) },
  { kind: 'resource', resourceType: 'Microsoft.ApiManagement/service', name: 'managedidentities', title: 'Managed identities', group: 'Security', component: lazy(() => import('./apim-managed-identities')) },
  { kind: 'resource', resourceType: 'Microsoft.ApiManagement/service', name: 'loggers', title: 'Loggers', group: 'Monitoring', component: lazy(() => import('./apim-loggers')) },
  { kind: 'resource', resourceType: 'Microsoft.Resources/resourceGroups', name: 'overview', title: 'Overview', component: lazy(() => import('./resource-group-overview')) },
  { kind: 'resource', resourceType: 'Microsoft.Resources/deployments', name: 'overview', title: 'Overview', component: lazy(() => import('./deployment-overview')) },
  { kind: 'resource', resourceType: '*', name: 'overview', title: 'Overview', component: lazy(() => import('./resource-overview')) },
];
