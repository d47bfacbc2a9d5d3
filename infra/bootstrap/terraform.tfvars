# The subscription-level groundwork (terraform -chdir=infra/bootstrap apply); names match every backend.hcl.
location             = "westeurope"
resource_group_name  = "rg-meshhook-tfstate"
storage_account_name = "stmeshhooktfstate"
