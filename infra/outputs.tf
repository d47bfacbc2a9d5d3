output "resource_group_name" {
  description = "The environment's resource group."
  value       = azurerm_resource_group.this.name
}

output "web_url" {
  description = "Public URL of the web app (its /health is what a deployment verifies)."
  value       = module.web.url
}

output "web_app_name" {
  description = "Name of the web container app."
  value       = module.web.name
}

output "workers_app_name" {
  description = "Name of the workers container app."
  value       = module.workers.name
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
