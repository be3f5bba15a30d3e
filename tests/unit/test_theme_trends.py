"""Issue 36: what is heard beyond the mailbox (survey comments, call notes, complaints staff note) as
rows of `Phản hồi` with their themes; keywords changed → the last 30 days tagged anew; the weekly
series of the Dashboard's chart; a rising theme; quotes gone with erasure and retention."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from functions.adapters.vietnamese import lexicon
from functions.core.calls import CallRow
from functions.core.customers import Customer
from functions.core.sheet_schema import REPLIES
from functions.core.surveys import Answer, Survey
from functions.core.tables import Table
from functions.core.theme_suggestions import add_words, without_examples_of
from functions.core.theme_tab import (
    Mention,
    ThemeFigures,
    add_mentions,
    kept_examples,
    latest_examples,
    read_theme_tab,
    recounted,
    rising_themes,
    theme_figures,
    weekly_mentions,
)
from functions.core.themes import Matcher, Theme, read_keywords
from functions.escalate.themes import call_heard, survey_heard, tagged_anew
from tests.helpers import VN

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=VN)


def starter() -> Matcher:
    return Matcher(read_theme_tab(None).themes, lexicon())


def customer(customer_id: str, name: str) -> Customer:
    return Customer(2, customer_id, name, f"chị {name}", None, None, None, None, "vi", ("email",), False)


def mention(reply_id, day, themes, complaint=False, score=None, quote="q", customer_id="C-1"):
    return Mention(reply_id, day, tuple(themes), complaint, score, quote, quote, customer_id)


def test_survey_page_comments_are_heard_once_and_replies_or_calls_are_heard_where_they_came_from():
    surveys = [
        Survey("SV-1", "C-1", "checkin/2026-11-16", "vi", NOW, NOW, (Answer(2, NOW, "Chờ lâu quá, nv cau có"),)),
        Survey("SV-2", "C-2", "case/HS-1", "vi", NOW, NOW, (Answer(5, NOW, "cam on"),)),
        Survey("SV-3", "C-1", "checkin/2026-11-16", "vi", NOW, NOW, (Answer(1, NOW, "cho lau", via="reply"),)),
        Survey("SV-4", "C-1", "call/C-1/2026-11-20", "vi", NOW, NOW, (Answer(3, NOW, "gia cao", via="call"),)),
        Survey("SV-5", "C-1", "checkin/2026-11-16", "vi", NOW, NOW, (Answer(4, NOW - timedelta(hours=2), "cũ"),)),
    ]
    customers = {"C-1": customer("C-1", "Nguyễn Thị Lan"), "C-2": customer("C-2", "Trần Văn Huy")}
    state = {"answers_seen": (NOW - timedelta(hours=1)).isoformat()}
    heard = survey_heard(starter(), surveys, customers, state, VN, 2, "vi")
    assert [h.mention.text for h in heard] == ["Chờ lâu quá, nv cau có", "cam on"]
    low, thanks = heard
    assert (
        low.mention.complaint
        and low.mention.score == 2
        and set(low.mention.themes) == {"Thời gian chờ", "Thái độ nhân viên"}
    )
    assert low.row.values["channel"] == "Khảo sát" and low.row.values["customer_id"] == "C-1"
    assert "2/5" in low.row.values["answers"] and "16/11" in low.row.values["answers"]
    assert low.row.values["themes"] == "Thái độ nhân viên, Thời gian chờ" and low.row.append  # the tab's order
    assert not thanks.mention.complaint and thanks.row.values["themes"] == ""
    assert "HS-1" in thanks.row.values["answers"]  # the survey after case HS-1, named as staff read it
    again = survey_heard(starter(), surveys, customers, state, VN, 2, "vi")
    assert [h.row.row_id for h in again] == [h.row.row_id for h in heard]  # the same answer: the same row


def test_a_call_note_is_heard_with_its_score_and_a_call_without_a_note_is_not():
    calls = [
        CallRow(3, "C-1", "Lan", date(2026, 11, 24), True, "reached", 2, "Khách phàn nàn giá cao, chờ lâu", True, ""),
        CallRow(4, "C-2", "Huy", date(2026, 11, 24), True, "reached", 5, "", False, ""),
    ]
    heard = call_heard(starter(), calls, {"C-1": customer("C-1", "Lan")}, NOW, VN, 2, "vi")
    assert len(heard) == 1
    note = heard[0]
    assert note.row.values["channel"] == "Cuộc gọi" and note.mention.complaint and note.mention.score == 2
    assert set(note.mention.themes) == {"Giá/phí", "Thời gian chờ"}


def test_changed_keywords_tag_the_last_30_days_anew_and_count_those_days_again():
    header = [c.title_vi for c in REPLIES.columns]
    at = {c.key: i for i, c in enumerate(REPLIES.columns)}

    def reply(reply_id, text, themes, name="Lan", customer_id="C-1"):
        cells = [None] * len(header)
        for key, value in {"reply_id": reply_id, "text": text, "themes": themes, "name": name,
                           "customer_id": customer_id}.items():  # fmt: skip
            cells[at[key]] = value
        return cells

    table = Table("Phản hồi", header, [
        reply("PH-1", "wifi yếu quá, chờ lâu", "Thời gian chờ"),
        reply("PH-2", "wifi chập chờn", ""),
        reply("PH-3", "", ""),  # erased: its words are gone, it counts for nothing
        reply("PH-9", "wifi hỏng", ""),  # older than 30 days: not in what was heard recently
    ])  # fmt: skip
    texts = {"PH-1": ["2026-11-20", True, 2], "PH-2": ["2026-11-24", False, None], "PH-3": ["2026-11-24", True, 1]}
    themes = [*read_theme_tab(None).themes, Theme("Wifi", read_keywords("wifi"))]
    mentions, writes = tagged_anew(table, texts, Matcher(themes, lexicon()), skip=set())
    assert {m.reply_id: set(m.themes) for m in mentions} == {"PH-1": {"Thời gian chờ", "Wifi"}, "PH-2": {"Wifi"}}
    assert {w.row_id: w.values for w in writes} == {"PH-1": {"themes": "Thời gian chờ, Wifi"},
                                                    "PH-2": {"themes": "Wifi"}}  # fmt: skip
    old = {"2026-10-01": {"Thời gian chờ": [4, 0, 0, 0]}, "2026-11-20": {"Thời gian chờ": [1, 1, 2, 1]}}
    days = recounted(old, mentions, TODAY - timedelta(days=30), TODAY)
    assert days["2026-10-01"] == old["2026-10-01"]  # before the 30 days: as counted then
    assert days["2026-11-20"] == {"Thời gian chờ": [1, 1, 2, 1], "Wifi": [1, 1, 2, 1]}
    assert days["2026-11-24"] == {"Wifi": [1, 0, 0, 0]}


def test_the_dashboard_series_are_the_top_themes_week_by_week():
    days = {"2026-11-02": {"A": [3, 0, 0, 0], "B": [1, 0, 0, 0]}, "2026-11-10": {"B": [5, 0, 0, 0]},
            "2026-11-24": {"C": [1, 0, 0, 0], "A": [1, 0, 0, 0]}, "2026-08-01": {"D": [50, 0, 0, 0]}}  # fmt: skip
    starts = [date(2026, 11, 2) + timedelta(weeks=n) for n in range(4)]
    assert weekly_mentions(days, starts, 2) == [("B", [1, 5, 0, 0]), ("A", [3, 0, 0, 1])]  # D: before the weeks


def test_a_theme_rises_at_five_mentions_and_twice_the_week_before():
    figures = {"Giá": ThemeFigures(5, 2, None, 0), "Chờ": ThemeFigures(6, 4, None, 0), "Vệ sinh": ThemeFigures(4, 0,
               None, 0), "Thái độ": ThemeFigures(10, 5, None, 0)}  # fmt: skip
    assert rising_themes(figures) == ["Giá", "Thái độ"]
    mentions = [mention(f"PH-{n}", TODAY - timedelta(days=n % 3), ["Giá"]) for n in range(5)]
    assert rising_themes(theme_figures(add_mentions({}, mentions, TODAY), TODAY)) == ["Giá"]


def test_an_erased_customers_quotes_go_and_old_ones_age_out():
    examples = latest_examples({}, [mention("PH-1", TODAY, ["Giá"], quote="đắt quá", customer_id="C-1"),
                                    mention("PH-2", TODAY, ["Chờ"], quote="chờ lâu", customer_id="C-2"),
                                    mention("PH-3", date(2025, 1, 1), ["Vệ sinh"], quote="bẩn")])  # fmt: skip
    assert kept_examples(examples, date(2026, 1, 1), erased={"C-1"}) == {"Chờ": ["2026-11-25", "chờ lâu", "C-2"]}
    words = add_words({}, [(TODAY, {"wifi"}, "wifi yếu", "C-1"), (TODAY, {"wifi"}, "wifi chập chờn", "C-2")], TODAY)
    blanked = without_examples_of(words, {"C-1"})
    assert blanked == {"2026-11-25": {"wifi": [2, "", ""]}}  # the counts stay, the words go
    assert without_examples_of(words, {"C-9"}) == {}
