# Least privilege, by identity:
#   pull identity     AcrPull on the registry
#   secrets identity  Key Vault Secrets User on the vault (the apps read)
#   deploy identity   Key Vault Secrets Officer on the vault (the deploy writes), AcrPush on the registry,
#                     Storage Blob Data Contributor on the deployment-state container, the custom role "MeshHook
#                     deployer" on the resource group (read everything, write the container apps and nothing else),
#                     and Role Based Access Control Administrator limited by a condition to granting or removing
#                     AcrPull / Key Vault Secrets User for the two app identities only.
#   secret officers   Key Vault Secrets Officer (optional Entra group of people who set secrets by hand)
# Everything else (identities and their federated credentials, the vault, storage, registry, locks, role definitions,
# diagnostic settings) is changed by an administrator's apply (the bootstrap in the README), never by a deploy job.

locals {
  # Built-in role definition ids (the same in every tenant), for the condition on role-assignment writes.
  role_ids = {
    acr_pull               = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
    key_vault_secrets_user = "4633458b-17de-408a-b874-0445c86b69e6"
  }
  grantable_roles      = join(", ", values(local.role_ids))
  grantable_principals = join(", ", [module.pull_identity.principal_id, module.secrets_identity.principal_id])
}

# What a deploy (revision updates, TerraformApply of app changes) needs in the resource group. Deliberately absent:
# Microsoft.ManagedIdentity/*/write (federated credentials: the identity could trust any GitHub subject, including for
# itself), Microsoft.Storage/storageAccounts/write (re-enabling shared keys), Key Vault and registry writes, locks.
resource "azurerm_role_definition" "deployer" {
  name        = "MeshHook deployer (${var.environment})"
  scope       = azurerm_resource_group.this.id
  description = "Deploys MeshHook's container apps in ${azurerm_resource_group.this.name}: reads the environment, writes the container apps and their revisions only."

  permissions {
    actions = [
      "*/read",
      "Microsoft.App/containerApps/write",
      "Microsoft.App/containerApps/delete",
      "Microsoft.App/containerApps/revisions/*",
      "Microsoft.App/containerApps/listSecrets/action",
      "Microsoft.App/containerApps/customDomains/*",
      "Microsoft.App/managedEnvironments/join/action",
      "Microsoft.App/managedEnvironments/certificates/read",
      "Microsoft.App/managedEnvironments/managedCertificates/*",
      "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
      "Microsoft.Resources/deployments/*",
      "Microsoft.ContainerRegistry/registries/pull/read",
    ]
    not_actions = [
      "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
      "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete",
      "Microsoft.Storage/storageAccounts/write",
      "Microsoft.Storage/storageAccounts/listKeys/action",
      "Microsoft.Storage/storageAccounts/regenerateKey/action",
      "Microsoft.KeyVault/vaults/write",
      "Microsoft.Authorization/locks/write",
      "Microsoft.Authorization/locks/delete",
    ]
  }

  assignable_scopes = [azurerm_resource_group.this.id]
}

resource "azurerm_role_assignment" "pull_registry" {
  scope                = module.registry.id
  role_definition_name = "AcrPull"
  principal_id         = module.pull_identity.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "secrets_read" {
  scope                = module.key_vault.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = module.secrets_identity.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_secrets_write" {
  scope                = module.key_vault.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = module.deploy_identity.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_push" {
  scope                = module.registry.id
  role_definition_name = "AcrPush"
  principal_id         = module.deploy_identity.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_state" {
  scope                = module.deployment_state.container_resource_manager_id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = module.deploy_identity.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_apps" {
  scope              = azurerm_resource_group.this.id
  role_definition_id = azurerm_role_definition.deployer.role_definition_resource_id
  principal_id       = module.deploy_identity.principal_id
  principal_type     = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_grants" {
  scope                = azurerm_resource_group.this.id
  role_definition_name = "Role Based Access Control Administrator"
  principal_id         = module.deploy_identity.principal_id
  principal_type       = "ServicePrincipal"
  condition_version    = "2.0"
  condition            = <<-CONDITION
    (
      (
        !(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})
      )
      OR
      (
        @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${local.grantable_roles}}
        AND
        @Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals {${local.grantable_principals}}
      )
    )
    AND
    (
      (
        !(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})
      )
      OR
      (
        @Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${local.grantable_roles}}
        AND
        @Resource[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals {${local.grantable_principals}}
      )
    )
  CONDITION
}

data "azuread_group" "secret_officers" {
  count            = var.secret_officers_group == null ? 0 : 1
  display_name     = var.secret_officers_group
  security_enabled = true
}

resource "azurerm_role_assignment" "officers_secrets_write" {
  count                = var.secret_officers_group == null ? 0 : 1
  scope                = module.key_vault.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azuread_group.secret_officers[0].object_id
  principal_type       = "Group"
}
