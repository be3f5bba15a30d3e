"""Cloud Functions entry points. Thin: each imports its handler module when first called, so a
function's cold start pays only for what it uses. The handlers live in functions/entrypoints/http."""

import functions_framework


@functions_framework.http
def followup_daily(request):
    """Scheduled daily (OIDC-authenticated): birthday wishes and one-week check-ins."""
    from functions.entrypoints.http.scheduled import followup_daily as handle

    return handle(request)


@functions_framework.http
def unsubscribe(request):
    """Public: GET shows a confirmation page, POST records the opt-out."""
    from functions.entrypoints.http.public import unsubscribe as handle

    return handle(request)


@functions_framework.http
def escalate_sync(request):
    """Scheduled every 15 minutes in working hours (OIDC-authenticated): cases, SLAs, escalation."""
    from functions.entrypoints.http.scheduled import escalate_sync as handle

    return handle(request)


@functions_framework.http
def survey(request):
    """Public: GET /s/<token> shows the survey page and records nothing; POST records the answer."""
    from functions.entrypoints.http.public import survey as handle

    return handle(request)


@functions_framework.http
def sms_status(request):
    """Public, signed by Twilio: an SMS's delivery report (delivered or undelivered)."""
    from functions.entrypoints.http.public import channel_webhook

    return channel_webhook("sms_status", request)


@functions_framework.http
def zalo_webhook(request):
    """Public, signed by Zalo: the OA's events (customers' texts, ZNS ratings), kept for the escalation run."""
    from functions.entrypoints.http.public import channel_webhook

    return channel_webhook("zalo_webhook", request)


@functions_framework.http
def weekly_digest(request):
    """Scheduled every working hour (OIDC-authenticated): last week's figures to the manager, once a week."""
    from functions.entrypoints.http.scheduled import weekly_digest as handle

    return handle(request)


@functions_framework.cloud_event
def send_batch(cloud_event):
    """Pub/Sub push (a CloudEvent): one batch of the send queue, sent; raises to have it offered again."""
    from functions.entrypoints.http.queued import send_batch as handle

    handle(cloud_event)
