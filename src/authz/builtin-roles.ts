// Azure built-in role definitions, as Azure publishes them.
//
// Every entry below was copied from the JSON block that Microsoft publishes for the role in the
// "Azure built-in roles" reference (learn.microsoft.com/azure/role-based-access-control/built-in-roles/*),
// read from its source repository MicrosoftDocs/azure-docs,
// articles/role-based-access-control/built-in-roles/<category>.md. The comment above each role names
// the file and commit it was read from. Nothing here is guessed: GUIDs, role names, descriptions and
// permission strings (including their casing and order) are verbatim.
//
// Every role in this file has assignableScopes ["/"], roleType "BuiltInRole" and type
// "Microsoft.Authorization/roleDefinitions"; those are exported as constants below.
//
// Data only: no logic lives in this file.

export interface RolePermission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface BuiltInRole {
  /** The role definition GUID (the `name` of the role definition resource). */
  name: string;
  roleName: string;
  description: string;
  permissions: RolePermission[];
}

/** `assignableScopes` of every role in BUILT_IN_ROLES. */
export const BUILT_IN_ROLE_ASSIGNABLE_SCOPES: readonly string[] = ["/"];
/** `roleType` of every role in BUILT_IN_ROLES. */
export const BUILT_IN_ROLE_TYPE = "BuiltInRole";
/** ARM resource `type` of a role definition. */
export const ROLE_DEFINITION_RESOURCE_TYPE = "Microsoft.Authorization/roleDefinitions";

export const BUILT_IN_ROLES: readonly BuiltInRole[] = [
  // ---------------------------------------------------------------------------------------------
  // Privileged
  // ---------------------------------------------------------------------------------------------

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged#owner
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/privileged.md
  // @ 0b8729eaf7eb0aabc6390cb17348d19761285f12
  {
    name: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    roleName: "Owner",
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    permissions: [
      {
        actions: ["*"],
        notActions: [],
        dataActions: [],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged#contributor
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/privileged.md
  // @ 0b8729eaf7eb0aabc6390cb17348d19761285f12
  {
    name: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    roleName: "Contributor",
    description:
      "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    permissions: [
      {
        actions: ["*"],
        notActions: [
          "Microsoft.Authorization/*/Delete",
          "Microsoft.Authorization/*/Write",
          "Microsoft.Authorization/elevateAccess/Action",
          "Microsoft.Blueprint/blueprintAssignments/write",
          "Microsoft.Blueprint/blueprintAssignments/delete",
          "Microsoft.Compute/galleries/share/action",
          "Microsoft.Purview/consents/write",
          "Microsoft.Purview/consents/delete",
          "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
          "Microsoft.Subscription/cancel/action",
          "Microsoft.Subscription/enable/action",
        ],
        dataActions: [],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/general#reader
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/general.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  {
    name: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    roleName: "Reader",
    description: "View all resources, but does not allow you to make any changes.",
    permissions: [
      {
        actions: ["*/read"],
        notActions: [],
        dataActions: [],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged#user-access-administrator
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/privileged.md
  // @ 0b8729eaf7eb0aabc6390cb17348d19761285f12
  {
    name: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    roleName: "User Access Administrator",
    description: "Lets you manage user access to Azure resources.",
    permissions: [
      {
        actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
        notActions: [],
        dataActions: [],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged#role-based-access-control-administrator
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/privileged.md
  // @ 0b8729eaf7eb0aabc6390cb17348d19761285f12
  {
    name: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    roleName: "Role Based Access Control Administrator",
    description:
      "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
    permissions: [
      {
        actions: [
          "Microsoft.Authorization/roleAssignments/write",
          "Microsoft.Authorization/roleAssignments/delete",
          "*/read",
          "Microsoft.Support/*",
        ],
        notActions: [],
        dataActions: [],
        notDataActions: [],
      },
    ],
  },

  // ---------------------------------------------------------------------------------------------
  // Security (Key Vault)
  // ---------------------------------------------------------------------------------------------

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-administrator
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/security.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  {
    name: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    roleName: "Key Vault Administrator",
    description:
      "Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and secrets. Cannot manage key vault resources or manage role assignments. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: [
      {
        actions: [
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Support/*",
          "Microsoft.KeyVault/checkNameAvailability/read",
          "Microsoft.KeyVault/deletedVaults/read",
          "Microsoft.KeyVault/locations/*/read",
          "Microsoft.KeyVault/vaults/*/read",
          "Microsoft.KeyVault/operations/read",
        ],
        notActions: [],
        dataActions: ["Microsoft.KeyVault/vaults/*"],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-user
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/security.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  {
    name: "4633458b-17de-408a-b874-0445c86b69e6",
    roleName: "Key Vault Secrets User",
    description:
      "Read secret contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/vaults/secrets/getSecret/action",
          "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-officer
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/security.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  {
    name: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    roleName: "Key Vault Secrets Officer",
    description:
      "Perform any action on the secrets of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: [
      {
        actions: [
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Support/*",
          "Microsoft.KeyVault/checkNameAvailability/read",
          "Microsoft.KeyVault/deletedVaults/read",
          "Microsoft.KeyVault/locations/*/read",
          "Microsoft.KeyVault/vaults/*/read",
          "Microsoft.KeyVault/operations/read",
        ],
        notActions: [],
        dataActions: ["Microsoft.KeyVault/vaults/secrets/*"],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-certificate-user
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/security.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  {
    name: "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
    roleName: "Key Vault Certificate User",
    description:
      "Read certificate contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/vaults/certificates/read",
          "Microsoft.KeyVault/vaults/secrets/getSecret/action",
          "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
          "Microsoft.KeyVault/vaults/keys/read",
        ],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-certificates-officer
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/security.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  {
    name: "a4417e6f-fecd-4de8-b567-7b0420556985",
    roleName: "Key Vault Certificates Officer",
    description:
      "Perform any action on the certificates of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: [
      {
        actions: [
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Support/*",
          "Microsoft.KeyVault/checkNameAvailability/read",
          "Microsoft.KeyVault/deletedVaults/read",
          "Microsoft.KeyVault/locations/*/read",
          "Microsoft.KeyVault/vaults/*/read",
          "Microsoft.KeyVault/operations/read",
        ],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/vaults/certificatecas/*",
          "Microsoft.KeyVault/vaults/certificates/*",
          "Microsoft.KeyVault/vaults/certificatecontacts/write",
        ],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-reader
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/security.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  {
    name: "21090545-7ca7-4776-b22c-e363652d74d2",
    roleName: "Key Vault Reader",
    description:
      "Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: [
      {
        actions: [
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Support/*",
          "Microsoft.KeyVault/checkNameAvailability/read",
          "Microsoft.KeyVault/deletedVaults/read",
          "Microsoft.KeyVault/locations/*/read",
          "Microsoft.KeyVault/vaults/*/read",
          "Microsoft.KeyVault/operations/read",
        ],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/vaults/*/read",
          "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-contributor
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/security.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  // Note: the role definition's own `description` (the JSON Azure returns, used here) is
  // "Lets you manage key vaults, but not access to them."; the docs page's prose heading text
  // ("Manage key vaults, but does not allow you to assign roles in Azure RBAC, ...") is not the
  // role definition's description.
  {
    name: "f25e0fa2-a7c8-4377-a976-54943a77a395",
    roleName: "Key Vault Contributor",
    description: "Lets you manage key vaults, but not access to them.",
    permissions: [
      {
        actions: [
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.KeyVault/*",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Support/*",
        ],
        notActions: [
          "Microsoft.KeyVault/locations/deletedVaults/purge/action",
          "Microsoft.KeyVault/hsmPools/*",
          "Microsoft.KeyVault/managedHsms/*",
        ],
        dataActions: [],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-crypto-officer
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/security.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  {
    name: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
    roleName: "Key Vault Crypto Officer",
    description:
      "Perform any action on the keys of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: [
      {
        actions: [
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Support/*",
          "Microsoft.KeyVault/checkNameAvailability/read",
          "Microsoft.KeyVault/deletedVaults/read",
          "Microsoft.KeyVault/locations/*/read",
          "Microsoft.KeyVault/vaults/*/read",
          "Microsoft.KeyVault/operations/read",
        ],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/vaults/keys/*",
          "Microsoft.KeyVault/vaults/keyrotationpolicies/*",
        ],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-crypto-user
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/security.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  {
    name: "12338af0-0e69-4776-bea7-57ae8d297424",
    roleName: "Key Vault Crypto User",
    description:
      "Perform cryptographic operations using keys. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/vaults/keys/read",
          "Microsoft.KeyVault/vaults/keys/update/action",
          "Microsoft.KeyVault/vaults/keys/backup/action",
          "Microsoft.KeyVault/vaults/keys/encrypt/action",
          "Microsoft.KeyVault/vaults/keys/decrypt/action",
          "Microsoft.KeyVault/vaults/keys/wrap/action",
          "Microsoft.KeyVault/vaults/keys/unwrap/action",
          "Microsoft.KeyVault/vaults/keys/sign/action",
          "Microsoft.KeyVault/vaults/keys/verify/action",
        ],
        notDataActions: [],
      },
    ],
  },

  // ---------------------------------------------------------------------------------------------
  // Analytics (Event Hubs)
  // ---------------------------------------------------------------------------------------------

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/analytics#azure-event-hubs-data-sender
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/analytics.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  {
    name: "2b629674-e913-4c01-ae53-ef4638d8f975",
    roleName: "Azure Event Hubs Data Sender",
    description: "Allows send access to Azure Event Hubs resources.",
    permissions: [
      {
        actions: ["Microsoft.EventHub/*/eventhubs/read"],
        notActions: [],
        dataActions: ["Microsoft.EventHub/*/send/action"],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/analytics#azure-event-hubs-data-receiver
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/analytics.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  {
    name: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
    roleName: "Azure Event Hubs Data Receiver",
    description: "Allows receive access to Azure Event Hubs resources.",
    permissions: [
      {
        actions: ["Microsoft.EventHub/*/eventhubs/consumergroups/read"],
        notActions: [],
        dataActions: ["Microsoft.EventHub/*/receive/action"],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/analytics#azure-event-hubs-data-owner
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/analytics.md
  // @ 03e5750af10b23b5ba437d5b333ec5e9437844f9
  {
    name: "f526a384-b230-433a-b45c-95f59c4a2dec",
    roleName: "Azure Event Hubs Data Owner",
    description: "Allows for full access to Azure Event Hubs resources.",
    permissions: [
      {
        actions: ["Microsoft.EventHub/*"],
        notActions: [],
        dataActions: ["Microsoft.EventHub/*"],
        notDataActions: [],
      },
    ],
  },

  // ---------------------------------------------------------------------------------------------
  // Integration (API Management)
  // ---------------------------------------------------------------------------------------------

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/integration#api-management-service-contributor
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/integration.md
  // @ 03adcc30b28ecad9f81aba5638a15fb1930f5ec0 (identical @ ebcc6966a7046d3791c4edb32d29bb9332c2e7d6
  // and on the learn.microsoft.com page)
  {
    name: "312a565d-c81f-4fd8-895a-4e21e48d571c",
    roleName: "API Management Service Contributor",
    description: "Can manage service and the APIs",
    permissions: [
      {
        actions: [
          "Microsoft.ApiManagement/service/*",
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.ResourceHealth/availabilityStatuses/read",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Support/*",
        ],
        notActions: [],
        dataActions: [],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/integration#api-management-service-reader-role
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/integration.md
  // @ 03adcc30b28ecad9f81aba5638a15fb1930f5ec0 (identical @ ebcc6966a7046d3791c4edb32d29bb9332c2e7d6)
  {
    name: "71522526-b88f-4d52-b57f-d31fc3546d0d",
    roleName: "API Management Service Reader Role",
    description: "Read-only access to service and APIs",
    permissions: [
      {
        actions: [
          "Microsoft.ApiManagement/service/*/read",
          "Microsoft.ApiManagement/service/read",
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.ResourceHealth/availabilityStatuses/read",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Support/*",
        ],
        notActions: ["Microsoft.ApiManagement/service/users/keys/read"],
        dataActions: [],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/integration#api-management-service-operator-role
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/integration.md
  // @ 03adcc30b28ecad9f81aba5638a15fb1930f5ec0 (identical @ ebcc6966a7046d3791c4edb32d29bb9332c2e7d6)
  {
    name: "e022efe7-f5ba-4159-bbe4-b44f577e9b61",
    roleName: "API Management Service Operator Role",
    description: "Can manage service but not the APIs",
    permissions: [
      {
        actions: [
          "Microsoft.ApiManagement/service/*/read",
          "Microsoft.ApiManagement/service/backup/action",
          "Microsoft.ApiManagement/service/delete",
          "Microsoft.ApiManagement/service/managedeployments/action",
          "Microsoft.ApiManagement/service/read",
          "Microsoft.ApiManagement/service/restore/action",
          "Microsoft.ApiManagement/service/updatecertificate/action",
          "Microsoft.ApiManagement/service/updatehostname/action",
          "Microsoft.ApiManagement/service/write",
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.ResourceHealth/availabilityStatuses/read",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Support/*",
        ],
        notActions: ["Microsoft.ApiManagement/service/users/keys/read"],
        dataActions: [],
        notDataActions: [],
      },
    ],
  },

  // ---------------------------------------------------------------------------------------------
  // Identity (managed identities)
  // ---------------------------------------------------------------------------------------------

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/identity#managed-identity-operator
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/identity.md
  // @ 1b4e136a1da731e1ed16444eb6ce5701bcd8c0f4
  {
    name: "f1a07417-d97a-45cb-824c-7a7467783830",
    roleName: "Managed Identity Operator",
    description: "Read and Assign User Assigned Identity",
    permissions: [
      {
        actions: [
          "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
          "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Support/*",
        ],
        notActions: [],
        dataActions: [],
        notDataActions: [],
      },
    ],
  },

  // Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/identity#managed-identity-contributor
  // read from MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/identity.md
  // @ 1b4e136a1da731e1ed16444eb6ce5701bcd8c0f4
  {
    name: "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
    roleName: "Managed Identity Contributor",
    description: "Create, Read, Update, and Delete User Assigned Identity",
    permissions: [
      {
        actions: [
          "Microsoft.ManagedIdentity/userAssignedIdentities/read",
          "Microsoft.ManagedIdentity/userAssignedIdentities/write",
          "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
          "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
          "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
          "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete",
          "Microsoft.ManagedIdentity/userAssignedIdentities/revokeTokens/action",
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Support/*",
        ],
        notActions: [],
        dataActions: [],
        notDataActions: [],
      },
    ],
  },
];
