"""Test helpers, shared by every tier: the moment tests run at, free local ports, and (in the
modules beside this one) fakes of the ports, workbook builders and the local servers tests start
(Sheets API, SMTP, the Firestore emulator, functions-framework processes)."""

from __future__ import annotations

import socket
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 23)
NINE_AM = datetime.combine(TODAY, time(9, 0), VN)
TEST_SECRET = "a-test-secret-long-enough-to-sign-links"  # careloop asks for 32 characters or more


def free_port() -> int:
    """A port nothing listens on now, on 127.0.0.1 (servers under test refuse port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
