"""A run report as a few lines a person reads: counts, then what happened to whom and why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from functions.core.care_plan import is_occasion_kind
from functions.core.i18n import knows, say

Line = Callable[[dict[str, Any]], str]


def escalation_summary(report: dict[str, Any], language: str = "vi") -> str:
    def words(code: str, **params: object) -> str:
        return say(code, language, **params)

    lines = [words("report_escalate", now=report["now"], **report["summary"])]
    lines += [
        f"  + {i['case_id']} {i['customer_id']:<14} {i['category']}, {words('tier')} {i['tier']} → {i['owner']}"
        f"  ({words('first_response_due')} {i['first_response_due'][:16]})"
        for i in report["opened"]
    ]
    lines += [
        f"  ↑ {i['case_id']} {i['customer_id']:<14} {words('tier')} {i['from_tier']} → {i['tier']}, {i['owner']}"
        for i in report["escalated"]
    ]
    lines += [f"  ~ {i['case_id']} {i['from']} → {i['to']}" for i in report["synced"]]
    lines += [f"  ✉ {i['case_id']} {i['kind']} → {i['to']}" for i in report["notified"]]
    lines += [f"  – {i['case_id']} {i['kind']}: {i['detail']}" for i in report["skipped"]]
    lines += [f"  ! {i.get('tab', '')} {words('row')} {i.get('row', '')}: {i['message']}" for i in report["problems"]]
    heard = {kind: n for kind, n in report.get("replies", {}).items() if isinstance(n, int) and n}
    if heard:  # what came back, by kind; each is a row of the Replies tab
        lines.append(
            f"  ⟵ {words('replies_heard')}: " + ", ".join(f"{_heard(k, language)} {n}" for k, n in heard.items())
        )
    lines += [f"  ▲ {words('theme_rising_line', **rising)}" for rising in report.get("themes_rising", [])]
    return "\n".join(lines + sheet_lines(report, language))


def _heard(kind: str, language: str) -> str:
    """A kind of what came back, in staff's words; a channel's events ("<channel>_linked") name the channel."""
    if knows("heard_" + kind):
        return say("heard_" + kind, language)
    from functions.adapters.channels.registry import specs

    channel, _, what = kind.rpartition("_")
    shown = next((spec.shown for spec in specs() if spec.name == channel), channel)
    return say(f"heard_channel_{what}", language, channel=shown)


def sheet_lines(report: dict[str, Any], language: str) -> list[str]:
    """What a run added to the sheet, and the Settings tab's rows it could not use."""
    added = report.get("set_up", [])
    lines = [f"  {say('set_up', language)}:"] + [f"    {a}" for a in added] if added else []
    lines += [f"  ! {say('settings_tab_row', language, row=i['row'])}: {i['note']}"
              for i in report.get("settings", {}).get("invalid", [])]  # fmt: skip
    return lines


def _kind(entry: dict[str, Any]) -> str:
    """A message's kind in a report line: an occasion staff added by its name ("Nhắc lịch hẹn")."""
    return str(entry.get("occasion") or entry["kind"]) if is_occasion_kind(entry["kind"]) else entry["kind"]


def summary(report: dict[str, Any], language: str = "vi") -> str:
    """A few lines a person reads: counts, then why things were not sent."""
    counts = report["summary"]
    head = say("report_followup", language, job=report["job"], now=report["now"], **counts)
    if report["dry_run"]:
        head += say("report_dry_run", language, planned=counts["planned"])
    lines = [head] + ([report["notice"]] if report.get("notice") else [])
    lines += [f"  ! {limit}" for limit in report.get("provider_limits", [])]
    describe: dict[str, tuple[str, Line]] = {
        "sent": ("✓", lambda i: f"→ {i['to']}"),
        "planned": ("·", lambda i: f"→ {i['to']}  {i['subject']}"),
        "skipped": ("–", lambda i: i["detail"]),
        "failed": ("✗", lambda i: i["error"]),
        "unknown": ("?", lambda i: i["detail"]),
    }
    for name, (mark, what) in describe.items():
        lines += [f"  {mark} {_kind(i):<8} {i['customer_id']:<14} {what(i)}" for i in report[name]]
    lines += [
        f"  ! {say('row', language)} {i['row']:<5} {i['customer_id']:<14} {i['message']}" for i in report["problems"]
    ]
    lines += sheet_lines(report, language)
    write_back = report["write_back"]
    if write_back.get("error"):
        lines.append(say("write_back_failed", language, error=write_back["error"]))
    elif write_back["missed"]:
        lines.append(say("write_back_missed", language, rows=", ".join(write_back["missed"])))
    return "\n".join(lines)
