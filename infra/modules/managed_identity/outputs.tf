output "id" {
  description = "Resource id of the identity (what a container app's identity block lists)."
  value       = azurerm_user_assigned_identity.this.id
}

output "principal_id" {
  description = "Object id of the identity's service principal (what role assignments name)."
  value       = azurerm_user_assigned_identity.this.principal_id
}

output "client_id" {
  description = "Client id of the identity (AZURE_CLIENT_ID when signing in as it)."
  value       = azurerm_user_assigned_identity.this.client_id
}
