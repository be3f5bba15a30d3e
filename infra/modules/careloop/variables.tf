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
    signing_key        = "1"
    smtp_password      = "1"
    twilio_auth_token  = "1"
    zalo_app_secret    = "1"
    zalo_refresh_token = "1"
    zalo_oa_secret_key = "1"
    imap_password      = "1"
  }
}

variable "retention_days" {
  type        = number
  description = "Records older than this many days are deleted: messages sent, surveys, replies, run reports, resolved cases (Firestore TTL on expire_at)."
  default     = 730
  validation {
    condition     = var.retention_days >= 30 && var.retention_days <= 3650
    error_message = "retention_days is between 30 and 3650."
  }
}

variable "imap_host" {
  type        = string
  description = "The monitored mailbox customers' replies and bounces arrive in (IMAP over TLS, port 993). Empty: careloop does not listen by email. The password is the secret careloop-imap-password."
  default     = ""
}

variable "imap_user" {
  type        = string
  description = "IMAP login name of the monitored mailbox."
  default     = ""
}

variable "inbox_authserv_id" {
  type        = string
  description = "The receiving mail server's name in Authentication-Results (Gmail: mx.google.com): a reply whose sender it authenticated is acted on at once. Empty: only replies to careloop's own messages are; the rest wait for staff's Confirm tick."
  default     = ""
}

variable "channel_order" {
  type        = string
  description = "Channels tried for a customer whose Channel cell is blank, in order (zalo, sms, email)."
  default     = "zalo,sms,email"
}

variable "twilio_account_sid" {
  type        = string
  description = "SMS through Twilio: the Account SID (AC...). Empty: no SMS. The auth token is the secret careloop-twilio-auth-token."
  default     = ""
}

variable "sms_sender" {
  type        = string
  description = "The SMS sender: a brand name registered for Vietnam (at most 11 characters) or a Twilio number."
  default     = ""
}

variable "zalo_app_id" {
  type        = string
  description = "Zalo ZNS: the app ID linked to the Official Account. Empty: no Zalo. Its secret key and first refresh token are secrets."
  default     = ""
}

variable "zalo_templates" {
  type        = string
  description = "Zalo ZNS: the approved template per message kind, e.g. checkin:123456,birthday:123457."
  default     = ""
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

variable "manager_emails" {
  type        = string
  description = "Who gets the weekly digest, separated by commas; empty: the tier-3 owner of the matrix's '*' row."
  default     = ""
}

variable "fanout_enabled" {
  type        = bool
  description = "Send big days through Pub/Sub: a send queue and a send_batch function per channel"
  default     = false
}

variable "fanout_after" {
  type        = number
  description = "Messages a follow-up run sends itself; with fan-out on, the rest go through the send queue"
  default     = 1000
}

variable "fanout_batch_size" {
  type        = number
  description = "Messages in one send-queue batch (one send_batch call)"
  default     = 100
}

variable "send_batch_max_instances" {
  type        = map(number)
  description = "Each channel's rate limit: send_batch instances at once, each sending one batch at a time"
  default     = { email = 2, sms = 1, zalo = 1 }
}

variable "alert_emails" {
  type        = list(string)
  description = "Who Google Cloud Monitoring emails when careloop cannot speak for itself (a function logging ERROR, no follow-up run completed in 26 hours); empty: no Cloud alerts."
  default     = []
}
