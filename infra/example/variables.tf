variable "project_id" {
  type        = string
  description = "The Google Cloud project that runs careloop."
}

variable "region" {
  type        = string
  description = "Region for everything, e.g. asia-southeast1 (Singapore)."
  default     = "asia-southeast1"
}

variable "spreadsheet_key" {
  type        = string
  description = "The Google Sheet's key: the part of its URL after /d/."
}

variable "source_zip" {
  type        = string
  description = "The bundle `make bundle` builds."
  default     = "../../dist/careloop-source.zip"
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
  description = "SMTP server, e.g. smtp.gmail.com."
}

variable "smtp_user" {
  type        = string
  description = "SMTP login name."
}

variable "twilio_account_sid" {
  type        = string
  description = "SMS through Twilio: the Account SID; empty for no SMS."
  default     = ""
}

variable "sms_sender" {
  type        = string
  description = "SMS sender: the registered brand name or a Twilio number."
  default     = ""
}

variable "zalo_app_id" {
  type        = string
  description = "Zalo ZNS: the app ID linked to the Official Account; empty for no Zalo."
  default     = ""
}

variable "zalo_templates" {
  type        = string
  description = "Zalo ZNS: approved template per kind, e.g. checkin:123456,birthday:123457."
  default     = ""
}

variable "fanout_enabled" {
  type        = bool
  description = "Send big days (more than 1,000 due) through Pub/Sub and send_batch functions."
  default     = false
}

variable "alert_emails" {
  type        = list(string)
  description = "Who Google Cloud Monitoring emails when careloop cannot speak for itself; empty: no Cloud alerts."
  default     = []
}

variable "manager_emails" {
  type        = string
  description = "Who gets the weekly digest and the alerts, separated by commas; empty: the tier-3 owner of the matrix's '*' row."
  default     = ""
}

variable "imap_host" {
  type        = string
  description = "The monitored mailbox customers' replies arrive in (IMAP over TLS); empty: careloop does not listen by email. Its password is the secret careloop-imap-password."
  default     = ""
}

variable "imap_user" {
  type        = string
  description = "IMAP login name of the monitored mailbox."
  default     = ""
}

variable "inbox_authserv_id" {
  type        = string
  description = "The receiving mail server's name in Authentication-Results (Gmail: mx.google.com); empty: only replies to careloop's own messages act at once."
  default     = ""
}
