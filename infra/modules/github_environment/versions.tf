terraform {
  required_providers {
    # Without this the source would default to hashicorp/github, which does not exist.
    github = {
      source = "integrations/github"
    }
  }
}
