resource "azurerm_resource_provider_registration" "this" {
  for_each = var.resource_providers
  name     = each.value
}

resource "azurerm_resource_group" "state" {
  name     = var.resource_group_name
  location = var.location
  tags     = { application = "meshhook", managed-by = "terraform-bootstrap" }

  depends_on = [azurerm_resource_provider_registration.this]
}

# Every environment's Terraform state: Entra ID sign-in only (no shared keys), every overwrite kept as a version,
# deleted blobs and containers recoverable, and the account itself undeletable without removing the lock first.
resource "azurerm_storage_account" "state" {
  name                            = var.storage_account_name
  resource_group_name             = azurerm_resource_group.state.name
  location                        = azurerm_resource_group.state.location
  account_tier                    = "Standard"
  account_replication_type        = "ZRS"
  account_kind                    = "StorageV2"
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  shared_access_key_enabled       = false
  allow_nested_items_to_be_public = false
  default_to_oauth_authentication = true
  tags                            = azurerm_resource_group.state.tags

  blob_properties {
    versioning_enabled = true

    delete_retention_policy {
      days = var.soft_delete_retention_days
    }

    container_delete_retention_policy {
      days = var.soft_delete_retention_days
    }
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "azurerm_storage_container" "state" {
  for_each              = var.state_containers
  name                  = each.value
  storage_account_id    = azurerm_storage_account.state.id
  container_access_type = "private"
}

resource "azurerm_management_lock" "state" {
  name       = "cannot-delete"
  scope      = azurerm_storage_account.state.id
  lock_level = "CanNotDelete"
  notes      = "Holds the Terraform state of every MeshHook environment."
}

data "azurerm_client_config" "current" {}

# Owner of the subscription is not enough to read or write blobs signed in with Entra ID (the backends' only way in):
# whoever runs the bootstrap gets the data role on the state account, and with it can init every root.
resource "azurerm_role_assignment" "state_administrator" {
  scope                = azurerm_storage_account.state.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = data.azurerm_client_config.current.object_id
}
