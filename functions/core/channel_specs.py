"""What careloop knows of a channel, as plain data (pure): each channel's adapter module declares
its own `SPEC`, and the registry (functions.adapters.channels.registry) hands them round. Nothing
outside that package names a channel: the rules here read these fields instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from functions.core.inbound import HeardEvent

# How a channel's message is made (compose dispatches on this, never on a channel's name).
EMAIL_FORM = "email"  # a subject, text and HTML, with signed links
TEXT_FORM = "text"  # plain text staff write in the Messages tab, short links, fitted to the channel's size
TEMPLATE_FORM = "template"  # a template the provider approved: only its parameters are sent

# What address a channel needs from a customer's row.
EMAIL_ADDRESS, PHONE_ADDRESS = "email", "phone"
SAMPLE_EMAIL, SAMPLE_PHONE = "mau@example.invalid", "+84900000000"  # addresses nothing is ever sent to


class FittedText(NamedTuple):
    """A text as a text-form channel will carry it, and what it costs there."""

    text: str
    length: int  # characters as the provider counts them
    encoding: str  # how they are counted ("GSM-7", "UCS-2", "UTF-8")
    parts: int  # messages it is billed as


TextFit = Callable[[str, str], FittedText]  # (text, the text's name) → fitted; RenderError when it cannot be


@dataclass(frozen=True)
class ChannelSpec:
    name: str  # as settings, the ledger and the sheet's Channel column write it
    address: str  # EMAIL_ADDRESS, PHONE_ADDRESS, or the key of a Customers column of its own (`column`)
    form: str  # EMAIL_FORM, TEXT_FORM or TEMPLATE_FORM
    words: tuple[str, ...] = ()  # what else staff may type for it, folded (lower case, no diacritics)
    label: str = ""  # how staff read its name (the Dashboard's "Qua …" column); the name when empty
    provider: tuple[str, ...] = ()  # its settings: all set → it is set up (none: always set up)
    template_table: str = ""  # TEMPLATE_FORM: the table of messages.toml holding each kind's parameters
    fit: Callable[[Any, str, str], FittedText] | None = None  # TEXT_FORM: (its settings, text, name) → fitted
    column: tuple[str, ...] = ()  # its own address column's titles (Vietnamese, English), when it has one
    read_event: Callable[[str], HeardEvent] | None = None  # a webhook's stored event, read (it listens)

    @property
    def shown(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class ChannelBook:
    """The channels careloop has, in the order tried for a row whose Channel is blank, and how each
    text-form channel fits a text with the settings in force."""

    specs: tuple[ChannelSpec, ...]
    fits: Mapping[str, TextFit] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.specs)

    def spec(self, name: str) -> ChannelSpec:
        return next(spec for spec in self.specs if spec.name == name)

    def knows(self, name: str) -> bool:
        return any(spec.name == name for spec in self.specs)

    def form(self, name: str) -> str:
        return self.spec(name).form

    def words(self) -> dict[str, str]:
        """What staff may type in a Channel cell (folded) → the channel's name."""
        return {word: spec.name for spec in self.specs for word in (spec.name, *spec.words)}

    def editable(self) -> tuple[str, ...]:
        """The channels whose texts staff write in the Messages tab (a template's are the provider's)."""
        return tuple(spec.name for spec in self.specs if spec.form != TEMPLATE_FORM)

    def own_columns(self) -> tuple[tuple[str, ...], ...]:
        """(key, Vietnamese title, English title) of each channel's own address column in the Customers tab."""
        return tuple((spec.address, *spec.column) for spec in self.specs if spec.column)

    def fitted(self, name: str, text: str, source: str) -> FittedText:
        """A text-form channel's text as it will go; as it is when the channel sets no size."""
        fit = self.fits.get(name)
        return fit(text, source) if fit else FittedText(text, len(text), "UTF-8", 1)

    def sample_address(self, name: str) -> str:
        """An address of the channel's kind no message goes to (a text only composed, then shown)."""
        return SAMPLE_EMAIL if self.spec(name).address == EMAIL_ADDRESS else SAMPLE_PHONE

    def choices(self) -> list[str]:
        """The Channel dropdown: each channel alone, then the fallback chains staff pick most (each
        pair in the default order, and all of them)."""
        names = self.names
        chains = [", ".join(pair) for pair in combinations(names, 2)]
        whole = [", ".join(names)] if len(names) > 2 else []
        return sorted(names) + chains[:6] + whole

    def listening(self) -> tuple[ChannelSpec, ...]:
        """The channels whose webhook keeps what customers say."""
        return tuple(spec for spec in self.specs if spec.read_event is not None)
