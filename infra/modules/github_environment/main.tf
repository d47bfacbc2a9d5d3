# The repository's GitHub environment: jobs that name it wait for a reviewer when reviewers are set, run only from
# protected branches when asked, and read the (non-secret) values they need to sign in through OIDC.
data "github_team" "reviewers" {
  for_each = toset(var.reviewer_teams)
  slug     = each.value
}

data "github_user" "reviewers" {
  for_each = toset(var.reviewer_users)
  username = each.value
}

resource "github_repository_environment" "this" {
  repository          = var.repository
  environment         = var.environment
  prevent_self_review = length(var.reviewer_teams) + length(var.reviewer_users) > 0
  can_admins_bypass   = false

  dynamic "reviewers" {
    for_each = length(var.reviewer_teams) + length(var.reviewer_users) > 0 ? [1] : []
    content {
      teams = [for team in data.github_team.reviewers : tonumber(team.id)]
      users = [for user in data.github_user.reviewers : tonumber(user.id)]
    }
  }

  # GitHub needs exactly one of protected_branches / custom_branch_policies true; "any branch" is no policy at all.
  dynamic "deployment_branch_policy" {
    for_each = var.protected_branches_only ? [1] : []
    content {
      protected_branches     = true
      custom_branch_policies = false
    }
  }
}

resource "github_actions_environment_variable" "this" {
  for_each = var.variables

  repository    = var.repository
  environment   = github_repository_environment.this.environment
  variable_name = each.key
  value         = each.value
}
