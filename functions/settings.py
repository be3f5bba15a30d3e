"""Settings: defaults < careloop.toml < environment (CARELOOP_*) < command-line flags.

Everything is validated before a run starts; a bad value stops it with a message naming the
setting (its environment variable and its careloop.toml key), before anything is sent.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from functions.core.i18n import both, say
from functions.core.settings_tab import SettingsFromTab, setting_rows, settings_tab_write, tab_values
from functions.core.tables import Table
from functions.core.text import shorten
from functions.core.values import DATE_ORDERS, CellError, read_email

ENV_PREFIX = "CARELOOP_"
LEGAL_HOURS = (time(7, 0), time(22, 0))  # Decree 91/2020: advertising messages 07:00–22:00 only


class SettingsError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _hours(text: str) -> tuple[time, time]:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*", text)
    if not m or int(m[1]) > 23 or int(m[3]) > 23 or int(m[2]) > 59 or int(m[4]) > 59:
        raise ValueError(both("hours_format"))  # "25:00" too: a clock has no such hour
    start, end = time(int(m[1]), int(m[2])), time(int(m[3]), int(m[4]))
    if not start < end:
        raise ValueError(both("hours_order"))
    if start < LEGAL_HOURS[0] or end > LEGAL_HOURS[1]:
        raise ValueError(both("hours_legal"))
    return start, end


def _one_of(*choices: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        value = text.strip()
        for choice in choices:
            if value.lower() == choice.lower():
                return choice
        raise ValueError(both("need_choice", choices=", ".join(choices)))

    return check


def _int_range(low: int, high: int) -> Callable[[str], int]:
    def check(text: str) -> int:
        try:
            value = int(str(text).strip())
        except ValueError:
            raise ValueError(both("need_whole_number")) from None
        if not low <= value <= high:
            raise ValueError(both("need_range", low=low, high=high))
        return value

    return check


def _seconds(most: float) -> Callable[[str], float]:
    """A finite number of seconds above 0 and at most `most` (nan and inf are no time)."""

    def check(text: str) -> float:
        try:
            value = float(str(text).strip())
        except ValueError:
            raise ValueError(both("need_number")) from None
        if not math.isfinite(value) or not 0 < value <= most:
            raise ValueError(both("need_range", low="0", high=f"{most:g}"))
        return value

    return check


def _host(text: str) -> str:
    """A host name or IP address alone: no scheme, no port (the port is smtp_port)."""
    value = _text(text)
    if value and not re.fullmatch(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]", value):
        raise ValueError(both("need_host"))
    return value


def _secret(text: str) -> str:
    value = str(text).strip()
    if value and len(value) < 32:
        raise ValueError(both("need_long_secret"))
    return value


def _timezone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(both("need_timezone")) from None
    return text.strip()


def _region(text: str) -> str:
    import phonenumbers

    if text.strip().upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(both("need_region"))
    return text.strip().upper()


def _url(text: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", text.strip()):
        raise ValueError(both("need_url"))
    return text.strip().rstrip("/")


def _url_or_empty(text: str) -> str:
    return _url(text) if text.strip() else ""


def _email_address(text: str) -> str:
    """An address mail servers take, by the same rule as a customer's: ASCII before the @, the
    domain as punycode."""
    value = _text(text)
    try:
        return read_email(value)
    except CellError as error:
        raise ValueError(both(error.code, column="email", value=value[:80])) from None


def _emails(text: str) -> tuple[str, ...]:
    return tuple(_email_address(part) for part in re.split(r"[,;\s]+", text) if part.strip())


def _email_or_empty(text: str) -> str:
    return _email_address(text) if text.strip() else ""


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


def _working_hours(text: str) -> str:
    from functions.core.business_calendar import parse_working_hours

    parse_working_hours(text)
    return text.strip()


def _phrases(text: str) -> tuple[str, ...]:
    phrases = tuple(p.strip() for p in str(text).replace("\n", "|").split("|") if p.strip())
    if not phrases:
        raise ValueError(both("need_phrases"))
    return phrases


def _text(text: str) -> str:
    """Any text setting: no line breaks or other control characters (they would reach a header)."""
    value = str(text).strip()
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError(both("no_control"))
    return value


BUSINESS_NAME_LONGEST = 60  # characters: an SMS's first part and Zalo's template parameters must hold it


def _business_name(text: str) -> str:
    value = _text(text)
    if len(value) > BUSINESS_NAME_LONGEST:
        raise ValueError(both("name_too_long", count=len(value), limit=BUSINESS_NAME_LONGEST))
    return value


def _flag(text: str) -> bool:
    return _one_of("true", "false")(text.lower()) == "true"


CHANNELS = ("email", "sms", "zalo")
# The kinds customers receive by ZNS (messages.toml has [KIND.zns]); birthday_voucher: the wish with a voucher.
ZALO_KINDS = ("birthday", "birthday_voucher", "checkin", "case_survey")


def _channel_order(text: str) -> tuple[str, ...]:
    order = tuple(word.strip().lower() for word in re.split(r"[,;\s]+", text) if word.strip())
    if not order or any(word not in CHANNELS for word in order) or len(set(order)) != len(order):
        raise ValueError(both("need_channel_order", choices=", ".join(CHANNELS)))
    return order


def _zalo_templates(text: str) -> tuple[tuple[str, str], ...]:
    """ "checkin:123456,birthday:123457" → (("checkin", "123456"), ("birthday", "123457"))."""
    pairs = []
    for part in (p.strip() for p in re.split(r"[,;\n]", text) if p.strip()):
        kind, _, template_id = (s.strip() for s in part.partition(":"))
        if kind not in ZALO_KINDS or not re.fullmatch(r"\d{1,20}", template_id):
            raise ValueError(both("need_zalo_templates", kinds=", ".join(ZALO_KINDS)))
        pairs.append((kind, template_id))
    return tuple(pairs)


def _twilio_sid(text: str) -> str:
    value = text.strip()
    if value and not re.fullmatch(r"AC[0-9a-fA-F]{32}", value):
        raise ValueError(both("need_twilio_sid"))
    return value


def _topic(text: str) -> str:
    value = text.strip()
    if value and not re.fullmatch(r"[A-Za-z][\w.~+%-]{2,199}", value):
        raise ValueError(both("need_pubsub_topic"))
    return value


def _project_or_empty(text: str) -> str:
    value = text.strip()
    if value and not re.fullmatch(r"[a-z][a-z0-9-]{4,28}[a-z0-9]", value):
        raise ValueError(both("need_firestore_project"))
    return value


def _sms_sender(text: str) -> str:
    """A brand name (letters, digits and spaces, at most 11, one letter at least) or a number in E.164."""
    value = text.strip()
    brand = re.fullmatch(r"[A-Za-z0-9 ]{1,11}", value) and re.search(r"[A-Za-z]", value)
    if value and not (brand or re.fullmatch(r"\+[1-9]\d{6,14}", value)):
        raise ValueError(both("need_sms_sender"))
    return value


def _setting(default: Any, parse: Callable[[str], Any] = _text, doc: str = "", secret: bool = False) -> Any:
    return field(default=default, metadata={"parse": parse, "doc": doc, "secret": secret})


@dataclass(frozen=True)
class Settings:
    sheet: str = _setting("careloop.xlsx", _sheet, doc="PATH.xlsx, google:KEY or the spreadsheet's URL")
    sheets_api_url: str = _setting("https://sheets.googleapis.com", _url, doc="the Sheets API (a test server locally)")
    sheets_credentials: str = _setting(
        "", secret=True, doc="empty: Application Default Credentials; a service-account JSON file or text; none"
    )
    sheets_deadline: float = _setting(
        90.0,
        _seconds(3600),
        doc="seconds one Sheets read or write may take, retries included (over a minute: "
        "a spent per-minute quota refills within it)",
    )
    store: str = _setting("careloop.sqlite", _store, doc="the store: PATH.sqlite or firestore://PROJECT[/DATABASE]")
    outbox: str = _setting("outbox", doc="folder for .eml files when no SMTP host is set")
    smtp_host: str = _setting("", _host, doc="send email through this SMTP server (a host name) instead of the outbox")
    smtp_port: int = _setting(587, _int_range(1, 65535))
    smtp_security: str = _setting("starttls", _one_of("starttls", "tls", "none"))
    smtp_user: str = _setting("")
    smtp_password: str = _setting("", secret=True)
    smtp_timeout: float = _setting(30.0, _seconds(600), doc="seconds")
    timezone: str = _setting("Asia/Ho_Chi_Minh", _timezone)
    date_order: str = _setting("DMY", _one_of(*DATE_ORDERS), doc="how staff type dates")
    send_hours: tuple[time, time] = _setting((time(8, 0), time(20, 0)), _hours, doc="HH:MM-HH:MM, local time")
    catchup_days: int = _setting(3, _int_range(0, 30), doc="late check-ins still sent within this many days")
    daily_cap: int = _setting(0, _int_range(0, 1_000_000), doc="messages per day; 0 = no limit")
    default_language: str = _setting("vi", _one_of("vi", "en"), doc="customers with no Language")
    staff_language: str = _setting("vi", _one_of("vi", "en"), doc="notes, reports and new headers")
    phone_region: str = _setting("VN", _region)
    business_name: str = _setting("careloop", _business_name, doc="signs every message (at most 60 characters)")
    sender_email: str = _setting("careloop@example.com", _email_address)
    reply_to: str = _setting("", _email_or_empty)
    public_url: str = _setting("http://127.0.0.1:8080", _url, doc="where the public functions answer")
    survey_url: str = _setting("", _url_or_empty, doc="the survey function's own URL (default: public_url)")
    unsubscribe_url: str = _setting("", _url_or_empty, doc="the unsubscribe function's own URL (default: public_url)")
    secret: str = _setting("", _secret, secret=True, doc="signs unsubscribe and survey links (32 characters or more)")
    working_hours: str = _setting(
        "mon-fri 08:00-12:00 13:30-17:30; sat 08:00-12:00", _working_hours, doc="SLA clock and when owners are notified"
    )
    tier3_phrases: tuple[str, ...] = _setting(
        (),
        _phrases,
        doc="phrases that make a complaint tier 3, separated by |; empty: the built-in Vietnamese and English list",
    )
    survey_days: int = _setting(30, _int_range(1, 365), doc="a survey link works this many days")
    survey_throttle_days: int = _setting(
        30, _int_range(0, 365), doc="no new survey to a customer within this many days"
    )
    csat_threshold: int = _setting(2, _int_range(0, 5), doc="a score at or below this opens a case")
    survey_nps: bool = _setting(False, _flag, doc="also ask the 0–10 recommendation (NPS) question")
    channel_order: tuple[str, ...] = _setting(
        ("zalo", "sms", "email"), _channel_order, doc="channels tried for a row whose Channel is blank, in order"
    )
    twilio_account_sid: str = _setting("", _twilio_sid, doc="SMS through Twilio: the account SID (AC…)")
    twilio_auth_token: str = _setting("", secret=True, doc="SMS through Twilio: the auth token")
    sms_sender: str = _setting("", _sms_sender, doc="the registered brand name (at most 11 characters) or number")
    twilio_api_url: str = _setting("https://api.twilio.com", _url, doc="Twilio's API (a local stand-in in tests)")
    sms_status_url: str = _setting(
        "",
        _url_or_empty,
        doc="the sms_status function's URL, given to Twilio for delivery reports (default: public_url/sms_status)",
    )
    sms_ascii: bool = _setting(True, _flag, doc="SMS without Vietnamese diacritics: 160 characters a message, not 70")
    sms_max_segments: int = _setting(2, _int_range(1, 10), doc="an SMS longer than this many parts is not sent")
    zalo_app_id: str = _setting("", doc="Zalo ZNS: the app ID linked to the Official Account")
    zalo_app_secret: str = _setting("", secret=True, doc="Zalo ZNS: the app's secret key")
    zalo_refresh_token: str = _setting(
        "", secret=True, doc="Zalo ZNS: the first refresh token; afterwards the store keeps the current one"
    )
    zalo_templates: tuple[tuple[str, str], ...] = _setting(
        (), _zalo_templates, doc="approved ZNS template per kind: checkin:123456,birthday:123457"
    )
    zalo_oa_secret_key: str = _setting(
        "", secret=True, doc="Zalo OA webhook: the OA secret key events are signed with; empty: events are refused"
    )
    manager_emails: tuple[str, ...] = _setting(
        (), _emails, doc="who gets the weekly digest, separated by commas; empty: the tier-3 owner of the '*' row"
    )
    voucher_value: str = _setting(
        "", doc='a birthday voucher\'s value as customers read it ("giảm 15%"); empty: no vouchers'
    )
    voucher_days: int = _setting(30, _int_range(1, 365), doc="a birthday voucher is valid this many days")
    retention_days: int = _setting(
        730,
        _int_range(30, 3650),
        doc="records older than this many days are deleted (messages, surveys, cases, reports)",
    )
    marketing_consent_required: bool = _setting(
        True, _flag, doc="advertising (a birthday voucher, [QC]) only to customers whose consent is ticked"
    )
    imap_host: str = _setting("", _host, doc="read customers' replies and bounces from this IMAP server; empty: off")
    imap_port: int = _setting(993, _int_range(1, 65535))
    imap_security: str = _setting("ssl", _one_of("ssl", "starttls", "none"))
    imap_user: str = _setting("")
    imap_password: str = _setting("", secret=True)
    imap_folder: str = _setting("INBOX", doc="the monitored folder")
    imap_done_folder: str = _setting("", doc="move each message careloop took here; empty: leave the mailbox as it is")
    inbox_authserv_id: str = _setting(
        "",
        doc="the receiving mail server's name in Authentication-Results (Gmail: mx.google.com): a reply whose "
        "sender it authenticated (DMARC) is acted on at once; empty: only replies to careloop's own messages are",
    )
    inbox_folder: str = _setting(
        "", doc="without IMAP: read replies and bounces from the .eml files (or Maildir) in this folder; empty: off"
    )
    zalo_api_url: str = _setting("https://business.openapi.zalo.me", _url, doc="Zalo's ZNS API")
    zalo_oauth_url: str = _setting("https://oauth.zaloapp.com", _url, doc="Zalo's OAuth API")
    pubsub_topic: str = _setting(
        "", _topic, doc="fan-out: send-queue topics NAME-email, NAME-sms, NAME-zalo; empty: a run sends all itself"
    )
    pubsub_project: str = _setting("", _project_or_empty, doc="the Pub/Sub project; empty: the Firestore store's")
    fanout_after: int = _setting(
        1000, _int_range(1, 1_000_000), doc="a run sends this many itself; with pubsub_topic the rest are queued"
    )
    fanout_batch_size: int = _setting(100, _int_range(1, 1000), doc="messages in one send-queue batch")
    retry_seconds: float = _setting(30.0, _seconds(3600), doc="budget for retrying one message's transient faults")
    run_budget_seconds: float = _setting(
        240.0, _seconds(3600), doc="a run's time for sending; what is left unsent then waits for the next run"
    )
    # Not a setting: where each setting given came from (careloop.toml, CARELOOP_X, a flag, the Settings
    # tab), for `check`, and so "left at its default" can be told from "set to the default's value"
    # (issue 21: placeholder identity is an error only when left unset).
    origins: tuple[tuple[str, str], ...] = field(default=(), metadata={"internal": True, "secret": False})

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
            value = getattr(self, f.name)
            if f.metadata["secret"]:
                value = "***" if value else ""
            elif f.name == "send_hours":
                value = "-".join(f"{t:%H:%M}" for t in value)
            elif f.name == "zalo_templates":
                value = ",".join(f"{kind}:{template}" for kind, template in value)
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
    settings = Settings(**values, origins=given) if not problems else None
    if settings is not None and sends:
        problems += _together_problems(settings) + _identity_problems(settings)
    if problems or settings is None:
        raise SettingsError(problems)
    return settings


def setting_fields() -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(Settings) if not f.metadata.get("internal")]


RESERVED_DOMAINS = ("example.com", "example.org", "example.net", "example", "test", "invalid", "localhost")
LINK_SETTINGS = ("public_url", "survey_url", "unsubscribe_url")


def sends_for_real(settings: Settings) -> bool:
    """A real channel is set up: an SMTP server, Twilio or Zalo (the outbox folder is not one)."""
    return bool(settings.smtp_host or settings.twilio_account_sid or settings.zalo_app_id)


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


PROVIDERS = {  # a provider is set up when any of its settings is; then all of these are needed
    "sms": ("twilio_account_sid", "twilio_auth_token", "sms_sender"),
    "zalo": ("zalo_app_id", "zalo_app_secret", "zalo_templates"),
}


MAILBOX = ("imap_host", "imap_user", "imap_password")  # the monitored mailbox: all of these, or none


def pubsub_project(settings: Settings) -> str:
    """The project of the send queue's topics: its own setting, or the Firestore store's project."""
    return settings.pubsub_project or (firestore_location(settings.store) or ("", ""))[0]


def configured_channels(settings: Settings) -> frozenset[str]:
    """The channels this deployment can send on: email always (SMTP or the outbox), SMS and Zalo
    when their provider is set up."""
    return frozenset({"email"} | {c for c, names in PROVIDERS.items() if all(getattr(settings, n) for n in names)})


def _provider_problems(settings: Settings) -> list[str]:
    """Half a provider is a mistake: name each missing setting before anything is sent."""
    problems = []
    for names in (*PROVIDERS.values(), MAILBOX):
        given = [n for n in names if getattr(settings, n)]
        if given:
            problems += [
                f"{both('setting')} {Settings.env_name(n)} ({n} in careloop.toml): {both('need_with', other=given[0])}"
                for n in names
                if not getattr(settings, n)
            ]
    return problems


# The settings that are the business's to decide: staff may set them in the sheet's Settings tab.
# Secrets, service addresses and anything that could send mail elsewhere (smtp_*, sender_email,
# public_url, provider credentials, store) stay with whoever deploys careloop.
TAB_SETTINGS = (
    "business_name",
    "send_hours",
    "catchup_days",
    "daily_cap",
    "default_language",
    "channel_order",
    "voucher_value",
    "voucher_days",
    "survey_days",
    "survey_throttle_days",
    "csat_threshold",
    "survey_nps",
    "working_hours",
    "tier3_phrases",
    "manager_emails",
)
TAB_EXAMPLES = {  # a right value of each, shown to staff beside a wrong one
    "business_name": "Văn phòng Luật Minh An",
    "send_hours": "08:00-20:00",
    "catchup_days": "3",
    "daily_cap": "500",
    "default_language": "vi",
    "channel_order": "zalo, sms, email",
    "voucher_value": "giảm 15%",
    "voucher_days": "30",
    "survey_days": "30",
    "survey_throttle_days": "30",
    "csat_threshold": "2",
    "survey_nps": "TRUE",
    "working_hours": "mon-fri 08:00-12:00 13:30-17:30; sat 08:00-12:00",
    "tier3_phrases": "luật sư | khởi kiện | báo công an",
    "manager_emails": "quanly@vanphong.vn, truongphong@vanphong.vn",
}
TAB_ORIGIN = "tab"


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
    deployed_only = {f.name for f in setting_fields()} - set(TAB_SETTINGS)
    values, notes = tab_values(rows, TAB_SETTINGS, deployed_only, language)
    tuned, refused = with_tab_values(settings, {key: value for key, (_, value) in values.items()})
    for key, error in refused.items():
        row, value = values[key]
        notes[row.row] = say("setting_invalid", language, value=shorten(value, 80), error=error,
                             example=TAB_EXAMPLES[key], used=shown_value(settings, key))  # fmt: skip
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
    return [[name, shown_value(settings, name), say(f"setting_{name}", language), ""] for name in TAB_SETTINGS]


def origin_text(settings: Settings, name: str, language: str) -> str:
    origin = settings.origin(name)
    return say(f"origin_{origin}", language) if origin in ("default", TAB_ORIGIN) else origin
