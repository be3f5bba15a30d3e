"""Themes (issue 36): how well word-aware matching finds the starter themes in the labelled comments
(tests/fixtures/themes/comments.tsv), against naive substring matching of the same keywords, and how
fast it tags 100,000 texts on one core; what the daily theme suggestions cost (a text's words read by
the part-of-speech tagger as it is heard, the 30 days' counts ranked once a day).

    python bench/themes.py
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from functions.adapters.vietnamese import lexicon  # noqa: E402
from functions.core.theme_suggestions import add_words, content_words, suggestions  # noqa: E402
from functions.core.themes import Matcher, Theme, naive_themes_of, read_keywords, starter_themes  # noqa: E402
from tests.helpers.themes_corpus import comments, macro_f1, scores  # noqa: E402


def starter() -> tuple[list[Theme], list[str]]:
    rows = starter_themes()
    return [Theme(theme_id, read_keywords(keywords)) for theme_id, _, keywords in rows], [r[0] for r in rows]


if __name__ == "__main__":
    themes, ids = starter()
    corpus = comments()
    matcher = Matcher(themes, lexicon())
    ours = scores(matcher.themes_of, corpus, ids)
    naive = scores(lambda text: naive_themes_of(text, themes), corpus, ids)
    plain = sum(1 for c in corpus if c.text.isascii())
    print(f"{len(corpus)} labelled comments ({plain} without diacritics), {len(ids)} starter themes")
    print(f"{'theme':<12} {'support':>7}   {'careloop P/R/F1':>18}   {'substring P/R/F1':>18}")
    for theme in ids:
        a, b = ours[theme], naive[theme]
        print(f"{theme:<12} {a.support:>7}   {a.precision:5.2f} {a.recall:5.2f} {a.f1:5.2f}   "
              f"{b.precision:5.2f} {b.recall:5.2f} {b.f1:5.2f}")  # fmt: skip
    print(f"macro F1: careloop {macro_f1(ours):.3f}, substring {macro_f1(naive):.3f}")

    rng = random.Random(7)
    texts = [f"{rng.choice(corpus).text} {rng.choice(corpus).text}" for _ in range(100_000)]
    start = time.perf_counter()
    tagged = sum(1 for text in texts if matcher.themes_of(text))
    seconds = time.perf_counter() - start
    print(f"tagged 100,000 texts in {seconds:.2f} s ({100_000 / seconds:,.0f} texts/s, {tagged:,} with a theme)")

    words = lexicon()
    covered = matcher.covers
    heard = texts[:10_000]
    start = time.perf_counter()
    found = [content_words(words.tagged(text), covered) for text in heard]
    seconds = time.perf_counter() - start
    print(
        f"suggestions: the words of 10,000 texts read in {seconds:.2f} s ({seconds / 10:.2f} ms a text: "
        f"{200 * seconds / 10_000:.2f} s for a run hearing 200 texts)"
    )
    today = date(2026, 11, 25)
    texts_heard = [
        (today - timedelta(days=n % 30), w, t, "C-1") for n, (w, t) in enumerate(zip(found, heard, strict=True))
    ]
    days = add_words({}, texts_heard, today)
    days = {k: v for k, v in days.items() if v}
    start = time.perf_counter()
    ranked = suggestions(days, today, words.zipf, covered)
    kept = sum(len(v) for v in days.values())
    print(
        f"suggestions: 30 days' counts ({kept:,} day-words kept) ranked in {time.perf_counter() - start:.2f} s "
        f"once a day; first three: {', '.join(s.words for s in ranked[:3])}"
    )
