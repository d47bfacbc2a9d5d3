# The GitHub environment of the same name: required reviewers (production), the branches allowed to deploy, and the
# non-secret values the workflow needs to sign in as the deploy identity through OIDC.
module "github_environment" {
  source = "./modules/github_environment"
  count  = var.manage_github_environment ? 1 : 0

  repository              = var.github_repository
  environment             = var.environment
  reviewer_teams          = var.github_reviewer_teams
  reviewer_users          = var.github_reviewer_users
  protected_branches_only = var.github_protected_branches_only
  variables = {
    AZURE_CLIENT_ID       = module.deploy_identity.client_id
    AZURE_TENANT_ID       = data.azurerm_client_config.current.tenant_id
    AZURE_SUBSCRIPTION_ID = data.azurerm_client_config.current.subscription_id
    MESHHOOK_PUBLIC_URL   = module.web.url
    MESHHOOK_REGISTRY     = module.registry.login_server
    MESHHOOK_KEY_VAULT    = module.key_vault.vault_uri
    MESHHOOK_STATE_URL    = module.deployment_state.container_url
  }
}
