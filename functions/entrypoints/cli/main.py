"""The `careloop` command (thin: parse flags, build settings and adapters, call a job, print).

Exit status: 0 when the run completed (row problems included), 1 when a run completed but could
not write back to the sheet, 2 when it could not run (bad settings, a missing column or tab, the
store unreachable) with the reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from functions import bootstrap
from functions.core.errors import JobCannotRun, SheetUnavailable, StoreUnavailable
from functions.core.i18n import both, say
from functions.core.ledger import UNCERTAIN, LedgerEntry
from functions.core.sheet_schema import MissingColumnError
from functions.entrypoints.cli.reports import escalation_summary, summary
from functions.settings import Settings, SettingsError, load_settings, warned


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="careloop", description=both("help_careloop"))
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--config", help=both("help_config"))
        sub.add_argument("--sheet", help="PATH.xlsx")
        sub.add_argument("--store", help="PATH.sqlite or firestore://PROJECT[/DATABASE]")
        sub.add_argument("--outbox", help="folder for .eml files")
        sub.add_argument(
            "--language", dest="staff_language", choices=("vi", "en"), help="language of notes and reports"
        )

    run = commands.add_parser("run", help=both("help_run"))
    run.add_argument("job", choices=("followup", "escalate", "digest"))
    common(run)
    run.add_argument("--now", help=both("help_now"))
    run.add_argument("--json", action="store_true", help=both("help_json"))
    run.add_argument("--dry-run", action="store_true", help=both("help_dry_run"))

    preview = commands.add_parser("preview", help=both("help_preview"))
    common(preview)
    preview.add_argument("--now")
    preview.add_argument("--out", default="preview.html", help="file to write (default preview.html)")

    check = commands.add_parser("check", help=both("help_check"))
    common(check)

    setup = commands.add_parser("setup-sheet", help=both("help_setup"))
    common(setup)

    retry = commands.add_parser("retry", help=both("help_retry"))
    common(retry)
    retry.add_argument("keys", nargs="*", help="idempotency keys; none: list them")
    retry.add_argument("--all", action="store_true", help="release every unconfirmed or failed message")
    retry.add_argument("--force", action="store_true", help=both("help_force"))

    status = commands.add_parser("status", help=both("help_status"))
    common(status)
    status.add_argument("--now", help=both("help_now"))
    status.add_argument("--json", action="store_true", help=both("help_json"))

    export = commands.add_parser("export", help=both("help_export"))
    common(export)
    export.add_argument("customer_id", help=both("help_customer_id"))

    erase = commands.add_parser("erase", help=both("help_erase"))
    common(erase)
    erase.add_argument("customer_id", help=both("help_customer_id"))
    erase.add_argument("--now", help=both("help_now"))

    demo = commands.add_parser("demo", help=both("help_demo"))
    demo.add_argument("--dir", default="demo", help="folder for the sample workbook, store and outbox")
    demo.add_argument("--fresh", action="store_true", help="start over with a new workbook and store")
    demo.add_argument("--sheet", help="google:KEY or a URL: seed and use that spreadsheet instead of a workbook")
    demo.add_argument("--now", help=both("help_now"))

    generate = commands.add_parser("generate", help=both("help_generate"))
    generate.add_argument("--check", action="store_true", help=both("help_generate_check"))
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {name: getattr(args, name, None) for name in ("sheet", "store", "outbox", "staff_language")}
    return load_settings(config=args.config, overrides=overrides)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from functions.entrypoints.cli.demo import run_demo

            return run_demo(Path(args.dir), fresh=args.fresh, sheet=args.sheet, now=args.now)
        if args.command == "generate":
            return _generate(args)
        settings = _settings(args)
        commands = {"run": _run, "preview": _preview, "check": _check, "retry": _retry, "setup-sheet": _setup_sheet,
                    "status": _status, "export": _export, "erase": _erase}  # fmt: skip
        return commands[args.command](args, settings)
    except BrokenPipeError:  # `careloop … | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (SettingsError, MissingColumnError, StoreUnavailable, SheetUnavailable, JobCannotRun) as error:
        print(f"careloop: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a clear line rather than a traceback for staff; details with CARELOOP_DEBUG
        if os.environ.get("CARELOOP_DEBUG"):
            raise
        print(f"careloop: {type(error).__name__}: {error}", file=sys.stderr)
        return 2


def _generate(args: argparse.Namespace) -> int:
    from functions.entrypoints.cli.generate import run_generate

    stale = run_generate(check_only=args.check)
    for path in stale:
        print(f"{'≠' if args.check else '✎'} {path}")
    return 1 if stale and args.check else 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.job == "escalate":
        return _run_escalate(args, settings)
    if args.job == "digest":
        return _run_digest(args, settings)
    from functions.followup.job import run_followup

    now = bootstrap.local_now(settings, args.now)

    def job() -> dict[str, Any]:
        with bootstrap.channels_closed(bootstrap.followup_deps(settings)) as deps:
            return run_followup(deps, now, dry_run=args.dry_run).report

    report = _warned(_watched("followup", settings, now, job, args.dry_run), settings, args.json)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        print(summary(report, settings.staff_language))
    return 1 if report["write_back"].get("error") else 0


def _watched(
    name: str, settings: Settings, now: datetime, job: Callable[[], dict[str, Any]], dry_run: bool = False
) -> dict[str, Any]:
    """The run, watched: what it could not do reaches the Health tab and the manager (functions.health).
    A dry run only looks: it tells nobody and writes nothing, whatever happens."""
    from functions.health.watch import run_watched

    if dry_run:
        return job()
    return run_watched(bootstrap.watch(settings, name, now), job, now, bootstrap.CANNOT_RUN)


def _warned(report: dict[str, Any], settings: Settings, quiet: bool) -> dict[str, Any]:
    """The run report with the settings' warnings (links customers cannot open), also on stderr."""
    warnings = warned(report, settings)
    for warning in [] if quiet else warnings:  # with --json they are in the report
        print(f"careloop: {both('warning')}: {warning}", file=sys.stderr)
    return report


def _run_escalate(args: argparse.Namespace, settings: Settings) -> int:
    from functions.escalate.job import run_escalate

    now = bootstrap.local_now(settings, args.now)

    def job() -> dict[str, Any]:
        with bootstrap.channels_closed(bootstrap.escalate_deps(settings)) as deps:
            return run_escalate(deps, now)

    report = _warned(_watched("escalate", settings, now, job), settings, args.json)
    print(
        json.dumps(report, ensure_ascii=False, indent=2, default=str)
        if args.json
        else escalation_summary(report, settings.staff_language)
    )
    return 1 if report["write_back"].get("error") else 0


def _run_digest(args: argparse.Namespace, settings: Settings) -> int:
    """The weekly digest; with --dry-run, what it would say, printed and not sent."""
    from functions.digest.job import run_digest

    now = bootstrap.local_now(settings, args.now)

    def job() -> dict[str, Any]:
        with bootstrap.channels_closed(bootstrap.digest_deps(settings)) as deps:
            return run_digest(deps, now, dry_run=args.dry_run)

    report = _warned(_watched("digest", settings, now, job, args.dry_run), settings, args.json)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    elif args.dry_run:
        for message in report.get("preview", []):
            print(f"→ {message['to']}\n{message['subject']}\n\n{message['text']}")
    else:
        print(both("digest_done", week=report["week"], sent=len(report["sent"]), skipped=len(report["skipped"])))
        for skipped in report["skipped"]:
            print(f"  – {skipped['to']}: {say(skipped['reason'], settings.staff_language)}")
    return 1 if report["failed"] or report["unknown"] else 0


def _preview(args: argparse.Namespace, settings: Settings) -> int:
    from functions.entrypoints.cli.preview import write_preview
    from functions.followup.job import run_followup

    outcome = run_followup(bootstrap.followup_deps(settings), bootstrap.local_now(settings, args.now), dry_run=True)
    write_preview(Path(args.out), outcome, bootstrap.channel_book(settings))
    print(summary(outcome.report, settings.staff_language))
    print(f"→ {Path(args.out).resolve()}")
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from functions.entrypoints.cli.check import run_checks

    failures = run_checks(settings, print)
    return 2 if failures else 0


def _setup_sheet(args: argparse.Namespace, settings: Settings) -> int:

    sheet = bootstrap.open_sheet(settings)
    actions = sheet.prepare(bootstrap.sheet_layouts(settings), settings.staff_language)
    for action in actions:
        print(action)
    print(f"{settings.sheet}: " + (both("setup_changes", count=len(actions)) if actions else both("setup_ready")))
    return 0


def _entry_line(entry: LedgerEntry, at: datetime | None) -> str:
    """A ledger entry for `careloop retry`: its key, channel, time, error, and the channels that
    could not reach the customer before it."""
    tried = f"  ({'; '.join(entry.attempts)})" if entry.attempts else ""
    return f"{entry.key}  {entry.channel}  {at or ''}  {entry.error}{tried}"


def _status(args: argparse.Namespace, settings: Settings) -> int:
    """The Health table from the store's run reports alone (the sheet may be what is broken); exit 1
    when a job is failing or late, for any outside monitor."""
    from functions.core.business_calendar import BusinessCalendar
    from functions.core.health import JOBS, OK, job_title, status

    now = bootstrap.local_now(settings, args.now)
    language = settings.staff_language
    reports = {}
    if bootstrap.store_made(settings):
        job_state = bootstrap.open_store(settings).job_state
        reports = {job: job_state.reports(job, 10) for job in JOBS}
    calendar = BusinessCalendar(settings.timezone, settings.working_hours)
    rows = status(reports, now, calendar, settings.send_hours[0], language)
    if args.json:
        print(json.dumps([{**row._asdict(), "last_run": row.last_run.isoformat() if row.last_run else None}
                          for row in rows], ensure_ascii=False, indent=2))  # fmt: skip
    else:
        print(say("status_header", language))
        for row in rows:
            when = row.last_run.astimezone(calendar.zone).strftime("%d/%m/%Y %H:%M") if row.last_run else "–"
            print(f"{job_title(row.job, language)} | {when} | {say(f'health_{row.result}', language)} | "
                  f"{row.sent} | {row.failed} | {row.detail}")  # fmt: skip
        if not rows:
            print(say("status_nothing", language))
    return 0 if all(row.result == OK for row in rows) else 1


def _export(args: argparse.Namespace, settings: Settings) -> int:
    """Everything careloop holds about one customer, as JSON staff can hand over (Law 91/2025/QH15)."""
    from functions.core.privacy import rows_of
    from functions.core.sheet_schema import CALLS, CASES, CUSTOMERS, REPLIES, VOUCHERS, locate_columns

    tabs = (CUSTOMERS, CASES, CALLS, VOUCHERS, REPLIES)
    tables = bootstrap.open_sheet(settings).read(tabs)
    sheet: dict[str, list[dict[str, Any]]] = {}
    for spec in tabs:
        if (table := tables.get(spec.key)) is not None:
            rows = rows_of(table, locate_columns(spec, table.header, require=False), args.customer_id)
            sheet |= {table.title: rows} if rows else {}
    made = bootstrap.store_made(settings)
    store = bootstrap.open_store(settings).customer_data.customer_records(args.customer_id) if made else {}
    print(json.dumps({"customer_id": args.customer_id, "sheet": sheet, "store": store}, ensure_ascii=False,
                     indent=2, default=str))  # fmt: skip
    return 0


def _erase(args: argparse.Namespace, settings: Settings) -> int:
    """What ticking `Xóa dữ liệu` does at the next escalation run, now: the store, careloop's tabs, the row."""
    from functions.core.sheet_schema import CALLS, CASES, CUSTOMERS
    from functions.escalate.erasure import erase_requested

    deps = bootstrap.escalate_deps(settings)
    now = bootstrap.local_now(settings, args.now)
    erased = erase_requested(deps, deps.sheet.read([CUSTOMERS, CASES, CALLS]), now, asked=(args.customer_id,))
    if not erased.customer_ids:
        print(both("erase_nothing", customer_id=args.customer_id))
        return 1
    deps.sheet.write(erased.writes)
    print(json.dumps(erased.report, ensure_ascii=False, indent=2))
    return 0


def _retry(args: argparse.Namespace, settings: Settings) -> int:
    if not bootstrap.store_made(settings):  # nothing was ever sent from here: say so, make nothing
        print(f"{settings.store}: {both('store_not_yet')}")
        return 0
    store = bootstrap.open_store(settings)
    pending = store.ledger.unconfirmed()
    in_doubt = {e.key for e in pending if e.state == UNCERTAIN}
    if not args.keys and not args.all:
        for entry in [e for e in pending if e.key not in in_doubt]:
            print(f"{entry.state:<9} {_entry_line(entry, entry.reserved_at)}")
        print(both("retry_pending", count=len(pending) - len(in_doubt)))
        if in_doubt:  # apart: the customer may have it already
            print(both("retry_in_doubt", count=len(in_doubt)))
            for entry in [e for e in pending if e.key in in_doubt]:
                print(f"  ? {_entry_line(entry, entry.updated_at)}")
        return 0
    keys = [e.key for e in pending if args.force or e.key not in in_doubt] if args.all else args.keys
    for key in keys:
        if key in in_doubt and not args.force:
            print(f"{both('retry_needs_force')}: {key}")
        else:
            print(f"{'released' if store.ledger.release(key, force=args.force) else 'not pending'}: {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
