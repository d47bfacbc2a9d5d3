variable "name" {
  description = "Name of the container app."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the app."
  type        = string
}

variable "apps_environment_id" {
  description = "Container Apps environment the app runs in."
  type        = string
}

variable "image" {
  description = "Full image reference: REGISTRY/REPOSITORY:TAG."
  type        = string
}

variable "registry_server" {
  description = "Registry host the image is pulled from."
  type        = string
}

variable "pull_identity_id" {
  description = "Resource id of the identity that pulls the image (AcrPull)."
  type        = string
}

variable "secrets_identity_id" {
  description = "Resource id of the identity that reads the secrets (Key Vault Secrets User)."
  type        = string
}

variable "key_vault_uri" {
  description = "URI of the Key Vault holding the secrets, ending in a slash."
  type        = string
}

variable "cpu" {
  description = "vCPUs of the container (0.25 steps)."
  type        = number
}

variable "memory" {
  description = "Memory of the container, twice the vCPUs in Gi (e.g. 1Gi for 0.5)."
  type        = string
}

variable "min_replicas" {
  description = "Fewest replicas."
  type        = number
  default     = 1
}

variable "max_replicas" {
  description = "Most replicas."
  type        = number
  default     = 1
}

variable "settings" {
  description = "Plain environment variables."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Secret environment variables: variable name => Key Vault secret name."
  type        = map(string)
  default     = {}
}

variable "ingress" {
  description = "HTTP ingress (null: none, the app is reachable from nowhere)."
  type = object({
    external    = bool
    target_port = number
  })
  default = null
}

variable "health_path" {
  description = "Path of the liveness and readiness probes on the ingress port (null: no probes; needs ingress)."
  type        = string
  default     = null

  validation {
    condition     = var.health_path == null || var.ingress != null
    error_message = "Health probes need an ingress (its target port is probed)."
  }
}

variable "tags" {
  description = "Tags of the app."
  type        = map(string)
  default     = {}
}
