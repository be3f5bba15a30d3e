"""Issue 34: a channel declares itself in one module. A channel that exists only in the test suite
(tests/channels/pager.py) is registered by one line, the registry's list, and then: its settings are
read and checked like careloop's own, staff may type it in the Channel column and pick it from the
dropdown, the Dashboard counts it in a column of its own, `careloop check` describes it, and a
follow-up run composes for it, sends through it, and falls back from it to email."""

from __future__ import annotations

from datetime import timedelta

import pytest

from functions.adapters.channels import registry
from functions.core.i18n import say
from tests.helpers import TODAY
from tests.helpers.support import HEADER, IDENTITY, local_settings, read_workbook, row, write_workbook

WEEK_AGO = f"{TODAY - timedelta(days=7):%d/%m/%Y}"
PAGER = "tests.channels.pager"


@pytest.fixture
def pager(monkeypatch):
    """The registry with the test's channel added at the end (the one line a new channel adds)."""
    monkeypatch.setattr(registry, "CHANNEL_MODULES", (*registry.CHANNEL_MODULES, PAGER))
    yield
    from tests.helpers.rules import _default_book

    _default_book.cache_clear()


def settings_for(tmp_path, **more):
    from functions.settings import load_settings

    env = local_settings(tmp_path, tmp_path / "khach-hang.xlsx", **{**IDENTITY, **more})
    return load_settings(env=env)


def test_a_test_only_channel_is_read_from_settings_like_any_other(tmp_path, pager):
    from functions.settings import SettingsError, configured_channels
    from tests.channels.pager import PagerSettings

    settings = settings_for(tmp_path, pager_token="t-123", pager_limit="120")
    assert settings.section(PagerSettings) == PagerSettings("t-123", 120)
    assert "pager" in configured_channels(settings)
    assert settings.channel_order == ("zalo", "sms", "email", "pager")  # the registry's order by default
    assert settings.redacted()["pager_token"] == "***"
    with pytest.raises(SettingsError) as refused:
        settings_for(tmp_path, pager_token="t", pager_limit="5")
    assert "CARELOOP_PAGER_LIMIT" in str(refused.value)
    assert "pager" not in configured_channels(settings_for(tmp_path))  # no token: not set up


def test_staff_see_the_channel_in_the_sheet_and_check(tmp_path, pager):
    from functions import bootstrap
    from functions.core.sheet_layout import layouts
    from functions.core.sheet_schema import CUSTOMERS, DASHBOARD
    from functions.entrypoints.cli.check import channels_configured

    settings = settings_for(tmp_path, pager_token="t-123")
    book = bootstrap.channel_book(settings)
    tabs = {layout.tab.key: layout for layout in layouts(book, "vi")}
    assert "pager" in tabs[CUSTOMERS.key].dropdowns["channel"]
    assert "Số máy nhắn tin" in [c.title_vi for c in tabs[CUSTOMERS.key].tab.columns]  # its own address column
    assert "Qua Pager" in [c.title_vi for c in tabs[DASHBOARD.key].tab.columns]
    assert "pager (Pager (test))" in channels_configured(settings)


def test_a_followup_run_sends_through_the_new_channel_and_falls_back_to_email(tmp_path, pager):
    from functions import bootstrap
    from functions.followup.job import run_followup

    pager_column = "Số máy nhắn tin"  # the channel's own address column
    rows = [
        row("KH-1", "Nguyễn Thị Lan", "chị", "lan@example.com", "0912 345 601", purchase=WEEK_AGO,
            channel="pager, email") + ["PG-101"],
        row("KH-2", "Trần Văn Hùng", "anh", "hung@example.com", "0912345602", purchase=WEEK_AGO,
            channel="Máy nhắn tin, email") + ["PG-109"],  # the channel's own word for it; a number it cannot reach
        row("KH-3", "Lê Minh Tuấn", "anh", "", "0912345603", purchase=WEEK_AGO) + ["PG-103"],  # blank: the order
        row("KH-4", "Phạm Thu Hà", "chị", "ha@example.com", "", purchase=WEEK_AGO, channel="pager") + [""],
    ]  # fmt: skip
    write_workbook(tmp_path / "khach-hang.xlsx", [*HEADER, pager_column], rows)
    settings = settings_for(tmp_path, pager_token="t-123")
    now = bootstrap.local_now(settings, f"{TODAY}T09:00")
    with bootstrap.channels_closed(bootstrap.followup_deps(settings)) as deps:
        report = run_followup(deps, now).report
    assert len(report["sent"]) == 3, report
    paged = sorted(p.name for p in (tmp_path / "outbox").glob("*.pager.txt"))
    assert [name.split("_")[1] for name in paged] == ["KH-1", "KH-3"]  # KH-3: zalo, sms not set up; pager is
    text = (tmp_path / "outbox" / paged[0]).read_text(encoding="utf-8")
    assert text.startswith("PG-101\n") and "/s/" in text  # its own column's address; a short survey link
    emails = [p.name for p in (tmp_path / "outbox").glob("*.eml")]
    assert len(emails) == 1 and "KH-2" in emails[0]  # the pager could not reach KH-2: email carried it
    notes = {r["Mã KH"]: r["Ghi chú hệ thống"] for r in read_workbook(tmp_path / "khach-hang.xlsx")}
    assert "pager" in notes["KH-2"]  # staff read which channel failed first
    assert notes["KH-4"] == say("channel_needs_column", "vi", channel="pager", needed=pager_column)
