"""The Settings tab's rules (pure): which row names which setting, what a value becomes, the notes."""

from datetime import time

from functions.core.tables import Table
from functions.settings import load_settings, read_settings_tab, setting_fields, tab_settings

HEADER = ["Cài đặt", "Giá trị", "Ý nghĩa", "Ghi chú hệ thống"]


def tab(*rows):
    return Table("Cài đặt", HEADER, [list(r) for r in rows])


def test_values_as_google_reads_them_numbers_and_checkboxes():
    deployed = load_settings(env={})
    tuned, outcome = read_settings_tab(deployed, tab(["catchup_days", 5.0], ["survey_nps", True],
                                                     ["send_hours", " 09:00 - 18:00 "]), "vi")  # fmt: skip
    assert (tuned.catchup_days, tuned.survey_nps, tuned.send_hours) == (5, True, (time(9), time(18)))
    assert tuned.origin("catchup_days") == "tab" and deployed.origin("catchup_days") == "default"
    assert outcome.write is None and "invalid" not in outcome.report


def test_hostile_values_are_refused_with_a_note_and_the_deployed_value_kept():
    deployed = load_settings(env={"CARELOOP_BUSINESS_NAME": "Luật Minh An"})
    tuned, outcome = read_settings_tab(deployed, tab(
        ["business_name", "Minh An\r\nBcc: x@evil.example"], ["manager_emails", "=HYPERLINK(\"http://x\")"],
        ["daily_cap", "1e9"], ["csat_threshold", "6"], ["voucher_value", "x" * 5000],
    ), "en")  # fmt: skip
    assert tuned.business_name == "Luật Minh An" and tuned.manager_emails == () and tuned.daily_cap == 0
    notes = {row: note for row, note in ((w.row_number, w.values["system_note"]) for w in outcome.write.rows)}
    assert set(notes) == {2, 3, 4, 5} and all("cannot be used" in n and "A right value" in n for n in notes.values())
    assert "Luật Minh An" in notes[2] and len(notes[2]) < 400
    assert tuned.voucher_value == "x" * 5000  # a long text is still text: the email shows it as it is


def test_a_row_whose_note_is_already_right_is_not_written_again():
    deployed = load_settings(env={})
    _, first = read_settings_tab(deployed, tab(["daily_cap", "-1"]), "vi")
    note = first.write.rows[0].values["system_note"]
    _, second = read_settings_tab(deployed, tab(["daily_cap", "-1", "", note]), "vi")
    assert second.write is None


def test_only_the_business_settings_are_in_the_tab():
    secret = {f.name for f in setting_fields() if f.metadata["secret"]}
    assert len(tab_settings()) == 16 and not secret & set(tab_settings())
    assert not {"smtp_host", "sender_email", "public_url", "store", "reply_to", "outbox"} & set(tab_settings())
