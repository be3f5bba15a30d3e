"""Every setting careloop reads, declared once (the Settings dataclass), and each channel's own
section read beside it (functions.adapters.channels.*: SETTINGS)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import time
from functools import cache
from typing import Any, TypeVar

from functions.core import setting_checks as check
from functions.core.values import DATE_ORDERS
from functions.settings.checks import channel_order_check, registry_order, sheet_check, store_check

ENV_PREFIX = "CARELOOP_"
Section = TypeVar("Section")


class SettingsError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _hours_shown(value: tuple[time, time]) -> str:
    return "-".join(f"{t:%H:%M}" for t in value)


def _sections() -> tuple[Any, ...]:
    """Each channel's settings section at its defaults."""
    from functions.adapters.channels.registry import section_types

    return tuple(kind() for kind in section_types())


@dataclass(frozen=True)
class Settings:
    """Every setting careloop reads, each declared once: its default, its check, what it means (`doc`,
    the README's table), whether staff may set it in the Settings tab (`tab`: its row there, with an
    `example`),
    and how Terraform deploys it (`deploy`). `careloop generate` writes the README's table and
    infra/modules/careloop/settings.tf from these; a test fails when a committed copy drifts."""

    sheet: str = check.setting(
        "careloop.xlsx",
        sheet_check,
        doc="the customers: an `.xlsx` workbook, `google:KEY`, or a Google Sheets URL as copied from the browser",
    )
    sheets_api_url: str = check.setting(
        "https://sheets.googleapis.com",
        check.url,
        doc="the Sheets API (point it at the local test server to try things)",
    )
    sheets_credentials: str = check.setting(
        "",
        secret=True,
        default_doc="Application Default Credentials",
        doc="a service-account JSON file or JSON text, or `none` (the test server)",
    )
    sheets_deadline: float = check.setting(
        90.0,
        check.seconds(3600),
        doc="seconds one Sheets read or write may take, retries on 429/5xx included (over a minute, so a spent "
        "per-minute quota refills within it)",
    )
    store: str = check.setting(
        "careloop.sqlite",
        store_check,
        doc="the message ledger, opt-outs and run reports: a SQLite file, or `firestore://PROJECT[/DATABASE]` (or "
        "just `firestore` with `GOOGLE_CLOUD_PROJECT` set)",
    )
    outbox: str = check.setting(
        "outbox",
        doc="folder for `.eml` files, used when no `smtp_host` is set (checked writable before anything is sent)",
    )
    smtp_host: str = check.setting(
        "",
        check.host,
        deploy="required",
        doc="send real email through this SMTP server (a host name alone) instead of the outbox",
    )
    smtp_port: int = check.setting(587, check.int_range(1, 65535), doc="the SMTP server's port")
    smtp_security: str = check.setting(
        "starttls", check.one_of("starttls", "tls", "none"), doc="`starttls`, `tls` or `none`"
    )
    smtp_user: str = check.setting("", deploy="required", doc="the SMTP login name")
    smtp_password: str = check.setting("", secret=True, doc="the SMTP password")
    smtp_timeout: float = check.setting(30.0, check.seconds(600), doc="seconds an SMTP exchange may take (at most 600)")
    timezone: str = check.setting("Asia/Ho_Chi_Minh", check.timezone, doc="the business time zone")
    date_order: str = check.setting(
        "DMY", check.one_of(*DATE_ORDERS), doc="how staff type dates (`DMY`, `MDY`, `YMD`); never guessed per row"
    )
    send_hours: tuple[time, time] = check.setting(
        (time(8, 0), time(20, 0)),
        check.hours,
        shown=_hours_shown,
        tab=2,
        example="08:00-20:00",
        doc="messages go out only inside these hours, `HH:MM-HH:MM` local time (within 07:00–22:00, Decree 91/2020)",
    )
    catchup_days: int = check.setting(
        3,
        check.int_range(0, 30),
        tab=3,
        example="3",
        doc="a message of the care plan missed by up to this many days (a run that did not happen, a customer who "
        "had another message that day) is still sent; older check-ins are reported",
    )
    daily_cap: int = check.setting(
        0,
        check.int_range(0, 1_000_000),
        tab=4,
        example="500",
        default_doc="`0` (none)",
        doc="most messages per day; the rest wait for the next run, oldest due first",
    )
    max_messages_per_day: int = check.setting(
        1,
        check.int_range(1, 10),
        tab=16,
        example="1",
        doc="most messages one customer gets in a day; when more occasions fall on one day the Care plan's order "
        "decides and the others follow on the next days, within `catchup_days`",
    )
    default_language: str = check.setting(
        "vi", check.one_of("vi", "en"), tab=5, example="vi", doc="the language of customers with no Language"
    )
    staff_language: str = check.setting(
        "vi", check.one_of("vi", "en"), doc="notes, reports and new column headers (`vi` or `en`)"
    )
    phone_region: str = check.setting("VN", check.region, doc="region for phone numbers typed without a country code")
    business_name: str = check.setting(
        "careloop",
        check.business_name,
        tab=1,
        example="Văn phòng Luật Minh An",
        deploy="required",
        doc="who the messages are from: it signs every message (at most 60 characters, so a short text's first part "
        "and a template's parameter hold it; no line breaks in any text setting). Required once a real channel "
        "is set up: a settings error names each identity setting left unset",
    )
    sender_email: str = check.setting(
        "careloop@example.com",
        check.email_address,
        deploy="required",
        doc="the From address of careloop's email (ASCII before the @); required with an SMTP host, and never at a "
        "reserved domain (example.com/.org/.net, .test, .invalid, .localhost)",
    )
    reply_to: str = check.setting("", check.email_or_empty, doc="the Reply-To address, when replies go elsewhere")
    public_url: str = check.setting(
        "http://127.0.0.1:8080",
        check.url,
        doc="where the public functions (survey, unsubscribe, the Calls tab's dial links) answer. Required with a real "
        "channel (or both `survey_url` and `unsubscribe_url`); an address customers cannot open (this machine, a "
        "private network, not https) is a warning in `check` and in every run report",
    )
    survey_url: str = check.setting(
        "",
        check.url_or_empty,
        default_doc="`public_url`",
        doc="the survey function's own URL, when it differs (Cloud Functions gen2; Terraform sets it)",
    )
    unsubscribe_url: str = check.setting(
        "",
        check.url_or_empty,
        default_doc="`public_url`",
        doc="the unsubscribe function's own URL, when it differs (Terraform sets it)",
    )
    secret: str = check.setting(
        "",
        check.long_secret,
        secret=True,
        default_doc="a random one kept beside the SQLite file",
        doc="signs unsubscribe and survey links; 32 characters or more",
    )
    working_hours: str = check.setting(
        "mon-fri 08:00-12:00 13:30-17:30; sat 08:00-12:00",
        check.working_hours,
        tab=13,
        example="mon-fri 08:00-12:00 13:30-17:30; sat 08:00-12:00",
        doc="the SLA clock and when owners are emailed (public holidays are skipped)",
    )
    tier3_phrases: tuple[str, ...] = check.setting(
        (),
        check.phrases,
        tab=14,
        example="luật sư | khởi kiện | báo công an",
        default_doc="built in (vi, en)",
        doc="phrases that send a complaint to tier 3, separated by `|`",
    )
    survey_days: int = check.setting(
        30, check.int_range(1, 365), tab=9, example="30", doc="a survey link works this many days"
    )
    survey_throttle_days: int = check.setting(
        30, check.int_range(0, 365), tab=10, example="30", doc="no new survey to a customer within this many days"
    )
    csat_threshold: int = check.setting(
        2, check.int_range(0, 5), tab=11, example="2", doc="a score at or below this opens a case"
    )
    survey_nps: bool = check.setting(
        False, check.flag, tab=12, example="TRUE", doc="also ask the 0–10 recommendation (NPS) question"
    )
    channel_order: tuple[str, ...] = check.setting(
        (),
        channel_order_check,
        factory=registry_order,
        tab=6,
        deploy="env",
        doc="the channels tried, in order, for a row whose `Kênh` is blank (only those the row has an address for "
        "and that are set up)",
    )
    manager_emails: tuple[str, ...] = check.setting(
        (),
        check.emails,
        tab=15,
        example="quanly@vanphong.vn, truongphong@vanphong.vn",
        deploy="env",
        default_doc="the tier-3 owner of the matrix's `*` row",
        doc="who gets the weekly digest, alerts and test messages, separated by commas; from the Settings tab at most "
        "10 (more: a note, the first 10 used), so nobody who can edit the sheet can turn careloop into a mailer",
    )
    voucher_value: str = check.setting(
        "",
        tab=7,
        example="giảm 15%",
        doc='a birthday voucher\'s value as customers read it ("giảm 15%"); empty: no vouchers',
    )
    voucher_days: int = check.setting(
        30, check.int_range(1, 365), tab=8, example="30", doc="a birthday voucher is valid this many days"
    )
    retention_days: int = check.setting(
        730,
        check.int_range(30, 3650),
        deploy="env",
        doc="records older than this many days are deleted: messages sent, surveys, replies, run reports, short "
        "links, resolved cases, vouchers, the marks of bounced addresses, channel users' links to customers, and the "
        "rows of the Vouchers, Replies and Calls tabs (Firestore: TTL on `expire_at`; SQLite: the daily run)",
    )
    marketing_consent_required: bool = check.setting(
        True,
        check.flag,
        doc="advertising (the birthday voucher, `[QC]`, a kind marked promotional) only to customers whose `Đồng ý "
        "nhận quảng cáo` is ticked; the others get the same occasion as a care message. `false` sends advertising "
        "to every customer: only for a business that holds its customers' consent elsewhere (Decree 91/2020)",
    )
    imap_host: str = check.setting(
        "",
        check.host,
        deploy="variable",
        doc="the monitored mailbox customers' replies and bounces arrive in (IMAP); off when unset; host, user and "
        "password together or none",
    )
    imap_port: int = check.setting(993, check.int_range(1, 65535), doc="the IMAP server's port")
    imap_security: str = check.setting(
        "ssl", check.one_of("ssl", "starttls", "none"), doc="`ssl`, `starttls` or `none`"
    )
    imap_user: str = check.setting("", deploy="variable", doc="the IMAP login name of the monitored mailbox")
    imap_password: str = check.setting("", secret=True, doc="the IMAP password")
    imap_folder: str = check.setting("INBOX", doc="the folder read")
    imap_done_folder: str = check.setting(
        "", doc="each message careloop took is moved here; empty: the mailbox is left exactly as it was"
    )
    inbox_authserv_id: str = check.setting(
        "",
        deploy="variable",
        doc="the receiving mail server's name in `Authentication-Results` (Gmail: `mx.google.com`): a reply whose "
        "`From:` it authenticated (`dmarc=pass`, or `dkim=pass` aligned with the From domain, in the topmost such "
        "header) is acted on at once; empty: only replies to careloop's own messages are, the rest wait for "
        "staff's `Xác nhận`",
    )
    inbox_folder: str = check.setting(
        "",
        doc="without IMAP: read replies and bounces from the `.eml` files (or a Maildir's `new/` and `cur/`) in this "
        "folder, each once, in order of arrival; the folder is left as it is",
    )
    pubsub_topic: str = check.setting(
        "",
        check.topic,
        default_doc="– (off)",
        doc='fan-out for big days: the send queue\'s topics are `NAME-<channel>` on Pub/Sub (see "Cost")',
    )
    pubsub_project: str = check.setting(
        "", check.project_or_empty, default_doc="the Firestore store's project", doc="the project of those topics"
    )
    fanout_after: int = check.setting(
        1000,
        check.int_range(1, 1_000_000),
        deploy="variable",
        doc="with `pubsub_topic`, a follow-up run sends this many itself and queues the rest",
    )
    fanout_batch_size: int = check.setting(
        100, check.int_range(1, 1000), deploy="variable", doc="messages in one send-queue batch"
    )
    retry_seconds: float = check.setting(
        30.0, check.seconds(3600), doc="time budget for retrying one message's transient send failures"
    )
    run_budget_seconds: float = check.setting(
        240.0,
        check.seconds(3600),
        doc="a run's time for sending, well inside the function's 540 s; what is left waits for the next run",
    )
    # Not a setting: where each setting given came from (careloop.toml, CARELOOP_X, a flag, the Settings
    # tab), for `check`, and so "left at its default" can be told from "set to the default's value"
    # (issue 21: placeholder identity is an error only when left unset).
    origins: tuple[tuple[str, str], ...] = field(default=(), metadata={"internal": True, "secret": False})
    # Each channel's own settings (functions.adapters.channels.*: SETTINGS), by the same names: section().
    sections: tuple[Any, ...] = field(default_factory=_sections, metadata={"internal": True, "secret": False})

    def section(self, kind: type[Section]) -> Section:
        """A channel's settings section (the dataclass its adapter module exports as SETTINGS)."""
        return next((s for s in self.sections if isinstance(s, kind)), None) or kind()

    def value(self, name: str) -> Any:
        """A setting by name, whether careloop's own or a channel's."""
        if name in own_names():
            return getattr(self, name)
        return next(getattr(s, name) for s in self.sections if name in {f.name for f in dataclasses.fields(s)})

    @property
    def given(self) -> frozenset[str]:
        """The names given (env, careloop.toml, flags, the Settings tab); the rest are defaults."""
        return frozenset(name for name, _ in self.origins)

    def origin(self, name: str) -> str:
        return dict(self.origins).get(name, "default")

    @staticmethod
    def env_name(name: str) -> str:
        return ENV_PREFIX + name.upper()

    def redacted(self) -> dict[str, Any]:
        """For logs and `careloop check`: secrets shown only as set / not set."""
        shown: dict[str, Any] = {}
        for f in setting_fields():
            value = self.value(f.name)
            if f.metadata["secret"]:
                value = "***" if value else ""
            elif f.metadata.get("shown"):
                value = f.metadata["shown"](value)
            elif isinstance(value, tuple):
                value = ", ".join(value) if f.name in ("channel_order", "manager_emails") else " | ".join(value)
            shown[f.name] = value
        return shown


@cache
def own_names() -> frozenset[str]:
    """careloop's own settings (a channel's are in its section), made once when first asked."""
    return frozenset(f.name for f in dataclasses.fields(Settings) if not f.metadata.get("internal"))


def setting_fields() -> list[dataclasses.Field[Any]]:
    """Every setting: careloop's own, then each channel's (in the registry's order)."""
    from functions.adapters.channels.registry import section_fields

    own = [f for f in dataclasses.fields(Settings) if not f.metadata.get("internal")]
    return own + [f for _, f in section_fields()]
