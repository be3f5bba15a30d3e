output "survey_url" {
  description = "The survey page's base URL (links in check-ins and case surveys start with it)."
  value       = google_cloudfunctions2_function.public["survey"].service_config[0].uri
}

output "unsubscribe_url" {
  description = "The unsubscribe page's base URL."
  value       = google_cloudfunctions2_function.public["unsubscribe"].service_config[0].uri
}

output "webhook_urls" {
  description = "Each channel's public function, by name: give its provider this URL (zalo_webhook: the OA's webhook, for the events user_send_text, user_feedback, user_received_message, user_submit_info)."
  value       = { for name, hook in google_cloudfunctions2_function.public : name => hook.service_config[0].uri if !contains(["survey", "unsubscribe"], name) }
}

output "runtime_service_account_email" {
  description = "Share the spreadsheet with this address as Editor."
  value       = google_service_account.runtime.email
}
