# staging: deployed from protected branches (main), no approval.
environment       = "staging"
github_owner      = "profullstack"
github_repository = "meshhook"

environment_state = {
  resource_group_name  = "rg-meshhook-tfstate"
  storage_account_name = "stmeshhooktfstate"
  container_name       = "tfstate-staging"
  key                  = "meshhook-staging.tfstate"
}
