"""A run report as a few lines a person reads: counts, then what happened to whom and why."""
from __future__ import annotations

from typing import Any


def escalation_summary(report: dict[str, Any], language: str = "vi") -> str:
    s, vi = report["summary"], language != "en"
    lines = [(f"Việc escalate lúc {report['now']}: mở {s['opened']} hồ sơ, leo thang {s['escalated']}, cập nhật {s['synced']}, "
              f"báo cho người phụ trách {s['notified']}, vấn đề {s['problems']}") if vi else
             (f"escalate at {report['now']}: opened {s['opened']}, escalated {s['escalated']}, synced {s['synced']}, "
              f"notified {s['notified']}, problems {s['problems']}")]
    for item in report["opened"]:
        lines.append(f"  + {item['case_id']} {item['customer_id']:<14} {item['category']}, {'cấp' if vi else 'tier'} {item['tier']} → {item['owner']}"
                     f"  ({'hạn phản hồi' if vi else 'first response due'} {item['first_response_due'][:16]})")
    for item in report["escalated"]:
        lines.append(f"  ↑ {item['case_id']} {item['customer_id']:<14} {'cấp' if vi else 'tier'} {item['from_tier']} → "
                     f"{item['tier']}, {item['owner']}")
    for item in report["synced"]:
        lines.append(f"  ~ {item['case_id']} {item['from']} → {item['to']}")
    for item in report["notified"]:
        lines.append(f"  ✉ {item['case_id']} {item['kind']} → {item['to']}")
    for item in report["skipped"]:
        lines.append(f"  – {item['case_id']} {item['kind']}: {item['detail']}")
    for item in report["problems"]:
        lines.append(f"  ! {item.get('tab', '')} {'dòng' if vi else 'row'} {item.get('row', '')}: {item['message']}")
    return "\n".join(lines)


def summary(report: dict[str, Any], language: str = "vi") -> str:
    """A few lines a person reads: counts, then why things were not sent."""
    s = report["summary"]
    vi = language != "en"
    lines = [
        (f"Việc {report['job']} lúc {report['now']}: đã gửi {s['sent']}, bỏ qua {s['skipped']}, lỗi {s['failed']}, "
         f"chưa rõ {s['unknown']}, vấn đề trên dòng {s['problems']}" if vi else
         f"{report['job']} at {report['now']}: sent {s['sent']}, skipped {s['skipped']}, failed {s['failed']}, "
         f"unknown {s['unknown']}, row problems {s['problems']}")
        + (f" (thử, sẽ gửi {s['planned']})" if vi and report["dry_run"] else f" (dry run, would send {s['planned']})" if report["dry_run"] else ""),
    ]
    if report.get("notice"):
        lines.append(report["notice"])
    describe = {"sent": lambda i: f"→ {i['to']}", "planned": lambda i: f"→ {i['to']}  {i['subject']}",
                "skipped": lambda i: i["detail"], "failed": lambda i: i["error"], "unknown": lambda i: i["detail"]}
    marks = {"sent": "✓", "planned": "·", "skipped": "–", "failed": "✗", "unknown": "?"}
    for name, what in describe.items():
        lines += [f"  {marks[name]} {i['kind']:<8} {i['customer_id']:<14} {what(i)}" for i in report[name]]
    for item in report["problems"]:
        lines.append(f"  ! {'dòng' if vi else 'row'} {item['row']:<5} {item['customer_id']:<14} {item['message']}")
    write_back = report["write_back"]
    if write_back.get("error"):
        lines.append(("Không ghi được vào bảng tính: " if vi else "Could not write to the sheet: ") + write_back["error"])
    elif write_back["missed"]:
        lines.append(("Không tìm thấy dòng để ghi: " if vi else "Rows not found for writing: ") + ", ".join(write_back["missed"]))
    return "\n".join(lines)
