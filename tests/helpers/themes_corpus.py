"""The labelled comments (tests/fixtures/themes/comments.tsv) and how a matcher scores on them:
per-theme precision, recall and F1, and their macro average."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "themes" / "comments.tsv"


class Comment(NamedTuple):
    business: str
    text: str
    themes: frozenset[str]


def comments() -> list[Comment]:
    rows = [line.rstrip("\n").split("\t") for line in CORPUS.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]  # fmt: skip
    return [Comment(b, t, frozenset(x for x in labels.split(",") if x)) for b, t, labels in rows]


class Score(NamedTuple):
    precision: float
    recall: float
    f1: float
    support: int


def scores(tag: Callable[[str], Sequence[str]], corpus: Sequence[Comment], ids: Sequence[str]) -> dict[str, Score]:
    """Per theme id: precision, recall, F1 of `tag` (text → theme ids) against the labels."""
    found = [set(tag(c.text)) for c in corpus]
    out = {}
    for theme in ids:
        tp = sum(1 for c, f in zip(corpus, found, strict=True) if theme in f and theme in c.themes)
        fp = sum(1 for c, f in zip(corpus, found, strict=True) if theme in f and theme not in c.themes)
        fn = sum(1 for c, f in zip(corpus, found, strict=True) if theme not in f and theme in c.themes)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out[theme] = Score(p, r, 2 * p * r / (p + r) if p + r else 0.0, tp + fn)
    return out


def macro_f1(table: dict[str, Score]) -> float:
    return sum(s.f1 for s in table.values()) / len(table)
