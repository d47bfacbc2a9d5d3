output "state_storage_account_id" {
  description = "Resource id of the state storage account."
  value       = azurerm_storage_account.state.id
}

output "state_container_ids" {
  description = "Container name => Resource Manager id (the scope to grant a deploy identity Storage Blob Data Contributor on its own state)."
  value       = { for name, container in azurerm_storage_container.state : name => "${azurerm_storage_account.state.id}/blobServices/default/containers/${container.name}" }
}
