# Inputs of the root module. Every variable without a default is set in environments/<env>/terraform.tfvars,
# except image_tag, which TerraformPlan passes on the command line (-var image_tag=<release>).
# No variable holds a secret value: secrets are set in Key Vault and only referenced by name.

variable "environment" {
  description = "The environment this state manages: dev, staging or production."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "production"], var.environment)
    error_message = "The environment must be dev, staging or production."
  }
}

variable "location" {
  description = "Azure region of every resource, e.g. westeurope."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
  default     = "meshhook"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.name_prefix))
    error_message = "The name prefix must be 2-10 lowercase letters or digits, starting with a letter."
  }
}

variable "unique_suffix" {
  description = "Short suffix that makes the globally unique names (registry, Key Vault, storage account) unique to this installation."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{2,6}$", var.unique_suffix))
    error_message = "The unique suffix must be 2-6 lowercase letters or digits."
  }
}

variable "image_tag" {
  description = "Tag of the web and workers images to run: the release id (TerraformPlan passes it with -var)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "The image tag must be a valid OCI tag (letters, digits, '_', '.', '-'; at most 128 characters)."
  }
}

variable "image_repositories" {
  description = "Repositories of the web and workers images in the environment's container registry."
  type = object({
    web     = string
    workers = string
  })
  default = {
    web     = "meshhook-web"
    workers = "meshhook-workers"
  }
}

variable "web" {
  description = "Size and scale of the web app (SvelteKit, adapter-node)."
  type = object({
    cpu          = number
    memory       = string
    min_replicas = number
    max_replicas = number
    port         = number
  })
  default = {
    cpu          = 0.5
    memory       = "1Gi"
    min_replicas = 1
    max_replicas = 3
    port         = 3000
  }
}

variable "workers" {
  description = "Size and scale of the workers app (Node worker processes, no ingress; health_port serves their /health to the probes)."
  type = object({
    cpu          = number
    memory       = string
    min_replicas = number
    max_replicas = number
    health_port  = optional(number, 8081)
  })
  default = {
    cpu          = 0.5
    memory       = "1Gi"
    min_replicas = 1
    max_replicas = 2
    health_port  = 8081
  }
}

variable "web_settings" {
  description = "Plain (non-secret) environment variables of the web app, e.g. ORIGIN and PUBLIC_SUPABASE_URL."
  type        = map(string)
  default     = {}
}

variable "worker_settings" {
  description = "Plain (non-secret) environment variables of the workers."
  type        = map(string)
  default     = {}
}

variable "web_secrets" {
  description = "Secret environment variables of the web app: variable name => Key Vault secret name. Values are set in Key Vault, never here."
  type        = map(string)
  default = {
    DATABASE_URL              = "database-url"
    SUPABASE_SERVICE_ROLE_KEY = "supabase-service-role-key"
    DEFAULT_WEBHOOK_SECRET    = "default-webhook-secret"
  }
}

variable "worker_secrets" {
  description = "Secret environment variables of the workers: variable name => Key Vault secret name."
  type        = map(string)
  default = {
    DATABASE_URL = "database-url"
  }
}

variable "log_retention_days" {
  description = "Days the Log Analytics workspace keeps logs."
  type        = number
  default     = 30
}

variable "registry_sku" {
  description = "Container registry SKU: Basic, Standard or Premium."
  type        = string
  default     = "Basic"
}

variable "key_vault_purge_protection" {
  description = "Purge protection of the Key Vault (cannot be turned off once on)."
  type        = bool
  default     = true
}

variable "key_vault_soft_delete_retention_days" {
  description = "Days a deleted vault or secret stays recoverable (7-90)."
  type        = number
  default     = 90
}

variable "deployment_state_container" {
  description = "Blob container holding the deployment journal and lock of this environment."
  type        = string
  default     = "deployments"
}

variable "secret_officers_group" {
  description = "Display name of an Entra ID group whose members may set this environment's secrets (null: only the deploy identity)."
  type        = string
  default     = null
}

variable "github_oidc_subject_prefix" {
  description = "OIDC subject prefix of the repository: repo:OWNER/REPO, or repo:OWNER@OWNER_ID/REPO@REPO_ID for repositories created or moved after 2026-07-15 (GET /repos/{owner}/{repo}/actions/oidc/customization/sub). The deploy job's subject is <prefix>:environment:<environment>."
  type        = string

  validation {
    condition     = startswith(var.github_oidc_subject_prefix, "repo:") && !strcontains(var.github_oidc_subject_prefix, ":environment:")
    error_message = "The subject prefix must start with 'repo:' and must not contain ':environment:' (the environment is appended)."
  }
}

variable "bootstrap_stage" {
  description = "How much of a new environment to create (docs: the bootstrap in the README). foundation: everything but the apps (secrets are set after it); apps: the apps too, their first revision from placeholder_image, no custom domain (its DNS records are created after it); complete: everything (every later run)."
  type        = string
  default     = "complete"

  validation {
    condition     = contains(["foundation", "apps", "complete"], var.bootstrap_stage)
    error_message = "The bootstrap stage must be foundation, apps or complete."
  }
}

variable "placeholder_image" {
  description = "Public image of the apps' first revision during the apps stage of the bootstrap, before any release is pushed."
  type        = string
  default     = "mcr.microsoft.com/k8se/quickstart:latest"
}

variable "custom_domain" {
  description = "Host name of the web app with a managed certificate, e.g. meshhook.example.com (null: the app's own azurecontainerapps.io host name). environment.json's url is https://<custom_domain>."
  type        = string
  default     = null

  validation {
    condition     = var.custom_domain == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", var.custom_domain))
    error_message = "The custom domain must be a lowercase host name such as meshhook.example.com (no scheme, no path)."
  }
}

variable "resource_locks" {
  description = "CanNotDelete management locks on the Key Vault, the deployment-state storage and the registry (production). Removing one needs an administrator (Microsoft.Authorization/locks/delete)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
