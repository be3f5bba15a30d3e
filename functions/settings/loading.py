"""Loading the settings: defaults < careloop.toml < environment (CARELOOP_*) < command-line flags,
each checked, and the settings that are fine alone but not together; warnings for links customers
cannot open."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from functions.core.i18n import both
from functions.settings.checks import firestore_location
from functions.settings.schema import ENV_PREFIX, Settings, SettingsError, own_names, setting_fields


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

    own = {name: value for name, value in values.items() if name in own_names()}
    sections = tuple(
        kind(**{f.name: values[f.name] for f in dataclasses.fields(kind) if f.name in values})
        for kind in section_types()
    )
    return Settings(**own, origins=given, sections=sections)


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
