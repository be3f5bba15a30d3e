"""A corpus of over a hundred bad and odd rows: nothing crashes, every bad row gets a readable
note, every good row is processed."""

from datetime import date, datetime, timedelta

from functions.adapters.stores.sqlite import SqliteStore
from functions.followup.job import run_followup
from tests.helpers import NINE_AM, TODAY
from tests.helpers.fakes import MemoryChannel
from tests.helpers.support import deps, memory_sheet, row

WEEK_AGO = TODAY - timedelta(days=7)
BAD_VALUES = {
    # column → values that must each become a note on their row
    "birthday": [
        "31/02/1990",
        "30/02/2000",
        "32/01/1990",
        "00/00/0000",
        "1990",
        "hôm qua",
        "=DATE(1990;1;1)",
        "12/13/1990",
        "01/01/2999",
        "🎂",
        "x" * 5000,
        "23-11-",
        "23/11/1990/2",
        "-1",
        "1/1/1/1",
        0,
        -3,
        10**8,
        "  /  /  ",
    ],
    "purchase": [
        "31/04/2026",
        "16/11",
        "hôm qua",
        "=TODAY()-7",
        "2026-13-01",
        "01/01/2999",
        "👍",
        "N/A",
        "16/11/2026 9h",
        "0",
    ],
    "phone": [
        "12345",
        "abc",
        "+84",
        "0000000000",
        "091234567890123456",
        "☎️ 0912",
        "+1 234",
        "028 3822 1234 / 0912345678",
        "0912345678; 0987654321",
    ],
    "email": [
        "lan",
        "lan@",
        "@x.vn",
        "lan@x",
        "lan@@x.vn",
        "lan x@y.vn",
        "a..b@x.vn",
        '=HYPERLINK("x")',
        "lan@x.vn, hoa@y.vn",
        "lan@x.vn\nhoa@y.vn",
        "lan@-x.vn",
        "Nguyễn@example.com",  # non-ASCII before the @: most servers cannot take it
        "用户@例子.广告",
        "x" * 100_000 + "@example.com",  # a 100,000-character cell
    ],
    "language": ["fr", "Français", "??", "中文"],
    "channel": ["fax", "telegram", "bồ câu", "?"],
    "opt_out": ["maybe", "có lẽ", "2", "✗✗"],
}
COLUMN_INDEX = {"birthday": 5, "purchase": 6, "phone": 4, "email": 3, "language": 7, "channel": 8, "opt_out": 9}


def corpus():
    rows, bad_ids = [], set()
    for column, values in BAD_VALUES.items():
        for i, value in enumerate(values):
            cid = f"B-{column}-{i}"
            r = row(cid, "Nguyễn Văn Lỗi", "anh", f"{cid.lower()}@example.com", birthday="23/11/1990")
            r[COLUMN_INDEX[column]] = value
            if column == "email":
                r[3] = value
            rows.append(r)
            bad_ids.add(cid)
    for i in range(15):  # duplicated IDs, no name, no contact, too long names
        rows.append(row(f"D-{i // 3}", f"Trùng Mã {i}", email=f"d{i}@example.com"))
        bad_ids.add(f"D-{i // 3}")
    rows += [
        row("N-1", "", email="n1@example.com"),
        row("N-2", "   ", email="n2@example.com"),
        row("N-3", "A" * 300, email="n3@example.com"),
        row("N-4", email="", phone=""),
        row("N-5", email="", phone="", channel="sms"),
        row("N-6", email="n6@example.com", channel="sms"),
        row("N-7", email="", phone="0912345678", channel="email"),
    ]
    bad_ids |= {f"N-{i}" for i in range(1, 8)}
    for i, cid in enumerate(["C-1\nBcc: spy@evil.com", "C-2\r\nX", "C-3\x00"]):  # IDs no header may carry
        rows.append(row(cid, "Lê Văn Mã", email=f"crlf{i}@example.com", birthday="23/11/1990"))
        bad_ids.add(cid)
    rows += [[None] * 10, [""] * 10, ["", " ", "", "", "", "", "", "", "", ""], [None, None]]  # blank rows
    good = []
    for i in range(120):  # good rows with odd but valid content, all due today
        name = [
            "Nguyễn Thị Lan 🌸",
            "Trần   Văn   Hùng",
            "O'Brien Mai",
            "=Lê Văn Tám",
            "Phạm Thu <b>Hà</b>",
            "Đỗ Thị Ánh-Nguyệt",
            "Ngô\tBảo",
            "Hồ Văn Ý" + " Long" * 20,
            "=?utf-8?q?X=0D=0AReply-To:_attacker@evil.com?= Lan",  # looks like an encoded word
            "Vũ\r\nBcc: spy@evil.com",  # a line break typed into a name
        ][i % 10]
        birthday = [
            date(1990, 11, 23),
            "23/11/1990",
            "23/11",
            "23-11-1990",
            "23.11.1990",
            "1990-11-23",
            33200,
            datetime(1985, 11, 23, 0, 0),
        ][i % 8]
        if birthday == 33200:
            birthday = (date(1990, 11, 23) - date(1899, 12, 30)).days
        cid = f"G-{i}"
        good.append(cid)
        rows.append(
            row(
                cid,
                name,
                ["chị", "anh", "", "Mr", "bà", "Ms", "em", "ông"][i % 8],
                f"g{i}@bücher.de" if i % 10 == 9 else f"g{i}@example.com",  # IDN domains too
                ["", "0912345678", 912345678, "+84 912 345 678"][i % 4],
                birthday,
                "",
                ["", "vi", "en", "English"][i % 4],
                ["", "email", "Email", ""][i % 4],
                ["", False, "không", None][i % 4],
            )
        )
    return rows, bad_ids, good


def test_the_corpus_is_big_enough():
    rows, bad_ids, good = corpus()
    assert len(rows) >= 200 and len(bad_ids) >= 70


def test_bad_rows_get_notes_and_good_rows_are_processed(tmp_path):
    rows, bad_ids, good = corpus()
    sheet, channel = memory_sheet(rows), MemoryChannel()
    report = run_followup(deps(sheet, SqliteStore(tmp_path / "s.sqlite"), channel), NINE_AM).report

    problem_ids = {p["customer_id"] for p in report["problems"]}
    assert bad_ids <= problem_ids, sorted(bad_ids - problem_ids)
    assert not problem_ids & set(good)
    for p in report["problems"]:
        assert p["message"] and len(p["message"]) < 200 and "Traceback" not in p["message"]

    assert sorted(s["customer_id"] for s in report["sent"]) == sorted(good)
    assert len(channel.delivered) == len(good) and not report["failed"]
    sent_to_bad = {m.key.split("/")[1] for m in channel.delivered} & bad_ids
    assert not sent_to_bad

    notes = dict(zip(sheet.column("Mã KH"), sheet.column("Ghi chú hệ thống"), strict=False))
    for cid in bad_ids:
        assert notes[cid], cid
    for cid in good:
        assert not notes[cid]
    # Formula-looking text from staff or customers is quoted back as text.
    assert any("=DATE(1990;1;1)" in n for n in notes.values() if n)


def test_good_rows_render_odd_names_safely(tmp_path):
    rows, _, good = corpus()
    channel = MemoryChannel()
    run_followup(deps(memory_sheet(rows), SqliteStore(tmp_path / "s.sqlite"), channel), NINE_AM)
    html = "\n".join(m.html for m in channel.delivered)
    assert "<b>Hà</b>" not in html and "&lt;b&gt;Hà&lt;/b&gt;" in html
    greetings = {m.key.split("/")[1]: m.subject for m in channel.delivered}
    assert greetings["G-1"] == "Chúc mừng sinh nhật anh Hùng!"


def test_the_hostile_corpus_runs_to_a_report_and_each_good_row_is_sent_once_as_clean_bytes(tmp_path):
    """Through the real outbox: every message's raw bytes, over two runs."""
    import re

    from functions.adapters.channels.outbox import OutboxChannel

    rows, bad_ids, good = corpus()
    sheet, store = memory_sheet(rows), SqliteStore(tmp_path / "s.sqlite")
    outbox = OutboxChannel(tmp_path / "outbox", "Văn phòng Luật Minh An", "cskh@luatminhan.vn")
    first = run_followup(deps(sheet, store, outbox), NINE_AM).report
    second = run_followup(deps(sheet, store, outbox), NINE_AM).report
    assert {p["customer_id"] for p in first["problems"]} >= bad_ids
    assert sorted(s["customer_id"] for s in first["sent"]) == sorted(good) and second["sent"] == []
    assert first["failed"] == [] and first["unknown"] == [] and first["write_back"] == {"rows": len(rows) - 4,
                                                                                          "missed": []}  # fmt: skip
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == len(good)  # each good row exactly once
    allowed = {"From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post",
               "Content-Language", "X-Careloop-Key", "MIME-Version", "Content-Type"}  # fmt: skip
    for path in files:
        raw = path.read_bytes()
        head = re.sub(rb"\r\n[ \t]", b" ", raw.split(b"\r\n\r\n", 1)[0]).decode("ascii")
        names = [line.split(":", 1)[0] for line in head.split("\r\n")]
        assert set(names) <= allowed and len(names) == len(set(names)), path.name
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
