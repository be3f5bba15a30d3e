"""infra/: Terraform formatting, checkov, the structure (parsed with python-hcl2) against main.py,
and the source bundle really serving a run."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT, free_port
from tests.helpers.processes import functions_framework, server
from tests.helpers.support import HEADER, local_settings, row, write_workbook

INFRA = ROOT / "infra"
MODULE = INFRA / "modules" / "careloop"


def unquote(value):
    return value[1:-1] if isinstance(value, str) and value.startswith('"') and value.endswith('"') else value


def parsed(path: Path) -> dict:
    import hcl2

    with open(path) as file:
        return hcl2.load(file)


def module_locals() -> dict:
    merged = {}
    for block in parsed(MODULE / "main.tf").get("locals", []):
        merged.update(block)
    return merged


def channels() -> dict:
    """Each channel's deployment as `careloop generate` wrote it into settings.tf (strings unquoted)."""

    def plain(value):
        if isinstance(value, dict):
            return {unquote(k): plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return unquote(value)

    (block,) = parsed(MODULE / "settings.tf")["locals"]
    return plain(block["channels"])


def public_function_names() -> set[str]:
    """The pages, and every channel's public functions (main.tf merges them from local.channels)."""
    public = str(module_locals()["public_functions"])
    assert "channel.webhooks" in public and "contains(s.read_by, name)" in public
    return {"survey", "unsubscribe"} | {name for channel in channels().values() for name in channel["webhooks"]}


def resources() -> list[tuple[str, str, dict]]:
    found = []
    for path in INFRA.rglob("*.tf"):
        for block in parsed(path).get("resource", []):
            for kind, named in block.items():
                for name, body in named.items():
                    found.append((unquote(kind), unquote(name), body))
    return found


def entry_points(decorator: str = "functions_framework.http") -> set[str]:
    tree = ast.parse((ROOT / "main.py").read_text())
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(ast.unparse(d) == decorator for d in node.decorator_list)
    }


def test_every_entry_point_has_a_function_and_every_function_an_entry_point():
    scheduled = {unquote(f["entry_point"]) for f in module_locals()["scheduled_functions"].values()}
    deployed = scheduled | public_function_names()
    assert deployed == entry_points() == {
        "followup_daily", "escalate_sync", "weekly_digest", "survey", "unsubscribe", "sms_status",
        "zalo_webhook"}  # fmt: skip
    functions = {name: body for kind, name, body in resources() if kind == "google_cloudfunctions2_function"}
    assert functions["public"]["for_each"] == "${local.public_functions}"
    assert functions["scheduled"]["for_each"] == "${local.scheduled_functions}"


def test_only_the_survey_unsubscribe_sms_status_and_zalo_webhook_functions_are_public():
    assert public_function_names() == {"survey", "unsubscribe", "sms_status", "zalo_webhook"}
    public_grants = [
        (name, body)
        for kind, name, body in resources()
        if kind.endswith("_iam_member") and unquote(body.get("member")) in ("allUsers", "allAuthenticatedUsers")
    ]
    assert [(name, body["for_each"]) for name, body in public_grants] == [
        ("public", "${google_cloudfunctions2_function.public}")
    ]
    functions = {name: body for kind, name, body in resources() if kind == "google_cloudfunctions2_function"}
    assert unquote(functions["scheduled"]["service_config"][0]["ingress_settings"]) == "ALLOW_INTERNAL_ONLY"
    invokers = [
        body
        for kind, name, body in resources()
        if kind == "google_cloud_run_service_iam_member" and name == "scheduler_invokes"
    ]
    assert unquote(invokers[0]["member"]) == "serviceAccount:${google_service_account.scheduler.email}"


def test_scheduler_jobs_use_oidc_and_the_business_time_zone():
    assert unquote(module_locals()["time_zone"]) == "Asia/Ho_Chi_Minh"
    jobs = [body for kind, name, body in resources() if kind == "google_cloud_scheduler_job"]
    assert jobs and all(job["time_zone"] == "${local.time_zone}" for job in jobs)
    for job in jobs:
        assert job["for_each"] == "${local.scheduled_functions}"
        token = job["http_target"][0]["oidc_token"][0]
        assert token["service_account_email"] == "${google_service_account.scheduler.email}" and token["audience"]
        assert job["retry_config"][0]["retry_count"] >= 1


def test_no_secret_value_in_any_terraform_file():
    kinds = {kind for kind, _, _ in resources()}
    assert "google_secret_manager_secret_version" not in kinds  # values are added outside Terraform
    for path in INFRA.rglob("*.tf*"):
        text = path.read_text()
        assert (
            "secret_data" not in text
            and "BEGIN PRIVATE KEY" not in text
            and not re.search(r"AIza[0-9A-Za-z_-]{20}", text)
        )
        # A literal after a secret-sounding name is a leak; a version number ("1") is not.
        assert not re.search(r'(password|secret|token)\s*=\s*"(?!\d+")[^"$]+"', text, re.IGNORECASE), path


def test_functions_read_pinned_secret_versions_and_firestore_has_its_index():
    functions = {name: body for kind, name, body in resources() if kind == "google_cloudfunctions2_function"}
    for kind in ("public", "scheduled"):
        secret = functions[kind]["service_config"][0]["dynamic"][0]['"secret_environment_variables"']["content"][0]
        # pinned, never "latest": the version given, else 1
        assert secret["version"].startswith("${lookup(var.secret_versions,") and secret["version"].endswith(', "1")}')
    versions = next(
        block['"secret_versions"']
        for block in parsed(MODULE / "variables.tf")["variable"]
        if '"secret_versions"' in block
    )
    assert all(unquote(v).isdigit() for v in versions["default"].values())
    index = next(body for kind, _, body in resources() if kind == "google_firestore_index")
    assert [(unquote(f["field_path"]), unquote(f["order"])) for f in index["fields"]] == [
        ("job", "ASCENDING"),
        ("saved_at", "DESCENDING"),
    ]
    database = next(body for kind, _, body in resources() if kind == "google_firestore_database")
    assert unquote(database["delete_protection_state"]) == "DELETE_PROTECTION_ENABLED"


def test_send_batch_is_private_fed_by_push_with_a_dead_letter_and_reads_only_its_channel_secrets():
    assert entry_points("functions_framework.cloud_event") == {"send_batch"}
    found = {(kind, name): body for kind, name, body in resources()}
    function = found["google_cloudfunctions2_function", "send_batch"]
    assert function["for_each"] == "${local.fanout_channels}"
    assert unquote(function["build_config"][0]["entry_point"]) == "send_batch"
    service = function["service_config"][0]
    assert unquote(service["ingress_settings"]) == "ALLOW_INTERNAL_ONLY"
    assert service["max_instance_request_concurrency"] == 1  # a batch at a time: max instances is the rate
    assert service["max_instance_count"] == "${lookup(var.send_batch_max_instances, each.key, 1)}"
    assert service["service_account_email"] == "${google_service_account.send_batch[0].email}"
    secrets = service["dynamic"][0]['"secret_environment_variables"']["for_each"]
    assert secrets == "${toset(local.send_batch_secrets[each.key])}"
    subscription = found["google_pubsub_subscription", "send"]
    token = subscription["push_config"][0]["oidc_token"][0]
    assert token["service_account_email"] == "${google_service_account.pubsub_push[0].email}"
    dead_letter = subscription["dead_letter_policy"][0]
    assert dead_letter["dead_letter_topic"] == "${google_pubsub_topic.dead_letter[0].id}"
    assert dead_letter["max_delivery_attempts"] == 5
    invoker = found["google_cloud_run_service_iam_member", "push_invokes"]
    assert unquote(invoker["member"]) == "serviceAccount:${google_service_account.pubsub_push[0].email}"
    publisher = found["google_pubsub_topic_iam_member", "runtime_publishes"]
    assert unquote(publisher["role"]) == "roles/pubsub.publisher"
    # its channel's secrets and the signing key, which checks each batch's signature (issue 21)
    assert 'concat(names, ["signing_key"])' in str(module_locals()["send_batch_secrets"])
    assert 'contains(s.read_by, "send")' in str(module_locals()["channel_secrets"])
    assert {name: [s for s, v in c["secrets"].items() if "send" in v["read_by"]] for name, c in channels().items()} == {
        "sms": ["twilio_auth_token"], "zalo": ["zalo_app_secret", "zalo_refresh_token"]}  # fmt: skip


def test_google_cloud_alerts_when_careloop_cannot_speak_for_itself():
    """Issue 23: an email channel per alert_emails address, a log-based alert on any ERROR line of
    careloop's functions (rate-limited), and an alert when no follow-up run completed in 26 hours,
    counted by a log-based metric on the run's own success line."""
    found = {(kind, name): body for kind, name, body in resources()}
    channel = found["google_monitoring_notification_channel", "email"]
    assert channel["for_each"] == "${toset(var.alert_emails)}" and unquote(channel["type"]) == "email"
    assert channel["labels"] == {"email_address": "${each.value}"}
    errors = found["google_monitoring_alert_policy", "errors"]
    matched = errors["conditions"][0]["condition_matched_log"][0]
    assert "severity>=ERROR" in matched["filter"] and "${local.careloop_logs}" in matched["filter"]
    assert unquote(errors["alert_strategy"][0]["notification_rate_limit"][0]["period"]) == "3600s"
    policies = [errors, found["google_monitoring_alert_policy", "followup_absent"]]
    assert all("google_monitoring_notification_channel.email" in str(p["notification_channels"]) for p in policies)
    metric = found["google_logging_metric", "followup_completed"]
    assert "followup run" in metric["filter"] and "careloop-followup-daily" in metric["filter"]
    absent = found["google_monitoring_alert_policy", "followup_absent"]["conditions"][0]
    query = unquote(absent["condition_prometheus_query_language"][0]["query"])
    assert query.startswith("absent_over_time(logging_googleapis_com:user_") and query.endswith("[26h])")
    # the line the metric counts is the one a completed follow-up run logs
    source = (ROOT / "functions" / "entrypoints" / "http" / "scheduled.py").read_text()
    assert 'f"{name} run"' in source and '"followup"' in source


def test_every_variable_is_typed_and_described():
    for path in INFRA.rglob("variables.tf"):
        for block in parsed(path)["variable"]:
            for name, body in block.items():
                assert "type" in body and unquote(body.get("description", "")), f"{path}: {name}"


def test_terraform_fmt():
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform not installed: get it from HashiCorp's releases to check formatting")
    result = subprocess.run([terraform, "fmt", "-check", "-recursive", str(INFRA)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_checkov_finds_nothing():
    from tests.helpers.firestore_emulator import missing

    checkov = ROOT / ".venv-checkov" / "bin" / "checkov"
    if not checkov.exists():
        missing(
            "checkov not installed: `make test` puts it in .venv-checkov (python -m venv .venv-checkov && "
            ".venv-checkov/bin/pip install checkov)"
        )
    result = subprocess.run(
        [str(checkov), "-d", str(INFRA), "--quiet", "--compact", "--skip-download"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Failed checks: 0" in result.stdout


def test_the_bundle_serves_a_run_from_a_fresh_venv(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    from bundle import build

    bundle = build(tmp_path / "careloop-source.zip")
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(unpacked)
    top = ["__pycache__", "functions", "main.py", "requirements.txt", "templates"]  # main.py's bytecode beside it
    assert sorted(p.name for p in unpacked.iterdir()) == top
    assert not (unpacked / "functions" / "standins").exists()  # the demo's stand-ins stay home
    assert (
        unpacked / "functions" / "core" / "__pycache__" / f"staff_texts.{sys.implementation.cache_tag}.pyc"
    ).exists()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "-r", str(unpacked / "requirements.txt")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    write_workbook(
        tmp_path / "k.xlsx", HEADER, [row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", birthday="01/01/1990")]
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CARELOOP_", "PYTHON"))},
        **local_settings(tmp_path, tmp_path / "k.xlsx"),
    }
    port = free_port()
    command = functions_framework("followup_daily", port, "main.py", str(venv / "bin" / "functions-framework"))
    import requests

    with server(command, f"http://127.0.0.1:{port}/favicon.ico", env={**env, "PWD": str(unpacked)}, cwd=unpacked):
        report = requests.post(f"http://127.0.0.1:{port}/", timeout=60).json()
    assert report["job"] == "followup" and report["summary"]["problems"] == 0 and report["write_back"]["rows"] == 0


def test_the_monitored_mailbox_password_is_a_secret_only_the_scheduled_runs_read():
    """Issue 25: the IMAP password is Secret Manager's, like the SMTP password, made once imap_host is
    set; the public functions (survey, unsubscribe, sms_status) never read it."""
    text = (MODULE / "main.tf").read_text()
    assert 'imap_password = { id = "careloop-imap-password", env = "CARELOOP_IMAP_PASSWORD" }' in text
    assert "local.imap_enabled ?" in text and re.search(r"CARELOOP_IMAP_HOST\s+= var.imap_host", text)
    assert "imap_password" not in str(module_locals()["public_functions"])
    assert all("imap_password" not in str(channel) for channel in channels().values())
    assert "CARELOOP_IMAP_PASSWORD" not in "".join(p.read_text() for p in INFRA.rglob("*.tfvars*"))


def test_the_zalo_webhook_is_public_and_reads_only_the_oa_secret_key():
    """Issue 25: Zalo cannot present a Google identity, so zalo_webhook is public like sms_status and
    checks its own signature; it reads the OA secret key (made once zalo_app_id is set) and nothing else."""
    zalo = channels()["zalo"]
    assert zalo["enabled"] == '${var.zalo_app_id != ""}' and "zalo_webhook" in zalo["webhooks"]
    key = zalo["secrets"]["zalo_oa_secret_key"]
    assert (key["id"], key["env"]) == ("careloop-zalo-oa-secret-key", "CARELOOP_ZALO_OA_SECRET_KEY")
    # a public function reads the secrets that name it: the OA key alone
    assert [s for s, v in zalo["secrets"].items() if "zalo_webhook" in v["read_by"]] == ["zalo_oa_secret_key"]
    assert "webhook_urls" in (MODULE / "outputs.tf").read_text()


def test_firestore_deletes_what_is_older_than_the_retention_by_ttl():
    """Issue 26: every collection that holds personal data has a TTL policy on expire_at, the field
    each record is written with (functions/adapters/stores/firestore: FirestoreDatabase.expiring)."""
    (ttl,) = [body for kind, name, body in resources() if kind == "google_firestore_field" and name == "expire_at"]
    text = str(ttl["for_each"])
    for collection in ("ledger", "surveys", "replies", "reports", "short_links", "undelivered", "cases", "events"):
        assert f'"{collection}"' in text or f"'{collection}'" in text, collection
    assert unquote(ttl["field"]) == "expire_at" and "ttl_config" in ttl
    assert "CARELOOP_RETENTION_DAYS" in (MODULE / "settings.tf").read_text()
    assert "local.setting_environment" in (MODULE / "main.tf").read_text()
