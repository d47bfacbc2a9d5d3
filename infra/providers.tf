# Credentials never live in this configuration. In GitHub Actions the deploy identity signs in through OIDC:
# ARM_USE_OIDC=true, ARM_CLIENT_ID, ARM_TENANT_ID, ARM_SUBSCRIPTION_ID (environment variables of the job).
# Locally `az login` is enough, with ARM_SUBSCRIPTION_ID set to the environment's subscription.
provider "azurerm" {
  features {
    key_vault {
      # A destroyed vault stays recoverable for its retention period.
      purge_soft_delete_on_destroy = false
    }
    resource_group {
      prevent_deletion_if_contains_resources = true
    }
  }
  storage_use_azuread = true
}

provider "azuread" {}

# Reads GITHUB_TOKEN (a token or GitHub App allowed to administer the repository's environments).
provider "github" {
  owner = var.github_owner
}
