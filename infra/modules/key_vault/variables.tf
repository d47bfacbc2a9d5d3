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
