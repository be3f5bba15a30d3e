"""One occasion's message on each of a customer's channels, in the order they will be tried.

Email carries signed links (five one-tap scores, one-click unsubscribe); SMS and Zalo carry short
links (/s/<code>: one link to the survey page; /u/<code> to opt out, in a promotional message),
which the send path stores before the message goes. Used by every job that writes to customers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from functions.core.errors import RenderError
from functions.core.i18n import both
from functions.core.links import UNSUBSCRIBE_DAYS, Links
from functions.core.messages import OutgoingMessage
from functions.core.surveys import Survey
from functions.ports import Renderer
from functions.survey.offers import survey_links

if TYPE_CHECKING:  # the phone channels' modules load when a phone message is composed: email-only runs skip them
    from functions.core.short_links import ShortLink

PHONE_CHANNELS = ("sms", "zalo")


# Plain tuples and a plain class: this module loads with every follow-up function's cold start.
class SmsRules(NamedTuple):
    ascii_only: bool = True  # without diacritics: 160 characters a segment instead of 70
    max_segments: int = 2


class Recipient(NamedTuple):
    customer_id: str
    name: str
    language: str
    addresses: Sequence[tuple[str, str]]  # (channel, address) in the order to try


class Composed(NamedTuple):
    messages: tuple[OutgoingMessage, ...]  # the first to try, then its fallbacks
    short_links: tuple[ShortLink, ...] = ()


class Composer:
    def __init__(self, templates: Renderer, links: Links, sms: SmsRules | None = None):
        self.templates, self.links, self.sms = templates, links, sms or SmsRules()

    def compose(
        self,
        key: str,
        kind: str,
        recipient: Recipient,
        context: Mapping[str, Any],
        survey: Survey | None,
        now: datetime,
    ) -> Composed:
        """Raises RenderError (naming the template) when any of the channels' texts cannot be made."""
        messages: list[OutgoingMessage] = []
        short: dict[str, ShortLink] = {}
        for channel, address in recipient.addresses:
            if channel in PHONE_CHANNELS:
                channel_context = self._phone_context(kind, recipient, survey, now, short)
            else:
                channel_context = self._email_context(recipient, survey)
            message = self._message(key, kind, channel, address, recipient, {**context, **channel_context})
            if channel == "zalo" and not all(value for _, value in message.params):
                continue  # the approved template needs a value this message lacks: the next channel carries it
            messages.append(message)
        if not messages:
            raise RenderError(both("zalo_params_missing", kind=kind))
        return Composed(tuple(messages), tuple(short.values()))

    def _email_context(self, recipient: Recipient, survey: Survey | None) -> dict[str, Any]:
        return {
            "unsubscribe_url": self.links.unsubscribe(recipient.customer_id, recipient.language),
            "survey_links": survey_links(self.links, survey) if survey else [],
            "survey_url": self.links.survey(survey.survey_id, survey.language) if survey else "",
        }

    def _phone_context(
        self, kind: str, recipient: Recipient, survey: Survey | None, now: datetime, short: dict[str, ShortLink]
    ) -> dict[str, Any]:
        from functions.core.short_links import SURVEY, UNSUBSCRIBE

        context: dict[str, Any] = {"survey_links": [], "survey_url": "", "unsubscribe_url": ""}
        if survey:
            link = short.setdefault(
                SURVEY, self.links.short(SURVEY, survey.survey_id, survey.language, survey.expires_at)
            )
            context["survey_url"] = self.links.short_url(link)
        if self.templates.message_kinds.get(kind, {}).get("promotional"):  # an advert carries its opt-out
            link = short.setdefault(
                UNSUBSCRIBE,
                self.links.short(
                    UNSUBSCRIBE, recipient.customer_id, recipient.language, now + timedelta(days=UNSUBSCRIBE_DAYS)
                ),
            )
            context["unsubscribe_url"] = self.links.short_url(link)
        return context

    def _message(
        self, key: str, kind: str, channel: str, address: str, recipient: Recipient, context: Mapping[str, Any]
    ) -> OutgoingMessage:
        language = recipient.language
        rendered = self.templates.message(kind, language, context, channel)
        text = rendered.text
        if channel == "sms":
            from functions.core.sms import fit_sms

            text = fit_sms(text, self.sms.ascii_only, self.sms.max_segments, f"messages/{kind}/{language}.sms.txt").text
        unsubscribe_url = context["unsubscribe_url"] if channel == "email" else ""
        return OutgoingMessage(
            key, channel, address, recipient.name, rendered.subject, text, rendered.html, unsubscribe_url, language,
            kind, rendered.params,
        )  # fmt: skip
