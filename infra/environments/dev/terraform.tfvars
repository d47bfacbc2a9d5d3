# dev: cheap, disposable, deployable from any branch, no approval.
environment   = "dev"
location      = "westeurope"
unique_suffix = "mh01"

github_oidc_subject_prefix = "repo:profullstack/meshhook"

# A dev vault may be purged and recreated at once.
key_vault_purge_protection           = false
key_vault_soft_delete_retention_days = 7

log_retention_days = 30
registry_sku       = "Basic"

web = {
  cpu          = 0.25
  memory       = "0.5Gi"
  min_replicas = 0
  max_replicas = 1
  port         = 3000
}

workers = {
  cpu          = 0.25
  memory       = "0.5Gi"
  min_replicas = 1
  max_replicas = 1
}

# Behind the Container Apps ingress the public origin is https://<Host header>.
web_settings = {
  PROTOCOL_HEADER = "x-forwarded-proto"
}

# The web app's public host name (managed certificate); environment.json's url is https://dev.meshhook.example.com.
# DNS: the records of `terraform output dns_records` (a CNAME to the app, TXT asuid.dev.meshhook.example.com).
custom_domain = "dev.meshhook.example.com"
