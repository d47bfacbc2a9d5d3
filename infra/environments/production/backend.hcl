# Remote state of the production environment (terraform init -backend-config=environments/production/backend.hcl).
# The account and container exist before the first init (see the bootstrap steps in the README); one container per
# environment, so the production deploy identity can be given access to its own state only. No keys: Entra ID sign-in
# (in GitHub Actions through OIDC with ARM_USE_OIDC=true).
resource_group_name  = "rg-meshhook-tfstate"
storage_account_name = "stmeshhooktfstate"
container_name       = "tfstate-production"
key                  = "meshhook-production.tfstate"
use_azuread_auth     = true
