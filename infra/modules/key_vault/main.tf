# Key Vault in RBAC mode: no access policies; who reads and who writes is decided by role assignments (access.tf).
# No secret is created here: values are set in the vault (az keyvault secret set, or the deploy), so neither the
# configuration nor the Terraform state ever holds one.
resource "azurerm_key_vault" "this" {
  name                       = var.name
  resource_group_name        = var.resource_group_name
  location                   = var.location
  tenant_id                  = var.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = true
  purge_protection_enabled   = var.purge_protection_enabled
  soft_delete_retention_days = var.soft_delete_retention_days
  # Explicit rather than the provider's default (see the variable).
  public_network_access_enabled = var.public_network_access_enabled
  tags                          = var.tags

  # The vault holds every secret of the environment: Terraform refuses any plan that destroys it.
  lifecycle {
    prevent_destroy = true
  }
}

# Who read which secret: the audit log (category group "audit": AuditEvent) goes to Log Analytics.
resource "azurerm_monitor_diagnostic_setting" "this" {
  name                       = "audit-to-log-analytics"
  target_resource_id         = azurerm_key_vault.this.id
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category_group = "audit"
  }

  enabled_metric {
    category = "AllMetrics"
  }
}

resource "azurerm_management_lock" "this" {
  count = var.resource_lock ? 1 : 0

  name       = "cannot-delete"
  scope      = azurerm_key_vault.this.id
  lock_level = "CanNotDelete"
  notes      = "Holds the environment's secrets. Remove the lock only to retire the environment."
}
