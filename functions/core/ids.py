"""The one recipe for careloop's own IDs: a prefix and the start of the SHA-256 of what the thing
is, in base32 (letters and digits people can read out). The same material always gives the same
ID, so two overlapping runs, or a run restarted after a crash, name a thing alike."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import NamedTuple


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


class AnsweredKey(NamedTuple):
    """The ledger key a careloop Message-ID carries, and whether its MAC proved careloop made it."""

    key: str
    keyed: bool  # False: the unkeyed scheme of before issue 32, believed only for messages sent then


def message_id_local(key: str, secret: str) -> str:
    """The local part of the Message-ID careloop gives a message: a MAC of its key made with the
    store's secret (so nobody else can make one: a reply naming it answers careloop's message), then
    the key itself in base32, so a reply's In-Reply-To names the message without a lookup. A message
    sent twice shares one Message-ID."""
    return f"{_mac(key, secret)}.{_base32(key)}"


def key_of_message_id(message_id: str, secret: str) -> AnsweredKey | None:
    """The ledger key a careloop Message-ID carries, or None (someone else's, altered, or forged).
    An unkeyed one (the digest of its key, computable by anyone) comes back with keyed=False."""
    local = message_id.strip().strip("<>").rpartition("@")[0]
    check, _, token = local.partition(".")
    if not token or len(token) > 400 or not re.fullmatch(r"[a-z2-7]+", token):
        return None
    try:
        key = base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if len(check) == MAC_LENGTH and secret and hmac.compare_digest(check, _mac(key, secret)):
        return AnsweredKey(key, True)
    if len(check) == UNKEYED_LENGTH and hmac.compare_digest(check, digest_hex(key, UNKEYED_LENGTH)):
        return AnsweredKey(key, False)
    return None


MAC_LENGTH, UNKEYED_LENGTH = 32, 24  # hex characters: the two schemes never share a length


def _mac(key: str, secret: str) -> str:
    return hmac.new(secret.encode(), b"careloop/message-id\n" + key.encode(), hashlib.sha256).hexdigest()[:MAC_LENGTH]


def _base32(key: str) -> str:
    return base64.b32encode(key.encode()).decode("ascii").rstrip("=").lower()
