"""`careloop generate`: the copies of the settings' schema people read, written from it.

Each setting is declared once (functions/settings.py, and each channel's own section in its adapter
module): its default, its check, what it means, whether staff set it in the Settings tab, how
Terraform deploys it. From that, this writes the README's settings table and the Terraform module's
settings.tf (a variable for each deployed setting, with its range as a validation; the environment
every function reads; each channel's settings, secrets and public functions). `--check` writes
nothing and fails when a committed copy differs; a test runs it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from functions.core.setting_checks import Bounded
from functions.settings import Settings, setting_fields

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
TERRAFORM = ROOT / "infra" / "modules" / "careloop" / "settings.tf"
TABLE_BEGIN = "<!-- The settings table: written by `careloop generate` from functions/settings/schema.py. -->"
TABLE_END = "<!-- End of the settings table. -->"
GENERATED = "# Written by `careloop generate` from the settings' schema (functions/settings/ and each channel's\n"
GENERATED += "# section in functions/adapters/channels/): change the schema, then run it; a test holds them equal.\n"


def _default_text(f: dataclasses.Field[Any], defaults: Settings) -> str:
    """A setting's default as the README shows it."""
    if f.metadata.get("default_doc"):
        return str(f.metadata["default_doc"])
    value = defaults.redacted()[f.name]
    if f.metadata["secret"] or value in ("", None):
        return "–"
    return f"`{'true' if value is True else 'false' if value is False else value}`"


def readme_table() -> str:
    defaults = Settings()
    rows = ["| setting | default | meaning |", "| --- | --- | --- |"]
    for f in setting_fields():
        meaning = str(f.metadata["doc"]).replace("|", "\\|")
        tab = " Staff may set it in the `Cài đặt` tab." if f.metadata.get("tab") else ""
        rows.append(f"| `{f.name}` | {_default_text(f, defaults)} | {meaning}{tab} |")
    return "\n".join(rows)


def readme(text: str) -> str:
    """The README with its settings table as the schema says."""
    start, end = text.index(TABLE_BEGIN) + len(TABLE_BEGIN), text.index(TABLE_END)
    return text[:start] + "\n" + readme_table() + "\n" + text[end:]


def _hcl_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")


def _aligned(pairs: list[tuple[str, str]], indent: str) -> list[str]:
    """Attributes one per line, their `=` aligned as `terraform fmt` aligns them."""
    width = max((len(key) for key, _ in pairs), default=0)
    return [f"{indent}{key.ljust(width)} = {value}" for key, value in pairs]


def _is_number(f: dataclasses.Field[Any]) -> bool:
    """A whole-number setting: a Terraform number (its annotation is a string under `from __future__`)."""
    return f.type in ("int", int)


def _variable(f: dataclasses.Field[Any], defaults: Settings) -> list[str]:
    number = _is_number(f)
    attributes = [("type", "number" if number else "string"), ("description", _hcl_string(str(f.metadata["doc"])))]
    if f.metadata["deploy"] != "required":
        shown = defaults.redacted()[f.name]
        attributes.append(("default", str(shown) if number else _hcl_string(str(shown))))
    lines = [f'variable "{f.name}" {{', *_aligned(attributes, "  ")]
    check = f.metadata["parse"]
    if isinstance(check, Bounded):
        lines += [
            "  validation {",
            *_aligned(
                [
                    ("condition", f"var.{f.name} >= {check.low} && var.{f.name} <= {check.high}"),
                    ("error_message", _hcl_string(f"{f.name} is between {check.low} and {check.high}.")),
                ],
                "    ",
            ),  # fmt: skip
            "  }",
        ]
    return [*lines, "}", ""]


def _env(f: dataclasses.Field[Any]) -> tuple[str, str]:
    return Settings.env_name(f.name), f"tostring(var.{f.name})" if _is_number(f) else f"var.{f.name}"


def terraform_settings() -> str:
    from functions.adapters.channels.registry import section_type, specs, webhooks

    defaults = Settings()
    deployed = [f for f in setting_fields() if f.metadata.get("deploy")]
    lines = [GENERATED]
    for f in deployed:
        lines += _variable(f, defaults)
    channel_fields = {f.name for spec in specs() if (kind := section_type(spec)) for f in dataclasses.fields(kind)}
    everywhere = [f for f in deployed if f.metadata["deploy"] in ("required", "env")]
    own_env = [_env(f) for f in everywhere if f.name not in channel_fields]
    lines += [
        "locals {",
        "  # careloop's own deployed settings, as every function reads them (an empty one left out).",
        "  setting_environment = { for name, value in {",
        *_aligned(own_env, "    "),
        '  } : name => value if value != "" }',
        "  # Each channel with a provider: set up once its first setting is given; its settings, its",
        '  # secrets (read_by: "send", the runs that send, or its public functions) and its public functions.',
        "  channels = {",
    ]
    for spec in specs():
        kind = section_type(spec)
        if kind is None or not spec.provider:
            continue
        fields = dataclasses.fields(kind)
        lines += [f"    {spec.name} = {{", f'      enabled = var.{spec.provider[0]} != ""', "      environment = {"]
        lines += _aligned([_env(f) for f in fields if f.metadata["deploy"] in ("required", "env")], "        ")
        lines += ["      }", "      secrets = {"]
        secrets = [
            (f.name, f'{{ id = "careloop-{f.name.replace("_", "-")}", env = "{Settings.env_name(f.name)}", '
                     f"read_by = {json.dumps(list(f.metadata['read_by']))} }}")
            for f in fields if f.metadata["secret"]
        ]  # fmt: skip
        lines += _aligned(secrets, "        ")
        lines += ["      }", "      webhooks = {"]
        urls = {f.metadata["url_of"]: Settings.env_name(f.name) for f in fields if f.metadata.get("url_of")}
        hooks = [
            (name, f"{{ description = {_hcl_string(hook.description)}, url_env = {_hcl_string(urls.get(name, ''))} }}")
            for name, hook in webhooks(spec).items()
        ]
        lines += _aligned(hooks, "        ")
        lines += ["      }", "    }"]
    lines += ["  }", "}", ""]
    return "\n".join(lines)


def generated(root: Path = ROOT) -> dict[Path, str]:
    """Each generated file, as the schema says it should read."""
    readme_path = root / README.relative_to(ROOT)
    return {
        readme_path: readme(readme_path.read_text(encoding="utf-8")),
        root / TERRAFORM.relative_to(ROOT): terraform_settings(),
    }


def run_generate(check_only: bool, root: Path = ROOT) -> list[Path]:
    """The files that differ from the schema; written unless `check_only`."""
    stale = []
    for path, text in generated(root).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not check_only:
                path.write_text(text, encoding="utf-8")
    return stale
