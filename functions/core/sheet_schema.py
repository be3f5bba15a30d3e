"""The spreadsheet contract: tabs and columns, found by name rather than position (pure).

Headers are compared after `header_key` (case, spaces, punctuation and Vietnamese diacritics
ignored), so "Ngày sinh", "NGAY SINH" and "ngày_sinh" are one column.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from functions.core.channel_specs import ChannelBook
from functions.core.i18n import both
from functions.core.text import header_key


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    title_vi: str
    title_en: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    system: bool = False  # written by careloop only
    # How careloop shows a column it makes (never one staff made): its width in characters (0: its
    # header's), long text wrapped, and the number format of the numbers it writes there.
    width: int = 0
    wrap: bool = False
    number_format: str = ""

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_vi

    def width_in(self, language: str) -> int:
        """Characters: the width set, else the header's longest word (a wrapped header takes lines)."""
        return max(self.width, max(len(word) for word in self.title(language).split()) + 3, 8)

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.title_vi, self.title_en, *self.aliases)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(header_key(s) for s in self.spellings)


@dataclass(frozen=True)
class TabSpec:
    key: str
    title_vi: str
    title_en: str
    columns: tuple[ColumnSpec, ...]
    aliases: tuple[str, ...] = ()

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_vi

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.title_vi, self.title_en, *self.aliases)

    def column(self, key: str) -> ColumnSpec:
        return next(c for c in self.columns if c.key == key)


C = ColumnSpec
CUSTOMERS = TabSpec(
    "customers",
    "Khách hàng",
    "Customers",
    aliases=("Khach hang", "Clients"),
    columns=(
        C("id", "Mã KH", "ID", ("Mã khách hàng", "Customer ID", "Ma KH"), system=False),
        C("name", "Họ tên", "Name", ("Họ và tên", "Tên khách hàng", "Full name", "Customer name"), required=True),
        C("salutation", "Xưng hô", "Salutation", ("Danh xưng", "Title")),
        C("email", "Email", "E-mail", ("Thư điện tử", "Địa chỉ email", "Email address")),
        C("phone", "Số điện thoại", "Phone", ("SĐT", "Điện thoại", "Di động", "Mobile", "Phone number", "Tel")),
        C("birthday", "Ngày sinh", "Birthday", ("DOB", "Date of birth", "Sinh nhật")),
        C(
            "purchase_date",
            "Ngày mua",
            "Purchase date",
            ("Ngày mua hàng", "Ngày dịch vụ", "Last purchase", "Service date"),
        ),
        C("language", "Ngôn ngữ", "Language", ("Lang",)),
        C("channel", "Kênh", "Channel", ("Kênh liên lạc",)),
        C("opt_out", "Từ chối nhận tin", "Opt out", ("Từ chối", "Unsubscribed", "Opt-out")),
        # Advertising (a birthday voucher, "[QC]") only with the customer's prior consent (Decree 91/2020).
        C("marketing_consent", "Đồng ý nhận quảng cáo", "Marketing consent", ("Đồng ý quảng cáo", "Consent")),
        # Ticked: the next escalation run erases the customer's personal data (Law 91/2025/QH15).
        C("erase", "Xóa dữ liệu", "Erase data", ("Xoá dữ liệu",)),
        C("vip", "VIP", "VIP", ("Khách VIP",)),
        C("escalate", "Leo thang", "Escalate"),
        C("category", "Loại vấn đề", "Category"),
        C("issue", "Nội dung", "Issue", ("Vấn đề", "Complaint")),
        C("severity", "Mức độ", "Severity"),
        C("case_id", "Mã hồ sơ", "Case ID", system=True, width=13),
        C("last_contact", "Liên hệ gần nhất", "Last contact", system=True, width=42),
        C("csat", "CSAT", "CSAT", ("Điểm hài lòng",), system=True, width=8),
        C("system_note", "Ghi chú hệ thống", "System note", system=True, width=45, wrap=True),
    ),
)
MATRIX = TabSpec(
    "matrix",
    "Ma trận leo thang",
    "Escalation matrix",
    aliases=("Ma tran leo thang", "Escalation"),
    columns=(
        C("category", "Loại vấn đề", "Category", required=True, width=16),
        C("tier1_owner", "Phụ trách cấp 1", "Tier 1 owner", ("Cấp 1", "Tier 1"), width=34),
        C("tier2_owner", "Phụ trách cấp 2", "Tier 2 owner", ("Cấp 2", "Tier 2"), width=34),
        C("tier3_owner", "Phụ trách cấp 3", "Tier 3 owner", ("Cấp 3", "Tier 3"), width=34),
        C("first_response_hours", "Phản hồi đầu (giờ)", "First response (hours)", ("Phản hồi đầu", "First response")),
        C("resolve_hours", "Giải quyết (giờ)", "Resolve (hours)", ("Giải quyết", "Resolve")),
    ),
)
CASES = TabSpec(
    "cases",
    "Hồ sơ",
    "Cases",
    aliases=("Ho so", "Cases tab"),
    columns=(
        C("case_id", "Mã hồ sơ", "Case ID", required=True, system=True, width=13),
        C("customer_id", "Mã KH", "Customer ID", system=True, width=14),
        C("customer", "Khách hàng", "Customer", system=True, width=22),
        C("category", "Loại vấn đề", "Category", system=True, width=16),
        C("issue", "Nội dung", "Issue", system=True, width=45, wrap=True),
        C("tier", "Cấp", "Tier", system=True),
        C("owner", "Phụ trách", "Owner", system=True, width=34),
        C("status", "Trạng thái", "Status", width=14),
        C("opened", "Mở lúc", "Opened", system=True, width=17),
        C("first_response_due", "Hạn phản hồi", "First response due", system=True, width=17),
        C("resolve_due", "Hạn giải quyết", "Resolve due", system=True, width=17),
        C("resolution_note", "Ghi chú xử lý", "Resolution note", width=30, wrap=True),
        C("system_note", "Ghi chú hệ thống", "System note", system=True, width=40, wrap=True),
    ),
)
DASHBOARD = TabSpec(
    "dashboard",
    "Tổng quan",
    "Dashboard",
    aliases=("Tong quan",),
    columns=(
        C("metric", "Chỉ số", "Metric", system=True, width=40),
        C("value", "Giá trị", "Value", system=True, width=17),
        C("period", "Kỳ", "Period", system=True, width=14),
        # The twelve weeks the charts draw, oldest first, one row a week (Tuần số 1–12).
        C("week_no", "Tuần số", "Week no", system=True),
        C("week", "Tuần", "Week", system=True, width=26),  # "tuần 07/12 (đang diễn ra)"
        C("messages", "Tin gửi", "Messages", system=True),
        # Then a "By <channel>" column for each channel: dashboard_tab().
        C("messages_birthday", "Tin sinh nhật", "Birthday messages", system=True),
        C("messages_checkin", "Tin hỏi thăm", "Check-in messages", system=True),
        C("messages_case", "Tin về hồ sơ", "Case messages", system=True),
        C("answers", "Đánh giá", "Answers", system=True),
        C("score_mean", "Điểm TB", "Mean score", system=True, number_format="0.00"),
        C("satisfied", "% hài lòng", "% satisfied", system=True),
        C("nps", "NPS tuần", "Weekly NPS", system=True),
        C("opened_t1", "Hồ sơ mới cấp 1", "Opened tier 1", system=True),
        C("opened_t2", "Hồ sơ mới cấp 2", "Opened tier 2", system=True),
        C("opened_t3", "Hồ sơ mới cấp 3", "Opened tier 3", system=True),
        C("resolved", "Hồ sơ giải quyết", "Cases resolved", system=True),
        C("resolved_t1", "Giải quyết cấp 1", "Resolved tier 1", system=True),
        C("resolved_t2", "Giải quyết cấp 2", "Resolved tier 2", system=True),
        C("resolved_t3", "Giải quyết cấp 3", "Resolved tier 3", system=True),
        C("sla_t1", "% đạt hạn phản hồi cấp 1", "% first response in time, tier 1", system=True),
        C("sla_t2", "% đạt hạn phản hồi cấp 2", "% first response in time, tier 2", system=True),
        C("sla_t3", "% đạt hạn phản hồi cấp 3", "% first response in time, tier 3", system=True),
        C(
            "frt_t1",
            "Phản hồi đầu (FRT) cấp 1, giờ",
            "First response (FRT) tier 1, h",
            ("FRT trung vị cấp 1 (giờ)", "Median FRT tier 1 (h)"),
            system=True,
            number_format="0.00",
        ),
        C(
            "frt_t2",
            "Phản hồi đầu (FRT) cấp 2, giờ",
            "First response (FRT) tier 2, h",
            ("FRT trung vị cấp 2 (giờ)", "Median FRT tier 2 (h)"),
            system=True,
            number_format="0.00",
        ),
        C(
            "frt_t3",
            "Phản hồi đầu (FRT) cấp 3, giờ",
            "First response (FRT) tier 3, h",
            ("FRT trung vị cấp 3 (giờ)", "Median FRT tier 3 (h)"),
            system=True,
            number_format="0.00",
        ),
        C(
            "atht_t1",
            "Xử lý (ATHT) cấp 1, giờ",
            "Handling (ATHT) tier 1, h",
            ("ATHT trung vị cấp 1 (giờ)", "Median ATHT tier 1 (h)"),
            system=True,
            number_format="0.00",
        ),
        C(
            "atht_t2",
            "Xử lý (ATHT) cấp 2, giờ",
            "Handling (ATHT) tier 2, h",
            ("ATHT trung vị cấp 2 (giờ)", "Median ATHT tier 2 (h)"),
            system=True,
            number_format="0.00",
        ),
        C(
            "atht_t3",
            "Xử lý (ATHT) cấp 3, giờ",
            "Handling (ATHT) tier 3, h",
            ("ATHT trung vị cấp 3 (giờ)", "Median ATHT tier 3 (h)"),
            system=True,
            number_format="0.00",
        ),
        C("escalation_rate", "% leo thang", "% escalated", system=True),
        C("vouchers_issued", "Phiếu phát", "Vouchers issued", system=True),
        C("vouchers_used", "Phiếu dùng", "Vouchers used", system=True),
        C("replies", "Phản hồi của khách", "Customer replies", system=True),
        C("refusals", "Từ chối qua phản hồi", "Refusals by reply", system=True),
        C("bounces", "Email bị trả lại", "Bounced emails", system=True),
    ),
)


def dashboard_tab(channels: ChannelBook) -> TabSpec:
    """The Dashboard with a "By <channel>" column of messages for each channel, after Messages."""
    at = [c.key for c in DASHBOARD.columns].index("messages") + 1
    added = tuple(ColumnSpec(f"messages_{spec.name}", f"Qua {spec.shown}", f"By {spec.shown}", system=True)
                  for spec in channels.specs)  # fmt: skip
    return dataclasses.replace(DASHBOARD, columns=DASHBOARD.columns[:at] + added + DASHBOARD.columns[at:])


CALLS = TabSpec(
    "calls",
    "Gọi điện",
    "Calls",
    aliases=("Goi dien", "Danh sách gọi", "Call list"),
    columns=(
        C("customer_id", "Mã KH", "Customer ID", required=True, system=True, width=14),
        C("name", "Họ tên", "Name", system=True, width=22),
        C("phone", "Số điện thoại", "Phone", system=True, width=16),
        C("reason", "Lý do", "Reason", system=True, width=38, wrap=True),
        C("due", "Hạn", "Due", system=True, width=12),
        C("called", "Đã gọi", "Called"),
        C("outcome", "Kết quả", "Outcome", width=20),
        C("score", "Điểm nghe được", "Score heard"),
        C("note", "Ghi chú", "Note", width=30, wrap=True),
        C("escalate", "Leo thang", "Escalate"),
        C("system_note", "Ghi chú hệ thống", "System note", system=True, width=40, wrap=True),
    ),
)
MESSAGES = TabSpec(
    "messages",
    "Mẫu tin nhắn",
    "Messages",
    aliases=("Mau tin nhan", "Message texts", "Nội dung tin"),
    columns=(
        C("template_id", "Mã mẫu", "Template ID", system=True, width=22),
        C("kind", "Loại tin", "Kind", ("Loại",), required=True, width=20),
        C("language", "Ngôn ngữ", "Language", ("Lang",)),
        C("channel", "Kênh", "Channel", width=8),
        C("subject", "Tiêu đề", "Subject", width=40, wrap=True),
        C("text", "Nội dung", "Text", ("Nội dung tin", "Message"), required=True, width=60, wrap=True),
        C("active", "Dùng", "Active", ("Đang dùng", "In use")),
        C("test", "Gửi thử", "Send test", ("Thử", "Test")),
        C("system_note", "Ghi chú hệ thống", "System note", system=True, width=40, wrap=True),
    ),
)
VOUCHERS = TabSpec(
    "vouchers",
    "Phiếu quà tặng",
    "Vouchers",
    aliases=("Phieu qua tang", "Voucher", "Quà tặng"),
    columns=(
        C("code", "Mã phiếu", "Code", ("Mã quà tặng", "Voucher code"), required=True, system=True, width=12),
        C("customer_id", "Mã KH", "Customer ID", system=True, width=14),
        C("customer", "Họ tên", "Name", system=True, width=22),
        C("value", "Giá trị", "Value", system=True, width=24),
        C("issued", "Ngày phát", "Issued", system=True, width=12),
        C("expires", "Hạn dùng", "Expires", system=True, width=12),
        C("used", "Đã dùng", "Used"),
        C("used_on", "Ngày dùng", "Used on", system=True, width=12),
        C("system_note", "Ghi chú hệ thống", "System note", system=True, width=40, wrap=True),
    ),
)
HEALTH = TabSpec(
    "health",
    "Tình trạng",
    "Health",
    aliases=("Tinh trang", "Tình trạng hệ thống"),
    columns=(
        C("job", "Việc", "Job", required=True, system=True, width=24),
        C("last_run", "Lần chạy gần nhất", "Last run", system=True, width=17),
        C("result", "Kết quả", "Result", system=True, width=16),
        C("sent", "Đã gửi", "Sent", system=True),
        C("failed", "Lỗi", "Failed", system=True),
        C("detail", "Chi tiết", "Detail", system=True, width=60, wrap=True),
        C("next_run", "Lần chạy tới", "Next run", system=True, width=17),
    ),
)
REPLIES = TabSpec(
    "replies",
    "Phản hồi",
    "Replies",
    aliases=("Phan hoi", "Trả lời của khách"),
    columns=(
        C("reply_id", "Mã phản hồi", "Reply ID", required=True, system=True, width=14),
        C("received", "Thời gian", "Received", system=True, width=17),
        C("customer_id", "Mã KH", "Customer ID", system=True, width=14),
        C("name", "Họ tên", "Name", system=True, width=22),
        C("channel", "Kênh", "Channel", system=True, width=8),
        C("answers", "Trả lời tin", "Answers", system=True, width=30, wrap=True),
        C("text", "Nội dung", "Text", system=True, width=50, wrap=True),
        C("action", "careloop đã làm", "careloop did", system=True, width=30, wrap=True),
        C("confirm", "Xác nhận", "Confirm"),  # staff: do what the row says careloop would (issue 32)
        C("done", "Đã xử lý", "Done"),
        C("system_note", "Ghi chú hệ thống", "System note", system=True, width=40, wrap=True),
    ),
)
SETTINGS = TabSpec(
    "settings",
    "Cài đặt",
    "Settings",
    aliases=("Cai dat", "Thiết lập", "Setup"),
    columns=(
        C("name", "Cài đặt", "Setting", ("Tên cài đặt", "Setting name"), required=True, system=True, width=22),
        C("value", "Giá trị", "Value", width=50, wrap=True),
        C("meaning", "Ý nghĩa", "Meaning", system=True, width=60, wrap=True),
        C("system_note", "Ghi chú hệ thống", "System note", system=True, width=50, wrap=True),
    ),
)
del C


class ChartSpec(NamedTuple):
    """A chart over the Dashboard's weekly series: the weeks along the bottom, one line or column
    per series column, its header the series' name."""

    key: str
    title_vi: str
    title_en: str
    kind: str  # "LINE" or "COLUMN"
    series: tuple[str, ...]  # column keys
    axis_vi: str
    axis_en: str
    stacked: bool = False

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_vi

    def axis(self, language: str) -> str:
        return self.axis_en if language == "en" else self.axis_vi


@dataclass(frozen=True)
class TabLayout:
    tab: TabSpec
    checkboxes: tuple[str, ...] = ()
    dropdowns: dict[str, list[str]] = field(default_factory=dict)
    starter_rows: list[list[Any]] = field(default_factory=list)  # written only into an empty tab
    header_notes: dict[str, str] = field(default_factory=dict)  # column key → a note on its header cell
    charts: tuple[ChartSpec, ...] = ()
    colours: dict[str, dict[str, str]] = field(default_factory=dict)  # column key → cell text → background

    def headers(self, language: str) -> list[str]:
        return [c.title(language) for c in self.tab.columns]

    def choices(self, key: str) -> list[str] | None:
        """The values a checkbox or dropdown column accepts; None for a free column."""
        if key in self.checkboxes:
            return ["TRUE", "FALSE"]
        return self.dropdowns.get(key)

    def protected(self) -> list[str]:
        """Columns staff should not type in: careloop writes them (a warning, not a lock)."""
        return [c.key for c in self.tab.columns if c.system]


class MissingColumnError(ValueError):
    """A required column is absent; the message names it and its accepted spellings."""

    def __init__(self, tab: TabSpec, column: ColumnSpec):
        spellings = ", ".join(f"'{s}'" for s in column.spellings)
        super().__init__(
            both(
                "column_missing",
                tab_vi=tab.title_vi,
                tab_en=tab.title_en,
                column_vi=column.title_vi,
                column_en=column.title_en,
                spellings=spellings,
            )
        )
        self.tab, self.column = tab, column


def locate_columns(tab: TabSpec, header: Sequence[object], require: bool = True) -> dict[str, int]:
    """Map each known column key to its 0-based position in `header`; the first match wins.

    Raises MissingColumnError for a required column that is not there (unless require=False).
    """
    by_key: dict[str, int] = {}
    for position, title in enumerate(header):
        if title is None:
            continue
        normalised = header_key(str(title))
        for spec in tab.columns:
            if spec.key not in by_key and normalised in spec.keys:
                by_key[spec.key] = position
                break
    for spec in tab.columns:
        if require and spec.required and spec.key not in by_key:
            raise MissingColumnError(tab, spec)
    return by_key


def find_tab(tab: TabSpec, titles: Sequence[str]) -> str | None:
    """The title of the existing tab that matches `tab`, by the same forgiving comparison."""
    wanted = {header_key(s) for s in tab.spellings}
    return next((t for t in titles if header_key(t) in wanted), None)


def with_missing_columns(
    tab: TabSpec, positions: Mapping[str, int], width: int, wanted: Collection[str], language: str
) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Each wanted column the tab lacks, placed after the last one (`width` columns are in use):
    the positions of all columns, and the (position, header title) of the ones to add."""
    placed = dict(positions)
    added: list[tuple[int, str]] = []
    for spec in tab.columns:
        if spec.key in wanted and spec.key not in placed:
            placed[spec.key] = width + len(added)
            added.append((placed[spec.key], spec.title(language)))
    return placed, added
