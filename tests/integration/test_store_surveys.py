"""The Surveys port's contract (surveys, their answers, their short links), on every adapter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from functions.core.short_links import SURVEY, UNSUBSCRIBE, ShortLink, short_code
from functions.core.surveys import Answer, TooManyAnswers
from tests.helpers import NINE_AM
from tests.helpers.records import a_survey


def test_a_survey_is_created_once_and_keeps_every_answer(store):
    survey = a_survey()
    assert store.surveys.create_survey(survey) is True and store.surveys.create_survey(survey) is False
    assert store.surveys.survey(survey.survey_id) == survey and store.surveys.survey("SV-NONE") is None
    first = Answer(2, NINE_AM + timedelta(hours=1), "Chờ lâu quá 😞 <b>", None)
    second = Answer(4, NINE_AM + timedelta(hours=2), "", 9)
    store.surveys.add_answer(survey.survey_id, first, limit=20)
    updated = store.surveys.add_answer(survey.survey_id, second, limit=20)
    assert updated.answers == (first, second) and updated.latest == second
    assert store.surveys.survey(survey.survey_id).answers == (first, second)
    again = store.surveys.add_answer(survey.survey_id, first, limit=20)  # one reply read by two runs: one answer
    assert again.answers == (first, second)
    later = Answer(2, NINE_AM + timedelta(hours=3), "Chờ lâu quá 😞 <b>", None)  # the same score, tapped again later
    assert len(store.surveys.add_answer(survey.survey_id, later, limit=20).answers) == 3
    with pytest.raises(KeyError):
        store.surveys.add_answer("SV-NONE", first, limit=20)


def test_answers_are_capped(store):
    survey = a_survey()
    store.surveys.create_survey(survey)
    for n in range(3):
        store.surveys.add_answer(survey.survey_id, Answer(5, NINE_AM + timedelta(minutes=n)), limit=3)
    with pytest.raises(TooManyAnswers):
        store.surveys.add_answer(survey.survey_id, Answer(1, NINE_AM), limit=3)
    assert len(store.surveys.survey(survey.survey_id).answers) == 3


def test_recent_surveys(store):
    for n, days in enumerate([40, 10, 1]):
        store.surveys.create_survey(a_survey(f"C-{n}", created=NINE_AM - timedelta(days=days)))
    assert [s.customer_id for s in store.surveys.surveys(NINE_AM - timedelta(days=30))] == ["C-1", "C-2"]
    assert store.surveys.count_surveys(NINE_AM - timedelta(days=30)) == 2 and store.surveys.count_surveys(NINE_AM) == 0
    assert [s.customer_id for s in store.surveys.surveys_of(["C-0", "C-2", "C-7"], NINE_AM - timedelta(days=60))] == [
        "C-0",
        "C-2",
    ]
    assert [s.customer_id for s in store.surveys.surveys_of(["C-0", "C-2"], NINE_AM - timedelta(days=30))] == ["C-2"]


def test_surveys_by_when_they_were_last_answered(store):
    for n in range(3):
        store.surveys.create_survey(a_survey(f"C-{n}", created=NINE_AM - timedelta(days=20)))
    old, fresh = (a_survey(f"C-{n}", created=NINE_AM - timedelta(days=20)) for n in (0, 1))
    store.surveys.add_answer(old.survey_id, Answer(5, NINE_AM - timedelta(days=10)), limit=20)
    store.surveys.add_answer(fresh.survey_id, Answer(1, NINE_AM - timedelta(days=10)), limit=20)
    store.surveys.add_answer(fresh.survey_id, Answer(2, NINE_AM + timedelta(minutes=1)), limit=20)
    answered = store.surveys.surveys_answered(NINE_AM)
    assert [s.customer_id for s in answered] == ["C-1"] and answered[0].latest.score == 2
    assert len(store.surveys.surveys_answered(NINE_AM - timedelta(days=11))) == 2


def test_short_links_are_stored_once_and_found_by_code(store):
    code = short_code("s" * 32, SURVEY, "SV-1")
    link = ShortLink(code, SURVEY, "SV-1", "vi", NINE_AM + timedelta(days=30))
    other = ShortLink(short_code("s" * 32, UNSUBSCRIBE, "C-1"), UNSUBSCRIBE, "C-1", "en", NINE_AM)
    store.surveys.save_short_links([link, other])
    store.surveys.save_short_links([ShortLink(code, SURVEY, "SV-OTHER", "en", NINE_AM)])  # the stored one stands
    assert store.surveys.short_link(code) == link and store.surveys.short_link(other.code) == other
    assert store.surveys.short_link("a" * 16) is None
