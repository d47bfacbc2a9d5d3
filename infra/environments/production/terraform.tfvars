# production: deployed from main after a required reviewer approves the job (GitHub environment "production").
environment   = "production"
location      = "westeurope"
unique_suffix = "mh01"

github_owner               = "profullstack"
github_repository          = "meshhook"
github_oidc_subject_prefix = "repo:profullstack/meshhook"
# Teams (slugs) that approve production deployments; they need at least read access to the repository.
github_reviewer_teams = ["meshhook-release-approvers"]

key_vault_purge_protection           = true
key_vault_soft_delete_retention_days = 90

log_retention_days = 90
registry_sku       = "Standard"

web = {
  cpu          = 1
  memory       = "2Gi"
  min_replicas = 2
  max_replicas = 6
  port         = 3000
}

workers = {
  cpu          = 0.5
  memory       = "1Gi"
  min_replicas = 2
  max_replicas = 4
}

web_settings = {
  PROTOCOL_HEADER = "x-forwarded-proto"
}
