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
  tags                       = var.tags
}
