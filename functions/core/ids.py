"""The one recipe for careloop's own IDs: a prefix and the start of the SHA-256 of what the thing
is, in base32 (letters and digits people can read out). The same material always gives the same
ID, so two overlapping runs, or a run restarted after a crash, name a thing alike."""

from __future__ import annotations

import base64
import hashlib
import re


def derived_id(prefix: str, material: str, length: int) -> str:
    """derived_id("HS-", "escalate/C-1/…", 8) → "HS-ABCD2345"."""
    return prefix + base64.b32encode(hashlib.sha256(material.encode()).digest()).decode()[:length]


_BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")  # base64.b32encode's alphabet


def looks_derived(text: str, prefix: str, length: int) -> bool:
    """Whether `text` has the shape derived_id gives (the prefix, then `length` base32 characters)."""
    body = text[len(prefix) :]
    return text.startswith(prefix) and len(body) == length and all(c in _BASE32 for c in body)


def digest_hex(material: str, length: int) -> str:
    """The start of the SHA-256 of `material` in hex: the stable part of a ledger key or a Message-ID."""
    return hashlib.sha256(material.encode()).hexdigest()[:length]


def message_id_local(key: str) -> str:
    """The local part of the Message-ID careloop gives a message: its key's digest (a message sent
    twice shares one Message-ID), then the key itself in base32, so a reply's In-Reply-To names the
    message it answers without a lookup (the digest checks the key was not altered)."""
    token = base64.b32encode(key.encode()).decode("ascii").rstrip("=").lower()
    return f"{digest_hex(key, 24)}.{token}"


def key_of_message_id(message_id: str) -> str | None:
    """The ledger key a careloop Message-ID carries, or None (someone else's, or altered)."""
    local = message_id.strip().strip("<>").rpartition("@")[0]
    digest, _, token = local.partition(".")
    if not token or not re.fullmatch(r"[a-z2-7]+", token):
        return None
    try:
        key = base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return key if digest_hex(key, 24) == digest else None
