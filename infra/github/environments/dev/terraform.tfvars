# dev: deployable from any branch (no branch policy), no approval.
environment                    = "dev"
github_owner                   = "profullstack"
github_repository              = "meshhook"
github_protected_branches_only = false

environment_state = {
  resource_group_name  = "rg-meshhook-tfstate"
  storage_account_name = "stmeshhooktfstate"
  container_name       = "tfstate-dev"
  key                  = "meshhook-dev.tfstate"
}
