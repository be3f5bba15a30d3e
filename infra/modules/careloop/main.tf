locals {
  time_zone = "Asia/Ho_Chi_Minh"
  apis = toset([
    "cloudfunctions.googleapis.com", "run.googleapis.com", "cloudbuild.googleapis.com",
    "artifactregistry.googleapis.com", "cloudscheduler.googleapis.com", "firestore.googleapis.com",
    "secretmanager.googleapis.com", "sheets.googleapis.com", "storage.googleapis.com", "iam.googleapis.com",
    "pubsub.googleapis.com", "monitoring.googleapis.com", "logging.googleapis.com",
  ])
  # Every entry point in main.py: the public ones answer customers (and the channels' providers), the
  # scheduled ones only Cloud Scheduler. Each public function reads just the secrets it needs. The
  # channels' own (local.channels) are written by `careloop generate` into settings.tf.
  public_functions = merge({
    survey      = { entry_point = "survey", description = "Survey page (public)", secrets = ["signing_key"] }
    unsubscribe = { entry_point = "unsubscribe", description = "Unsubscribe page (public)", secrets = ["signing_key"] }
    }, merge([for channel in values(local.channels) : {
      # A provider cannot present a Google identity: the function checks the provider's signature.
      for name, hook in channel.webhooks : name => {
        entry_point = name
        description = hook.description
        secrets     = channel.enabled ? [for secret, s in channel.secrets : secret if contains(s.read_by, name)] : []
      }
  }]...))
  imap_enabled     = var.imap_host != ""
  enabled_channels = [for name, channel in local.channels : name if channel.enabled]
  # Fan-out (fanout.tf): a send queue per channel, each with its own send_batch function, whose
  # max instances are that channel's rate limit.
  fanout_channels = var.fanout_enabled ? toset(concat(["email"], local.enabled_channels)) : toset([])
  channel_secrets = merge({ email = ["smtp_password"] }, {
    for name, channel in local.channels : name => [for secret, s in channel.secrets : secret if contains(s.read_by, "send")]
  })
  # send_batch also reads the signing key: it checks each batch's signature before claiming anything.
  send_batch_secrets = { for channel, names in local.channel_secrets : channel => concat(names, ["signing_key"]) }
  scheduled_functions = {
    followup_daily = { entry_point = "followup_daily", description = "Birthday wishes and check-ins", schedule = var.followup_schedule }
    escalate_sync  = { entry_point = "escalate_sync", description = "Cases, SLAs and escalation", schedule = var.escalate_schedule }
    weekly_digest  = { entry_point = "weekly_digest", description = "Last week's figures to the manager, once a week", schedule = var.digest_schedule }
  }
  # Created empty; their values are added with gcloud (README). A channel's secrets exist once the
  # channel is set up (its first setting given).
  secrets = merge(
    {
      signing_key   = { id = "careloop-signing-key", env = "CARELOOP_SECRET" }
      smtp_password = { id = "careloop-smtp-password", env = "CARELOOP_SMTP_PASSWORD" }
    },
    merge([for channel in values(local.channels) : channel.enabled ? {
      for secret, s in channel.secrets : secret => { id = s.id, env = s.env }
    } : {}]...),
    local.imap_enabled ? { imap_password = { id = "careloop-imap-password", env = "CARELOOP_IMAP_PASSWORD" } } : {},
  )
  environment = merge({
    CARELOOP_STORE    = "firestore://${var.project_id}"
    CARELOOP_SHEET    = "google:${var.spreadsheet_key}"
    CARELOOP_TIMEZONE = local.time_zone
    LOG_EXECUTION_ID  = "true"
    }, local.setting_environment, merge([for channel in values(local.channels) : channel.enabled ? channel.environment : {}]...),
    local.imap_enabled ? {
      CARELOOP_IMAP_HOST         = var.imap_host
      CARELOOP_IMAP_USER         = var.imap_user
      CARELOOP_INBOX_AUTHSERV_ID = var.inbox_authserv_id
      } : {}, var.fanout_enabled ? {
      CARELOOP_PUBSUB_TOPIC      = local.send_topic_prefix
      CARELOOP_FANOUT_AFTER      = tostring(var.fanout_after)
      CARELOOP_FANOUT_BATCH_SIZE = tostring(var.fanout_batch_size)
  } : {}, var.extra_environment)
  # The settings that are a public function's own URL (a channel's delivery reports), by the function.
  webhook_urls = merge([for channel in values(local.channels) : {
    for name, hook in channel.webhooks : hook.url_env => name if hook.url_env != ""
  }]...)
  send_topic_prefix = "careloop-send"
}

resource "google_project_service" "apis" {
  for_each           = local.apis
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

# ---- Firestore ---------------------------------------------------------------------------

resource "google_firestore_database" "careloop" {
  project                 = var.project_id
  name                    = "(default)"
  location_id             = var.firestore_location
  type                    = "FIRESTORE_NATIVE"
  delete_protection_state = "DELETE_PROTECTION_ENABLED"
  deletion_policy         = "ABANDON"
  depends_on              = [google_project_service.apis]
}

# Run reports by job, newest first (functions/adapters/firestore_store.py: reports()).
resource "google_firestore_index" "reports_by_job" {
  project    = var.project_id
  database   = google_firestore_database.careloop.name
  collection = "reports"
  fields {
    field_path = "job"
    order      = "ASCENDING"
  }
  fields {
    field_path = "saved_at"
    order      = "DESCENDING"
  }
}

# What the runs query beyond single fields (functions/adapters/stores/firestore/): messages
# counted by state, day and channel or kind (the Dashboard), vouchers issued and used, a customer's
# surveys of the last days (the survey throttle), replies heard by kind and day (the Dashboard).
resource "google_firestore_index" "counts" {
  for_each = {
    ledger_by_day          = { collection = "ledger", fields = ["state", "business_day"] }
    ledger_by_channel      = { collection = "ledger", fields = ["state", "channel", "business_day"] }
    ledger_by_kind         = { collection = "ledger", fields = ["state", "kind", "business_day"] }
    vouchers_used_by_issue = { collection = "vouchers", fields = ["used", "issued"] }
    surveys_of_customers   = { collection = "surveys", fields = ["customer_id", "created_at"] }
    replies_by_kind        = { collection = "replies", fields = ["kind", "day"] }
  }
  project    = var.project_id
  database   = google_firestore_database.careloop.name
  collection = each.value.collection
  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path = fields.value
      order      = "ASCENDING"
    }
  }
}

# Nothing kept forever (Law 91/2025/QH15): every record of these collections carries expire_at (its
# own time + retention_days), and Firestore deletes it then, within a day. Open cases carry none:
# a case expires once resolved. The field is not indexed (index_config {}), as Google advises for
# TTL fields. Events are the cases' history (a collection group).
resource "google_firestore_field" "expire_at" {
  for_each   = toset(["ledger", "surveys", "replies", "reports", "short_links", "undelivered", "cases", "events", "inbound_events", "vouchers"])
  project    = var.project_id
  database   = google_firestore_database.careloop.name
  collection = each.value
  field      = "expire_at"
  index_config {}
  ttl_config {}
}

# ---- Service accounts: one that runs the functions, one that may only call the scheduled ones

resource "google_service_account" "runtime" {
  project      = var.project_id
  account_id   = "careloop-runtime"
  display_name = "careloop functions (share the spreadsheet with this address as Editor)"
}

# Cloud Functions builds run as a service account of their own: new projects no longer lend the
# default compute account to Cloud Build, so a deployment made there would fail at its first build.
resource "google_service_account" "build" {
  project      = var.project_id
  account_id   = "careloop-build"
  display_name = "careloop function builds (Cloud Build)"
}

resource "google_project_iam_member" "build" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer", "roles/storage.objectViewer"])
  project  = var.project_id
  role     = each.value
  member   = "serviceAccount:${google_service_account.build.email}"
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "careloop-scheduler"
  display_name = "careloop Cloud Scheduler caller"
}

resource "google_project_iam_member" "runtime_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime.email}"
}

resource "google_project_iam_member" "runtime_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.runtime.email}"
}

# ---- Secrets: created empty; values are added with gcloud (README), never in Terraform -------

resource "google_secret_manager_secret" "careloop" {
  for_each  = local.secrets
  project   = var.project_id
  secret_id = each.value.id
  replication {
    auto {}
  }
  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_iam_member" "runtime_reads" {
  for_each  = local.secrets
  project   = var.project_id
  secret_id = google_secret_manager_secret.careloop[each.key].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime.email}"
}

# ---- The source bundle -------------------------------------------------------------------

resource "google_storage_bucket" "source" {
  #checkov:skip=CKV_GCP_62:Access logs for a bucket holding only the public source bundle add cost, not safety.
  project                     = var.project_id
  name                        = "${var.project_id}-careloop-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  versioning {
    enabled = true
  }
}

resource "google_storage_bucket_object" "source" {
  name   = "careloop-source-${filemd5(var.source_zip)}.zip"
  bucket = google_storage_bucket.source.name
  source = var.source_zip
}

# ---- Functions ---------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "public" {
  #checkov:skip=CKV_GCP_124:Customers reach the two pages from message links on the internet (signed tokens or unguessable codes guard them); the channels' providers post reports and events, each checked by the provider's signature.
  for_each    = local.public_functions
  project     = var.project_id
  location    = var.region
  name        = replace(each.key, "_", "-")
  description = each.value.description
  build_config {
    runtime         = "python311"
    entry_point     = each.value.entry_point
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }
  service_config {
    available_memory               = var.function_memory
    timeout_seconds                = 60
    max_instance_count             = var.max_instances
    service_account_email          = google_service_account.runtime.email
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    environment_variables          = local.environment
    dynamic "secret_environment_variables" {
      for_each = toset(each.value.secrets)
      content {
        key        = local.secrets[secret_environment_variables.value].env
        project_id = var.project_id
        secret     = google_secret_manager_secret.careloop[secret_environment_variables.value].secret_id
        version    = lookup(var.secret_versions, secret_environment_variables.value, "1")
      }
    }
  }
  depends_on = [google_secret_manager_secret_iam_member.runtime_reads, google_firestore_database.careloop]
}

resource "google_cloudfunctions2_function" "scheduled" {
  for_each    = local.scheduled_functions
  project     = var.project_id
  location    = var.region
  name        = replace(each.key, "_", "-")
  description = each.value.description
  build_config {
    runtime         = "python311"
    entry_point     = each.value.entry_point
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }
  service_config {
    available_memory               = var.function_memory
    timeout_seconds                = var.function_timeout_seconds
    max_instance_count             = var.max_instances
    service_account_email          = google_service_account.runtime.email
    ingress_settings               = "ALLOW_INTERNAL_ONLY" # Cloud Scheduler counts as internal
    all_traffic_on_latest_revision = true
    environment_variables = merge(local.environment, {
      CARELOOP_SURVEY_URL      = google_cloudfunctions2_function.public["survey"].service_config[0].uri
      CARELOOP_UNSUBSCRIBE_URL = google_cloudfunctions2_function.public["unsubscribe"].service_config[0].uri
      CARELOOP_PUBLIC_URL      = google_cloudfunctions2_function.public["survey"].service_config[0].uri
    }, { for env, name in local.webhook_urls : env => google_cloudfunctions2_function.public[name].service_config[0].uri })
    dynamic "secret_environment_variables" {
      for_each = local.secrets
      content {
        key        = secret_environment_variables.value.env
        project_id = var.project_id
        secret     = google_secret_manager_secret.careloop[secret_environment_variables.key].secret_id
        version    = lookup(var.secret_versions, secret_environment_variables.key, "1")
      }
    }
  }
  depends_on = [google_secret_manager_secret_iam_member.runtime_reads, google_firestore_database.careloop]
}

# Customers open the survey and unsubscribe pages from their phones: these two are public.
resource "google_cloud_run_service_iam_member" "public" {
  #checkov:skip=CKV_GCP_102:Customers open the survey and unsubscribe pages from message links, and the channels' providers post reports and events; signed tokens, unguessable codes and the providers' signatures guard them.
  for_each = google_cloudfunctions2_function.public
  project  = var.project_id
  location = var.region
  service  = each.value.service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# The scheduled functions are private: only the scheduler's account may call them.
resource "google_cloud_run_service_iam_member" "scheduler_invokes" {
  for_each = google_cloudfunctions2_function.scheduled
  project  = var.project_id
  location = var.region
  service  = each.value.service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler.email}"
}

# ---- Cloud Scheduler ---------------------------------------------------------------------

resource "google_cloud_scheduler_job" "careloop" {
  for_each         = local.scheduled_functions
  project          = var.project_id
  region           = var.region
  name             = "careloop-${replace(each.key, "_", "-")}"
  description      = each.value.description
  schedule         = each.value.schedule
  time_zone        = local.time_zone
  attempt_deadline = "${var.function_timeout_seconds}s"
  retry_config {
    retry_count          = 2
    min_backoff_duration = "60s"
    max_backoff_duration = "300s"
  }
  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.scheduled[each.key].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.scheduled[each.key].service_config[0].uri
    }
  }
  depends_on = [google_project_service.apis]
}
