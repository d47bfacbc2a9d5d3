output "id" {
  description = "Resource id of the registry (scope of AcrPull/AcrPush)."
  value       = azurerm_container_registry.this.id
}

output "login_server" {
  description = "Host name images are pushed to and pulled from."
  value       = azurerm_container_registry.this.login_server
}
