"""Issue 32: listening you can trust. Tried as a stranger with nothing but an email address would,
against a real IMAP server (Dovecot on 127.0.0.1) and a mail folder on this computer: every forgery
(a forged From:, a computed Message-ID, a foreign Authentication-Results, a forged bounce, one address
speaking for many customers) acts on nothing and leaves a row staff can confirm with a tick; the
authenticated and the keyed act. A poison corpus costs only itself; an erased customer stays erased."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from functions.core.ids import digest_hex
from tests.helpers import VN, mails
from tests.helpers.cli import careloop
from tests.helpers.dovecot import PASSWORD, USER, Dovecot
from tests.helpers.support import local_settings, row, set_cell, workbook_with_owners

NOW = "2026-11-25T10:00"  # a working Wednesday
ARRIVED = datetime(2026, 11, 25, 9, 0, tzinfo=VN)  # when the mailbox received what the tests deliver
CUSTOMERS = [
    row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", purchase="16/11/2026"),
    row("C-2", "Trần Văn Hùng", "anh", "hung@example.com", birthday="25/11/1990"),
    row("C-3", "Lê Văn Tám", "anh", "tam@example.com", purchase="18/11/2026"),  # its check-in is due today
    row("C-4", "Phạm Thu Hà", "chị", "ha@example.com"),
]
UNCONFIRMED_WORDS = "careloop chưa làm gì"


@pytest.fixture(params=["imap", "folder"])
def mailbox(request, tmp_path) -> Iterator[tuple[dict[str, str], Callable[..., None]]]:
    """(settings naming the mailbox, deliver(raw, at=ARRIVED))."""
    if request.param == "imap":
        with Dovecot() as server:
            settings = {"imap_host": "127.0.0.1", "imap_port": str(server.port), "imap_security": "none",
                        "imap_user": USER, "imap_password": PASSWORD}  # fmt: skip
            yield settings, lambda raw, at=ARRIVED: server.deliver(raw, at=at)
        return
    folder = tmp_path / "thu-den"
    folder.mkdir()
    count = iter(range(1, 100_000))

    def deliver(raw: bytes, at: datetime = ARRIVED) -> None:
        n = next(count)
        path = folder / f"{n:05d}.eml"
        path.write_bytes(raw)
        stamp = int(at.timestamp() * 1_000_000 + n) * 1000  # files saved one after another
        os.utime(path, ns=(stamp, stamp))

    yield {"inbox_folder": str(folder)}, deliver


def setup(tmp_path: Path, mailbox, customers=CUSTOMERS) -> tuple[Path, dict[str, str], Callable[..., None]]:
    extra, deliver = mailbox
    path = workbook_with_owners(tmp_path / "k.xlsx", customers)
    return path, local_settings(tmp_path, path, inbox_authserv_id="mx.test", **extra), deliver


def run(tmp_path: Path, env: dict[str, str], job: str = "escalate", now: str = NOW) -> dict:
    result = careloop("run", job, "--json", "--now", now, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def tab(path: Path, title: str = "Phản hồi") -> list[dict]:
    rows = list(openpyxl.load_workbook(path)[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if r[0]]


def tick(path: Path, reply_id: str) -> None:
    set_cell(path, "Phản hồi", reply_id, "Xác nhận", True)


def owner_notice(tmp_path: Path) -> str:
    """The text of the case email the owner of the matrix's '*' row got."""
    from email import message_from_bytes, policy

    for path in sorted((tmp_path / "outbox").glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if "ha@luat.vn" in str(message["To"]):
            return message.get_body(("plain",)).get_content()
    raise AssertionError("no case email to the owner")


def stored_opt_outs(tmp_path: Path) -> set[str]:
    from functions.adapters.stores.sqlite import SqliteStore

    return set(SqliteStore(tmp_path / "s.sqlite").opt_outs.opt_outs())


def unkeyed(key: str) -> str:
    """The Message-ID anyone can compute for `key` (careloop's scheme before issue 32)."""
    from functions.core.ids import message_id_local

    return f"<{digest_hex(key, 24)}.{message_id_local(key, 'x').split('.')[1]}@luatminhan.vn>"


def test_each_forgery_acts_on_nothing_and_leaves_a_row_for_staff(tmp_path, mailbox):
    path, env, deliver = setup(tmp_path, mailbox)
    for raw in (
        mails.reply("hung@example.com", "HỦY", message_id="<f1@ex>", in_reply_to=mails.OURS),  # a forged From
        mails.reply("stranger@evil.example", "HỦY", message_id="<f2@ex>",
                    in_reply_to=unkeyed("birthday/C-2/2026")),  # a computed Message-ID, from the stranger's own
        mails.reply("lan@example.com", "Tôi sẽ kiện, cho gặp giám đốc", message_id="<f3@ex>", in_reply_to=mails.OURS,
                    Authentication_Results=mails.dmarc_pass("example.com", "mx.evil.example")),  # a foreign one
        mails.bounce("tam@example.com", "checkin/C-3/2026-11-23", "<f4@mx>", returned=mails.OURS),  # a forged DSN
        mails.reply("lan@example.com", "1", message_id="<f5@ex>", in_reply_to=unkeyed("checkin/C-1/2026-11-16")),
    ):  # fmt: skip
        deliver(raw)
    report = run(tmp_path, env)
    assert report["replies"] == {"unconfirmed": 5} and report["opened"] == [] and report["notified"] == []
    assert stored_opt_outs(tmp_path) == set()
    rows = tab(path)
    assert len(rows) == 5 and all(UNCONFIRMED_WORDS in r["careloop đã làm"] for r in rows)
    assert all("Xác nhận" in r for r in rows)  # the tick staff confirm with
    followup = run(tmp_path, env, "followup", "2026-11-25T11:00")
    assert {s["customer_id"] for s in followup["sent"]} >= {"C-2", "C-3"}  # nobody was stopped


def test_the_authenticated_and_the_keyed_act(tmp_path, mailbox):
    path, env, deliver = setup(tmp_path, mailbox)
    deliver(mails.reply("hung@example.com", "HỦY", message_id="<t1@ex>", in_reply_to=mails.OURS,
                        Authentication_Results=mails.dmarc_pass("example.com")))  # fmt: skip
    deliver(mails.reply("lan@example.com", "Sản phẩm bị lỗi, tôi rất không hài lòng", message_id="<t2@ex>",
                        in_reply_to=mails.ours("checkin/C-1/2026-11-16")))  # fmt: skip
    deliver(mails.bounce("tam@example.com", "checkin/C-3/2026-11-23", "<t3@mx>"))
    report = run(tmp_path, env)
    assert report["replies"] == {"bounce": 1, "complaint": 1, "refusal": 1}
    assert [c["customer_id"] for c in report["opened"]] == ["C-1"] and stored_opt_outs(tmp_path) == {"C-2"}
    owner_email = owner_notice(tmp_path)  # issue 33 (11): where the case came from, how to reach her
    assert "Liên hệ: lan@example.com" in owner_email and "khi trả lời tin của chúng tôi" in owner_email
    followup = run(tmp_path, env, "followup", "2026-11-25T11:00")
    assert not {"C-2", "C-3"} & {s["customer_id"] for s in followup["sent"]}  # refused; bounced


def test_one_address_never_acts_for_many_customers_in_a_run(tmp_path, mailbox):
    customers = [row(f"C-{n}", f"Khách {n}", "anh", f"k{n}@example.com") for n in range(1, 34)]
    path, env, deliver = setup(tmp_path, mailbox, customers)
    for n in range(41):  # a stranger, computing Message-IDs for everyone
        deliver(mails.reply("stranger@evil.example", "HỦY", message_id=f"<m{n}@evil>",
                            in_reply_to=unkeyed(f"birthday/C-{n % 33 + 1}/2026")))  # fmt: skip
    for n in (1, 2, 3):  # one address holding three customers' real messages (a shared office mailbox)
        deliver(mails.reply("k1@example.com", "HỦY", message_id=f"<s{n}@ex>",
                            in_reply_to=mails.ours(f"birthday/C-{n}/2026")))  # fmt: skip
    report = run(tmp_path, env)
    assert stored_opt_outs(tmp_path) == {"C-1"}  # the first it spoke for; the others wait for staff
    assert report["replies"] == {"refusal": 1, "unconfirmed": 43}
    assert sum("một khách khác" in r["careloop đã làm"] for r in tab(path)) == 2


def test_staff_confirm_with_a_tick_and_the_next_run_does_it_once(tmp_path, mailbox):
    path, env, deliver = setup(tmp_path, mailbox)
    deliver(mails.reply("hung@example.com", "Đừng gửi tin nữa", message_id="<c1@ex>", in_reply_to=mails.OURS))
    run(tmp_path, env)
    (waiting,) = tab(path)
    assert UNCONFIRMED_WORDS in waiting["careloop đã làm"] and stored_opt_outs(tmp_path) == set()
    tick(path, waiting["Mã phản hồi"])
    report = run(tmp_path, env, now="2026-11-25T10:15")
    assert report["replies"] == {"confirmed": 1} and stored_opt_outs(tmp_path) == {"C-2"}
    (done,) = tab(path)
    assert "nhân viên xác nhận" in done["careloop đã làm"] and done["Xác nhận"] is True
    assert run(tmp_path, env, now="2026-11-25T10:30")["replies"] == {}  # done once


def test_a_bounce_stops_email_until_staff_say_the_address_works_again(tmp_path, mailbox):
    path, env, deliver = setup(tmp_path, mailbox)
    deliver(mails.bounce("tam@example.com", "checkin/C-3/2026-11-23", "<b1@mx>"))
    run(tmp_path, env)
    (bounce,) = tab(path)
    assert "Xác nhận" in bounce["careloop đã làm"]  # the row says what the tick does
    assert "C-3" not in {s["customer_id"] for s in run(tmp_path, env, "followup", "2026-11-25T11:00")["sent"]}
    tick(path, bounce["Mã phản hồi"])
    assert run(tmp_path, env, now="2026-11-25T11:15")["replies"] == {"confirmed": 1}
    again = run(tmp_path, env, "followup", "2026-11-25T11:30")
    assert [(s["customer_id"], s["to"]) for s in again["sent"]] == [("C-3", "tam@example.com")]


POISON = [
    b"From: a@b.example\r\nMessage-ID: <<<@@@>>>\x00(\r\nIn-Reply-To: <\r\n\r\nhi\r\n",
    b"From: a@b.example\r\nDate: Mon, 1 Jan 99999999999 00:00:00 +0000\r\nSubject: x\r\n\r\nhi\r\n",
    b"From: " + b"a" * 10_000 + b"@b.example\r\nSubject: x\r\n\r\nhi\r\n",
    b"From: a@b.example\r\n"
    + b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (n, n) for n in range(3000))[
        :100_000
    ],  # fmt: skip
    b"From: c@d.example\r\nContent-Type: text/html\r\n\r\n" + b"<" * 1_000_000,
    b"From: e@f.example\r\nSubject: big\r\n\r\n" + b"x" * (20 * 1024 * 1024),  # 20 MiB
    b"\x01\x02\x03 not a message at all \xff\xfe",
]


def test_a_poison_corpus_costs_only_itself_and_is_not_read_again(tmp_path, mailbox):
    path, env, deliver = setup(tmp_path, mailbox)
    for raw in POISON:
        deliver(raw)
    deliver(mails.reply("lan@example.com", "Sản phẩm bị lỗi, tôi rất không hài lòng \x01\x1b[31m", message_id="<g1@ex>",
                        in_reply_to=mails.ours("checkin/C-1/2026-11-16")))  # fmt: skip
    deliver(mails.reply("hung@example.com", "HỦY", message_id="<g2@ex>", in_reply_to=mails.ours("birthday/C-2/2026")))
    report = run(tmp_path, env)
    assert report["write_back"].get("error") is None  # a control character never reaches a cell
    assert [c["customer_id"] for c in report["opened"]] == ["C-1"] and stored_opt_outs(tmp_path) == {"C-2"}
    assert report["replies"]["unreadable"] >= 2, report["replies"]
    assert sum(report["replies"].values()) == len(POISON) + 2
    health = [r for r in tab(path, "Tình trạng") if r and "không đọc được" in str(r)]
    assert health, tab(path, "Tình trạng")  # the Health tab says messages were skipped
    texts = [str(r["Nội dung"] or "") for r in tab(path)]
    assert not any(ch in text for text in texts for ch in "\x01\x1b\x00")
    assert run(tmp_path, env, now="2026-11-25T10:15")["replies"] == {}  # the mark moved past them all


def test_an_erased_customers_reply_is_a_row_without_her_words_and_opens_nothing(tmp_path, mailbox):
    path, env, deliver = setup(tmp_path, mailbox)
    set_cell(path, "Khách hàng", "C-4", "Xóa dữ liệu", True)  # Phạm Thu Hà asked to be erased
    run(tmp_path, env, now="2026-11-25T08:00")
    deliver(mails.reply("Phạm Thu Hà <ha@example.com>", "Tôi rất không hài lòng, sẽ kiện", message_id="<e1@ex>",
                        in_reply_to=mails.ours("checkin/C-4/2026-11-16")))  # fmt: skip
    deliver(mails.reply("ha@example.com", "Vẫn là tôi đây", message_id="<e2@ex>",
                        Authentication_Results=mails.dmarc_pass("example.com")))  # fmt: skip
    report = run(tmp_path, env)
    assert report["replies"] == {"erased": 2} and report["opened"] == []
    for reply in tab(path):
        assert not reply["Nội dung"] and not reply["Họ tên"] and "ha@example.com" not in str(reply)
        assert "xóa dữ liệu" in reply["careloop đã làm"]


def test_an_unkeyed_message_id_counts_only_for_a_message_sent_unkeyed_within_30_days(tmp_path, mailbox):
    from functions.adapters.stores.sqlite import SqliteStore
    from functions.core.ledger import LedgerEntry

    path, env, deliver = setup(tmp_path, mailbox)
    store = SqliteStore(tmp_path / "s.sqlite")
    for key, sent, keyed in (
        ("birthday/C-2/2026", ARRIVED - timedelta(days=10), False),  # before issue 32
        ("checkin/C-1/2026-11-16", ARRIVED - timedelta(days=9), True),  # went keyed
        ("checkin/C-3/2026-10-01", ARRIVED - timedelta(days=55), False),
    ):  # too long ago
        customer = key.split("/")[1]
        store.ledger.reserve(LedgerEntry(key, customer, key.split("/")[0], "email", sent.date(), reserved_at=sent,
                                         keyed_id=keyed))  # fmt: skip
        store.ledger.confirm(key, sent)
        deliver(mails.reply(f"someone.{customer}@example.org", "HỦY", message_id=f"<u-{customer}@ex>",
                            in_reply_to=unkeyed(key)))  # fmt: skip
    report = run(tmp_path, env)
    assert stored_opt_outs(tmp_path) == {"C-2"} and report["replies"] == {"refusal": 1, "unconfirmed": 2}


def test_a_score_replied_late_is_dated_by_its_arrival_and_reaches_the_csat_column(tmp_path, mailbox):
    from functions.adapters.stores.sqlite import SqliteStore
    from functions.core.surveys import Survey, survey_id_for

    path, env, deliver = setup(tmp_path, mailbox)
    sent = datetime(2026, 11, 23, 9, tzinfo=VN)
    SqliteStore(tmp_path / "s.sqlite").surveys.create_survey(
        Survey(
            survey_id_for("C-1", "checkin/2026-11-16"),
            "C-1",
            "checkin/2026-11-16",
            "vi",
            sent,
            sent + timedelta(days=30),
        )
    )
    run(tmp_path, env)  # the answers' watermark is now 10:00
    late = mails.reply("lan@example.com", "4", message_id="<late@ex>", in_reply_to=mails.ours("checkin/C-1/2026-11-16"))
    assert b"Date: Tue, 24 Nov 2026" in late  # written the day before, delivered (or read) late
    deliver(late, at=datetime(2026, 11, 25, 10, 10, tzinfo=VN))
    assert run(tmp_path, env, now="2026-11-25T10:15")["replies"] == {"survey_answer": 1}
    run(tmp_path, env, now="2026-11-25T10:30")  # the answers taken in since the last run: this one among them
    customers = {r["Mã KH"]: r for r in tab(path, "Khách hàng")}
    assert customers["C-1"]["CSAT"] == 4


def mixed(deliver) -> None:
    """What a busy morning brings: poison, forgeries, and customers' real answers."""
    for raw in POISON[:4]:
        deliver(raw)
    deliver(mails.reply("hung@example.com", "HỦY", message_id="<x1@ex>", in_reply_to=mails.OURS))  # unsure
    deliver(mails.reply("lan@example.com", "Sản phẩm bị lỗi, tôi rất không hài lòng", message_id="<x2@ex>",
                        in_reply_to=mails.ours("checkin/C-1/2026-11-16")))  # fmt: skip
    deliver(mails.reply("hung@example.com", "Không hủy, cảm ơn", message_id="<x3@ex>",
                        in_reply_to=mails.ours("birthday/C-2/2026")))  # fmt: skip
    deliver(mails.bounce("tam@example.com", "checkin/C-3/2026-11-23", "<x4@mx>"))


@pytest.mark.parametrize("crash_at", ["create_case:1", "write"])
def test_killed_midway_the_next_run_loses_and_doubles_nothing(tmp_path, mailbox, crash_at):
    import subprocess
    import sys

    from tests.helpers import ROOT

    path, env, deliver = setup(tmp_path, mailbox)
    mixed(deliver)
    killed = subprocess.run([sys.executable, str(ROOT / "tests" / "helpers" / "crash_driver.py")],
                            env={**os.environ, **env, "CRASH_AT": crash_at, "CRASH_JOB": "escalate", "CRASH_NOW": NOW},
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    report = run(tmp_path, env, now="2026-11-25T10:05")
    assert sum(report["replies"].values()) == 8  # the mark had not moved: every message is read again
    rows = tab(path)
    assert len(rows) == 8 and len({r["Mã phản hồi"] for r in rows}) == 8
    assert len(tab(path, "Hồ sơ")) == 1 and stored_opt_outs(tmp_path) == set()  # one case; "Không hủy" is no refusal
    assert run(tmp_path, env, now="2026-11-25T10:20")["replies"] == {}


def test_two_runs_at_once_take_each_message_once_and_act_once(tmp_path, mailbox):
    from tests.helpers.cli import careloop_at_once

    path, env, deliver = setup(tmp_path, mailbox)
    mixed(deliver)
    results = careloop_at_once("run", "escalate", "--json", "--now", NOW, cwd=tmp_path, env=env)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert len(tab(path)) == 8 and len(tab(path, "Hồ sơ")) == 1
    opened = {o["case_id"] for r in results for o in json.loads(r.stdout)["opened"]}
    assert len(opened) == 1
