# az login as the administrator; ARM_SUBSCRIPTION_ID names the subscription.
provider "azurerm" {
  features {}
  storage_use_azuread = true
  # This root registers exactly the providers MeshHook needs (below) and nothing on its own.
  resource_provider_registrations = "none"
}
