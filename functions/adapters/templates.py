"""The Renderer port on jinja2: messages and pages from templates/ in one sandboxed jinja2 environment.

StrictUndefined turns a missing variable into an error found by `careloop check` or a preview,
never into a customer reading "Chào ,". HTML is autoescaped; subjects and text are not.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from functions.core.errors import RenderError
from functions.core.messages import RenderedMessage

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
PROMOTIONAL_LABEL = "[QC] "  # Decree 91/2020: advertising messages are labelled


class Templates:
    def __init__(self, directory: Path = TEMPLATES_DIR):
        self.directory = Path(directory)

    @cached_property
    def environment(self) -> SandboxedEnvironment:
        return SandboxedEnvironment(
            loader=FileSystemLoader(str(self.directory)),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            keep_trailing_newline=False,
        )

    @cached_property
    def message_kinds(self) -> dict[str, dict[str, Any]]:
        return tomllib.loads((self.directory / "messages.toml").read_text(encoding="utf-8"))

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        try:
            return self.environment.get_template(name).render(context)
        except TemplateError as error:
            raise RenderError(f"{name}: {error}") from error

    def message(self, kind: str, language: str, context: Mapping[str, Any], channel: str = "email") -> RenderedMessage:
        context = {**context, "language": language}
        if channel == "sms":
            return RenderedMessage("", self.sms_text(kind, language, context), "")
        if channel == "zalo":
            params = self.zns_params(kind, context)
            return RenderedMessage("", "\n".join(f"{name}: {value}" for name, value in params), "", params)
        base = f"messages/{kind}/{language}"
        subject = " ".join(self.render(f"{base}.subject.txt", context).split())
        if self.promotional(kind):
            subject = PROMOTIONAL_LABEL + subject
        return RenderedMessage(
            subject, self.render(f"{base}.txt", context).strip() + "\n", self.render(f"{base}.html", context)
        )

    def promotional(self, kind: str) -> bool:
        return bool(self.message_kinds.get(kind, {}).get("promotional"))

    def sms_text(self, kind: str, language: str, context: Mapping[str, Any]) -> str:
        text = " ".join(self.render(f"messages/{kind}/{language}.sms.txt", context).split())
        return PROMOTIONAL_LABEL + text if self.promotional(kind) else text

    def zns_params(self, kind: str, context: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        """The Zalo template's parameters, each rendered from the message's context; RenderError for a
        kind with no [KIND.zns] table (it cannot go by Zalo)."""
        mapping = self.message_kinds.get(kind, {}).get("zns")
        if not mapping:
            raise RenderError(f"messages.toml [{kind}.zns]: không có tham số Zalo / no Zalo parameters")
        try:
            return tuple(
                (name, " ".join(self.environment.from_string(source).render(context).split()))
                for name, source in mapping.items()
            )
        except TemplateError as error:
            raise RenderError(f"messages.toml [{kind}.zns]: {error}") from error

    def page(self, name: str, context: Mapping[str, Any]) -> str:
        return self.render(f"pages/{name}", context)
