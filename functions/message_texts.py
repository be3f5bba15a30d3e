"""The texts a run sends: the Messages tab read and checked against this deployment's rules
(surveys, vouchers, a text's size), over the built-in texts. Used by every job that writes to customers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from functions.core.care_plan import default_occasions, typed_kinds
from functions.core.channel_specs import ChannelBook
from functions.core.links import Links
from functions.core.message_tab import MessageTab, TextChecks, builtin_book, read_message_tab
from functions.core.occasions import Occasion
from functions.core.staff_texts import EDITABLE_KINDS, TextRules, values_for
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
    occasions: Sequence[Occasion] | None = None,
) -> MessageTab:
    """`occasions`: the care plan's (its defaults when not given): their names are kinds of the tab,
    their ticks say which texts must carry a survey link or a voucher code."""
    occasions = default_occasions() if occasions is None else occasions
    kinds = [o.kind for o in occasions]
    promotional = {kind for kind in [*EDITABLE_KINDS, *kinds] if templates.promotional(kind)} | {
        o.kind for o in occasions if o.advert or (o.voucher and vouchers.on)
    }
    rules = TextRules(surveys=surveys, vouchers=vouchers.on, promotional=frozenset(promotional),
                      surveyed=frozenset(o.kind for o in occasions if o.survey),
                      vouchered=frozenset(o.kind for o in occasions if o.voucher))  # fmt: skip
    checks = _checks(rules, links, channels, business, vouchers, typed_kinds(occasions))
    return read_message_tab(table, builtin_book(templates.builtin_texts), checks, language)


def _checks(
    rules: TextRules, links: Links, channels: ChannelBook, business: str, vouchers: VoucherRules, kinds: dict[str, str]
) -> TextChecks:
    """Rows checked with values as long as real ones: a short link on the public URL, an 8-character code."""
    from functions.core.short_links import SURVEY

    far = datetime(2100, 1, 1)
    sample_link = links.short_url(links.short(SURVEY, "SV-SAMPLE", "vi", far))
    today = date.today()
    voucher = Voucher("7K3QW9XM", "KH-SAMPLE", SAMPLE_NAME, today.year, vouchers.value or "giảm 15%", today,
                      today + timedelta(days=vouchers.days))  # fmt: skip
    sample = {**values_for(SAMPLE_NAME, SAMPLE_GREETING, "anh/chị", business, today, "HS-ABCD2345",
                           "Ngày Phụ nữ Việt Nam", f"{today:%d/%m/%Y}"),
              **voucher_values(voucher), "survey_link": sample_link, "opt_out_link": sample_link}  # fmt: skip
    return TextChecks(rules, sample, channels, kinds)
