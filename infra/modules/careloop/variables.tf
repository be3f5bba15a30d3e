variable "project_id" {
  type        = string
  description = "The Google Cloud project that runs careloop."
}

variable "region" {
  type        = string
  description = "Region for the functions, the scheduler jobs and the source bucket, e.g. asia-southeast1."
  default     = "asia-southeast1"
}

variable "firestore_location" {
  type        = string
  description = "Firestore location (a region or multi-region), e.g. asia-southeast1. Cannot change later."
  default     = "asia-southeast1"
}

variable "spreadsheet_key" {
  type        = string
  description = "The Google Sheet's key (the part of its URL after /d/). Share the sheet with the runtime service account as Editor."
}

variable "source_zip" {
  type        = string
  description = "Path to the source bundle built by `make bundle` (dist/careloop-source.zip)."
}

variable "secret_versions" {
  type        = map(string)
  description = "Pinned version of each secret the functions read, e.g. { signing_key = \"2\" }; a secret not named here is read at version 1. Add the values with gcloud first."
  default     = {}
}

variable "function_memory" {
  type        = string
  description = "Memory of each function, e.g. 512M."
  default     = "512M"
}

variable "function_timeout_seconds" {
  type        = number
  description = "Longest a scheduled run may take, in seconds."
  default     = 540
}

variable "max_instances" {
  type        = number
  description = "Most instances of each function at once."
  default     = 3
}

variable "followup_schedule" {
  type        = string
  description = "When the follow-up job runs (cron, in Asia/Ho_Chi_Minh)."
  default     = "0 9 * * *"
}

variable "escalate_schedule" {
  type        = string
  description = "When the escalation job runs (cron, in Asia/Ho_Chi_Minh): every 15 minutes in working hours."
  default     = "*/15 8-17 * * 1-6"
}

variable "extra_environment" {
  type        = map(string)
  description = "More careloop settings (CARELOOP_*) for every function, e.g. CARELOOP_DAILY_CAP."
  default     = {}
}

variable "digest_schedule" {
  type        = string
  description = "When the weekly digest job is called (cron, in Asia/Ho_Chi_Minh): every working hour; the first call inside working hours of a week sends last week's digest, once."
  default     = "0 8-17 * * 1-6"
}

variable "fanout_enabled" {
  type        = bool
  description = "Send big days through Pub/Sub: a send queue and a send_batch function per channel"
  default     = false
}

variable "send_batch_max_instances" {
  type        = map(number)
  description = "Each channel's rate limit: send_batch instances at once, each sending one batch at a time"
  default     = { email = 2 } # a channel not named here: 1
}

variable "alert_emails" {
  type        = list(string)
  description = "Who Google Cloud Monitoring emails when careloop cannot speak for itself (a function logging ERROR, no follow-up run completed in 26 hours); empty: no Cloud alerts."
  default     = []
}
