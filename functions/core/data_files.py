"""The data files beside the templates (templates/*.toml): words staff and customers read or write,
kept as data, not code. Each is read once, when first asked (pure after that: callers get a dict)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@cache
def data_file(name: str) -> dict[str, Any]:
    """templates/<name>.toml, parsed."""
    return tomllib.loads((TEMPLATES / f"{name}.toml").read_text(encoding="utf-8"))
