variable "repository" {
  description = "Name of the repository (the owner is the provider's)."
  type        = string
}

variable "environment" {
  description = "Name of the GitHub environment (the same as the Azure environment)."
  type        = string
}

variable "reviewer_teams" {
  description = "Slugs of teams that may approve a job of this environment (up to 6 reviewers in all)."
  type        = list(string)
  default     = []
}

variable "reviewer_users" {
  description = "Logins of users that may approve a job of this environment."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.reviewer_users) + length(var.reviewer_teams) <= 6
    error_message = "GitHub allows at most 6 required reviewers (users and teams together)."
  }
}

variable "protected_branches_only" {
  description = "Only protected branches may deploy to this environment."
  type        = bool
  default     = true
}

variable "variables" {
  description = "Environment variables of the GitHub environment (vars.NAME); never secrets."
  type        = map(string)
  default     = {}
}
