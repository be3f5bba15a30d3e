"""`careloop preview`: what a run would send, as one HTML file a person opens in a browser."""

from __future__ import annotations

import html
from pathlib import Path

from functions.core.channel_specs import EMAIL_FORM, TEMPLATE_FORM, ChannelBook
from functions.core.i18n import both
from functions.core.messages import OutgoingMessage
from functions.followup.job import FollowupOutcome


def write_preview(path: Path, outcome: FollowupOutcome, channels: ChannelBook) -> None:
    parts = [
        "<!doctype html><html lang='vi'><meta charset='utf-8'><title>careloop preview</title>",
        "<style>body{font-family:sans-serif;max-width:900px;margin:auto}section{border:1px solid #ccc;"
        "margin:16px 0;padding:8px}pre{white-space:pre-wrap}iframe{width:100%;height:420px;border:0}</style>",
        f"<h1>careloop preview — {html.escape(outcome.report['now'])}</h1>",
        f"<p>{html.escape(both('preview_count', count=len(outcome.previews)))}</p>",
    ]
    for invalid in outcome.report.get("texts", {}).get("invalid", []):  # staff's rows that will not be used
        parts.append(f"<p style='color:#b42318'>{html.escape(both('row'))} {invalid['row']}: "
                     f"{html.escape(invalid['note'])}</p>")  # fmt: skip
    for preview in outcome.previews:
        parts.append(
            f"<section><h2>{html.escape(preview.message.kind)} · {html.escape(preview.message.customer.id)}</h2>"
            + "".join(_channel(o, n, channels) for n, o in enumerate((preview.outgoing, *preview.fallbacks)))
            + "</section>"
        )
    path.write_text("\n".join(parts), encoding="utf-8")


def _channel(message: OutgoingMessage, order: int, channels: ChannelBook) -> str:
    """One channel's message, by its form: an email as its subject, text and HTML; a text with its
    length, encoding and parts; a template as the parameters sent."""
    heading = f"<h3>{order + 1}. {html.escape(message.channel)} → {html.escape(message.to)}</h3>"
    if message.source:
        heading += f"<p><i>{html.escape(both('preview_source', source=message.source))}</i></p>"
    spec = channels.spec(message.channel)
    if spec.form == TEMPLATE_FORM:
        rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in message.params)
        return f"{heading}<p>{html.escape(spec.shown)} · {html.escape(message.kind)}</p><table>{rows}</table>"
    if spec.form != EMAIL_FORM:
        measured = channels.fitted(message.channel, message.text, message.kind)
        facts = both("preview_text_size", channel=spec.shown, length=measured.length, encoding=measured.encoding,
                     parts=measured.parts)  # fmt: skip
        return f"{heading}<p>{html.escape(facts)}</p><pre>{html.escape(message.text)}</pre>"
    return (
        f"{heading}<p><b>{html.escape(message.subject)}</b></p><pre>{html.escape(message.text)}</pre>"
        f'<iframe sandbox title="{html.escape(message.subject, quote=True)}" '
        f'srcdoc="{html.escape(message.html, quote=True)}"></iframe>'
    )
