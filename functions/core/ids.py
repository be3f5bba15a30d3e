"""The one recipe for careloop's own IDs: a prefix and the start of the SHA-256 of what the thing
is, in base32 (letters and digits people can read out). The same material always gives the same
ID, so two overlapping runs, or a run restarted after a crash, name a thing alike."""

from __future__ import annotations

import base64
import hashlib


def derived_id(prefix: str, material: str, length: int) -> str:
    """derived_id("HS-", "escalate/C-1/…", 8) → "HS-ABCD2345"."""
    return prefix + base64.b32encode(hashlib.sha256(material.encode()).digest()).decode()[:length]


def digest_hex(material: str, length: int) -> str:
    """The start of the SHA-256 of `material` in hex: the stable part of a ledger key or a Message-ID."""
    return hashlib.sha256(material.encode()).hexdigest()[:length]
