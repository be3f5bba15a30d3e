"""Issue 36: every reply careloop hears gets its themes. Replies in a real mailbox (Dovecot) land in
`Phản hồi` with a `Chủ đề` column; the `Chủ đề` tab (made with its starter set) counts the texts
tagged with each theme — agreeing with the rows — once, however many runs read them, with the latest
example scrubbed of who wrote it."""

from __future__ import annotations

import json
from datetime import datetime

import openpyxl

from tests.helpers import VN, mails
from tests.helpers.cli import careloop
from tests.helpers.dovecot import PASSWORD, USER
from tests.helpers.support import local_settings, row, workbook_with_owners

NOW = "2026-11-25T10:00"
ARRIVED = datetime(2026, 11, 24, 9, 30, tzinfo=VN)
CUSTOMERS = [
    row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", purchase="16/11/2026"),
    row("C-2", "Trần Văn Huy", "anh", "huy@example.com", purchase="16/11/2026"),
    row("C-3", "Lê Thị Thủy", "chị", "thuy@example.com"),
]


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
    low = by_text["cho doi 2 tieng"]
    assert "1/5" in low["Trả lời tin"] and "hồ sơ" in low["careloop đã làm"]
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


def _eml_subjects(folder):
    import email
    from email.header import decode_header, make_header
    from email.policy import default

    subjects = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        subjects.append(str(make_header(decode_header(message["Subject"]))))
    return subjects


def test_a_rising_theme_is_charted_by_week_and_told_to_the_manager_once_a_week(tmp_path, mailbox):
    """Six customers write about waiting in one day: the Dashboard's chart of the top themes names it in
    its legend and counts it in this week's row; the manager gets one email saying it rises, with an
    example; a later run the same week sends no second one."""
    import zipfile

    customers = [row(f"C-{n}", f"Khách {n}", "chị", f"k{n}@example.com", purchase="16/11/2026") for n in range(6)]
    path = workbook_with_owners(tmp_path / "k.xlsx", customers)
    waits = ["Chờ lâu quá", "cho doi lau qua", "đợi 2 tiếng mới tới lượt", "ko ai tiep, cho mai", "chờ lâu, bực",
             "Phải chờ quá lâu"]  # fmt: skip
    for n, text in enumerate(waits):
        mailbox.deliver(mails.reply(f"k{n}@example.com", text, message_id=f"<w{n}@ex>",
                                    in_reply_to=mails.ours(f"checkin/C-{n}/2026-11-16")), at=ARRIVED)  # fmt: skip
    env = local_settings(tmp_path, path, imap_host="127.0.0.1", imap_port=str(mailbox.port), imap_security="none",
                         imap_user=USER, imap_password=PASSWORD)  # fmt: skip
    result = careloop("run", "escalate", "--json", "--now", NOW, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [t["theme"] for t in report["themes_rising"]] == ["Thời gian chờ"]

    sheet = openpyxl.load_workbook(path)["Tổng quan"]
    header = [c.value for c in sheet[1]]
    first = header.index("Chủ đề 1: Thời gian chờ")  # the chart's legend names the theme
    this_week = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[header.index("Tuần số")] == 12][0]
    assert this_week[first] == 6 and header[first + 1].startswith("Chủ đề 2")
    with zipfile.ZipFile(path) as book:
        charts = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/charts/chart")]
    assert any("Khách nói về gì, theo tuần" in chart for chart in charts)

    subjects = _eml_subjects(tmp_path / "outbox")
    assert subjects.count("[careloop] Khách nói nhiều hơn về: Thời gian chờ") == 1  # to the manager
    mailbox.deliver(mails.reply("k0@example.com", "vẫn phải chờ lâu", message_id="<w9@ex>"), at=ARRIVED)
    again = careloop("run", "escalate", "--json", "--now", "2026-11-25T12:00", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert _eml_subjects(tmp_path / "outbox").count("[careloop] Khách nói nhiều hơn về: Thời gian chờ") == 1


def test_call_notes_and_complaints_staff_note_are_heard_and_an_erased_customers_quotes_go():
    from datetime import timedelta

    from functions.core.sheet_schema import CALLS, REPLIES, THEMES
    from functions.core.tables import Table
    from functions.core.theme_tab import starter_rows
    from functions.escalate.erasure import erase_requested
    from functions.escalate.job import run_escalate
    from functions.escalate.themes import WORDS_STATE
    from tests.helpers.memory_store import MemoryStore
    from tests.helpers.support import escalation_book, escalation_deps

    now = datetime(2026, 11, 25, 10, 0, tzinfo=VN)
    store = MemoryStore()
    complaint = ["C-1", "Nguyễn Thị Lan", "lan@example.com", True, "", "Phí dịch vụ quá cao, nhân viên cau có", "", ""]
    book = escalation_book([complaint, ["C-2", "Trần Văn Huy", "huy@example.com", "", "", "", "", ""]])
    book.tables["Chủ đề"] = Table("Chủ đề", [c.title_vi for c in THEMES.columns], starter_rows("vi"))
    book.tables["Phản hồi"] = Table("Phản hồi", [c.title_vi for c in REPLIES.columns], [])
    calls = {"customer_id": "C-2", "name": "Trần Văn Huy", "due": "24/11/2026", "called": True,
             "outcome": "liên lạc được", "score": 2, "note": "Anh Huy nói giá cao hơn chỗ khác"}  # fmt: skip
    book.tables["Gọi điện"] = Table("Gọi điện", [c.title_vi for c in CALLS.columns],
                                    [[calls.get(c.key) for c in CALLS.columns]])  # fmt: skip
    run_escalate(escalation_deps(book, store), now)
    rows = [dict(zip(book.tables["Phản hồi"].header, r, strict=False)) for r in book.tables["Phản hồi"].rows]
    by_channel = {r["Kênh"]: r for r in rows}
    assert len(rows) == 2 and set(by_channel) == {"Nhân viên ghi", "Cuộc gọi"}
    assert by_channel["Nhân viên ghi"]["Chủ đề"] == "Thái độ nhân viên, Giá/phí"
    assert by_channel["Cuộc gọi"]["Chủ đề"] == "Giá/phí" and by_channel["Cuộc gọi"]["Mã KH"] == "C-2"
    cases = [dict(zip(book.tables["Hồ sơ"].header, r, strict=False)) for r in book.tables["Hồ sơ"].rows]
    assert [c["Chủ đề"] for c in cases] == ["Thái độ nhân viên, Giá/phí"]  # Hồ sơ shows the same themes
    themes = {r[0]: dict(zip(book.tables["Chủ đề"].header, r, strict=False)) for r in book.tables["Chủ đề"].rows}
    assert themes["Giá/phí"]["7 ngày qua"] == 2 and themes["Giá/phí"]["Khiếu nại"] == 2
    run_escalate(escalation_deps(book, store), now + timedelta(minutes=15))  # the case opened: not counted again
    again = {r[0]: r[book.tables["Chủ đề"].header.index("7 ngày qua")] for r in book.tables["Chủ đề"].rows}
    assert again["Giá/phí"] == 2 and len(book.tables["Phản hồi"].rows) == 2

    erase_requested(escalation_deps(book, store), book.read(list(_tabs())), now, asked=["C-1", "C-2"])
    examples = store.job_state.job_state("escalate")["themes"]["examples"]
    assert examples == {}  # both quotes were theirs
    words = store.job_state.job_state(WORDS_STATE)
    assert words and all(entry[1] == "" for day in words.values() for entry in day.values())


def _tabs():
    from functions.escalate.job import TABS

    return TABS


def test_staff_changing_keywords_re_tag_the_last_30_days_on_the_next_run():
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
    for n, comment in enumerate(["Wifi phòng chờ yếu quá", "wifi chập chờn, khó dùng", "Nhân viên nhiệt tình"]):
        survey = Survey(f"SV-{n}", f"C-{n}", "checkin/2026-11-16", "vi", now - timedelta(days=3), now)
        store.surveys.create_survey(survey)
        store.surveys.add_answer(survey.survey_id, Answer(3, now - timedelta(days=2, hours=n), comment), limit=20)
    book = escalation_book([[f"C-{n}", f"Khách {n}", f"k{n}@example.com", "", "", "", "", ""] for n in range(3)])
    book.tables["Chủ đề"] = Table("Chủ đề", [c.title_vi for c in THEMES.columns], starter_rows("vi"))
    book.tables["Phản hồi"] = Table("Phản hồi", [c.title_vi for c in REPLIES.columns], [])
    run_escalate(escalation_deps(book, store), now)

    def themes_cells():
        header = book.tables["Phản hồi"].header
        return {r[header.index("Nội dung")]: r[header.index("Chủ đề")] for r in book.tables["Phản hồi"].rows}

    assert themes_cells()["wifi chập chờn, khó dùng"] == ""
    book.tables["Chủ đề"].rows.append(["Mạng wifi", "wifi, mạng", True])  # staff add a theme
    run_escalate(escalation_deps(book, store), now + timedelta(minutes=15))
    assert themes_cells()["wifi chập chờn, khó dùng"] == "Mạng wifi"
    assert themes_cells()["Wifi phòng chờ yếu quá"] == "Thời gian chờ, Mạng wifi"
    header = book.tables["Chủ đề"].header
    wifi = next(r for r in book.tables["Chủ đề"].rows if r[0] == "Mạng wifi")
    assert wifi[header.index("7 ngày qua")] == 2 and wifi[header.index("Điểm TB")] == 3.0
    waiting = next(r for r in book.tables["Chủ đề"].rows if r[0] == "Thời gian chờ")
    assert waiting[header.index("7 ngày qua")] == 1  # counted again, not twice
    run_escalate(escalation_deps(book, store), now + timedelta(minutes=30))  # nothing changed: the same figures
    assert next(r for r in book.tables["Chủ đề"].rows if r[0] == "Mạng wifi")[header.index("7 ngày qua")] == 2
