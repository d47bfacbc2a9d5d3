output "storage_account_id" {
  description = "Resource id of the storage account."
  value       = azurerm_storage_account.this.id
}

output "container_resource_manager_id" {
  description = "Resource Manager id of the container (scope of the deploy identity's data role)."
  value       = "${azurerm_storage_account.this.id}/blobServices/default/containers/${azurerm_storage_container.this.name}"
}

output "container_url" {
  description = "https URL of the container (journal and lock blobs live below it)."
  value       = "${azurerm_storage_account.this.primary_blob_endpoint}${azurerm_storage_container.this.name}"
}
