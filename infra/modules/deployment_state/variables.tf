variable "resource_group_name" {
  description = "Resource group of the storage account."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "storage_account_name" {
  description = "Globally unique storage account name (3-24 lowercase letters and digits)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.storage_account_name))
    error_message = "A storage account name is 3-24 lowercase letters and digits."
  }
}

variable "container_name" {
  description = "Blob container of the journal and the lock."
  type        = string
  default     = "deployments"
}

variable "replication_type" {
  description = "Replication of the account: LRS, ZRS, GRS..."
  type        = string
  default     = "ZRS"
}

variable "soft_delete_retention_days" {
  description = "Days deleted blobs and containers stay recoverable."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags of the storage account."
  type        = map(string)
  default     = {}
}

variable "resource_lock" {
  description = "Add a CanNotDelete management lock (production): deleting needs an administrator to remove the lock first."
  type        = bool
  default     = false
}
