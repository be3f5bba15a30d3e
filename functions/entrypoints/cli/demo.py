"""`careloop demo`: a sample workbook of Vietnamese customers, the follow-up job run on it as of
09:00 today (business time zone), and where to look at what happened.

The workbook is made once and kept, so running the demo again shows that nothing is sent twice.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from functions.core.i18n import both, say
from functions.entrypoints.cli.reports import escalation_summary, summary
from functions.ports import PreparableSheet
from functions.settings import load_settings

HEADER = [
    "Mã KH",
    "Họ tên",
    "Xưng hô",
    "Email",
    "Số điện thoại",
    "Ngày sinh",
    "Ngày mua",
    "Ngôn ngữ",
    "Kênh",
    "Từ chối nhận tin",
    "Leo thang",
    "Loại vấn đề",
    "Nội dung",
    "Mức độ",
    "Ghi chú của nhân viên",
]


MATRIX_ROWS: list[list[Any]] = [
    ["Loại vấn đề", "Phụ trách cấp 1", "Phụ trách cấp 2", "Phụ trách cấp 3", "Phản hồi đầu (giờ)", "Giải quyết (giờ)"],
    [
        "*",
        "Lễ tân Mai <letan@luatminhan.vn>",
        "Luật sư Tuấn <tuan@luatminhan.vn>",
        "Giám đốc An <an@luatminhan.vn>",
        4,
        24,
    ],
    [
        "Hợp đồng",
        "Luật sư Hà <ha@luatminhan.vn>",
        "Luật sư Tuấn <tuan@luatminhan.vn>",
        "Giám đốc An <an@luatminhan.vn>",
        2,
        16,
    ],
]


def _birthday_today(today: date, year: int) -> date | str:
    try:
        return date(year, today.month, today.day)
    except ValueError:  # 29 February in a year without one: staff type it without the year
        return f"{today.day:02d}/{today.month:02d}"


def _row(
    id: str,
    name: str,
    salutation: str,
    email: str,
    *,
    phone: object = "",
    birthday: object = "",
    purchase: object = "",
    language: str = "",
    channel: str = "",
    opt_out: object = "",
    escalate: object = "",
    category: str = "",
    issue: str = "",
    severity: str = "",
    staff_note: str = "",
) -> list[object]:
    """One customer in the order of HEADER."""
    return [
        id,
        name,
        salutation,
        email,
        phone,
        birthday,
        purchase,
        language,
        channel,
        opt_out,
        escalate,
        category,
        issue,
        severity,
        staff_note,
    ]


def sample_rows(today: date) -> list[list[object]]:
    """About thirty customers; the comment after each says what the demo shows with it."""
    ago = lambda days: today - timedelta(days=days)  # noqa: E731
    dmy = lambda d: f"{d:%d/%m/%Y}"  # noqa: E731
    other_day = today + timedelta(days=45)
    return [
        _row(
            "C-001",
            "Nguyễn Thị Lan",
            "chị",
            "lan.nguyen@example.com",
            phone="0912345678",
            birthday=_birthday_today(today, 1990),
            purchase=ago(40),
            language="vi",
            opt_out=False,
            staff_note="Khách quen",
        ),  # birthday
        _row(
            "C-002", "Trần Văn Hùng", "anh", "hung.tran@example.com", phone="0987 654 321", birthday=f"{today:%d/%m}"
        ),  # birthday, no year
        _row(
            "C-003",
            "Lê Minh Tuấn",
            "anh",
            "tuan.le@example.com",
            birthday=dmy(date(1985, 3, 14)),
            purchase=dmy(ago(7)),
            escalate=True,
            category="Hợp đồng",
            issue="Đã hai tuần mà tôi chưa nhận được bản thảo hợp đồng",
        ),  # check-in; a complaint, tier 1
        _row(
            "C-004",
            "Phạm Thu Hà",
            "chị",
            "ha.pham@example.com",
            phone="+84 903 111 222",
            birthday=date(1992, 7, 2),
            purchase=ago(7),
            language="vi",
            channel="email",
            staff_note="Đã tư vấn hợp đồng",
        ),  # check-in
        # late check-in, inside catch-up
        _row("C-005", "Hoàng Đức Anh", "ông", "anh.hoang@example.com", purchase=f"{ago(9):%Y-%m-%d}"),
        _row("C-006", "Vũ Thị Mai", "bà", "mai.vu@example.com", purchase=dmy(ago(15))),  # too late
        _row(
            "C-007",
            "Đặng Quốc Bảo",
            "anh",
            "bao.dang@example.com",
            phone="0934567890",
            birthday=_birthday_today(today, 1988),
            purchase=ago(7),
        ),  # birthday wins, check-in waits
        _row(
            "C-008", "Bùi Ngọc Ánh", "chị", "anh.bui@example.com", birthday=_birthday_today(today, 1995), opt_out=True
        ),  # opted out
        # no Zalo gateway yet
        _row("C-009", "Đỗ Thanh Tùng", "anh", "", phone="0977 888 999", purchase=ago(7), channel="Zalo"),
        _row("C-010", "Ngô Thị Hương", "chị", "huong.ngo@example.com", birthday="31/02/1990"),  # impossible date
        _row("C-011", "Dương Văn Long", "anh", "", phone="12345", purchase=ago(7)),  # bad phone
        _row("C-012", "Lý Thị Thảo", "chị", "", purchase=ago(7), staff_note="Chưa xin được số"),  # no contact
        _row(
            "C-013",
            "John Carter",
            "Mr",
            "john.carter@example.com",
            birthday=_birthday_today(today, 1979),
            language="en",
            staff_note="Expat client",
        ),  # English birthday
        # English check-in
        _row("C-014", "Emily Nguyen", "Ms", "emily.nguyen@example.com", purchase=ago(7), language="English"),
        _row(
            "",
            "Trịnh Văn Khoa",
            "anh",
            "khoa.trinh@example.com",
            purchase=dmy(ago(8)),
            staff_note="Khách mới, chưa có mã",
        ),  # gets an ID
        [None] * len(HEADER),  # a blank row staff left
        _row(
            "C-016",
            "Mai Anh Đào",
            "chị",
            "dao.mai@example.com",
            phone="0911 222 333",
            birthday=_birthday_today(other_day, 1993),
            purchase=ago(30),
        ),
        _row(
            "C-017",
            "Phan Văn Đức",
            "anh",
            "duc.phan@example.com",
            birthday=f"{date(1980, 5, 1):%d-%m-%Y}",
            purchase=ago(60),
            escalate="x",
            category="Phí",
            issue="Tôi yêu cầu hoàn tiền phí tư vấn vì không ai đến buổi hẹn",
        ),  # refund: tier 3
        _row(
            "C-018",
            "Trương Thị Kim",
            "cô",
            "kim.truong@example.com",
            birthday=f"{date(1975, 9, 2):%d.%m.%Y}",
            purchase=ago(3),
        ),  # check-in in 4 days
        _row("C-019", "Võ Minh Khang", "em", "khang.vo@example.com", birthday="15/08/01", purchase=ago(100)),
        _row("C-020", "Huỳnh Thị Ngân", "chị", "ngan.huynh@example.com", purchase=ago(7)),  # duplicated ID
        # duplicated ID
        _row("C-020", "Hồ Văn Phúc", "anh", "phuc.ho@example.com", purchase=ago(7), staff_note="Nhập trùng mã"),
        _row("C-021", "Tạ Quang Vinh", "anh", "vinh.ta@example", purchase=ago(7)),  # bad email
        _row(
            "C-022", "Lâm Thị Tuyết", "chị", "tuyet.lam@example.com", phone=912000111, birthday=33000, purchase=ago(20)
        ),  # number-typed phone, serial date
        _row("C-023", "Châu Gia Huy", "anh", "huy.chau@example.com", purchase=ago(6)),  # check-in tomorrow
        _row("C-024", "Kiều Thị Oanh", "chị", "oanh.kieu@example.com", purchase=ago(1)),
        _row("C-025", "Tôn Nữ Diễm", "bà", "diem.ton@example.com", purchase="hôm qua"),  # unreadable date
        _row(
            "C-026",
            "La Văn Sơn",
            "chú",
            "son.la@example.com",
            birthday=date(1960, 1, 1),
            purchase=ago(200),
            escalate=True,
            issue="Lễ tân trả lời điện thoại chưa lịch sự",
            severity="2",
        ),  # Severity 2
        # check-in, "anh/chị"
        _row("C-027", "Quách Thị Yến", "", "yen.quach@example.com", purchase=ago(7), staff_note="Không rõ xưng hô"),
        _row("C-028", "Mạc Đăng Khoa", "anh", "khoa.mac@example.com", purchase=ago(7), opt_out="không"),  # check-in
        _row("C-029", "Giang Thị Thu", "chị", "thu.giang@example.com", purchase=ago(12)),  # too late
        _row("C-030", "Ông Văn Tài", "ông", "tai.ong@example.com", purchase=ago(2)),
    ]


def write_sample_workbook(path: Path, today: date) -> None:
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Khách hàng"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in sample_rows(today):
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "DD/MM/YYYY"
    matrix = workbook.create_sheet("Ma trận leo thang")
    for row in MATRIX_ROWS:
        matrix.append(row)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKLMNO", (9, 22, 8, 28, 16, 12, 12, 10, 8, 10, 10, 12, 24, 8, 24), strict=False):
        sheet.column_dimensions[letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def seed_sheet(sheet: PreparableSheet, today: date, language: str) -> None:
    """The sample customers written into a spreadsheet that has none yet (a Google Sheet)."""
    from functions.core.sheet_layout import layouts
    from functions.core.sheet_schema import CUSTOMERS, MATRIX, locate_columns
    from functions.core.tables import RowWrite, TabWrite

    sheet.prepare(layouts(language), language)
    table = sheet.read([CUSTOMERS])[CUSTOMERS.key]
    if any(any(v not in (None, "") for v in row) for row in table.rows):
        return
    keys = locate_columns(CUSTOMERS, HEADER, require=False)
    by_position = {position: key for key, position in keys.items()}
    writes = [
        RowWrite(
            number, None, {by_position[i]: v for i, v in enumerate(values) if i in by_position and v not in (None, "")}
        )
        for number, values in enumerate(sample_rows(today), start=2)
    ]
    order = [c.key for c in MATRIX.columns]
    owners = [
        RowWrite(number, "*" if row[0] == "*" else None, dict(zip(order, row, strict=False)))
        for number, row in enumerate(MATRIX_ROWS[1:], start=2)
    ]
    sheet.write(
        [
            TabWrite(CUSTOMERS, CUSTOMERS.column("id"), [w for w in writes if w.values], language),
            TabWrite(MATRIX, MATRIX.column("category"), owners, language),
        ]
    )


def run_demo(folder: Path, fresh: bool = False, sheet: str | None = None) -> int:
    from functions import bootstrap
    from functions.core.sheet_layout import layouts
    from functions.escalate.job import run_escalate
    from functions.followup.job import run_followup

    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    settings = load_settings(
        overrides={
            "sheet": sheet or str(folder / "khach-hang.xlsx"),
            "store": str(folder / "careloop.sqlite"),
            "outbox": str(folder / "outbox"),
            "smtp_host": "",
            "business_name": "Văn phòng Luật Minh An",
            "sender_email": "cskh@luatminhan.vn",
        }
    )
    zone = ZoneInfo(settings.timezone)
    now = datetime.combine(datetime.now(zone).date(), time(9, 0), zone)
    deps = bootstrap.followup_deps(settings)
    if sheet:
        seed_sheet(bootstrap.open_sheet(settings), now.date(), settings.staff_language)
        where = settings.sheet
    else:
        workbook = Path(settings.sheet)
        if not workbook.exists():
            write_sample_workbook(workbook, now.date())
        where = str(workbook.resolve())
        # the Cases and Dashboard tabs
        bootstrap.open_sheet(settings).prepare(layouts(settings.staff_language), settings.staff_language)
    outcome = run_followup(deps, now)
    print(summary(outcome.report, settings.staff_language))
    print()
    answered = _customer_answers(settings, now) if outcome.report["sent"] else None  # first demo run only
    if answered:
        print(f"— {both('simulated')}: {answered} {both('demo_low_score')}")
    escalation = bootstrap.escalate_deps(settings)
    report = run_escalate(escalation, now)
    print(escalation_summary(report, settings.staff_language))
    waiting = [c for c in escalation.store.cases(open_only=True) if c.tier < 3 and c.first_responded_at is None]
    if waiting and report["opened"]:  # nobody answers in time: show a case moving up a tier (first demo run only)
        later = max(c.first_response_due for c in waiting) + timedelta(minutes=1)
        print(f"\n— {both('simulated')} {later:%d/%m/%Y %H:%M}: {both('demo_no_answer')}")
        print(escalation_summary(run_escalate(escalation, later), settings.staff_language))
    outbox = Path(settings.outbox).resolve()
    print()
    files = len(list(outbox.glob("*.eml"))) if outbox.exists() else 0
    print(f"{both('workbook')}: {where}  ({both('demo_see_columns')})")
    print(f"{both('outbox')}:  {outbox}  ({files} {both('demo_eml_files')})")
    print(f"{both('store')}:  {Path(settings.store).resolve()}")
    if not outcome.report["sent"]:
        print(f"{say('demo_nothing_new', 'vi')}\n{say('demo_nothing_new', 'en')}")
    return 0


def _customer_answers(settings, now: datetime) -> str | None:
    """One customer answers a check-in survey with a low score, through the survey page's own
    handler (GET, then POST with its form value), so the demo shows the loop closing."""
    from urllib.parse import urlsplit

    from functions import bootstrap
    from functions.adapters.templates import Templates
    from functions.survey.page import SurveyDeps, handle_survey

    store = bootstrap.open_store(settings)
    fresh = [s for s in store.surveys(now - timedelta(minutes=1)) if not s.answers]
    if not fresh:
        return None
    survey, links = fresh[0], bootstrap.links(settings)
    deps = SurveyDeps(store, links, Templates(), settings.business_name, lambda: now, settings.csat_threshold)
    path = urlsplit(links.survey(survey.survey_id, survey.language)).path
    page, _, _ = handle_survey("GET", path, {"score": "2"}, {}, deps)
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    handle_survey("POST", path, {}, {"score": "2", "comment": "Chờ lâu, chưa ai gọi lại", "csrf": csrf}, deps)
    return survey.customer_id
