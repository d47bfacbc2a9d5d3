# Versions are pinned here once, exactly: the versions whose schemas Test checks every argument, block and attribute
# against (tools/terraform-schema-check.mjs reads them from @cdktf/provider-azurerm 14.23.1, -azuread 14.3.1 and
# -github 15.3.1 in tools/package.json). Moving a provider means moving its package with it; the check fails otherwise.
# Modules only name their providers' sources. After the first real `terraform init`, commit the generated
# .terraform.lock.hcl (`terraform providers lock -platform=linux_amd64 -platform=darwin_arm64`).
terraform {
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "= 4.55.0"
    }
    azuread = {
      source  = "hashicorp/azuread"
      version = "= 3.7.0"
    }
  }

  # Partial configuration: everything else comes from environments/<env>/backend.hcl
  # (terraform init -backend-config=environments/<env>/backend.hcl).
  backend "azurerm" {}
}
