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
  # The deploy identity holds roles inside the resource group only: registering resource providers at subscription
  # scope on start-up would fail with 403. The bootstrap (infra/bootstrap) registers them once, as an administrator.
  resource_provider_registrations = "none"
}

provider "azuread" {}

# GitHub environments (reviewers, branch policies, the job's variables) are not managed here: infra/github is a
# separate root an administrator applies, so no environment's deploy job needs a token that can rewrite reviewers.
