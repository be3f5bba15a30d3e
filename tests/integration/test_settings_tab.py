"""Issue 24: the business's settings in the sheet's Settings tab (Cài đặt), over the deployed ones,
through the `careloop` command on a real workbook: the tab wins when its value is right; a wrong one
gets a System note in staff words and the deployed value is used; `check` says where each came from."""

from __future__ import annotations

import json
from email import message_from_bytes, policy

import openpyxl

from tests.helpers.cli import FOLLOWUP, careloop
from tests.helpers.rules import channel_book
from tests.helpers.support import CONSENTED, HEADER, row, write_workbook

SETTINGS_HEADER = ["Cài đặt", "Giá trị", "Ý nghĩa", "Ghi chú hệ thống"]
DEPLOYED = {"CARELOOP_VOUCHER_VALUE": "giảm 10%", "CARELOOP_SECRET": "s" * 32}


def workbook_with_settings(tmp_path, settings_rows):
    path = write_workbook(tmp_path / "khach-hang.xlsx", CONSENTED, [
        row("C-00042", "Nguyễn Thị Lan", "chị", "lan@example.com", "", "23/11/1990", consent=True),
    ])  # fmt: skip
    book = openpyxl.load_workbook(path)
    tab = book.create_sheet("Cài đặt")
    tab.append(SETTINGS_HEADER)
    for settings_row in settings_rows:
        tab.append(list(settings_row))
    book.save(path)
    return path


def settings_tab(path):
    rows = list(openpyxl.load_workbook(path)["Cài đặt"].iter_rows(values_only=True))
    return {r[0]: dict(zip(SETTINGS_HEADER, r, strict=False)) for r in rows[1:]}


def followup(tmp_path):
    result = careloop(*FOLLOWUP, "--json", cwd=tmp_path, env=DEPLOYED)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def birthday_email(tmp_path):
    (eml,) = (tmp_path / "outbox").glob("*.eml")  # the one customer's birthday wish
    return message_from_bytes(eml.read_bytes(), policy=policy.default)


def test_a_voucher_value_set_in_the_tab_reaches_the_birthday_email(tmp_path):
    path = workbook_with_settings(tmp_path, [["voucher_value", "giảm 20%"], ["business_name", "Gara Minh Khai"]])
    report = followup(tmp_path)
    assert [s["kind"] for s in report["sent"]] == ["birthday"]
    assert report["settings"] == {"from_tab": {"voucher_value": "giảm 20%", "business_name": "Gara Minh Khai"}}
    email = birthday_email(tmp_path)
    body = email.get_body(("plain",)).get_content()
    assert "giảm 20%" in body and "giảm 10%" not in body and "Gara Minh Khai" in body
    assert email["From"].addresses[0].display_name == "Gara Minh Khai"  # the sender's name too
    assert not settings_tab(path)["voucher_value"]["Ghi chú hệ thống"]


def test_a_wrong_send_hours_gets_a_note_and_the_deployed_hours_are_used(tmp_path):
    path = workbook_with_settings(tmp_path, [["send_hours", "25:00-99:00"], ["voucher_value", "giảm 20%"]])
    report = followup(tmp_path)
    assert [s["kind"] for s in report["sent"]] == ["birthday"]  # 09:00 is inside the deployed 08:00-20:00
    note = settings_tab(path)["send_hours"]["Ghi chú hệ thống"]
    assert "'25:00-99:00' không dùng được" in note and "Ví dụ đúng: 08:00-20:00" in note
    assert "careloop đang dùng giá trị đã cài: 08:00-20:00" in note
    assert report["settings"]["invalid"] == [{"row": 2, "note": note, "name": "send_hours"}]
    assert report["settings"]["from_tab"] == {"voucher_value": "giảm 20%"}  # the run went on with the rest


def test_right_send_hours_in_the_tab_hold_the_messages_and_a_fixed_value_clears_the_note(tmp_path):
    path = workbook_with_settings(tmp_path, [["send_hours", "10:00-20:00", "", "an old note"]])
    report = followup(tmp_path)
    assert report["sent"] == [] and {s["reason"] for s in report["skipped"]} == {"outside_hours"}
    assert settings_tab(path)["send_hours"]["Ghi chú hệ thống"] is None  # cleared: the value is right now


def test_settings_only_the_deployment_sets_and_unknown_names_are_noted_and_nothing_else_changes(tmp_path):
    path = workbook_with_settings(tmp_path, [
        ["smtp_host", "mail.attacker.example"], ["sender_email", "x@attacker.example"], ["vocher_value", "50%"],
        ["voucher_value", "giảm 20%"], ["Voucher value", "giảm 90%"],
    ])  # fmt: skip
    report = followup(tmp_path)
    tab = settings_tab(path)
    assert "chỉ người cài đặt careloop đổi được" in tab["smtp_host"]["Ghi chú hệ thống"]
    assert "chỉ người cài đặt careloop đổi được" in tab["sender_email"]["Ghi chú hệ thống"]
    assert "không phải cài đặt careloop đọc từ tab này" in tab["vocher_value"]["Ghi chú hệ thống"]
    assert "đã có ở dòng 5" in tab["Voucher value"]["Ghi chú hệ thống"]
    assert report["sent"][0]["channel"] == "email" and list((tmp_path / "outbox").glob("*.eml"))  # no SMTP
    assert "giảm 20%" in birthday_email(tmp_path).get_body(("plain",)).get_content()


def test_check_shows_each_value_in_force_and_where_it_came_from(tmp_path):
    workbook_with_settings(tmp_path, [["voucher_value", "giảm 20%"], ["daily_cap", "-5"]])
    result = careloop("check", "--sheet", "khach-hang.xlsx", "--store", "s.sqlite", "--outbox", "outbox",
                      cwd=tmp_path, env={**DEPLOYED, "CARELOOP_CSAT_THRESHOLD": "3"})  # fmt: skip
    lines = result.stdout.splitlines()
    assert "    voucher_value = giảm 20%  (tab Cài đặt)" in lines
    assert "    csat_threshold = 3  (CARELOOP_CSAT_THRESHOLD)" in lines
    assert "    daily_cap = 0  (mặc định)" in lines
    assert any(line.startswith("! ") and "'-5' không dùng được" in line for line in lines)


def test_setup_sheet_seeds_every_setting_with_its_value_in_force_and_meaning(tmp_path):
    path = write_workbook(tmp_path / "khach-hang.xlsx", HEADER, [row("C-1")])
    result = careloop("setup-sheet", "--sheet", "khach-hang.xlsx", cwd=tmp_path, env=DEPLOYED)
    assert result.returncode == 0, result.stderr
    tab = settings_tab(path)
    assert tab["voucher_value"]["Giá trị"] == "giảm 10%" and tab["send_hours"]["Giá trị"] == "08:00-20:00"
    assert "Quà sinh nhật" in tab["voucher_value"]["Ý nghĩa"]
    assert len(tab) == 16 and not {"smtp_host", "sender_email", "public_url", "store", "secret"} & set(tab)


def test_the_escalation_run_takes_tier3_phrases_and_working_hours_from_the_tab(tmp_path):
    from datetime import date

    from functions.adapters.sheets.xlsx import XlsxSheet
    from functions.core.sheet_layout import layouts
    from functions.entrypoints.cli.demo import write_sample_workbook

    def escalate(folder, settings_rows):
        folder.mkdir()
        path = folder / "khach-hang.xlsx"
        write_sample_workbook(path, date(2026, 11, 20))  # complaints and a matrix
        XlsxSheet(path).prepare(layouts(channel_book(), "vi", setting_rows=settings_rows), "vi")
        args = ("run", "escalate", "--sheet", "khach-hang.xlsx", "--store", "e.sqlite", "--outbox", "o", "--json")
        result = careloop(*args, "--now", "2026-11-20T16:00", cwd=folder, env=DEPLOYED)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    plain = escalate(tmp_path / "plain", [])
    tuned = escalate(tmp_path / "tuned", [["tier3_phrases", "hợp đồng | luật sư"],
                                           ["working_hours", "mon-sun 07:00-21:00"]])  # fmt: skip
    assert tuned["settings"]["from_tab"] == {"tier3_phrases": "hợp đồng | luật sư",
                                             "working_hours": "mon-sun 07:00-21:00"}  # fmt: skip
    tiers = [{o["customer_id"]: o["tier"] for o in report["opened"]} for report in (plain, tuned)]
    assert tiers[0]["C-003"] != 3 and tiers[1]["C-003"] == 3  # "…chưa nhận được bản thảo hợp đồng"
    assert [o["first_response_due"] for o in tuned["opened"]] != [o["first_response_due"] for o in plain["opened"]]


def test_the_settings_tab_cannot_turn_careloop_into_a_mailer_nor_break_its_messages(tmp_path):
    """Issue 33 (17, 18): at most 10 manager addresses from the sheet (a note, the first 10 used); a
    business name too long for an SMS or a Zalo parameter gets a note, and the deployed name is used."""
    outsiders = ", ".join(f"nguoi{n}@ngoai.example" for n in range(40))
    path = workbook_with_settings(tmp_path, [["manager_emails", outsiders], ["business_name", "Văn phòng " * 7]])
    report = followup(tmp_path)
    tab = settings_tab(path)
    assert (
        "40 địa chỉ" in tab["manager_emails"]["Ghi chú hệ thống"] and "10" in tab["manager_emails"]["Ghi chú hệ thống"]
    )
    assert report["settings"]["from_tab"]["manager_emails"].count("@") == 10
    assert (
        "tối đa 60" in tab["business_name"]["Ghi chú hệ thống"]
        and "business_name" not in report["settings"]["from_tab"]
    )
