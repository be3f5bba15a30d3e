"""The Renderer port on jinja2: messages and pages from templates/ in one sandboxed jinja2 environment.

StrictUndefined turns a missing variable into an error found by `careloop check` or a preview,
never into a customer reading "Chào ,". HTML is autoescaped; subjects and text are not.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from functions.core.errors import RenderError
from functions.core.i18n import both, say
from functions.core.messages import PROMOTIONAL_LABEL, VOUCHER_VARIANT, RenderedMessage
from functions.core.staff_texts import Block, fill, parse

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
HTML = ".html"  # "<kind>.jinja.html": the one text of an email to staff, read as HTML (so autoescaped)


class _OneText(FileSystemLoader):
    """Templates by name, where "X.jinja.html" is X.jinja itself: one text, rendered as plain text and,
    under its .html name, as HTML with every value escaped."""

    def get_source(self, environment: Any, template: str) -> Any:
        return super().get_source(environment, template.removesuffix(HTML) if template.endswith(".jinja" + HTML)
                                  else template)  # fmt: skip


class Templates:
    def __init__(self, directory: Path = TEMPLATES_DIR):
        self.directory = Path(directory)

    @cached_property
    def environment(self) -> SandboxedEnvironment:
        return SandboxedEnvironment(
            loader=_OneText(str(self.directory)),
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

    @cached_property
    def builtin_texts(self) -> dict[tuple[str, str, str], tuple[str | None, str]]:
        """(kind, language, channel) → (subject, text): the texts customers receive unless staff
        wrote their own in the Messages tab (templates/messages/texts.toml)."""
        table = tomllib.loads((self.directory / "messages" / "texts.toml").read_text(encoding="utf-8"))
        return {
            (kind, language, channel): (text.get("subject"), text["text"].strip())
            for kind, languages in table.items()
            for language, channels in languages.items()
            for channel, text in channels.items()
        }

    def message(
        self, kind: str, language: str, context: Mapping[str, Any], template_table: str = ""
    ) -> RenderedMessage:
        """An owner's email; with `template_table`, a provider-approved template's parameters instead."""
        if template_table:
            params = self.template_params(kind, context, template_table)
            return RenderedMessage("", "\n".join(f"{name}: {value}" for name, value in params), "", params)

        def words(code: str, **params: object) -> str:
            return say(code, language, **params)

        context = {**context, "language": language, "w": words}
        name = f"messages/{kind}.jinja"  # one text, for both languages (its words) and both forms
        try:
            text = self.environment.get_template(name).make_module({**context, "html": False})
            html = self.environment.get_template(name + HTML).make_module({**context, "html": True})
            subject = " ".join(str(vars(text)["subject"]).split())  # the text's own {% set subject %}
        except TemplateError as error:
            raise RenderError(f"{name}: {error}") from error
        if self.promotional(kind):
            subject = PROMOTIONAL_LABEL + subject
        body = self.render("messages/_owner.html", {**context, "body": Markup(str(html).strip())})
        return RenderedMessage(subject, str(text).strip() + "\n", body)

    def text_email(self, language: str, body: Sequence[Block], context: Mapping[str, Any]) -> str:
        """The HTML of an email whose words come from a text (staff's or built in)."""
        return self.render("messages/_text.html", {**context, "language": language, "blocks": body})

    def promotional(self, kind: str) -> bool:
        return bool(self.message_kinds.get(kind, {}).get("promotional"))

    def template_params(self, kind: str, context: Mapping[str, Any], table: str) -> tuple[tuple[str, str], ...]:
        """An approved template's parameters, each filled from the message's placeholder values
        (`context["values"]`); RenderError for a kind with no [KIND.<table>] (it cannot go that way).
        "birthday_voucher" is the birthday's [birthday.<table>_voucher]: the wish that carries a voucher."""
        base, voucher, _ = kind.partition(VOUCHER_VARIANT)
        mapping = self.message_kinds.get(base, {}).get(table + VOUCHER_VARIANT if voucher else table)
        if not mapping:
            raise RenderError(both("template_params_none", source="messages.toml", kind=kind, table=table))
        values = context.get("values", {})
        params = []
        for name, source in mapping.items():
            parsed = parse(source)
            if parsed.problems:
                raise RenderError(f"messages.toml [{kind}.{table}] {name}: {parsed.problems[0].code}")
            params.append((name, fill(parsed, values)))
        return tuple(params)

    def page(self, name: str, context: Mapping[str, Any]) -> str:
        return self.render(f"pages/{name}", context)
