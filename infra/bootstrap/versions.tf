# The subscription-level groundwork, applied once by an administrator (Owner of the subscription) before any
# environment: resource provider registrations and the storage account of every Terraform state. Its own state is
# local (infra/bootstrap/terraform.tfstate, git-ignored; no secret in it): it only creates what the remote state needs,
# and everything it creates is protected (prevent_destroy, a CanNotDelete lock), so a lost local state is re-imported
# with `terraform import`, never recreated.
terraform {
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "= 4.55.0"
    }
  }
}
