output "environment" {
  description = "Name of the GitHub environment."
  value       = module.github_environment.name
}

output "required_reviewers" {
  description = "How many teams and users may approve a job of this environment."
  value       = module.github_environment.required_reviewers
}
