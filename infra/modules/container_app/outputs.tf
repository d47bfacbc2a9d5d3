output "id" {
  description = "Resource id of the app."
  value       = azurerm_container_app.this.id
}

output "name" {
  description = "Name of the app."
  value       = azurerm_container_app.this.name
}

output "fqdn" {
  description = "The app's own host name under the Container Apps environment (null without ingress)."
  value       = var.ingress == null ? null : azurerm_container_app.this.ingress[0].fqdn
}

output "url" {
  description = "https URL the app is reached at: the custom domain when set, else the app's own host name (null without ingress)."
  value       = var.ingress == null ? null : "https://${var.custom_domain != null ? var.custom_domain : azurerm_container_app.this.ingress[0].fqdn}"
}

output "dns_records" {
  description = "DNS records the custom domain needs before it is bound: a CNAME to the app and the TXT record Azure validates ownership with."
  value = var.custom_domain == null ? [] : [
    { type = "CNAME", name = var.custom_domain, value = azurerm_container_app.this.ingress[0].fqdn },
    { type = "TXT", name = "asuid.${var.custom_domain}", value = azurerm_container_app.this.custom_domain_verification_id },
  ]
}
