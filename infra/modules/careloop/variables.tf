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

variable "business_name" {
  type        = string
  description = "The business name that signs every message."
}

variable "sender_email" {
  type        = string
  description = "The From address of careloop's email."
}

variable "smtp_host" {
  type        = string
  description = "SMTP server for email (e.g. smtp.gmail.com for Google Workspace)."
}

variable "smtp_user" {
  type        = string
  description = "SMTP login name."
}

variable "secret_versions" {
  type        = map(string)
  description = "Pinned version of each secret the functions read, e.g. { signing_key = \"1\", smtp_password = \"1\" }. Add the values with gcloud first."
  default = {
    signing_key   = "1"
    smtp_password = "1"
  }
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
