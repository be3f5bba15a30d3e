"""Structured JSON log lines that Cloud Logging reads as entries (a `severity` field).

Emails and phone numbers are masked; secrets never reach a log line.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, TextIO

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)")
_PHONE = re.compile(r"\+?\d[\d .-]{6,}(\d{3})")


def mask(text: str) -> str:
    """ "lan.nguyen@gmail.com" → "l***@gmail.com"; "+84912345678" → "***678"."""
    return _PHONE.sub(r"***\1", _EMAIL.sub(r"\1***@\2", text))


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    return value


def log(severity: str, message: str, stream: TextIO | None = None, **fields: Any) -> None:
    entry = {"severity": severity, "message": mask(message), **_masked(fields)}
    print(json.dumps(entry, ensure_ascii=False, default=str), file=stream or sys.stderr, flush=True)
