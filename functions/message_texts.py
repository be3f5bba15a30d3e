"""The texts a run sends: the Messages tab read and checked against this deployment's rules
(surveys, vouchers, a text's size), over the built-in texts. Used by every job that writes to customers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from functions.core.channel_specs import ChannelBook
from functions.core.links import Links
from functions.core.message_tab import MessageTab, TextChecks, builtin_book, read_message_tab
from functions.core.staff_texts import BIRTHDAY, EDITABLE_KINDS, TextRules, values_for
from functions.core.tables import Table
from functions.core.vouchers import Voucher, VoucherRules, voucher_values
from functions.ports import Renderer

SAMPLE_NAME, SAMPLE_GREETING = "Nguyễn Thị Phương Hoa", "anh/chị Hoa"  # longer than most, for a text's size check


def message_texts(
    table: Table | None,
    templates: Renderer,
    links: Links,
    channels: ChannelBook,
    business: str,
    language: str,
    surveys: bool,
    vouchers: VoucherRules,
) -> MessageTab:
    promotional = {kind for kind in EDITABLE_KINDS if templates.promotional(kind)} | (
        {BIRTHDAY} if vouchers.on else set()
    )
    rules = TextRules(surveys=surveys, vouchers=vouchers.on, promotional=frozenset(promotional))
    return read_message_tab(table, builtin_book(templates.builtin_texts), _checks(rules, links, channels, business,
                                                                                   vouchers), language)  # fmt: skip


def _checks(rules: TextRules, links: Links, channels: ChannelBook, business: str, vouchers: VoucherRules) -> TextChecks:
    """Rows checked with values as long as real ones: a short link on the public URL, an 8-character code."""
    from functions.core.short_links import SURVEY

    far = datetime(2100, 1, 1)
    sample_link = links.short_url(links.short(SURVEY, "SV-SAMPLE", "vi", far))
    today = date.today()
    voucher = Voucher("7K3QW9XM", "KH-SAMPLE", SAMPLE_NAME, today.year, vouchers.value or "giảm 15%", today,
                      today + timedelta(days=vouchers.days))  # fmt: skip
    sample = {**values_for(SAMPLE_NAME, SAMPLE_GREETING, "anh/chị", business, today, "HS-ABCD2345"),
              **voucher_values(voucher), "survey_link": sample_link, "opt_out_link": sample_link}  # fmt: skip
    return TextChecks(rules, sample, channels)
