"""Every sentence careloop says to staff, Vietnamese first, English second (pure)."""
from __future__ import annotations

LANGUAGES = ("vi", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # Row problems: written into the row's System note.
    "name_missing": ("Thiếu họ tên", "Name is missing"),
    "too_long": ("{column} dài quá {limit} ký tự", "{column} is longer than {limit} characters"),
    "date_invalid": ("{column} '{value}' không tồn tại", "{column} '{value}' is not a real date"),
    "date_unreadable": (
        "{column} '{value}' không đọc được; hãy nhập dạng {pattern}",
        "{column} '{value}' cannot be read; type it as {pattern}",
    ),
    "date_needs_year": ("{column} '{value}' thiếu năm", "{column} '{value}' has no year"),
    "date_future": ("{column} '{value}' ở tương lai", "{column} '{value}' is in the future"),
    "phone_invalid": ("{column} '{value}' không hợp lệ", "{column} '{value}' is not a valid phone number"),
    "email_invalid": ("{column} '{value}' không hợp lệ", "{column} '{value}' is not a valid email address"),
    "checkbox_unreadable": (
        "{column} '{value}' không rõ; hãy đánh dấu ô hoặc để trống",
        "{column} '{value}' is unclear; tick the box or leave it empty",
    ),
    "language_unknown": ("{column} '{value}' không rõ; dùng vi hoặc en", "{column} '{value}' is unknown; use vi or en"),
    "channel_unknown": (
        "{column} '{value}' không rõ; dùng email, sms hoặc zalo",
        "{column} '{value}' is unknown; use email, sms or zalo",
    ),
    "no_contact": ("Không có email hay số điện thoại", "No email or phone number"),
    "channel_needs_email": ("Kênh {channel} cần địa chỉ email", "Channel {channel} needs an email address"),
    "channel_needs_phone": ("Kênh {channel} cần số điện thoại", "Channel {channel} needs a phone number"),
    "duplicate_id": ("{column} '{value}' bị trùng ở các dòng {rows}", "{column} '{value}' is repeated on rows {rows}"),
    # Why a due message was not sent: report entries, and notes where staff can act.
    "already_sent": ("Đã gửi trước đó", "Already sent"),
    "outside_hours": (
        "Ngoài giờ được gửi tin ({hours}); sẽ gửi ở lần chạy sau",
        "Outside the sending hours ({hours}); will be sent by a later run",
    ),
    "one_per_day": (
        "Khách đã nhận một tin hôm nay; để lần chạy sau",
        "The customer already gets a message today; left for the next run",
    ),
    "daily_cap": ("Đã đủ {cap} tin trong ngày; để lần chạy sau", "The daily limit of {cap} messages is reached; left for the next run"),
    "too_late": (
        "Quá hạn hỏi thăm: đến hạn {due}, quá {days} ngày cho phép",
        "Check-in too late: due {due}, past the {days}-day catch-up window",
    ),
    "opted_out": ("Khách đã từ chối nhận tin", "The customer opted out"),
    "invalid_row": ("Dòng có dữ liệu lỗi (xem Ghi chú hệ thống)", "The row has invalid data (see System note)"),
    "channel_unavailable": ("Kênh {channel} chưa được cấu hình", "Channel {channel} is not set up"),
    "unconfirmed": (
        "Đã giữ chỗ nhưng chưa xác nhận gửi (có thể do lỗi giữa chừng); dùng 'careloop retry' để gửi lại",
        "Reserved but never confirmed (a run may have stopped midway); use 'careloop retry' to send it again",
    ),
    "failed_before": (
        "Lần gửi trước thất bại; dùng 'careloop retry' để gửi lại",
        "An earlier send failed; use 'careloop retry' to send it again",
    ),
    "reserved_elsewhere": ("Một lần chạy khác đang gửi tin này", "Another run is sending this message"),
    "outside_working_hours": ("Ngoài giờ làm việc; sẽ gửi khi mở cửa", "Outside working hours; sent when the office opens"),
    "no_owner": ("Ma trận leo thang chưa có người phụ trách", "The escalation matrix names no owner"),
    "send_failed": ("Gửi {kind} thất bại: {error}", "Sending the {kind} failed: {error}"),
    "render_failed": ("Mẫu tin lỗi: {error}", "Template error: {error}"),
    # Why a job cannot run.
    "tab_missing": ("Không có tab '{vi}' trong bảng tính", "No '{en}' tab in the sheet"),
    "tab_missing_setup": ("Không có tab '{vi}': hãy chạy 'careloop setup-sheet'", "No '{en}' tab: run 'careloop setup-sheet'"),
    # The Dashboard tab.
    "metrics_period": ("{days} ngày qua", "last {days} days"),
    "updated_at": ("Cập nhật lúc", "Updated at"),
    "metric_hours": ("TB {mean} giờ, trung vị {median} giờ (n={n})", "mean {mean} h, median {median} h (n={n})"),
    "metric_cases": ("Số hồ sơ", "Cases"),
    "metric_open": ("Đang mở", "Open"),
    "metric_in_progress": ("Đang xử lý", "In progress"),
    "metric_resolved": ("Đã giải quyết", "Resolved"),
    "metric_escalation_rate": ("Tỷ lệ leo thang", "Escalation rate"),
    "metric_frt_business": ("FRT cấp {tier} (giờ làm việc)", "FRT tier {tier} (business hours)"),
    "metric_atht_business": ("ATHT cấp {tier} (giờ làm việc)", "ATHT tier {tier} (business hours)"),
    "metric_frt_wall": ("FRT cấp {tier} (giờ thực)", "FRT tier {tier} (wall hours)"),
    "metric_atht_wall": ("ATHT cấp {tier} (giờ thực)", "ATHT tier {tier} (wall hours)"),
    "metric_surveys_sent": ("Khảo sát đã gửi", "Surveys sent"),
    "metric_response_rate": ("Tỷ lệ phản hồi", "Response rate"),
    "metric_csat": ("CSAT (4–5 điểm)", "CSAT (scores 4–5)"),
    # The survey page, to customers.
    "survey_page_stale": ("Trang đã cũ; xin chọn lại và bấm Gửi.", "This page is out of date; please choose again and press Send."),
    "survey_choose_score": ("Xin chọn một mức từ 1 đến 5.", "Please choose 1 to 5."),
    # Words used inside other sentences.
    "kind_birthday": ("lời chúc sinh nhật", "birthday wish"),
    "kind_checkin": ("tin hỏi thăm sau mua", "check-in"),
    "last_contact": ("{date} – {kind} ({channel})", "{date} – {kind} ({channel})"),
}


def say(code: str, language: str = "vi", **params: object) -> str:
    vi, en = MESSAGES[code]
    return (en if language == "en" else vi).format(**params)


def both(code: str, **params: object) -> str:
    """Vietnamese, then English, for messages read by people of either language (errors, logs)."""
    return f"{say(code, 'vi', **params)} / {say(code, 'en', **params)}"


# The five answers of a survey, as customers read them on the page and in the message's buttons.
SCORE_LABELS = {"vi": ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"),
                "en": ("Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied")}


def score_labels(language: str) -> tuple[str, ...]:
    return SCORE_LABELS.get(language, SCORE_LABELS["vi"])
