"""Issue 34 (words as data): staff's and customers' wording lives in templates/words.toml, keyed by the
codes reports use. Every code has both languages and the same placeholders in each (a tab's or a
column's title, passed as `vi`/`en` or `…_vi`/`…_en`, is each language's own)."""

from __future__ import annotations

import string

from functions.core.i18n import MESSAGES, WORDS, say


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_code_has_both_languages_and_the_same_placeholders():
    assert WORDS.exists() and len(MESSAGES) > 300
    own = ("vi", "en")  # `vi`, `tab_vi`…: each language's own title of a tab or column
    differ = {code: {n for n in placeholders(vi) ^ placeholders(en) if not n.endswith(own)}
              for code, (vi, en) in MESSAGES.items()}  # fmt: skip
    assert {code: names for code, names in differ.items() if names} == {}
    assert all(vi.strip() and en.strip() for vi, en in MESSAGES.values())


def test_a_text_renders_from_the_data():
    assert say("reply_refusal", "vi").startswith("khách từ chối nhận tin")
    assert say("health_settings", "en", names="send_hours").startswith("the Settings tab has values")
