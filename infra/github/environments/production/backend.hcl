# State of the production GitHub environment (terraform -chdir=infra/github init -backend-config=environments/production/backend.hcl).
# Its own container: only administrators read or write it; deploy identities have no access.
resource_group_name  = "rg-meshhook-tfstate"
storage_account_name = "stmeshhooktfstate"
container_name       = "tfstate-github"
key                  = "meshhook-github-production.tfstate"
use_azuread_auth     = true
