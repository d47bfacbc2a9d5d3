variable "resource_group_name" {
  description = "Resource group of the vault."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "name" {
  description = "Globally unique vault name (3-24 letters, digits and dashes)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", var.name))
    error_message = "A Key Vault name is 3-24 letters, digits and dashes, starting with a letter."
  }
}

variable "tenant_id" {
  description = "Entra ID tenant that authenticates requests to the vault."
  type        = string
}

variable "purge_protection_enabled" {
  description = "Purge protection (cannot be turned off once on)."
  type        = bool
  default     = true
}

variable "soft_delete_retention_days" {
  description = "Days a deleted vault or secret stays recoverable (7-90)."
  type        = number
  default     = 90
}

variable "tags" {
  description = "Tags of the vault."
  type        = map(string)
  default     = {}
}

variable "resource_lock" {
  description = "Add a CanNotDelete management lock (production): deleting needs an administrator to remove the lock first."
  type        = bool
  default     = false
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace receiving the vault's audit log (who read or changed which secret, and when)."
  type        = string
}

variable "public_network_access_enabled" {
  description = "Reachable from public networks. True: the Container Apps environment has no virtual network and reaches the vault over its public endpoint (Entra ID and RBAC still decide every request)."
  type        = bool
  default     = true
}
