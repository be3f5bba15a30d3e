"""Who wrote a message, as far as careloop can know (pure). Anyone can send the business an email
with any From:, so a reply is believed to come from its sender only when

- it answers a Message-ID only careloop could have made (keyed with the store's secret:
  `functions.core.ids`), or
- the receiving server authenticated its From: — the topmost Authentication-Results (RFC 8601)
  written by the configured authserv-id (Gmail: mx.google.com) says dmarc=pass for the From:
  domain, or dkim=pass for a domain aligned with it. Senders can add Authentication-Results of their
  own: one of another authserv-id proves nothing, and only the topmost of ours counts (the receiving
  server adds its own on top)."""

from __future__ import annotations

from collections.abc import Sequence

from functions.core.ids import AnsweredKey, key_of_message_id


def answered_key(message_ids: Sequence[str], secret: str) -> AnsweredKey | None:
    """The careloop message named among `message_ids` (In-Reply-To, then References): a keyed one
    first; an unkeyed one (before issue 32) only when none is keyed."""
    found = [k for m in message_ids[:50] if (k := key_of_message_id(m, secret))]
    return next((k for k in found if k.keyed), found[0] if found else None)


def sender_authenticated(results: Sequence[str], from_domain: str, authserv_id: str) -> bool:
    """Whether the topmost Authentication-Results of `authserv_id` passes DMARC for `from_domain`, or
    DKIM for a domain aligned with it (relaxed: the same domain or one it is under). `results` are
    the header's values, topmost first. No authserv-id set: nothing is authenticated."""
    if not authserv_id or not from_domain:
        return False
    import authres  # the RFC 8601 parser (small, pure Python)

    for value in results[:20]:
        if not _names(value, authserv_id):
            continue  # another server's (perhaps the sender's own): proves nothing
        try:
            parsed = authres.AuthenticationResultsHeader.parse_value(value)
        except Exception:  # ours, but unreadable: believe nothing
            return False
        return any(_passes(result, from_domain.lower()) for result in parsed.results)
    return False


def _names(value: str, authserv_id: str) -> bool:
    head = value.split(";", 1)[0].split()
    return bool(head) and head[0].lower() == authserv_id.lower()


def _passes(result: object, from_domain: str) -> bool:
    method = str(getattr(result, "method", "")).lower()
    if str(getattr(result, "result", "")).lower() != "pass":
        return False
    found = {f"{p.type}.{p.name}".lower(): str(p.value).lower() for p in getattr(result, "properties", [])}
    if method == "dmarc":
        return found.get("header.from", "").strip() == from_domain
    if method == "dkim":
        signer = found.get("header.d") or found.get("header.i", "").rpartition("@")[2]
        return "." in signer and (from_domain == signer or from_domain.endswith("." + signer))
    return False
