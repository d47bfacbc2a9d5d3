variable "environment" {
  description = "The environment whose GitHub environment this state manages: dev, staging or production."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "production"], var.environment)
    error_message = "The environment must be dev, staging or production."
  }
}

variable "github_owner" {
  description = "Owner (user or organization) of the GitHub repository."
  type        = string
}

variable "github_repository" {
  description = "Name of the GitHub repository whose Actions deploy this environment."
  type        = string
}

variable "github_reviewer_teams" {
  description = "Slugs of the teams whose approval a deployment job of this environment waits for."
  type        = list(string)
  default     = []
}

variable "github_reviewer_users" {
  description = "Logins of the users whose approval a deployment job of this environment waits for."
  type        = list(string)
  default     = []

  validation {
    condition     = var.environment != "production" || length(var.github_reviewer_users) + length(var.github_reviewer_teams) > 0
    error_message = "Production needs required reviewers: set github_reviewer_teams or github_reviewer_users."
  }
}

variable "github_protected_branches_only" {
  description = "Only protected branches (main) may deploy to this environment; false: any branch (no branch policy)."
  type        = bool
  default     = true
}

variable "environment_state" {
  description = "Where the environment's own Terraform state lives (its outputs give the deploy job's variables): the values of infra/environments/<env>/backend.hcl."
  type = object({
    resource_group_name  = string
    storage_account_name = string
    container_name       = string
    key                  = string
  })
}
