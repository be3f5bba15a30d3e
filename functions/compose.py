"""One occasion's message on each of a customer's channels, in the order they will be tried.

The words come from the text book (staff's Messages tab, or the built-in texts), filled in by the
channel's message form: an email carries signed links (five one-tap scores, one-click unsubscribe)
and HTML built from the text; a text or an approved template carries short links (/s/<code>: one
link to the survey page; /u/<code> to opt out, in a promotional message), which the send path
stores before the message goes.
Used by every job that writes to customers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from functions.core.care_plan import ADVERT, CARE, is_occasion_kind
from functions.core.channel_specs import EMAIL_FORM, TEMPLATE_FORM, ChannelBook, ChannelSpec
from functions.core.customers import Customer
from functions.core.errors import RenderError
from functions.core.i18n import both, say
from functions.core.links import UNSUBSCRIBE_DAYS, Links
from functions.core.message_tab import Text, TextBook, builtin_book
from functions.core.messages import PROMOTIONAL_LABEL, VOUCHER_VARIANT, OutgoingMessage
from functions.core.staff_texts import CUSTOMER_VALUES, SURVEY_MARK, blocks, fill, values_for
from functions.core.surveys import Survey
from functions.core.vouchers import Voucher, voucher_values
from functions.ports import Renderer
from functions.survey.offers import survey_links

if TYPE_CHECKING:  # short links load when a text or a template is composed: email-only runs skip them
    from functions.core.short_links import ShortLink


def customer_values(
    customer: Customer, business: str, purchase_date: date | None = None, case_id: str | None = None
) -> dict[str, str | None]:
    """The placeholders about a customer as the sheet has them."""
    return values_for(customer.name, customer.greeting, customer.salutation, business, purchase_date, case_id)


class Recipient(NamedTuple):
    customer_id: str
    name: str
    language: str
    addresses: Sequence[tuple[str, str]]  # (channel, address) in the order to try


class Composed(NamedTuple):
    messages: tuple[OutgoingMessage, ...]  # the first to try, then its fallbacks
    short_links: tuple[ShortLink, ...] = ()


class Composer:
    def __init__(self, templates: Renderer, links: Links, channels: ChannelBook, book: TextBook | None = None):
        self.templates, self.links, self.channels = templates, links, channels
        self.book = book or builtin_book(templates.builtin_texts)

    def compose(
        self,
        key: str,
        kind: str,
        recipient: Recipient,
        values: Mapping[str, str | None],
        survey: Survey | None,
        now: datetime,
        voucher: Voucher | None = None,
        advert: bool = True,
        occasion_advert: bool = False,
    ) -> Composed:
        """`values`: the message's placeholders ({ten_goi}, {ngay_mua}, …) without its links and voucher.
        `advert`: False when the customer did not consent to advertising: a kind marked promotional
        goes as a care message (no "[QC]"). `occasion_advert`: the care plan marks the occasion an advert.
        Raises RenderError (naming the text) when no form of the message can be made for a channel."""
        promotional = advert and (occasion_advert or self.templates.promotional(kind) or voucher is not None)
        occasion = _Occasion(key, kind, recipient, {**values, **voucher_values(voucher)}, survey, now, promotional)
        messages: list[OutgoingMessage] = []
        short: dict[str, ShortLink] = {}
        for channel, address in recipient.addresses:
            spec = self.channels.spec(channel)
            if spec.form == EMAIL_FORM:
                message: OutgoingMessage | None = self._email(occasion, address)
            elif spec.form == TEMPLATE_FORM:
                message = self._template(spec, occasion, address, self._short_links(occasion, short))
            else:
                message = self._text(spec, occasion, address, self._short_links(occasion, short))
            if message is None:
                continue  # the approved template needs a value this message lacks: the next channel carries it
            messages.append(message)
        if not messages:
            shown = ", ".join(self.channels.spec(c).shown for c, _ in recipient.addresses)
            raise RenderError(both("template_params_missing", kind=kind, channel=shown))
        return Composed(tuple(messages), tuple(short.values()))

    def _email(self, occasion: _Occasion, address: str) -> OutgoingMessage:
        recipient, survey = occasion.recipient, occasion.survey
        language = recipient.language
        unsubscribe = self.links.unsubscribe(recipient.customer_id, language, occasion.now)
        buttons = survey_links(self.links, survey) if survey else []
        listed = "\n".join(f"{b['score']} – {b['label']}: {b['url']}" for b in buttons) or None
        values = {**occasion.values, "survey_link": listed, "opt_out_link": unsubscribe}
        text = self.book.pick_saying(occasion.kind, language, "email", values)
        assert text.subject is not None  # an email text has one (checked when the tab is read)
        subject = " ".join(fill(text.subject, {**values, "survey_link": self._survey_url(survey)}).split())
        body = fill(text.body, values) + "\n\n" + say("email_unsubscribe_line", language, url=unsubscribe) + "\n"
        html = self.templates.text_email(
            language,
            blocks(fill(text.body, {**values, "survey_link": SURVEY_MARK if survey else None}, CUSTOMER_VALUES)),
            {"business_name": occasion.values.get("business") or "", "unsubscribe_url": unsubscribe,
             "survey_links": buttons},
        )  # fmt: skip
        label = PROMOTIONAL_LABEL if occasion.promotional else ""
        return self._outgoing(occasion, "email", address, label + subject, body, html, unsubscribe, text)

    def _text(
        self, spec: ChannelSpec, occasion: _Occasion, address: str, links: Mapping[str, str | None]
    ) -> OutgoingMessage:
        """The text from staff's, or from the built-in one when staff's is too long for these values."""
        written_for = self._texts_of(spec.name)
        values = {**occasion.values, **links}
        text = self.book.pick_saying(occasion.kind, occasion.recipient.language, written_for, values)
        candidates = [text] if text.row is None else [text, self.book.builtin_for(text)]
        label = PROMOTIONAL_LABEL if occasion.promotional else ""
        for index, candidate in enumerate(candidates):
            words = fill(candidate.body, values)
            try:
                fitted = self.channels.fitted(spec.name, label + words, candidate.source("vi"))
            except RenderError:
                if index == len(candidates) - 1:
                    raise
                continue
            return self._outgoing(occasion, spec.name, address, "", fitted.text, "", "", candidate)
        raise AssertionError("unreachable")  # the last candidate either fits or raised

    def _texts_of(self, channel: str) -> str:
        """Whose texts a text-form channel sends: its own, else the first text-form channel's that has
        texts (a new channel speaks in the words staff already wrote for short messages)."""
        if self.book.has_channel(channel):
            return channel
        return next(c for c in self.channels.editable() if self.channels.form(c) != EMAIL_FORM
                    and self.book.has_channel(c))  # fmt: skip

    def _template(
        self, spec: ChannelSpec, occasion: _Occasion, address: str, links: Mapping[str, str | None]
    ) -> OutgoingMessage | None:
        """The approved template's parameters; with a voucher, on the template made for it
        ("birthday_voucher"), so a voucher never goes missing — without that template, the next
        channel carries the wish."""
        values = {**occasion.values, **links}
        base = occasion.kind
        if is_occasion_kind(base):  # an occasion staff added: the template approved for care, or for adverts
            base = ADVERT if occasion.promotional else CARE
        kind = base + VOUCHER_VARIANT if values.get("voucher_code") else base
        try:
            rendered = self.templates.message(kind, occasion.recipient.language, {"values": values},
                                              spec.template_table)  # fmt: skip
        except RenderError:
            if kind == base:
                raise
            return None  # no parameters for the voucher's template: the next channel carries the voucher
        if not all(value for _, value in rendered.params):
            return None
        message = self._outgoing(occasion, spec.name, address, "", rendered.text, "", "", None, rendered.params)
        return dataclasses.replace(message, kind=kind)

    def _short_links(self, occasion: _Occasion, short: dict[str, ShortLink]) -> dict[str, str | None]:
        """Short links for a text or a template, made once per occasion and stored with the survey."""
        from functions.core.short_links import SURVEY, UNSUBSCRIBE

        links: dict[str, str | None] = {"survey_link": None, "opt_out_link": None}
        survey, recipient = occasion.survey, occasion.recipient
        if survey:
            link = short.setdefault(SURVEY, self.links.short(SURVEY, survey.survey_id, survey.language,
                                                              survey.expires_at))  # fmt: skip
            links["survey_link"] = self.links.short_url(link)
        if occasion.promotional:  # an advert carries its opt-out
            expires = occasion.now + timedelta(days=UNSUBSCRIBE_DAYS)
            link = short.setdefault(
                UNSUBSCRIBE, self.links.short(UNSUBSCRIBE, recipient.customer_id, recipient.language, expires)
            )
            links["opt_out_link"] = self.links.short_url(link)
        return links

    def _survey_url(self, survey: Survey | None) -> str | None:
        return self.links.survey(survey.survey_id, survey.language, at=survey.created_at) if survey else None

    def _outgoing(
        self,
        occasion: _Occasion,
        channel: str,
        address: str,
        subject: str,
        text: str,
        html: str,
        unsubscribe_url: str,
        source: Text | None,
        params: tuple[tuple[str, str], ...] = (),
    ) -> OutgoingMessage:
        recipient = occasion.recipient
        return OutgoingMessage(
            occasion.key, channel, address, recipient.name, subject, text, html, unsubscribe_url, recipient.language,
            occasion.kind, params, source.source(recipient.language) if source else "messages.toml",
            occasion.values.get("business") or "",
        )  # fmt: skip


class _Occasion(NamedTuple):
    key: str
    kind: str
    recipient: Recipient
    values: Mapping[str, Any]
    survey: Survey | None
    now: datetime
    promotional: bool
