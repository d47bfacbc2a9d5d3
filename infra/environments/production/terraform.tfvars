# production: deployed from main after a required reviewer approves the job (GitHub environment "production").
environment   = "production"
location      = "westeurope"
unique_suffix = "mh01"

github_oidc_subject_prefix = "repo:profullstack/meshhook"

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

# The web app's public host name (managed certificate); environment.json's url is https://meshhook.example.com.
# DNS: the records of `terraform output dns_records` (a CNAME to the app, TXT asuid.meshhook.example.com).
custom_domain = "meshhook.example.com"

# CanNotDelete locks on the Key Vault, the deployment-state storage and the registry.
resource_locks = true
