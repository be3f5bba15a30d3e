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
