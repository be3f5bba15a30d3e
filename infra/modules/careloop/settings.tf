# Written by `careloop generate` from the settings' schema (functions/settings/ and each channel's
# section in functions/adapters/channels/): change the schema, then run it; a test holds them equal.

variable "smtp_host" {
  type        = string
  description = "send real email through this SMTP server (a host name alone) instead of the outbox"
}

variable "smtp_user" {
  type        = string
  description = "the SMTP login name"
}

variable "business_name" {
  type        = string
  description = "who the messages are from: it signs every message (at most 60 characters, so a short text's first part and a template's parameter hold it; no line breaks in any text setting). Required once a real channel is set up: a settings error names each identity setting left unset"
}

variable "sender_email" {
  type        = string
  description = "the From address of careloop's email (ASCII before the @); required with an SMTP host, and never at a reserved domain (example.com/.org/.net, .test, .invalid, .localhost)"
}

variable "channel_order" {
  type        = string
  description = "the channels tried, in order, for a row whose `Kênh` is blank (only those the row has an address for and that are set up)"
  default     = "zalo, sms, email"
}

variable "manager_emails" {
  type        = string
  description = "who gets the weekly digest, alerts and test messages, separated by commas; from the Settings tab at most 10 (more: a note, the first 10 used), so nobody who can edit the sheet can turn careloop into a mailer"
  default     = ""
}

variable "retention_days" {
  type        = number
  description = "records older than this many days are deleted: messages sent, surveys, replies, run reports, short links, resolved cases, vouchers, the marks of bounced addresses, channel users' links to customers, and the rows of the Vouchers, Replies and Calls tabs (Firestore: TTL on `expire_at`; SQLite: the daily run)"
  default     = 730
  validation {
    condition     = var.retention_days >= 30 && var.retention_days <= 3650
    error_message = "retention_days is between 30 and 3650."
  }
}

variable "imap_host" {
  type        = string
  description = "the monitored mailbox customers' replies and bounces arrive in (IMAP); off when unset; host, user and password together or none"
  default     = ""
}

variable "imap_user" {
  type        = string
  description = "the IMAP login name of the monitored mailbox"
  default     = ""
}

variable "inbox_authserv_id" {
  type        = string
  description = "the receiving mail server's name in `Authentication-Results` (Gmail: `mx.google.com`): a reply whose `From:` it authenticated (`dmarc=pass`, or `dkim=pass` aligned with the From domain, in the topmost such header) is acted on at once; empty: only replies to careloop's own messages are, the rest wait for staff's `Xác nhận`"
  default     = ""
}

variable "fanout_after" {
  type        = number
  description = "with `pubsub_topic`, a follow-up run sends this many itself and queues the rest"
  default     = 1000
  validation {
    condition     = var.fanout_after >= 1 && var.fanout_after <= 1000000
    error_message = "fanout_after is between 1 and 1000000."
  }
}

variable "fanout_batch_size" {
  type        = number
  description = "messages in one send-queue batch"
  default     = 100
  validation {
    condition     = var.fanout_batch_size >= 1 && var.fanout_batch_size <= 1000
    error_message = "fanout_batch_size is between 1 and 1000."
  }
}

variable "zalo_app_id" {
  type        = string
  description = "Zalo ZNS: the app ID linked to the Official Account; with `zalo_app_secret` and `zalo_templates`, all three or none"
  default     = ""
}

variable "zalo_templates" {
  type        = string
  description = "Zalo ZNS: the approved template per kind (`checkin:123456,birthday:123457,case_survey:123458`, and `birthday_voucher:123459` for the wish that carries a voucher; `care:…`, `advert:…`, `advert_voucher:…` for the occasions staff add to the Care plan)"
  default     = ""
}

variable "twilio_account_sid" {
  type        = string
  description = "SMS through Twilio: the account SID (`AC…`); with `twilio_auth_token` and `sms_sender`, all three or none (half a provider is a settings error naming what is missing)"
  default     = ""
}

variable "sms_sender" {
  type        = string
  description = "the SMS sender: a brand name registered for Vietnam (at most 11 characters) or a Twilio number"
  default     = ""
}

locals {
  # careloop's own deployed settings, as every function reads them (an empty one left out).
  setting_environment = { for name, value in {
    CARELOOP_SMTP_HOST      = var.smtp_host
    CARELOOP_SMTP_USER      = var.smtp_user
    CARELOOP_BUSINESS_NAME  = var.business_name
    CARELOOP_SENDER_EMAIL   = var.sender_email
    CARELOOP_CHANNEL_ORDER  = var.channel_order
    CARELOOP_MANAGER_EMAILS = var.manager_emails
    CARELOOP_RETENTION_DAYS = tostring(var.retention_days)
  } : name => value if value != "" }
  # Each channel with a provider: set up once its first setting is given; its settings, its
  # secrets (read_by: "send", the runs that send, or its public functions) and its public functions.
  channels = {
    zalo = {
      enabled = var.zalo_app_id != ""
      environment = {
        CARELOOP_ZALO_APP_ID    = var.zalo_app_id
        CARELOOP_ZALO_TEMPLATES = var.zalo_templates
      }
      secrets = {
        zalo_app_secret    = { id = "careloop-zalo-app-secret", env = "CARELOOP_ZALO_APP_SECRET", read_by = ["send"] }
        zalo_refresh_token = { id = "careloop-zalo-refresh-token", env = "CARELOOP_ZALO_REFRESH_TOKEN", read_by = ["send"] }
        zalo_oa_secret_key = { id = "careloop-zalo-oa-secret-key", env = "CARELOOP_ZALO_OA_SECRET_KEY", read_by = ["zalo_webhook"] }
      }
      webhooks = {
        zalo_webhook = { description = "Zalo OA events: customers' texts and ZNS ratings (public, signed by Zalo)", url_env = "" }
      }
    }
    sms = {
      enabled = var.twilio_account_sid != ""
      environment = {
        CARELOOP_TWILIO_ACCOUNT_SID = var.twilio_account_sid
        CARELOOP_SMS_SENDER         = var.sms_sender
      }
      secrets = {
        twilio_auth_token = { id = "careloop-twilio-auth-token", env = "CARELOOP_TWILIO_AUTH_TOKEN", read_by = ["send", "sms_status"] }
      }
      webhooks = {
        sms_status = { description = "SMS delivery reports from Twilio (public, signed by Twilio)", url_env = "CARELOOP_SMS_STATUS_URL" }
      }
    }
  }
}
