variable "location" {
  description = "Azure region of the state storage, e.g. westeurope."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the state storage (resource_group_name of every backend.hcl)."
  type        = string
  default     = "rg-meshhook-tfstate"
}

variable "storage_account_name" {
  description = "Globally unique storage account of the Terraform states (storage_account_name of every backend.hcl)."
  type        = string
  default     = "stmeshhooktfstate"

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.storage_account_name))
    error_message = "A storage account name is 3-24 lowercase letters and digits."
  }
}

variable "state_containers" {
  description = "One container per state (container_name of the backend.hcl files): each environment's, and the GitHub root's (administrators only)."
  type        = set(string)
  default     = ["tfstate-dev", "tfstate-staging", "tfstate-production", "tfstate-github"]
}

variable "soft_delete_retention_days" {
  description = "Days a deleted or overwritten state blob (and a deleted container) stays recoverable."
  type        = number
  default     = 30
}

variable "resource_providers" {
  description = "Resource providers the environments use. Registered here once because the environments' azurerm provider registers none (their deploy identity may not register at subscription scope)."
  type        = set(string)
  default = [
    "Microsoft.App",
    "Microsoft.ContainerRegistry",
    "Microsoft.Insights",
    "Microsoft.KeyVault",
    "Microsoft.ManagedIdentity",
    "Microsoft.OperationalInsights",
    "Microsoft.Storage",
  ]
}
