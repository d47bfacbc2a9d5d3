# Least privilege, by identity:
#   pull identity     AcrPull on the registry
#   secrets identity  Key Vault Secrets User on the vault (the apps read)
#   deploy identity   Key Vault Secrets Officer on the vault (the deploy writes), AcrPush on the registry,
#                     Storage Blob Data Contributor on the deployment-state container, Contributor on the resource
#                     group (Terraform and revision updates), and Role Based Access Control Administrator on the
#                     resource group limited by a condition to granting the roles above.
#   secret officers   Key Vault Secrets Officer (optional Entra group of people who set secrets by hand)

locals {
  # Built-in role definition ids (the same in every tenant), for the condition on role-assignment writes.
  role_ids = {
    acr_pull                      = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
    acr_push                      = "8311e382-0749-4cb8-b61a-304f252e45ec"
    key_vault_secrets_user        = "4633458b-17de-408a-b874-0445c86b69e6"
    key_vault_secrets_officer     = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
    storage_blob_data_contributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
  }
  grantable_roles = join(", ", values(local.role_ids))
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

resource "azurerm_role_assignment" "deploy_contributor" {
  scope                = azurerm_resource_group.this.id
  role_definition_name = "Contributor"
  principal_id         = module.deploy_identity.principal_id
  principal_type       = "ServicePrincipal"
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
