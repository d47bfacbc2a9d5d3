# production: deployed from protected branches (main) after a required reviewer approves the job.
environment       = "production"
github_owner      = "profullstack"
github_repository = "meshhook"
# Teams (slugs) that approve production deployments; they need at least read access to the repository.
github_reviewer_teams = ["meshhook-release-approvers"]

environment_state = {
  resource_group_name  = "rg-meshhook-tfstate"
  storage_account_name = "stmeshhooktfstate"
  container_name       = "tfstate-production"
  key                  = "meshhook-production.tfstate"
}
