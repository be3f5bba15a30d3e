"""`careloop preview`: what a run would send, as one HTML file a person opens in a browser."""

from __future__ import annotations

import html
from pathlib import Path

from functions.core.i18n import both
from functions.followup.job import FollowupOutcome


def write_preview(path: Path, outcome: FollowupOutcome) -> None:
    parts = [
        "<!doctype html><meta charset='utf-8'><title>careloop preview</title>",
        "<style>body{font-family:sans-serif;max-width:900px;margin:auto}section{border:1px solid #ccc;"
        "margin:16px 0;padding:8px}pre{white-space:pre-wrap}iframe{width:100%;height:420px;border:0}</style>",
        f"<h1>careloop preview — {html.escape(outcome.report['now'])}</h1>",
        f"<p>{html.escape(both('preview_count', count=len(outcome.previews)))}</p>",
    ]
    for preview in outcome.previews:
        o = preview.outgoing
        parts.append(
            f"<section><h2>{html.escape(preview.message.kind)} · {html.escape(preview.message.customer.id)} → "
            f"{html.escape(o.to)}</h2><p><b>{html.escape(o.subject)}</b></p><pre>{html.escape(o.text)}</pre>"
            f'<iframe sandbox srcdoc="{html.escape(o.html, quote=True)}"></iframe></section>'
        )
    path.write_text("\n".join(parts), encoding="utf-8")
