output "id" {
  description = "Resource id of the app."
  value       = azurerm_container_app.this.id
}

output "name" {
  description = "Name of the app."
  value       = azurerm_container_app.this.name
}

output "url" {
  description = "https URL of the app's ingress (null without ingress)."
  value       = var.ingress == null ? null : "https://${azurerm_container_app.this.ingress[0].fqdn}"
}
