# Storage for the deployment journal (append blobs) and the environment lock (blob lease).
# Shared keys are off: every client signs in with Entra ID (the deploy identity has Storage Blob Data Contributor on
# the container only).
resource "azurerm_storage_account" "this" {
  name                            = var.storage_account_name
  resource_group_name             = var.resource_group_name
  location                        = var.location
  account_tier                    = "Standard"
  account_replication_type        = var.replication_type
  account_kind                    = "StorageV2"
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  shared_access_key_enabled       = false
  allow_nested_items_to_be_public = false
  default_to_oauth_authentication = true
  tags                            = var.tags

  blob_properties {
    versioning_enabled = true

    delete_retention_policy {
      days = var.soft_delete_retention_days
    }

    container_delete_retention_policy {
      days = var.soft_delete_retention_days
    }
  }

  # Holds the deployment journal (what is released where): Terraform refuses any plan that destroys it.
  lifecycle {
    prevent_destroy = true
  }
}

resource "azurerm_management_lock" "this" {
  count = var.resource_lock ? 1 : 0

  name       = "cannot-delete"
  scope      = azurerm_storage_account.this.id
  lock_level = "CanNotDelete"
  notes      = "Holds the deployment journal and lock. Remove the lock only to retire the environment."
}

resource "azurerm_storage_container" "this" {
  name                  = var.container_name
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}
