output "apps_environment_id" {
  description = "Id of the Container Apps environment."
  value       = azurerm_container_app_environment.this.id
}

output "log_analytics_workspace_id" {
  description = "Resource id of the Log Analytics workspace."
  value       = azurerm_log_analytics_workspace.this.id
}
