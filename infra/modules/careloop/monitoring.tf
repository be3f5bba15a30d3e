# When careloop cannot tell anyone itself (the store or SMTP down, a function that never starts,
# a scheduler paused, billing off), Google Cloud Monitoring does: an email for every ERROR line a
# function logs (at most one an hour), and one when no follow-up run has completed in 26 hours.

locals {
  alerting = length(var.alert_emails) > 0
  # Cloud Functions (2nd gen) log as Cloud Run services named after the function.
  careloop_logs = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=~\"^careloop-\""
}

resource "google_monitoring_notification_channel" "email" {
  for_each     = toset(var.alert_emails)
  project      = var.project_id
  display_name = "careloop alerts: ${each.value}"
  type         = "email"
  labels = {
    email_address = each.value
  }
  depends_on = [google_project_service.apis]
}

resource "google_monitoring_alert_policy" "errors" {
  count        = local.alerting ? 1 : 0
  project      = var.project_id
  display_name = "careloop: a function logged an error"
  combiner     = "OR"
  conditions {
    display_name = "ERROR in careloop's functions"
    condition_matched_log {
      filter = "${local.careloop_logs} AND severity>=ERROR"
      label_extractors = {
        function = "EXTRACT(resource.labels.service_name)"
      }
    }
  }
  alert_strategy {
    notification_rate_limit {
      period = "3600s" # one email an hour at most, however many runs fail
    }
    auto_close = "86400s"
  }
  notification_channels = [for channel in google_monitoring_notification_channel.email : channel.id]
  documentation {
    mime_type = "text/markdown"
    content   = "careloop could not run or could not tell the manager itself. The log line says why (the same advice the Health tab gives). `careloop status` shows every job from the store."
  }
}

# One count per completed follow-up run: the function's own "followup run" line (INFO, or WARNING
# when some messages failed), never written by a run that could not run.
resource "google_logging_metric" "followup_completed" {
  project = var.project_id
  name    = "careloop_followup_completed"
  filter  = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"careloop-followup-daily\" AND jsonPayload.message=\"followup run\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
  depends_on = [google_project_service.apis]
}

# A metric-absence condition waits at most 23.5 hours, shorter than a day between daily runs; a
# PromQL condition looks back the full 26 hours.
resource "google_monitoring_alert_policy" "followup_absent" {
  count        = local.alerting ? 1 : 0
  project      = var.project_id
  display_name = "careloop: no follow-up run completed in 26 hours"
  combiner     = "OR"
  conditions {
    display_name = "no completed follow-up run for 26 hours"
    condition_prometheus_query_language {
      query               = "absent_over_time(logging_googleapis_com:user_${google_logging_metric.followup_completed.name}[26h])"
      duration            = "0s"
      evaluation_interval = "3600s"
    }
  }
  alert_strategy {
    auto_close = "86400s"
  }
  notification_channels = [for channel in google_monitoring_notification_channel.email : channel.id]
  documentation {
    mime_type = "text/markdown"
    content   = "No birthday wishes or check-ins went out for over a day. Check that the Cloud Scheduler job careloop-followup-daily is enabled, that the function deploys, and that billing is on; then `careloop run followup`."
  }
}
