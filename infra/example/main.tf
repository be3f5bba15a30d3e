# An example root: one careloop deployment. Copy terraform.tfvars.example to terraform.tfvars.
terraform {
  required_version = ">= 1.5"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0, < 8.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

module "careloop" {
  source             = "../modules/careloop"
  project_id         = var.project_id
  region             = var.region
  firestore_location = var.region
  spreadsheet_key    = var.spreadsheet_key
  source_zip         = var.source_zip
  business_name      = var.business_name
  sender_email       = var.sender_email
  smtp_host          = var.smtp_host
  smtp_user          = var.smtp_user
  twilio_account_sid = var.twilio_account_sid
  sms_sender         = var.sms_sender
  zalo_app_id        = var.zalo_app_id
  zalo_templates     = var.zalo_templates
  fanout_enabled     = var.fanout_enabled
  alert_emails       = var.alert_emails
  manager_emails     = var.manager_emails
  imap_host          = var.imap_host
  imap_user          = var.imap_user
  inbox_authserv_id  = var.inbox_authserv_id
}
