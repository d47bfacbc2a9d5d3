# staging: production's shape at a smaller scale; deployed automatically from main, no approval.
environment   = "staging"
location      = "westeurope"
unique_suffix = "mh01"

github_oidc_subject_prefix = "repo:profullstack/meshhook"

key_vault_purge_protection           = true
key_vault_soft_delete_retention_days = 30

log_retention_days = 30
registry_sku       = "Basic"

web = {
  cpu          = 0.5
  memory       = "1Gi"
  min_replicas = 1
  max_replicas = 2
  port         = 3000
}

workers = {
  cpu          = 0.5
  memory       = "1Gi"
  min_replicas = 1
  max_replicas = 1
}

web_settings = {
  PROTOCOL_HEADER = "x-forwarded-proto"
}

# The web app's public host name (managed certificate); environment.json's url is https://staging.meshhook.example.com.
# DNS: the records of `terraform output dns_records` (a CNAME to the app, TXT asuid.staging.meshhook.example.com).
custom_domain = "staging.meshhook.example.com"
