# Versions are pinned here once; modules only name their providers' sources.
# After the first real `terraform init`, commit the generated .terraform.lock.hcl
# (`terraform providers lock -platform=linux_amd64 -platform=darwin_arm64`).
terraform {
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.42 introduced azurerm_key_vault.rbac_authorization_enabled.
      version = "~> 4.42"
    }
    azuread = {
      source  = "hashicorp/azuread"
      version = "~> 3.4"
    }
    github = {
      source  = "integrations/github"
      version = "~> 6.6"
    }
  }

  # Partial configuration: everything else comes from environments/<env>/backend.hcl
  # (terraform init -backend-config=environments/<env>/backend.hcl).
  backend "azurerm" {}
}
