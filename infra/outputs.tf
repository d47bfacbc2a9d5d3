output "resource_group_name" {
  description = "The environment's resource group."
  value       = azurerm_resource_group.this.name
}

output "web_url" {
  description = "Public URL of the web app (its /health is what a deployment verifies): https://<custom_domain>, else the app's own host name; null before the apps stage."
  value       = one(module.web[*].url)
}

output "web_app_name" {
  description = "Name of the web container app."
  value       = local.names.web_app
}

output "workers_app_name" {
  description = "Name of the workers container app."
  value       = local.names.workers_app
}

output "dns_records" {
  description = "DNS records to create for the custom domain before the complete stage binds it (type, name, value)."
  value       = flatten(module.web[*].dns_records)
}

output "tenant_id" {
  description = "Entra ID tenant (AZURE_TENANT_ID of the deploy job)."
  value       = data.azurerm_client_config.current.tenant_id
}

output "subscription_id" {
  description = "Subscription of the environment (AZURE_SUBSCRIPTION_ID of the deploy job)."
  value       = data.azurerm_client_config.current.subscription_id
}

output "registry_login_server" {
  description = "Registry the release images are pushed to."
  value       = module.registry.login_server
}

output "key_vault_uri" {
  description = "Key Vault holding the environment's secrets (set them with az keyvault secret set)."
  value       = module.key_vault.vault_uri
}

output "key_vault_name" {
  description = "Name of the Key Vault."
  value       = module.key_vault.name
}

output "deployment_state_url" {
  description = "Blob container of the deployment journal and lock."
  value       = module.deployment_state.container_url
}

output "deploy_client_id" {
  description = "Client id of the deploy identity (AZURE_CLIENT_ID of the environment's GitHub Actions job)."
  value       = module.deploy_identity.client_id
}

output "deploy_principal_id" {
  description = "Principal id of the deploy identity (grant it access to the Terraform state container once)."
  value       = module.deploy_identity.principal_id
}

output "deploy_oidc_subject" {
  description = "The only OIDC subject the deploy identity trusts."
  value       = local.deploy_subject
}
