variable "resource_group_name" {
  description = "Resource group of the workspace and the environment."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "log_analytics_name" {
  description = "Name of the Log Analytics workspace."
  type        = string
}

variable "apps_environment_name" {
  description = "Name of the Container Apps environment."
  type        = string
}

variable "log_retention_days" {
  description = "Days the workspace keeps logs (30-730)."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags of both resources."
  type        = map(string)
  default     = {}
}
