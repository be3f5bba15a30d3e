# ---- Fan-out: big days go through Pub/Sub ------------------------------------------------
# followup_daily publishes batches to careloop-send-CHANNEL; a push subscription hands each batch
# to that channel's send_batch function (one batch per instance at a time, so max instances is the
# channel's rate limit); a batch that fails 5 times goes to the dead-letter topic, kept for a week.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic" "send" {
  #checkov:skip=CKV_GCP_83:Batches live minutes in the queue; Google-managed encryption, as for Firestore.
  for_each                   = local.fanout_channels
  project                    = var.project_id
  name                       = "${local.send_topic_prefix}-${each.key}"
  message_retention_duration = "86400s"
  depends_on                 = [google_project_service.apis]
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Batches live minutes in the queue; Google-managed encryption, as for Firestore.
  count      = var.fanout_enabled ? 1 : 0
  project    = var.project_id
  name       = "${local.send_topic_prefix}-dead-letter"
  depends_on = [google_project_service.apis]
}

# Batches that could not be sent, kept for staff to look at (`gcloud pubsub subscriptions pull`).
resource "google_pubsub_subscription" "dead_letter" {
  count                      = var.fanout_enabled ? 1 : 0
  project                    = var.project_id
  name                       = "${local.send_topic_prefix}-dead-letter"
  topic                      = google_pubsub_topic.dead_letter[0].id
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60
  expiration_policy {
    ttl = ""
  }
}

# send_batch runs as its own account: the store, the channels' secrets, the signing key (to check a
# batch's signature), logs — not the sheet.
resource "google_service_account" "send_batch" {
  count        = var.fanout_enabled ? 1 : 0
  project      = var.project_id
  account_id   = "careloop-send-batch"
  display_name = "careloop send_batch (sends queued batches; no sheet access)"
}

resource "google_project_iam_member" "send_batch" {
  for_each = var.fanout_enabled ? toset(["roles/datastore.user", "roles/logging.logWriter"]) : toset([])
  project  = var.project_id
  role     = each.value
  member   = "serviceAccount:${google_service_account.send_batch[0].email}"
}

resource "google_secret_manager_secret_iam_member" "send_batch_reads" {
  for_each  = toset(flatten([for channel in local.fanout_channels : local.send_batch_secrets[channel]]))
  project   = var.project_id
  secret_id = google_secret_manager_secret.careloop[each.value].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.send_batch[0].email}"
}

# The push subscriptions sign in as this account, which may only call send_batch.
resource "google_service_account" "pubsub_push" {
  count        = var.fanout_enabled ? 1 : 0
  project      = var.project_id
  account_id   = "careloop-pubsub-push"
  display_name = "careloop Pub/Sub push to send_batch"
}

resource "google_service_account_iam_member" "pubsub_signs_push_tokens" {
  count              = var.fanout_enabled ? 1 : 0
  service_account_id = google_service_account.pubsub_push[0].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# followup_daily (the runtime account) may publish to the send topics, and nothing else there.
resource "google_pubsub_topic_iam_member" "runtime_publishes" {
  for_each = google_pubsub_topic.send
  project  = var.project_id
  topic    = each.value.name
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${google_service_account.runtime.email}"
}

# Dead-lettering: Pub/Sub's own agent moves a failing batch from a subscription to the topic.
resource "google_pubsub_topic_iam_member" "agent_dead_letters" {
  count   = var.fanout_enabled ? 1 : 0
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter[0].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "agent_acknowledges" {
  for_each     = google_pubsub_subscription.send
  project      = var.project_id
  subscription = each.value.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

resource "google_cloudfunctions2_function" "send_batch" {
  for_each    = local.fanout_channels
  project     = var.project_id
  location    = var.region
  name        = "send-batch-${each.key}"
  description = "Sends queued ${each.key} batches (Pub/Sub push)"
  build_config {
    runtime         = "python311"
    entry_point     = "send_batch"
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }
  service_config {
    available_memory                 = var.function_memory
    timeout_seconds                  = var.function_timeout_seconds
    max_instance_count               = lookup(var.send_batch_max_instances, each.key, 1)
    max_instance_request_concurrency = 1
    service_account_email            = google_service_account.send_batch[0].email
    ingress_settings                 = "ALLOW_INTERNAL_ONLY" # Pub/Sub push counts as internal
    all_traffic_on_latest_revision   = true
    environment_variables            = local.environment
    dynamic "secret_environment_variables" {
      for_each = toset(local.send_batch_secrets[each.key])
      content {
        key        = local.secrets[secret_environment_variables.value].env
        project_id = var.project_id
        secret     = google_secret_manager_secret.careloop[secret_environment_variables.value].secret_id
        version    = lookup(var.secret_versions, secret_environment_variables.value, "1")
      }
    }
  }
  depends_on = [google_secret_manager_secret_iam_member.send_batch_reads, google_firestore_database.careloop]
}

resource "google_cloud_run_service_iam_member" "push_invokes" {
  for_each = google_cloudfunctions2_function.send_batch
  project  = var.project_id
  location = var.region
  service  = each.value.service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.pubsub_push[0].email}"
}

resource "google_pubsub_subscription" "send" {
  for_each                   = google_pubsub_topic.send
  project                    = var.project_id
  name                       = "send-batch-${each.key}"
  topic                      = each.value.id
  ack_deadline_seconds       = 600 # a batch's whole send; redelivered if the instance dies
  message_retention_duration = "86400s"
  push_config {
    push_endpoint = google_cloudfunctions2_function.send_batch[each.key].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.pubsub_push[0].email
      audience              = google_cloudfunctions2_function.send_batch[each.key].service_config[0].uri
    }
  }
  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }
  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[0].id
    max_delivery_attempts = 5
  }
  expiration_policy {
    ttl = ""
  }
}
