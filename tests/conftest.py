from __future__ import annotations

import socket
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # main.py lives at the root, beside functions/
sys.path.insert(0, str(Path(__file__).resolve().parent))

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 23)
NINE_AM = datetime.combine(TODAY, time(9, 0), VN)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def now() -> datetime:
    return NINE_AM
