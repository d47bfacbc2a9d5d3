output "id" {
  description = "Resource id of the vault (scope of the Key Vault roles)."
  value       = azurerm_key_vault.this.id
}

output "name" {
  description = "Name of the vault."
  value       = azurerm_key_vault.this.name
}

output "vault_uri" {
  description = "URI of the vault, ending in a slash (https://NAME.vault.azure.net/)."
  value       = azurerm_key_vault.this.vault_uri
}
