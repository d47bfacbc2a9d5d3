# MeshHook in one Azure resource group per environment: a Container Apps environment (logs in Log Analytics) runs the
# web app and the workers from the environment's registry; secrets live in Key Vault (RBAC mode) and reach the apps as
# Key Vault references; the deployment journal and lock live in a blob container.

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "this" {
  name     = local.names.resource_group
  location = var.location
  tags     = local.tags
}

module "platform" {
  source = "./modules/container_platform"

  resource_group_name   = azurerm_resource_group.this.name
  location              = azurerm_resource_group.this.location
  log_analytics_name    = local.names.log_analytics
  apps_environment_name = local.names.apps_environment
  log_retention_days    = var.log_retention_days
  tags                  = local.tags
}

module "registry" {
  source = "./modules/container_registry"

  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  name                = local.names.registry
  sku                 = var.registry_sku
  resource_lock       = var.resource_locks
  tags                = local.tags
}

module "key_vault" {
  source = "./modules/key_vault"

  resource_group_name        = azurerm_resource_group.this.name
  location                   = azurerm_resource_group.this.location
  name                       = local.names.key_vault
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  purge_protection_enabled   = var.key_vault_purge_protection
  soft_delete_retention_days = var.key_vault_soft_delete_retention_days
  log_analytics_workspace_id = module.platform.log_analytics_workspace_id
  resource_lock              = var.resource_locks
  tags                       = local.tags
}

module "deployment_state" {
  source = "./modules/deployment_state"

  resource_group_name  = azurerm_resource_group.this.name
  location             = azurerm_resource_group.this.location
  storage_account_name = local.names.deployment_storage
  container_name       = var.deployment_state_container
  resource_lock        = var.resource_locks
  tags                 = local.tags
}

# Pulls images (AcrPull on the registry, nothing else).
module "pull_identity" {
  source = "./modules/managed_identity"

  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  name                = local.names.pull_identity
  tags                = local.tags
}

# Reads the apps' secrets (Key Vault Secrets User on the vault, nothing else).
module "secrets_identity" {
  source = "./modules/managed_identity"

  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  name                = local.names.secrets_identity
  tags                = local.tags
}

# Used by the GitHub Actions job of this environment only (federated credential on its exact subject).
module "deploy_identity" {
  source = "./modules/managed_identity"

  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  name                = local.names.deploy_identity
  tags                = local.tags
  federated_subjects = {
    "github-${var.environment}" = local.deploy_subject
  }
}

locals {
  # Bootstrap stages: the apps need their secrets in Key Vault (set after "foundation") and, for the custom domain,
  # DNS records naming the app (created after "apps").
  create_apps        = var.bootstrap_stage != "foundation"
  placeholder_image  = var.bootstrap_stage == "apps" ? var.placeholder_image : null
  bind_custom_domain = var.bootstrap_stage == "complete"
}

module "web" {
  source = "./modules/container_app"
  count  = local.create_apps ? 1 : 0

  name                = local.names.web_app
  resource_group_name = azurerm_resource_group.this.name
  apps_environment_id = module.platform.apps_environment_id
  image               = "${module.registry.login_server}/${var.image_repositories.web}:${var.image_tag}"
  placeholder_image   = local.placeholder_image
  registry_server     = module.registry.login_server
  pull_identity_id    = module.pull_identity.id
  secrets_identity_id = module.secrets_identity.id
  key_vault_uri       = module.key_vault.vault_uri
  cpu                 = var.web.cpu
  memory              = var.web.memory
  min_replicas        = var.web.min_replicas
  max_replicas        = var.web.max_replicas
  settings            = merge({ NODE_ENV = "production", HOST = "0.0.0.0", PORT = tostring(var.web.port) }, var.web_settings)
  secrets             = var.web_secrets
  ingress             = { external = true, target_port = var.web.port }
  health_path         = "/health"
  # Deploys create a revision, verify it on its own URL, then move the traffic (and back on rollback).
  revision_mode      = "Multiple"
  custom_domain      = var.custom_domain
  bind_custom_domain = local.bind_custom_domain
  tags               = local.tags

  # The identities must hold their roles before the first revision pulls the image and resolves the secrets.
  depends_on = [azurerm_role_assignment.pull_registry, azurerm_role_assignment.secrets_read]
}

module "workers" {
  source = "./modules/container_app"
  count  = local.create_apps ? 1 : 0

  name                = local.names.workers_app
  resource_group_name = azurerm_resource_group.this.name
  apps_environment_id = module.platform.apps_environment_id
  image               = "${module.registry.login_server}/${var.image_repositories.workers}:${var.image_tag}"
  placeholder_image   = local.placeholder_image
  registry_server     = module.registry.login_server
  pull_identity_id    = module.pull_identity.id
  secrets_identity_id = module.secrets_identity.id
  key_vault_uri       = module.key_vault.vault_uri
  cpu                 = var.workers.cpu
  memory              = var.workers.memory
  min_replicas        = var.workers.min_replicas
  max_replicas        = var.workers.max_replicas
  # The workers serve their own GET /health (src/workers/lib/health-server.mjs) on all interfaces for the probes.
  settings = merge({
    NODE_ENV           = "production"
    WORKER_HEALTH_HOST = "0.0.0.0"
    WORKER_HEALTH_PORT = tostring(var.workers.health_port)
  }, var.worker_settings)
  secrets     = var.worker_secrets
  ingress     = null
  health_path = "/health"
  health_port = var.workers.health_port
  tags        = local.tags

  depends_on = [azurerm_role_assignment.pull_registry, azurerm_role_assignment.secrets_read]
}
