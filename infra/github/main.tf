# The deploy job's variables come from the environment's own outputs (read from its state, never copied by hand).
data "terraform_remote_state" "environment" {
  backend = "azurerm"
  config = {
    resource_group_name  = var.environment_state.resource_group_name
    storage_account_name = var.environment_state.storage_account_name
    container_name       = var.environment_state.container_name
    key                  = var.environment_state.key
    use_azuread_auth     = true
  }
}

locals {
  environment = data.terraform_remote_state.environment.outputs
}

module "github_environment" {
  source = "../modules/github_environment"

  repository              = var.github_repository
  environment             = var.environment
  reviewer_teams          = var.github_reviewer_teams
  reviewer_users          = var.github_reviewer_users
  protected_branches_only = var.github_protected_branches_only
  variables = {
    AZURE_CLIENT_ID       = local.environment.deploy_client_id
    AZURE_TENANT_ID       = local.environment.tenant_id
    AZURE_SUBSCRIPTION_ID = local.environment.subscription_id
    MESHHOOK_PUBLIC_URL   = local.environment.web_url
    MESHHOOK_REGISTRY     = local.environment.registry_login_server
    MESHHOOK_KEY_VAULT    = local.environment.key_vault_uri
    MESHHOOK_STATE_URL    = local.environment.deployment_state_url
  }
}
