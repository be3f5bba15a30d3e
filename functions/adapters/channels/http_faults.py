"""How an HTTP provider's failure reads for the ledger (SMS, Zalo): was the request refused before
the provider could act on it (safe to send again), or may it have been accepted (never re-sent)?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.core.errors import AmbiguousDeliveryError, TransientDeliveryError

if TYPE_CHECKING:
    import requests

REFUSED_STATUSES = {429, 503}  # too many requests, unavailable: the provider did nothing with it


def request_failure(provider: str, error: requests.RequestException) -> Exception:
    """A connection that never opened is transient; one lost once the request was on its way
    (a read timeout, the server hanging up before it answered) is ambiguous."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    reason = getattr(error.args[0], "reason", None) if error.args else None
    if isinstance(error, requests.ConnectTimeout) or isinstance(reason, (NewConnectionError, ConnectTimeoutError)):
        return TransientDeliveryError(f"{provider}: {error}")
    return AmbiguousDeliveryError(f"{provider}: the request was sent and its answer was lost ({error}); it may have "
                                  "been accepted")  # fmt: skip


def status_failure(provider: str, status: int, text: str) -> Exception | None:
    """A 429 or 503 is transient; any other 5xx may come after the provider acted: ambiguous. None
    for a status the caller reads itself."""
    if status in REFUSED_STATUSES:
        return TransientDeliveryError(f"{provider} HTTP {status}: {text[:200]}")
    if status >= 500:
        return AmbiguousDeliveryError(f"{provider} HTTP {status}: {text[:200]}; it may have been accepted")
    return None
