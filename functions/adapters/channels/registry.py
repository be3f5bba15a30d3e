"""The channels careloop has: one list of adapter modules, each declaring itself.

A channel's module exports `SPEC` (a `ChannelSpec`: its name, the address it needs, the names staff
may type, its message form), `SETTINGS` (the dataclass of its own settings, or None), `build(section,
context)` and `describe(section, context)`. Adding a channel is one line here; settings, bootstrap,
compose, the sheet's dropdowns and Dashboard, `check`, `preview` and Terraform read the specs.

The list's order is the default `channel_order`: the channel tried first for a row whose Channel is
blank comes first.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache, partial
from types import ModuleType
from typing import TYPE_CHECKING, Any

from functions.adapters.channels.context import ChannelContext, Webhook
from functions.core.channel_specs import ChannelBook, ChannelSpec, TextFit

if TYPE_CHECKING:
    from functions.ports import Channel

CHANNEL_MODULES = (
    "functions.adapters.channels.zalo",
    "functions.adapters.channels.twilio_sms",
    "functions.adapters.channels.email",
)


@lru_cache(maxsize=8)
def _modules(names: tuple[str, ...]) -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(name) for name in names)


def channel_modules() -> tuple[ModuleType, ...]:
    """The modules, read from CHANNEL_MODULES when asked (a test may register a channel of its own)."""
    return _modules(tuple(CHANNEL_MODULES))


def specs() -> tuple[ChannelSpec, ...]:
    return tuple(module.SPEC for module in channel_modules())


def section_types() -> tuple[type[Any], ...]:
    """Each channel's settings section (a frozen dataclass of `setting_checks.setting` fields)."""
    return tuple(module.SETTINGS for module in channel_modules() if getattr(module, "SETTINGS", None))


def _section(module: ModuleType, sections: Iterable[Any]) -> Any:
    """The module's settings section among those given; its defaults when none is."""
    kind = getattr(module, "SETTINGS", None)
    if kind is None:
        return None
    return next((s for s in sections if isinstance(s, kind)), None) or kind()


def set_up(spec: ChannelSpec, section: Any) -> bool:
    """All of its provider's settings are given (a channel with none is always set up)."""
    return all(getattr(section, name) for name in spec.provider)


def channel_book(sections: Iterable[Any]) -> ChannelBook:
    """Every channel's spec, with each text-form channel's fit bound to its settings in force."""
    fits: dict[str, TextFit] = {
        module.SPEC.name: partial(module.SPEC.fit, section)
        for module, section in _with_sections(sections)
        if module.SPEC.fit is not None
    }
    return ChannelBook(specs(), fits)


def _with_sections(sections: Iterable[Any], only_set_up: bool = False) -> Iterator[tuple[ModuleType, Any]]:
    """Each channel's module with its settings section (its defaults when none is given)."""
    given = tuple(sections)
    for module in channel_modules():
        section = _section(module, given)
        if not only_set_up or set_up(module.SPEC, section):
            yield module, section


def configured(sections: Iterable[Any]) -> tuple[str, ...]:
    """The channels this deployment can send on, in the registry's order."""
    return tuple(module.SPEC.name for module, _ in _with_sections(sections, only_set_up=True))


def build_channels(sections: Iterable[Any], context: ChannelContext) -> dict[str, Channel]:
    """An adapter for each channel set up; their clients load on first use."""
    return {module.SPEC.name: module.build(section, context)
            for module, section in _with_sections(sections, only_set_up=True)}  # fmt: skip


def descriptions(sections: Iterable[Any], context: ChannelContext) -> Mapping[str, str]:
    """channel → through what it sends ("Twilio, LuatMinhAn"), for each channel set up (`careloop check`)."""
    return {module.SPEC.name: module.describe(section, context)
            for module, section in _with_sections(sections, only_set_up=True)}  # fmt: skip


def section_fields() -> list[tuple[type[Any], dataclasses.Field[Any]]]:
    """(section, field) for every channel's setting, in the registry's order."""
    return [(kind, f) for kind in section_types() for f in dataclasses.fields(kind)]


def webhook(name: str, sections: Iterable[Any]) -> Callable[..., Any] | None:
    """The public function `name` a channel answers its provider with (its module's function of that
    name), its settings section bound: called (request, store, now). None: no channel has it."""
    for module in channel_modules():
        hook = getattr(module, "WEBHOOKS", {}).get(name)
        if hook:
            handler = getattr(importlib.import_module(hook.module), name)
            return partial(handler, section=_section(module, tuple(sections)))
    return None


def webhooks(spec: ChannelSpec) -> Mapping[str, Webhook]:
    """A channel's public functions (Terraform deploys one each), by name."""
    module = next(m for m in channel_modules() if m.SPEC is spec)
    return dict(getattr(module, "WEBHOOKS", {}))


def section_type(spec: ChannelSpec) -> type[Any] | None:
    module = next(m for m in channel_modules() if m.SPEC is spec)
    return getattr(module, "SETTINGS", None)
