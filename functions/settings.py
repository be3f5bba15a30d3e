"""Settings: defaults < careloop.toml < environment (CARELOOP_*) < command-line flags.

Everything is validated before a run starts; a bad value stops it with a message naming the
setting (its environment variable and its careloop.toml key), before anything is sent.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from functions.core import setting_checks as check
from functions.core.i18n import both, say
from functions.core.settings_tab import SettingsFromTab, setting_rows, settings_tab_write, tab_values
from functions.core.tables import Table
from functions.core.text import shorten
from functions.core.values import DATE_ORDERS

ENV_PREFIX = "CARELOOP_"
Section = TypeVar("Section")


class SettingsError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def firestore_location(store: str) -> tuple[str, str] | None:
    """(project, database) for "firestore://PROJECT[/DATABASE]"; None for a SQLite path."""
    if not store.startswith("firestore://"):
        return None
    project, _, database = store.removeprefix("firestore://").partition("/")
    return project, database or "(default)"


def _sheet(text: str) -> str:
    from functions.adapters.sheets.google_http import spreadsheet_key

    value = text.strip()
    if spreadsheet_key(value) or value.lower().endswith((".xlsx", ".xlsm")):
        return value
    raise ValueError(both("need_sheet"))


def _store(text: str) -> str:
    value = text.strip()
    if value.startswith("firestore://"):
        project, database = firestore_location(value) or ("", "")
        if not re.fullmatch(r"[a-z][a-z0-9-]{4,28}[a-z0-9]", project):
            raise ValueError(both("need_firestore_project"))
        if not re.fullmatch(r"\(default\)|[a-z][a-z0-9-]{2,62}", database):
            raise ValueError(both("need_firestore_database"))
        return value
    if "://" in value or not value:
        raise ValueError(both("need_store"))
    return value


def _channel_order(text: str) -> tuple[str, ...]:
    from functions.adapters.channels.registry import specs

    names = tuple(spec.name for spec in specs())
    order = tuple(word.strip().lower() for word in re.split(r"[,;\s]+", text) if word.strip())
    if not order or any(word not in names for word in order) or len(set(order)) != len(order):
        raise ValueError(both("need_channel_order", choices=", ".join(names)))
    return order


def _hours_shown(value: tuple[time, time]) -> str:
    return "-".join(f"{t:%H:%M}" for t in value)


def _registry_order() -> tuple[str, ...]:
    from functions.adapters.channels.registry import specs

    return tuple(spec.name for spec in specs())


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
        _sheet,
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
        _store,
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
        doc="a check-in missed by up to this many days is still sent; older ones are reported",
    )
    daily_cap: int = check.setting(
        0,
        check.int_range(0, 1_000_000),
        tab=4,
        example="500",
        default_doc="`0` (none)",
        doc="most messages per day; the rest wait for the next run, oldest due first",
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
        _channel_order,
        factory=_registry_order,
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
        if name in _OWN_NAMES():
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


def _config_file(explicit: str | Path | None) -> tuple[Path, dict[str, Any]]:
    """careloop.toml, or the file named by --config / CARELOOP_CONFIG (which must exist)."""
    config_path = Path(explicit or "careloop.toml")
    if not config_path.exists():
        if explicit:
            raise SettingsError([both("config_missing", path=config_path)])
        return config_path, {}
    try:
        return config_path, tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError([both("config_unreadable", path=config_path, error=error)]) from None


def load_settings(
    env: Mapping[str, str] | None = None,
    config: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    sends: bool = True,
) -> Settings:
    """Build and validate Settings; raises SettingsError listing every bad setting by name. `sends`:
    False for the public functions, which send nothing — a page or a webhook has only its own secret
    and does not know its own public URL, so the rules for a run that sends (a provider's settings
    complete, the business's identity and links set) are not theirs."""
    env = os.environ if env is None else env
    problems: list[str] = []
    config_path, raw = _config_file(config or env.get(ENV_PREFIX + "CONFIG"))
    known = {f.name: f for f in setting_fields()}
    for key in list(raw):
        if key not in known:
            problems.append(f"{config_path}: {both('not_a_setting', key=key)}")
            raw.pop(key)
    origins = dict.fromkeys(raw, config_path.name)
    for name in known:
        if Settings.env_name(name) in env:
            raw[name], origins[name] = env[Settings.env_name(name)], Settings.env_name(name)
    flags = {k: v for k, v in (overrides or {}).items() if v is not None}
    raw.update(flags)
    origins.update(dict.fromkeys(flags, "--flag"))
    if str(raw.get("store", "")).strip() == "firestore":  # the project from the environment, as gcloud does
        project = env.get("GOOGLE_CLOUD_PROJECT") or env.get("GCLOUD_PROJECT")
        if project:
            raw["store"] = f"firestore://{project}"
        else:
            problems.append(f"{both('setting')} CARELOOP_STORE = 'firestore': {both('need_project')}")
            raw.pop("store")

    values: dict[str, Any] = {}
    for name, value in raw.items():
        spec = known[name]
        try:
            values[name] = spec.metadata["parse"](value if isinstance(value, str) else str(value))
        except ValueError as error:
            shown = "***" if spec.metadata["secret"] else repr(value)
            setting = f"{both('setting')} {Settings.env_name(name)} ({name} in careloop.toml)"
            problems.append(f"{setting} = {shown}: {error}")
    given = tuple((name, origins[name]) for name in values)
    settings = _made(values, given) if not problems else None
    if settings is not None and sends:
        problems += _together_problems(settings) + _identity_problems(settings)
    if problems or settings is None:
        raise SettingsError(problems)
    return settings


def _made(values: Mapping[str, Any], given: tuple[tuple[str, str], ...]) -> Settings:
    """Settings from parsed values: careloop's own by name, each channel's into its section."""
    from functions.adapters.channels.registry import section_types

    own = {name: value for name, value in values.items() if name in _OWN_NAMES()}
    sections = tuple(
        kind(**{f.name: values[f.name] for f in dataclasses.fields(kind) if f.name in values})
        for kind in section_types()
    )
    return Settings(**own, origins=given, sections=sections)


@cache
def _OWN_NAMES() -> frozenset[str]:  # noqa: N802 - a constant, made once when first asked
    return frozenset(f.name for f in dataclasses.fields(Settings) if not f.metadata.get("internal"))


def setting_fields() -> list[dataclasses.Field[Any]]:
    """Every setting: careloop's own, then each channel's (in the registry's order)."""
    from functions.adapters.channels.registry import section_fields

    own = [f for f in dataclasses.fields(Settings) if not f.metadata.get("internal")]
    return own + [f for _, f in section_fields()]


RESERVED_DOMAINS = ("example.com", "example.org", "example.net", "example", "test", "invalid", "localhost")
LINK_SETTINGS = ("public_url", "survey_url", "unsubscribe_url")


def sends_for_real(settings: Settings) -> bool:
    """A real channel is set up: an SMTP server, or any channel with a provider (the outbox folder is
    not one)."""
    from functions.adapters.channels.registry import specs

    return bool(settings.smtp_host) or any(settings.value(n) for spec in specs() for n in spec.provider)


def _identity_problems(settings: Settings) -> list[str]:
    """Customers must never receive mail from "careloop <careloop@example.com>" whose links point at
    this machine: sending for real with placeholder identity is a settings error, naming each."""
    if not sends_for_real(settings):
        return []
    missing = []
    if "business_name" not in settings.given:
        missing.append(("business_name", "need_business_name"))
    unset_links = [own for own in ("survey_url", "unsubscribe_url") if own not in settings.given]
    if "public_url" not in settings.given and unset_links:
        missing += [("public_url" if len(unset_links) == 2 else unset_links[0], "need_public_url")]
    if settings.smtp_host and ("sender_email" not in settings.given or reserved_domain(settings.sender_email)):
        missing.append(("sender_email", "need_sender_email"))
    return [f"{both('setting')} {Settings.env_name(name)} ({name} in careloop.toml): {both(code)}"
            for name, code in missing]  # fmt: skip


def reserved_domain(address: str) -> bool:
    domain = address.rpartition("@")[2].lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in RESERVED_DOMAINS)


def settings_warnings(settings: Settings) -> list[str]:
    """Link settings set on purpose to addresses customers cannot open (tests and demos do): said by
    `careloop check` and in every run report, never an error."""
    import ipaddress
    from urllib.parse import urlsplit

    unopenable = []
    for name in LINK_SETTINGS:
        value = getattr(settings, name)
        if name not in settings.given or not value:
            continue
        host = (urlsplit(value).hostname or "").lower()
        try:
            private = not ipaddress.ip_address(host).is_global
        except ValueError:
            private = host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".test"))
        if private or not value.startswith("https://"):
            unopenable.append(f"{Settings.env_name(name)} ({name}) = {value}")
    return [f"{', '.join(unopenable)}: {both('link_not_public')}"] if unopenable else []


def warned(report: dict[str, Any], settings: Settings) -> list[str]:
    """The settings' warnings, added to a run's report (`warnings`) when there are any."""
    if warnings := settings_warnings(settings):
        report["warnings"] = warnings
    return warnings


def _together_problems(settings: Settings) -> list[str]:
    """Settings each fine alone that do not work together."""
    problems = [] if settings.smtp_host else _outbox_problems(settings.outbox)
    problems += _provider_problems(settings)
    if settings.pubsub_topic and not pubsub_project(settings):
        name = Settings.env_name("pubsub_project")
        problems.append(f"{both('setting')} {name} (pubsub_project in careloop.toml): {both('need_pubsub_project')}")
    return problems


def _outbox_problems(outbox: str) -> list[str]:
    """The outbox must be a folder careloop can write into (or make), before anything is reserved."""
    path = Path(outbox)
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("."))
    if (existing == path and not path.is_dir()) or (existing != path and not existing.is_dir()):
        reason = both("outbox_not_folder")
    elif not os.access(existing, os.W_OK | os.X_OK):
        reason = both("outbox_not_writable")
    else:
        return []
    return [f"{both('setting')} {Settings.env_name('outbox')} (outbox in careloop.toml) = {outbox!r}: {reason}"]


MAILBOX = ("imap_host", "imap_user", "imap_password")  # the monitored mailbox: all of these, or none


def pubsub_project(settings: Settings) -> str:
    """The project of the send queue's topics: its own setting, or the Firestore store's project."""
    return settings.pubsub_project or (firestore_location(settings.store) or ("", ""))[0]


def configured_channels(settings: Settings) -> frozenset[str]:
    """The channels this deployment can send on: those without a provider always (email: SMTP or the
    outbox), the others when their provider is set up."""
    from functions.adapters.channels.registry import configured

    return frozenset(configured(settings.sections))


def _provider_problems(settings: Settings) -> list[str]:
    """Half a provider is a mistake: name each missing setting before anything is sent."""
    from functions.adapters.channels.registry import specs

    problems = []
    for names in (*(spec.provider for spec in specs()), MAILBOX):
        given = [n for n in names if settings.value(n)]
        if given:
            problems += [
                f"{both('setting')} {Settings.env_name(n)} ({n} in careloop.toml): {both('need_with', other=given[0])}"
                for n in names
                if not settings.value(n)
            ]
    return problems


def tab_settings() -> tuple[str, ...]:
    """The settings that are the business's to decide: staff may set them in the sheet's Settings tab.
    Secrets, service addresses and anything that could send mail elsewhere (smtp_*, sender_email,
    public_url, provider credentials, store) stay with whoever deploys careloop."""
    return tuple(f.name for f in sorted((f for f in setting_fields() if f.metadata.get("tab")),
                                          key=lambda f: f.metadata["tab"]))  # fmt: skip


TAB_ORIGIN = "tab"


def _tab_example(name: str) -> str:
    """A right value of a tab setting, shown to staff beside a wrong one."""
    example = next(f.metadata.get("example") for f in setting_fields() if f.name == name)
    return example or ", ".join(_registry_order())


def shown_value(settings: Settings, name: str) -> str:
    """A setting's value as staff type it (what `check` and the Settings tab show)."""
    value = settings.redacted()[name]
    return ("TRUE" if value else "FALSE") if isinstance(value, bool) else str(value)


def with_tab_values(settings: Settings, values: Mapping[str, str]) -> tuple[Settings, dict[str, str]]:
    """The settings with the tab's values (setting name → text) over the deployed ones, each checked as
    its deployed setting is; a value that fails is left out, with why (name → the check's words)."""
    fields = {f.name: f for f in setting_fields()}
    taken: dict[str, Any] = {}
    refused: dict[str, str] = {}
    for name, text in values.items():
        try:
            taken[name] = fields[name].metadata["parse"](text)
        except ValueError as error:
            refused[name] = str(error)
    if not taken:
        return settings, refused
    origins = dict(settings.origins) | dict.fromkeys(taken, TAB_ORIGIN)
    tuned = dataclasses.replace(settings, **taken, origins=tuple(origins.items()))
    return tuned, refused


def read_settings_tab(settings: Settings, table: Table | None, language: str) -> tuple[Settings, SettingsFromTab]:
    """The settings in force for a run: the tab's values over the deployed ones. A value that fails
    its check gets a System note (why, a right value, the value used instead) and the run goes on."""
    rows = setting_rows(table)
    deployed_only = {f.name for f in setting_fields()} - set(tab_settings())
    values, notes = tab_values(rows, tab_settings(), deployed_only, language)
    tuned, refused = with_tab_values(settings, {key: value for key, (_, value) in values.items()})
    for key, error in refused.items():
        row, value = values[key]
        notes[row.row] = say("setting_invalid", language, value=shorten(value, 80), error=error,
                             example=_tab_example(key), used=shown_value(settings, key))  # fmt: skip
    if "manager_emails" in values and len(tuned.manager_emails) > TAB_MANAGERS:  # the sheet cannot make a mailer
        row, _ = values["manager_emails"]
        notes[row.row] = say("setting_too_many", language, count=len(tuned.manager_emails), limit=TAB_MANAGERS)
        tuned = dataclasses.replace(tuned, manager_emails=tuned.manager_emails[:TAB_MANAGERS])
    report: dict[str, Any] = {}
    if taken := {key: shown_value(tuned, key) for key in values if key not in refused}:
        report["from_tab"] = taken
    if notes:
        names = {r.row: r.name for r in rows}
        report["invalid"] = [
            {"row": row, "note": note, "name": names.get(row, "")} for row, note in sorted(notes.items())
        ]
    return tuned, SettingsFromTab(settings_tab_write(rows, notes, language), report)


TAB_MANAGERS = 10  # addresses the Settings tab may name: anyone who edits the sheet could type any


def settings_tab_rows(settings: Settings, language: str) -> list[list[str]]:
    """What `setup-sheet` seeds the Settings tab with: each setting, its value in force, its meaning."""
    return [[name, shown_value(settings, name), say(f"setting_{name}", language), ""] for name in tab_settings()]


def origin_text(settings: Settings, name: str, language: str) -> str:
    origin = settings.origin(name)
    return say(f"origin_{origin}", language) if origin in ("default", TAB_ORIGIN) else origin
