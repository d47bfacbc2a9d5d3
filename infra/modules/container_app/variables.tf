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
  description = "Path of the startup, liveness and (with ingress) readiness probes (null: no probes)."
  type        = string
  default     = null

  validation {
    condition     = var.health_path == null || var.ingress != null || var.health_port != null
    error_message = "Health probes need a port: an ingress (its target port is probed) or health_port."
  }
}

variable "health_port" {
  description = "Port the probes call (null: the ingress target port). The workers have no ingress and serve /health on their own port."
  type        = number
  default     = null
}

variable "probe_timeout_seconds" {
  description = "Seconds a probe waits for an answer (above the 1 s default: /health checks the database)."
  type        = number
  default     = 5

  validation {
    condition     = var.probe_timeout_seconds > 1 && var.probe_timeout_seconds <= 240
    error_message = "A probe timeout is 2-240 seconds."
  }
}

variable "revision_mode" {
  description = "Single or Multiple. Multiple lets deploys create a revision, verify it and then move the traffic."
  type        = string
  default     = "Single"

  validation {
    condition     = contains(["Single", "Multiple"], var.revision_mode)
    error_message = "The revision mode must be Single or Multiple."
  }
}

variable "placeholder_image" {
  description = "Public image of the very first revision, before any release is pushed (bootstrap); null: var.image. Later images are set by deploys."
  type        = string
  default     = null
}

variable "custom_domain" {
  description = "Host name served with a managed certificate (e.g. meshhook.example.com; null: the app's own FQDN). Needs the DNS records of the dns_records output first, and an ingress."
  type        = string
  default     = null

  validation {
    condition     = var.custom_domain == null || var.ingress != null
    error_message = "A custom domain needs an ingress."
  }
}

variable "bind_custom_domain" {
  description = "Bind custom_domain now (its DNS records exist). False during the bootstrap, before DNS is set up."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags of the app."
  type        = map(string)
  default     = {}
}
