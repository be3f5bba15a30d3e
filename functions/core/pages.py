"""What every public page answers with (survey, unsubscribe): no scripts, no framing, no caching,
no referrer, so a page's one button cannot be clickjacked and a link's token never leaks."""

from __future__ import annotations

PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    # img-src data: for the page's own empty favicon (`data:,`), which 'none' would refuse with a console error.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
