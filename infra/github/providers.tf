# Reads GITHUB_TOKEN: an administrator's token (or GitHub App) allowed to administer the repository's environments.
provider "github" {
  owner = var.github_owner
}
