output "survey_url" {
  description = "The survey page's base URL."
  value       = module.careloop.survey_url
}

output "webhook_urls" {
  description = "Each channel's public function URL, by name (zalo_webhook: the Zalo OA's webhook)."
  value       = module.careloop.webhook_urls
}

output "runtime_service_account_email" {
  description = "Share the spreadsheet with this address as Editor."
  value       = module.careloop.runtime_service_account_email
}
