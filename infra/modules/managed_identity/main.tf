# A user-assigned identity, optionally trusted by GitHub Actions: one federated credential per exact subject.
resource "azurerm_user_assigned_identity" "this" {
  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

resource "azurerm_federated_identity_credential" "this" {
  for_each = var.federated_subjects

  name                = each.key
  resource_group_name = var.resource_group_name
  parent_id           = azurerm_user_assigned_identity.this.id
  issuer              = var.oidc_issuer
  audience            = [var.oidc_audience]
  # Entra ID compares the subject exactly: a job of another environment (another subject) cannot use this identity.
  subject = each.value
}
