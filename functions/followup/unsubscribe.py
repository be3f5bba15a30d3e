"""The public unsubscribe function: GET shows a confirmation page and records nothing (mail
scanners open links); POST records the opt-out — from the page's button or an RFC 8058
one-click request by the mail provider. The next follow-up run ticks Opt out on the row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from functions.core.links import SAMPLE, UNSUBSCRIBE_DAYS, Links
from functions.core.pages import PAGE_HEADERS
from functions.core.short_links import UNSUBSCRIBE, is_short_code
from functions.core.tokens import TokenExpired, TokenInvalid

if TYPE_CHECKING:  # annotations only: the page's cold start skips the ports' data classes
    from functions.ports import OptOuts, Renderer, Surveys


@dataclass
class UnsubscribeDeps:
    opt_outs: OptOuts  # the opt-out it records
    surveys: Surveys  # the short link (/u/<code>) it may come by
    links: Links
    templates: Renderer
    business_name: str
    now: Callable[[], datetime]


def handle_unsubscribe(method: str, path: str, deps: UnsubscribeDeps) -> tuple[str, int, dict[str, str]]:
    """(page, status, headers) for a request to …/unsubscribe/<token>."""
    token = path.rstrip("/").rsplit("/", 1)[-1]

    def page(state: str, language: str, status: int) -> tuple[str, int, dict[str, str]]:
        body = deps.templates.page(
            "unsubscribe.html", {"state": state, "language": language, "business_name": deps.business_name}
        )
        return body, status, dict(PAGE_HEADERS)

    if token == SAMPLE:  # a link in staff's test message: says so, opts nobody out
        return page("sample", "vi", 200)
    try:
        customer_id, language = _customer(token, deps)
    except TokenExpired as expired:
        language = expired.payload.get("l", "vi") if isinstance(expired.payload, dict) else "vi"
        return page("expired", language, 410)
    except (TokenInvalid, KeyError, TypeError):
        return page("invalid", "vi", 404)
    except _ShortLinkExpired as expired:
        return page("expired", expired.language, 410)
    if method == "POST":
        deps.opt_outs.record_opt_out(customer_id, deps.now())
        return page("done", language, 200)
    if method in ("GET", "HEAD"):
        return page("confirm", language, 200)
    return page("invalid", language, 405)


class _ShortLinkExpired(Exception):
    def __init__(self, language: str):
        self.language = language


def _customer(token: str, deps: UnsubscribeDeps) -> tuple[str, str]:
    """(customer ID, language) from a signed token (email) or a short code (/u/<code> in a text)."""
    if is_short_code(token):
        link = deps.surveys.short_link(token)
        if link is None or link.purpose != UNSUBSCRIBE:
            raise TokenInvalid(token)
        if deps.now() >= link.expires_at:
            raise _ShortLinkExpired(link.language)
        return link.target, link.language
    payload = deps.links.unsubscribe_signer().verify(token, UNSUBSCRIBE_DAYS * 86400, now=deps.now())
    return str(payload["c"]), payload.get("l", "vi")
