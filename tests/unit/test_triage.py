import pytest

from functions.escalate.triage import SeverityUnreadable, triage


@pytest.mark.parametrize(
    "issue, tier",
    [
        # Vietnamese, as customers write them (with and without diacritics)
        ("Nếu không giải quyết tôi sẽ khởi kiện công ty ra tòa", 3),
        ("toi se kien ra toa neu khong tra loi", 3),
        ("Tôi đã thuê luật sư để xem xét hợp đồng này", 3),
        ("Tôi sẽ đăng lên mạng và gửi cho báo chí", 3),
        ("Yêu cầu bồi thường thiệt hại do xe sửa sai", 3),
        ("Đề nghị hoàn tiền phí khám vì bác sĩ đến trễ 2 tiếng", 3),
        ("Cho tôi gặp quản lý ngay", 3),
        ("Tôi muốn gặp giám đốc gara", 3),
        ("Phóng viên bên tôi sẽ liên hệ", 3),
        # English
        ("I will sue you if this is not fixed", 3),
        ("My lawyer will contact you", 3),
        ("I want a full refund", 3),
        ("Let me speak to your manager", 3),
        ("I'm talking to a journalist", 3),
        # ordinary complaints stay at tier 1 — including words that only look alike
        ("Xe vẫn còn tiếng kêu ở bánh trước sau khi sửa", 1),
        ("Luật sư chưa gọi lại cho tôi như đã hẹn", 1),  # a client's own lawyer at the firm
        ("Sự kiện khai trương hôm qua rất vui nhưng chờ lâu", 1),  # "kiện" inside "sự kiện"
        ("Cảm ơn sự kiên nhẫn của nhân viên", 1),  # "kiên" is not "kiện"
        ("Hồ sơ đã hoàn thành chưa ạ?", 1),  # "hoàn" is not "hoàn tiền"
        ("Please resend the invoice", 1),
        ("The pressure in my tyres is low", 1),  # "press" only as a word
        ("Bảo hiểm chi trả thế nào?", 1),
        ("", 1),
    ],
)
def test_triage_of_realistic_complaints(issue, tier):
    assert triage("", issue).tier == tier


@pytest.mark.parametrize(
    "severity, tier",
    [
        ("1", 1),
        ("2", 2),
        ("3", 3),
        (3, 3),
        (2.0, 2),
        ("Cao", 3),
        ("cao", 3),
        ("Trung bình", 2),
        ("thấp", 1),
        ("High", 3),
        ("Cấp 3", 3),
    ],
)
def test_the_severity_column_wins(severity, tier):
    assert triage(severity, "Tôi sẽ khởi kiện").tier == tier  # even over a tier-3 phrase
    assert triage(severity, "xe kêu").tier == tier


def test_unreadable_severity():
    with pytest.raises(SeverityUnreadable):
        triage("rất rất gấp", "")


def test_phrases_are_configurable():
    assert triage("", "Tôi sẽ báo công an", phrases=["báo công an"]).tier == 3
    assert triage("", "Tôi sẽ khởi kiện", phrases=["báo công an"]).tier == 1
    assert triage("", "toi se bao cong an", phrases=["báo công an"]).reason == "phrase: bao cong an"
