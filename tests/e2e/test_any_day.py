"""Issue 33 (0): the suite, and the README's main command, work on any day. The demo is swept over
dates unlike the one it was written on — Tết, a 29 February, a year's last day, years ahead — with one
clock (`--now`) for everything it does: each time it sends, hears its customers' email replies and
the Zalo rating, and exits 0. (CI also runs the unit and integration tiers under `faketime`.)"""

from __future__ import annotations

import pytest

from tests.helpers.cli import careloop

HEARD = ("thư bị trả lại 1", "khiếu nại 1", "từ chối nhận tin 1", "điểm đánh giá 1")


@pytest.mark.parametrize("day", ["2027-02-06", "2028-02-29", "2026-12-31", "2030-06-15"])
def test_the_demo_runs_and_hears_its_replies_whatever_the_day(tmp_path, day):
    result = careloop("demo", "--dir", "d", "--now", f"{day}T08:00", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    heard = next(line for line in result.stdout.splitlines() if "⟵" in line)
    assert all(kind in heard for kind in HEARD), heard
