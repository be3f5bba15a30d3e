"""The adapters a deployment's settings name, opened: the sheet, the store, the channels, the inbox,
the send queue, the templates and the links. Adapter modules are imported inside these functions so
a cold start pays only for the backends it uses."""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from functions.adapters.templates import Templates
from functions.core.errors import StoreUnavailable
from functions.core.i18n import both
from functions.core.links import Links
from functions.settings import Settings, SettingsError, firestore_location, pubsub_project

if TYPE_CHECKING:
    from functions.adapters.channels.context import ChannelContext
    from functions.core.channel_specs import ChannelBook
    from functions.ports import Channel, Credentials, Inbox, PreparableSheet, SendQueue, Store


def open_sheet(settings: Settings) -> PreparableSheet:
    from functions.adapters.sheets.google_http import spreadsheet_key
    from functions.core.sheet_layout import chart_tabs

    charts = chart_tabs(channel_book(settings))  # the Dashboard's, drawn over its channels' columns
    key = spreadsheet_key(settings.sheet)
    if key:
        from functions.adapters.sheets.google import GoogleSheet
        from functions.adapters.sheets.google_http import Connection

        return GoogleSheet(
            Connection(key, settings.sheets_api_url, settings.sheets_credentials, deadline=settings.sheets_deadline),
            charts,
        )
    from functions.adapters.sheets.xlsx import XlsxSheet

    return XlsxSheet(settings.sheet, charts)


@lru_cache(maxsize=4)
def _firestore_store(project: str, database: str, emulator: str, retention_days: int) -> Store:
    """One Firestore client per database for the life of the instance, as Google advises: a run, the
    watch that alerts about it and the next run on a warm instance share it (`emulator`: in the key,
    so a client never outlives the emulator it was made for)."""
    from functions.adapters.stores.firestore import FirestoreStore

    return FirestoreStore(project, database, retention=timedelta(days=retention_days))


def store_made(settings: Settings) -> bool:
    """Whether the store exists yet (a SQLite file is made by the first run that writes to it):
    `check` and `retry` only look, and must not leave an empty store behind."""
    return bool(firestore_location(settings.store)) or Path(settings.store).exists()


def open_store(settings: Settings) -> Store:
    firestore = firestore_location(settings.store)
    if firestore:
        return _firestore_store(*firestore, os.environ.get("FIRESTORE_EMULATOR_HOST", ""), settings.retention_days)
    from functions.adapters.stores.sqlite import SqliteStore

    return SqliteStore(settings.store)


def channel_context(settings: Settings, credentials: Credentials | None = None, sending: bool = True) -> ChannelContext:
    """What every channel's build() may use besides its own settings section; `sending` False: only
    to describe the channels (`check` looks, and must not make the store's secret)."""
    from functions.adapters.channels.context import ChannelContext, MailSetup

    mail = MailSetup(settings.outbox, settings.smtp_host, settings.smtp_port, settings.smtp_security,
                     settings.smtp_user, settings.smtp_password, settings.smtp_timeout)  # fmt: skip
    return ChannelContext(settings.business_name, settings.sender_email, settings.reply_to, settings.public_url,
                          _message_id_secret(settings) if sending else "", mail, credentials)  # fmt: skip


def open_channels(settings: Settings, credentials: Credentials) -> dict[str, Channel]:
    """An adapter for each channel set up (the registry's modules say how); each imports its client on
    first use: a run with email alone never loads twilio."""
    from functions.adapters.channels.registry import build_channels

    return build_channels(settings.sections, channel_context(settings, credentials))


def channel_book(settings: Settings) -> ChannelBook:
    """The channels careloop has, each text-form channel's fit bound to the settings in force."""
    from functions.adapters.channels.registry import channel_book as book

    return book(settings.sections)


def email_channel(settings: Settings) -> Channel:
    """The staff's channel too (alerts, the digest): SMTP, or the outbox folder."""
    from functions.adapters.channels import email

    return email.build(None, channel_context(settings))


def _message_id_secret(settings: Settings) -> str:
    """The key of careloop's Message-IDs: the store's secret. An alert must go out even when the store's
    folder is gone, so then none: its Message-IDs prove nothing (a customer's message needs the store)."""
    try:
        return link_secret(settings)
    except (StoreUnavailable, SettingsError, OSError):
        return ""


def templates() -> Templates:
    return Templates()


def link_secret(settings: Settings) -> str:
    """CARELOOP_SECRET, or for a local SQLite store a random secret kept beside it (0600)."""
    if settings.secret:
        return settings.secret
    if firestore_location(settings.store):
        raise SettingsError([f"{both('setting')} CARELOOP_SECRET: {both('secret_required')}"])
    path = Path(settings.store + ".secret")
    if not path.parent.is_dir():
        raise StoreUnavailable(f"SQLite {settings.store}: {both('folder_missing')}")
    if not path.exists():
        # Written whole, then linked into place: an overlapping run never reads half a secret.
        descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # an overlapping run made it first; use theirs
        finally:
            os.unlink(draft)
    return path.read_text().strip()


def links(settings: Settings) -> Links:
    return Links(settings.public_url, link_secret(settings), settings.survey_url, settings.unsubscribe_url)


def inbox(settings: Settings) -> Inbox | None:
    """The monitored mailbox when imap_host is set, else the mail folder when inbox_folder is; None:
    careloop does not listen by email."""
    if not settings.imap_host:
        if not settings.inbox_folder:
            return None
        from functions.adapters.inbox.folder import FolderInbox

        return FolderInbox(settings.inbox_folder)
    from functions.adapters.inbox.imap import ImapConfig, ImapInbox

    return ImapInbox(ImapConfig(settings.imap_host, settings.imap_port, settings.imap_security, settings.imap_user,
                                settings.imap_password, settings.imap_folder, settings.imap_done_folder))  # fmt: skip


def send_queue(settings: Settings) -> SendQueue | None:
    """The send queue (Pub/Sub) when pubsub_topic is set; None: every run sends all it has itself."""
    if not settings.pubsub_topic:
        return None
    from functions.adapters.queues.pubsub import PubSubQueue

    return PubSubQueue(pubsub_project(settings), settings.pubsub_topic)


def local_now(settings: Settings, text: str | None = None) -> datetime:
    """Now in the business time zone; `text` (ISO, e.g. 2026-11-23T09:00) without an offset is local."""
    zone = ZoneInfo(settings.timezone)
    if not text:
        return datetime.now(zone)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SettingsError([f"--now {text!r}: {both('need_moment')}"]) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def sheet_link(settings: Settings) -> str:
    """Where staff open the sheet: its Google URL, or the workbook's path."""
    from functions.adapters.sheets.google_http import spreadsheet_key

    key = spreadsheet_key(settings.sheet)
    return f"https://docs.google.com/spreadsheets/d/{key}/edit" if key else str(Path(settings.sheet).resolve())
