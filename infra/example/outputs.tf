output "survey_url" {
  description = "The survey page's base URL."
  value       = module.careloop.survey_url
}

output "zalo_webhook_url" {
  description = "The Zalo OA's webhook URL."
  value       = module.careloop.zalo_webhook_url
}

output "runtime_service_account_email" {
  description = "Share the spreadsheet with this address as Editor."
  value       = module.careloop.runtime_service_account_email
}
