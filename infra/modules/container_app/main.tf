# One container app of MeshHook (web or workers). Secrets are Key Vault references resolved by the secrets identity:
# the app's configuration holds the secret's URL, never its value.
locals {
  # Container app secret names allow lowercase letters, digits and dashes.
  secret_names = { for variable, secret in var.secrets : variable => lower(replace(variable, "_", "-")) }

  # The placeholder image (bootstrap) does not serve /health: its first revision runs without probes.
  probes      = var.health_path != null && var.placeholder_image == null
  health_port = var.health_port != null ? var.health_port : try(var.ingress.target_port, null)
  image       = var.placeholder_image != null ? var.placeholder_image : var.image
}

resource "azurerm_container_app" "this" {
  name                         = var.name
  resource_group_name          = var.resource_group_name
  container_app_environment_id = var.apps_environment_id
  revision_mode                = var.revision_mode
  tags                         = var.tags

  # Deploys own the running image, the revision suffix and the traffic split (they create revisions and move traffic
  # themselves); Terraform creates the app and owns everything else, so TerraformApply never undoes a deploy.
  lifecycle {
    ignore_changes = [
      template[0].container[0].image,
      template[0].revision_suffix,
      ingress[0].traffic_weight,
    ]
  }

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
      image  = local.image
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

      # Probe timeouts above the 1 s default: /health checks the database, which may take longer under load.
      # The startup probe gives a cold start (migrations, connection pool) up to 10 x 5 s before liveness counts.
      dynamic "startup_probe" {
        for_each = local.probes ? [var.health_path] : []
        content {
          transport               = "HTTP"
          port                    = local.health_port
          path                    = startup_probe.value
          timeout                 = var.probe_timeout_seconds
          interval_seconds        = 5
          failure_count_threshold = 10
        }
      }

      dynamic "liveness_probe" {
        for_each = local.probes ? [var.health_path] : []
        content {
          transport               = "HTTP"
          port                    = local.health_port
          path                    = liveness_probe.value
          timeout                 = var.probe_timeout_seconds
          interval_seconds        = 10
          failure_count_threshold = 3
        }
      }

      dynamic "readiness_probe" {
        for_each = local.probes && var.ingress != null ? [var.health_path] : []
        content {
          transport               = "HTTP"
          port                    = local.health_port
          path                    = readiness_probe.value
          timeout                 = var.probe_timeout_seconds
          interval_seconds        = 5
          failure_count_threshold = 3
          success_count_threshold = 1
        }
      }
    }
  }
}

# The public host name with a certificate Azure issues and renews (managed certificate). Azure validates the domain
# against the DNS records of the dns_records output, so they exist before the binding (bootstrap: bind_custom_domain).
resource "azurerm_container_app_custom_domain" "this" {
  count = var.custom_domain != null && var.bind_custom_domain ? 1 : 0

  name                     = var.custom_domain
  container_app_id         = azurerm_container_app.this.id
  certificate_binding_type = "SniEnabled"

  # Azure creates the managed certificate and binds it after validation; Terraform must not remove that binding.
  lifecycle {
    ignore_changes = [certificate_binding_type, container_app_environment_certificate_id]
  }
}
