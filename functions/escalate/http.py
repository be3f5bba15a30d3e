"""HTTP entry for the escalation job (Cloud Scheduler every 15 minutes in working hours)."""
from __future__ import annotations

from typing import Any

from .. import bootstrap
from ..columns import MissingColumnError
from ..logs import log
from ..ports import SheetUnavailable, StoreUnavailable
from ..settings import SettingsError, load_settings
from .job import EscalationError, run_escalate


def escalate_sync(request) -> tuple[dict[str, Any], int]:
    try:
        settings = load_settings()
        deps = bootstrap.escalate_deps(settings)
        try:
            report = run_escalate(deps, bootstrap.local_now(settings))
        finally:
            for channel in set(deps.channels.values()):
                channel.close()
    except StoreUnavailable as error:
        log("ERROR", "escalate: store unavailable, nothing changed", error=str(error))
        return {"error": str(error)}, 503
    except (SettingsError, MissingColumnError, EscalationError, SheetUnavailable) as error:
        log("ERROR", "escalate: could not run", error=str(error))
        return {"error": str(error)}, 500
    log("WARNING" if report["summary"]["failed"] else "INFO", "escalate run", summary=report["summary"])
    return report, 200
