variable "resource_group_name" {
  description = "Resource group of the identity."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "name" {
  description = "Name of the identity."
  type        = string
}

variable "federated_subjects" {
  description = "Credential name => the exact OIDC subject allowed to sign in as this identity (empty: none)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for subject in values(var.federated_subjects) : startswith(subject, "repo:") && strcontains(subject, ":environment:")])
    error_message = "Only environment subjects (repo:...:environment:NAME) may be trusted: branch or pull-request subjects would let other jobs act on the environment."
  }
}

variable "oidc_issuer" {
  description = "Issuer of the OIDC tokens."
  type        = string
  default     = "https://token.actions.githubusercontent.com"
}

variable "oidc_audience" {
  description = "Audience of the OIDC tokens."
  type        = string
  default     = "api://AzureADTokenExchange"
}

variable "tags" {
  description = "Tags of the identity."
  type        = map(string)
  default     = {}
}
