output "survey_url" {
  description = "The survey page's base URL (links in check-ins and case surveys start with it)."
  value       = google_cloudfunctions2_function.public["survey"].service_config[0].uri
}

output "unsubscribe_url" {
  description = "The unsubscribe page's base URL."
  value       = google_cloudfunctions2_function.public["unsubscribe"].service_config[0].uri
}

output "zalo_webhook_url" {
  description = "Give Zalo this URL as the OA's webhook (events: user_send_text, user_feedback, user_received_message, user_submit_info)."
  value       = google_cloudfunctions2_function.public["zalo_webhook"].service_config[0].uri
}

output "runtime_service_account_email" {
  description = "Share the spreadsheet with this address as Editor."
  value       = google_service_account.runtime.email
}
