output "name" {
  description = "Name of the GitHub environment."
  value       = github_repository_environment.this.environment
}

output "required_reviewers" {
  description = "How many teams and users may approve a job of this environment."
  value       = length(var.reviewer_teams) + length(var.reviewer_users)
}
