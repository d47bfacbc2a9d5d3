# One container app of MeshHook (web or workers). Secrets are Key Vault references resolved by the secrets identity:
# the app's configuration holds the secret's URL, never its value.
locals {
  # Container app secret names allow lowercase letters, digits and dashes.
  secret_names = { for variable, secret in var.secrets : variable => lower(replace(variable, "_", "-")) }
}

resource "azurerm_container_app" "this" {
  name                         = var.name
  resource_group_name          = var.resource_group_name
  container_app_environment_id = var.apps_environment_id
  revision_mode                = "Single"
  tags                         = var.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [var.pull_identity_id, var.secrets_identity_id]
  }

  registry {
    server   = var.registry_server
    identity = var.pull_identity_id
  }

  dynamic "secret" {
    for_each = var.secrets
    content {
      name                = local.secret_names[secret.key]
      identity            = var.secrets_identity_id
      key_vault_secret_id = "${var.key_vault_uri}secrets/${secret.value}"
    }
  }

  dynamic "ingress" {
    for_each = var.ingress == null ? [] : [var.ingress]
    content {
      external_enabled = ingress.value.external
      target_port      = ingress.value.target_port
      transport        = "auto"

      traffic_weight {
        latest_revision = true
        percentage      = 100
      }
    }
  }

  template {
    min_replicas = var.min_replicas
    max_replicas = var.max_replicas

    container {
      name   = "main"
      image  = var.image
      cpu    = var.cpu
      memory = var.memory

      dynamic "env" {
        for_each = var.settings
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = local.secret_names
        content {
          name        = env.key
          secret_name = env.value
        }
      }

      dynamic "liveness_probe" {
        for_each = var.health_path == null ? [] : [var.health_path]
        content {
          transport               = "HTTP"
          port                    = var.ingress.target_port
          path                    = liveness_probe.value
          interval_seconds        = 10
          failure_count_threshold = 3
        }
      }

      dynamic "readiness_probe" {
        for_each = var.health_path == null ? [] : [var.health_path]
        content {
          transport               = "HTTP"
          port                    = var.ingress.target_port
          path                    = readiness_probe.value
          interval_seconds        = 5
          failure_count_threshold = 3
          success_count_threshold = 1
        }
      }
    }
  }
}
