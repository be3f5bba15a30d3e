from datetime import datetime, time, timedelta

import pytest

from functions.adapters.stores.sqlite import SqliteStore
from functions.adapters.stores.sqlite.ledger import SqliteLedger
from functions.core.errors import PermanentDeliveryError, StoreUnavailable, TransientDeliveryError
from functions.core.ledger import FAILED, SENT
from functions.core.tables import Table
from functions.followup.job import JobError, run_followup
from tests.helpers import NINE_AM, TODAY, VN
from tests.helpers.fakes import MemoryChannel, MemorySheet
from tests.helpers.support import deps, memory_sheet, row

WEEK_AGO = f"{TODAY - timedelta(days=7):%d/%m/%Y}"


@pytest.fixture
def store(tmp_path):
    return SqliteStore(tmp_path / "careloop.sqlite")


def sample_sheet():
    return memory_sheet(
        [
            row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", birthday="23/11/1990"),
            row("C-2", "Trần Văn Hùng", "anh", "hung@example.com", purchase=WEEK_AGO),
            row("", "Lê Minh Tuấn", "anh", "tuan@example.com", purchase=WEEK_AGO),
            row("C-4", "Phạm Thu Hà", "chị", "not-an-email", birthday="23/11/1990"),
            row("C-5", "Hoàng Đức Anh", "ông", "anh@example.com", birthday="01/01/1980"),
        ]
    )


def test_sends_due_messages_records_them_and_writes_back(store):
    sheet, channel = sample_sheet(), MemoryChannel()
    report = run_followup(deps(sheet, store, channel), NINE_AM).report
    assert sorted((s["kind"], s["to"]) for s in report["sent"]) == [
        ("birthday", "lan@example.com"),
        ("checkin", "hung@example.com"),
        ("checkin", "tuan@example.com"),
    ]
    assert len(channel.delivered) == 3
    assert {store.ledger.entry(s["key"]).state for s in report["sent"]} == {SENT}
    assert report["problems"] == [
        {
            "row": 5,
            "customer_id": "C-4",
            "column": "Email",
            "code": "email_invalid",
            "message": "Email 'not-an-email' không hợp lệ",
        }
    ]
    assert [(s["customer_id"], s["reason"]) for s in report["skipped"]] == [("C-4", "invalid_row")]

    assert sheet.reads == 1 and len(sheet.writes) == 1  # one read, one write per run
    ids = sheet.column("Mã KH")
    assert ids[2].startswith("KH-")  # the blank ID was assigned and written back
    contact = dict(zip(ids, sheet.column("Liên hệ gần nhất"), strict=False))
    assert contact["C-1"] == "23/11/2026 – lời chúc sinh nhật (email)"
    assert contact["C-5"] is None
    notes = dict(zip(ids, sheet.column("Ghi chú hệ thống"), strict=False))
    assert notes["C-4"] == "Email 'not-an-email' không hợp lệ" and notes["C-1"] is None


def test_a_second_run_the_same_day_sends_nothing_and_says_why(store):
    sheet, channel = sample_sheet(), MemoryChannel()
    run_followup(deps(sheet, store, channel), NINE_AM)
    second = run_followup(deps(sheet, store, channel), NINE_AM + timedelta(hours=2)).report
    assert second["sent"] == [] and len(channel.delivered) == 3
    assert sorted(s["reason"] for s in second["skipped"]) == ["already_sent"] * 3 + ["invalid_row"]
    assert len(sheet.writes[1][0].rows) == 0  # nothing changed on the sheet


def test_the_rendered_message_is_right(store):
    channel = MemoryChannel()
    run_followup(deps(memory_sheet([row("C-1", birthday="23/11/1990")]), store, channel), NINE_AM)
    (message,) = channel.delivered
    assert message.subject == "Chúc mừng sinh nhật chị Lan!"
    assert "Văn phòng Luật Minh An" in message.text
    assert message.unsubscribe_url.startswith("https://care.example.vn/unsubscribe/")


class CrashAfterSend(SqliteLedger):
    """A process that dies between the send and the confirm."""

    def advance(self, done, at, following, survey=None):
        if done is not None:
            raise KeyboardInterrupt("crash")
        return super().advance(done, at, following, survey)


def crashing_after_send(path) -> SqliteStore:
    store = SqliteStore(path)
    store.ledger = CrashAfterSend(store.ledger.file)
    return store


def test_a_crash_between_send_and_confirm_leaves_unknown_and_never_resends(tmp_path):
    path = tmp_path / "careloop.sqlite"
    sheet, channel = memory_sheet([row("C-1", birthday="23/11/1990")]), MemoryChannel()
    with pytest.raises(KeyboardInterrupt):
        run_followup(deps(sheet, crashing_after_send(path), channel), NINE_AM)
    assert len(channel.delivered) == 1

    store = SqliteStore(path)
    report = run_followup(deps(sheet, store, channel), NINE_AM + timedelta(minutes=15)).report
    assert len(channel.delivered) == 1 and report["sent"] == []
    assert [u["key"] for u in report["unknown"]] == ["birthday/C-1/2026"]
    assert "nhờ người cài đặt careloop gửi lại" in sheet.column("Ghi chú hệ thống")[0]
    assert [e.key for e in store.ledger.unconfirmed()] == ["birthday/C-1/2026"]

    assert store.ledger.release("birthday/C-1/2026")  # `careloop retry` releases it deliberately
    report = run_followup(deps(sheet, store, channel), NINE_AM + timedelta(minutes=30)).report
    assert len(channel.delivered) == 2 and [s["key"] for s in report["sent"]] == ["birthday/C-1/2026"]
    assert sheet.column("Ghi chú hệ thống")[0] == ""


def test_a_crash_before_write_back_is_mended_by_the_next_run(store):
    class CrashingSheet(MemorySheet):
        def write(self, changes):
            raise KeyboardInterrupt("crash")

    sheet, channel = memory_sheet([row("C-1", birthday="23/11/1990")]), MemoryChannel()
    with pytest.raises(KeyboardInterrupt):
        run_followup(deps(CrashingSheet(sheet.tables), store, channel), NINE_AM)
    report = run_followup(deps(sheet, store, channel), NINE_AM + timedelta(minutes=15)).report
    assert len(channel.delivered) == 1 and report["skipped"][0]["reason"] == "already_sent"
    assert sheet.column("Liên hệ gần nhất") == ["23/11/2026 – lời chúc sinh nhật (email)"]


class FlakyChannel(MemoryChannel):
    def __init__(self, failures, error=TransientDeliveryError):
        super().__init__()
        self.failures, self.error, self.attempts = failures, error, 0

    def deliver(self, message):
        self.attempts += 1
        if self.attempts <= self.failures:
            raise self.error("421 try later")
        super().deliver(message)


def test_transient_failures_are_retried(store):
    channel = FlakyChannel(failures=2)
    report = run_followup(deps(memory_sheet([row("C-1", birthday="23/11/1990")]), store, channel), NINE_AM).report
    assert channel.attempts == 3 and len(report["sent"]) == 1


def test_a_failed_send_is_recorded_on_the_row_and_the_others_go_on(store):
    class OneBadAddress(MemoryChannel):
        def deliver(self, message):
            if message.to == "bad@example.com":
                raise PermanentDeliveryError("SMTP 550: mailbox unavailable")
            super().deliver(message)

    sheet, channel = (
        memory_sheet(
            [
                row("C-1", email="bad@example.com", birthday="23/11/1990"),
                row("C-2", email="good@example.com", birthday="23/11/1990"),
            ]
        ),
        OneBadAddress(),
    )
    report = run_followup(deps(sheet, store, channel), NINE_AM).report
    assert [s["customer_id"] for s in report["sent"]] == ["C-2"]
    assert report["failed"][0]["customer_id"] == "C-1" and "550" in report["failed"][0]["error"]
    assert store.ledger.entry("birthday/C-1/2026").state == FAILED
    assert "550" in sheet.column("Ghi chú hệ thống")[0]
    # Not retried behind anyone's back: the next run says so.
    again = run_followup(deps(sheet, store, channel), NINE_AM + timedelta(hours=1)).report
    assert [s["reason"] for s in again["skipped"] if s["customer_id"] == "C-1"] == ["failed_before"]


def test_outside_allowed_hours_nothing_is_sent_and_the_report_says_why(store):
    channel = MemoryChannel()
    report = run_followup(
        deps(memory_sheet([row("C-1", birthday="23/11/1990")]), store, channel),
        datetime.combine(TODAY, time(21, 30), VN),
    ).report
    assert channel.delivered == [] and report["sent"] == []
    assert "08:00–20:00" in report["notice"] and report["skipped"][0]["reason"] == "outside_hours"
    assert store.ledger.unconfirmed() == []


def test_dry_run_renders_but_reserves_and_sends_nothing(store):
    sheet, channel = sample_sheet(), MemoryChannel()
    outcome = run_followup(deps(sheet, store, channel), NINE_AM, dry_run=True)
    assert channel.delivered == [] and outcome.report["sent"] == [] and len(outcome.report["planned"]) == 3
    assert len(outcome.previews) == 3 and sheet.writes == []
    assert store.ledger.facts([p["key"] for p in outcome.report["planned"]], TODAY).states == {}


def test_unreachable_store_sends_nothing(tmp_path):
    channel = MemoryChannel()
    with pytest.raises(StoreUnavailable, match="the folder does not exist"):
        run_followup(deps(sample_sheet(), SqliteStore(tmp_path / "no" / "such" / "x.sqlite"), channel), NINE_AM)
    assert channel.delivered == []


def test_a_missing_customers_tab_stops_the_run(store):
    with pytest.raises(JobError, match="Khách hàng"):
        run_followup(deps(MemorySheet({"Sheet1": Table("Sheet1", ["Họ tên"], [])}), store), NINE_AM)


def test_channels_without_an_adapter_are_skipped_and_noted(store):
    sheet = memory_sheet([row("C-1", email="", phone="0912345678", channel="zalo", birthday="23/11/1990")])
    report = run_followup(deps(sheet, store), NINE_AM).report
    assert report["skipped"][0]["reason"] == "channel_unavailable"
    assert sheet.column("Ghi chú hệ thống")[0] == "Kênh zalo chưa được cấu hình"


def test_opt_outs_recorded_in_the_store_tick_the_row(store):
    sheet, channel = (
        memory_sheet([row("C-1", birthday="23/11/1990"), row("C-2", birthday="23/11/1990", email="b@example.com")]),
        MemoryChannel(),
    )
    store.opt_outs.record_opt_out("C-1", NINE_AM)
    report = run_followup(deps(sheet, store, channel), NINE_AM).report
    assert [m.to for m in channel.delivered] == ["b@example.com"]
    assert sheet.column("Từ chối nhận tin") == [True, ""]
    assert [(s["customer_id"], s["reason"]) for s in report["skipped"]] == [("C-1", "opted_out")]


def test_a_row_moved_during_the_run_is_still_written_to_the_right_customer(store):
    sheet = memory_sheet([row("C-1", "Lan", birthday="23/11/1990"), row("C-2", "Hùng", email="h@example.com")])

    class SortingSheet(MemorySheet):
        def write(self, changes):  # staff sort the sheet while messages go out
            sheet.tables["Khách hàng"].rows.reverse()
            return MemorySheet.write(sheet, changes)

        def read(self, tabs, headers=()):
            return sheet.read(tabs, headers)

    run_followup(deps(SortingSheet({}), store), NINE_AM)
    contact = dict(zip(sheet.column("Mã KH"), sheet.column("Liên hệ gần nhất"), strict=False))
    assert contact["C-1"].startswith("23/11/2026") and contact["C-2"] is None


def test_daily_cap_across_runs(store):
    rows = [row(f"C-{i}", email=f"c{i}@example.com", purchase=WEEK_AGO) for i in range(5)]
    channel = MemoryChannel()
    first = run_followup(deps(memory_sheet(rows), store, channel, settings={"daily_cap": "3"}), NINE_AM).report
    assert len(first["sent"]) == 3 and [s["reason"] for s in first["skipped"]] == ["daily_cap"] * 2
    second = run_followup(
        deps(memory_sheet(rows), store, channel, settings={"daily_cap": "3"}), NINE_AM + timedelta(hours=1)
    ).report
    assert second["sent"] == []
    tomorrow = run_followup(
        deps(memory_sheet(rows), store, channel, settings={"daily_cap": "3"}), NINE_AM + timedelta(days=1)
    ).report
    assert len(tomorrow["sent"]) == 2 and len(channel.delivered) == 5


def test_report_is_saved_in_the_store(store):
    run_followup(deps(sample_sheet(), store), NINE_AM)
    (saved,) = store.job_state.reports("followup")
    assert saved["summary"]["sent"] == 3 and saved["now"] == NINE_AM.isoformat()
