"""Issue 36: every reply careloop hears gets its themes. Replies in a real mailbox (Dovecot) land in
`Phản hồi` with a `Chủ đề` column; the `Chủ đề` tab (made with its starter set) counts the texts
tagged with each theme — agreeing with the rows — once, however many runs read them, with the latest
example scrubbed of who wrote it."""

from __future__ import annotations

import json
from datetime import datetime

import openpyxl
import pytest

from tests.helpers import VN, mails
from tests.helpers.cli import careloop
from tests.helpers.dovecot import PASSWORD, USER, Dovecot
from tests.helpers.support import local_settings, row, workbook_with_owners

NOW = "2026-11-25T10:00"
ARRIVED = datetime(2026, 11, 24, 9, 30, tzinfo=VN)
CUSTOMERS = [
    row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", purchase="16/11/2026"),
    row("C-2", "Trần Văn Huy", "anh", "huy@example.com", purchase="16/11/2026"),
    row("C-3", "Lê Thị Thủy", "chị", "thuy@example.com"),
]


@pytest.fixture
def mailbox():
    with Dovecot() as server:
        yield server


def tab(path, title):
    sheet = openpyxl.load_workbook(path)[title]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if r[0]]


def test_replies_get_their_themes_and_the_themes_tab_counts_them_once(tmp_path, mailbox):
    path = workbook_with_owners(tmp_path / "k.xlsx", CUSTOMERS)
    for raw in (
        mails.reply("Nguyễn Thị Lan <lan@example.com>",
                    "Chờ lâu quá, nhân viên thái độ không tốt, tôi rất thất vọng. Gọi tôi 0912 345 678",
                    message_id="<t1@ex>", in_reply_to=mails.ours("checkin/C-1/2026-11-16")),
        mails.reply("huy@example.com", "cam on, gia hop ly, nv nhiet tinh", message_id="<t2@ex>",
                    in_reply_to=mails.ours("checkin/C-2/2026-11-16")),
        mails.reply("thuy@example.com", "Đánh giá 5 sao, cảm ơn chị Thủy", message_id="<t3@ex>"),
        mails.reply("thuy@example.com", "Phòng chờ bẩn, nhà vệ sinh có mùi", message_id="<t4@ex>"),
    ):  # fmt: skip
        mailbox.deliver(raw, at=ARRIVED)
    env = local_settings(tmp_path, path, imap_host="127.0.0.1", imap_port=str(mailbox.port), imap_security="none",
                         imap_user=USER, imap_password=PASSWORD)  # fmt: skip
    result = careloop("run", "escalate", "--json", "--now", NOW, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["replies"]

    replies = {r["Nội dung"]: r["Chủ đề"] or "" for r in tab(path, "Phản hồi")}
    assert replies["Đánh giá 5 sao, cảm ơn chị Thủy"] == ""  # "giá" is in "đánh giá"; a name is not a theme
    tagged = {text: set(themes.split(", ")) - {""} for text, themes in replies.items()}
    assert tagged["cam on, gia hop ly, nv nhiet tinh"] == {"Thái độ nhân viên", "Giá/phí"}  # typed without diacritics
    assert {"Thời gian chờ", "Thái độ nhân viên"} <= next(t for x, t in tagged.items() if x.startswith("Chờ lâu"))

    themes = {r["Chủ đề"]: r for r in tab(path, "Chủ đề")}
    assert len(themes) == 7  # the starter set, made on the first run
    for name, figures in themes.items():  # the counts agree with the rows
        assert figures["7 ngày qua"] == sum(1 for t in tagged.values() if name in t), name
    waiting = themes["Thời gian chờ"]
    assert "0912" not in waiting["Ví dụ gần nhất"] and "Lan" not in waiting["Ví dụ gần nhất"]
    assert waiting["Khiếu nại"] == 1  # "thất vọng": a complaint, which also opened a case

    again = careloop("run", "escalate", "--json", "--now", "2026-11-25T10:15", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert {r["Chủ đề"]: r["7 ngày qua"] for r in tab(path, "Chủ đề")} == {
        name: r["7 ngày qua"] for name, r in themes.items()}  # fmt: skip


def test_survey_comments_are_counted_with_their_scores_once():
    from datetime import timedelta

    from functions.core.sheet_schema import REPLIES, THEMES
    from functions.core.surveys import Answer, Survey
    from functions.core.tables import Table
    from functions.core.theme_tab import starter_rows
    from functions.escalate.job import run_escalate
    from tests.helpers.memory_store import MemoryStore
    from tests.helpers.support import escalation_book, escalation_deps

    now = datetime(2026, 11, 25, 10, 0, tzinfo=VN)
    store = MemoryStore()
    comments = [(5, "Nhân viên rất nhiệt tình"), (2, "Chờ lâu quá, nv cau có"), (1, "cho doi 2 tieng"), (4, ""),
                (3, "Wifi phòng chờ yếu quá"), (4, "wifi chập chờn, khó dùng")]  # fmt: skip
    for n, (score, comment) in enumerate(comments):
        survey = Survey(f"SV-{n}", f"C-{n}", f"checkin/{n}", "vi", now - timedelta(days=2), now + timedelta(days=30))
        store.surveys.create_survey(survey)
        store.surveys.add_answer(survey.survey_id, Answer(score, now - timedelta(hours=n + 1), comment), limit=20)
    book = escalation_book([[f"C-{n}", f"Khách {n}", f"k{n}@example.com", "", "", "", "", ""] for n in range(4)])
    book.tables["Chủ đề"] = Table("Chủ đề", [c.title_vi for c in THEMES.columns], starter_rows("vi"))
    book.tables["Gợi ý chủ đề"] = Table("Gợi ý chủ đề", ["Từ/cụm từ", "Số lần", "Ví dụ"], [])
    book.tables["Phản hồi"] = Table("Phản hồi", [c.title_vi for c in REPLIES.columns], [])
    run_escalate(escalation_deps(book, store), now)
    heard = [dict(zip(book.tables["Phản hồi"].header, r, strict=False)) for r in book.tables["Phản hồi"].rows]
    assert len(heard) == 5  # each comment a row of Phản hồi (the answer without words is none)
    assert {r["Kênh"] for r in heard} == {"Khảo sát"}
    by_text = {r["Nội dung"]: r for r in heard}
    assert by_text["cho doi 2 tieng"]["Chủ đề"] == "Thời gian chờ" and by_text["cho doi 2 tieng"]["Mã KH"] == "C-2"
    assert "1/5" in by_text["cho doi 2 tieng"]["Trả lời tin"] and "hồ sơ" in by_text["cho doi 2 tieng"]["careloop đã làm"]
    themes = {r[0]: dict(zip(book.tables["Chủ đề"].header, r, strict=False)) for r in book.tables["Chủ đề"].rows}
    assert themes["Thời gian chờ"]["7 ngày qua"] == 3 and themes["Thời gian chờ"]["Khiếu nại"] == 2
    assert (
        themes["Thời gian chờ"]["Điểm TB"] == 2.0
    )  # (2 + 1 + 3) / 3: "phòng chờ" (the waiting room) counts too, as its keyword says
    suggested = book.tables["Gợi ý chủ đề"].rows
    assert suggested[0][:2] == ["wifi", 2] and "Wifi" in suggested[0][2]  # no theme covers it: a suggestion
    assert themes["Thái độ nhân viên"]["7 ngày qua"] == 2 and themes["Thái độ nhân viên"]["Điểm TB"] == 3.5
    assert themes["Giá/phí"]["7 ngày qua"] == 0
    run_escalate(escalation_deps(book, store), now + timedelta(minutes=15))  # the same answers: not again
    again = {r[0]: r[book.tables["Chủ đề"].header.index("7 ngày qua")] for r in book.tables["Chủ đề"].rows}
    assert again["Thời gian chờ"] == 3 and again["Thái độ nhân viên"] == 2
    assert book.tables["Gợi ý chủ đề"].rows[0][:2] == ["wifi", 2]  # counted once
    assert len(book.tables["Phản hồi"].rows) == 5  # and no row twice


def test_the_digest_names_the_largest_themes_and_the_riser_with_an_example():
    from functions.core.theme_tab import THEMES_STATE
    from functions.digest.job import run_digest
    from tests.integration.test_digest import MONDAY, fortnight
    from tests.integration.test_digest import deps as digest_deps

    records = fortnight()
    days = {"2026-11-17": {"Thời gian chờ": [6, 2, 8, 3], "Giá/phí": [2, 0, 0, 0]},
            "2026-11-19": {"Thời gian chờ": [3, 1, 0, 0], "Vệ sinh": [4, 0, 0, 0], "Thái độ nhân viên": [1, 0, 0, 0]},
            "2026-11-10": {"Thời gian chờ": [2, 0, 0, 0], "Vệ sinh": [5, 0, 0, 0]}}  # fmt: skip
    examples = {"Thời gian chờ": ["2026-11-19", "Chờ lâu quá, 2 tiếng mới tới lượt"]}
    records.job_state.save_job_state("escalate", {THEMES_STATE: {"days": days, "examples": examples}})
    text = run_digest(digest_deps(records), MONDAY, dry_run=True)["preview"][0]["text"]
    assert (
        "Khách nói nhiều nhất về:\n- Thời gian chờ: 9 (tuần trước 2)\n- Vệ sinh: 4 (tuần trước 5)\n"
        "- Giá/phí: 2 (tuần trước 0)\n- Tăng nhiều nhất: Thời gian chờ (+7), ví dụ: “Chờ lâu quá, 2 tiếng mới tới lượt”"
        in text
    )
