# A separate root for the GitHub environments (reviewers, branch policies, the deploy job's variables), applied by a
# repository administrator with a token allowed to administer environments. The environments' own roots (infra/)
# never touch GitHub, so no deploy job holds a token able to rewrite production's reviewers.
terraform {
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    github = {
      source  = "integrations/github"
      version = "= 6.9.0"
    }
  }

  # Partial configuration: environments/<env>/backend.hcl (terraform -chdir=infra/github init -backend-config=...).
  backend "azurerm" {}
}
