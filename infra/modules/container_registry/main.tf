# The environment's registry: images are pulled with an identity (AcrPull), never with the admin user.
resource "azurerm_container_registry" "this" {
  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = var.sku
  admin_enabled       = false
  tags                = var.tags

  # Holds every release image (rollbacks pull them again): Terraform refuses any plan that destroys it.
  lifecycle {
    prevent_destroy = true
  }
}

resource "azurerm_management_lock" "this" {
  count = var.resource_lock ? 1 : 0

  name       = "cannot-delete"
  scope      = azurerm_container_registry.this.id
  lock_level = "CanNotDelete"
  notes      = "Holds the release images rollbacks need. Remove the lock only to retire the environment."
}
