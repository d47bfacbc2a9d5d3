# Remote state of the dev environment (terraform init -backend-config=environments/dev/backend.hcl).
# The account and container exist before the first init (see the bootstrap steps in the README); one container per
# environment, so the dev deploy identity can be given access to its own state only. No keys: Entra ID sign-in
# (in GitHub Actions through OIDC with ARM_USE_OIDC=true).
resource_group_name  = "rg-meshhook-tfstate"
storage_account_name = "stmeshhooktfstate"
container_name       = "tfstate-dev"
key                  = "meshhook-dev.tfstate"
use_azuread_auth     = true
