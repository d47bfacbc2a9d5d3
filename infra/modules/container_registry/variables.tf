variable "resource_group_name" {
  description = "Resource group of the registry."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "name" {
  description = "Globally unique registry name (5-50 letters and digits)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9]{5,50}$", var.name))
    error_message = "A registry name is 5-50 letters and digits."
  }
}

variable "sku" {
  description = "Basic, Standard or Premium."
  type        = string
  default     = "Basic"

  validation {
    condition     = contains(["Basic", "Standard", "Premium"], var.sku)
    error_message = "The registry SKU must be Basic, Standard or Premium."
  }
}

variable "tags" {
  description = "Tags of the registry."
  type        = map(string)
  default     = {}
}

variable "resource_lock" {
  description = "Add a CanNotDelete management lock (production): deleting needs an administrator to remove the lock first."
  type        = bool
  default     = false
}
