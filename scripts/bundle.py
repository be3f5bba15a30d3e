"""Builds dist/careloop-source.zip, the source Terraform uploads for every function: main.py,
functions/, templates/, and a requirements.txt pinned from pyproject.toml's dependencies (the one
source of truth) at the versions installed where the bundle is built and tested."""

from __future__ import annotations

import re
import sys
import tomllib
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def requirements() -> str:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lines = []
    for requirement in dependencies:
        name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
        try:
            lines.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            sys.exit(f"bundle: {name} is not installed here; run `make test` or `pip install -e .` first")
    return "\n".join(lines) + "\n"


def build(target: Path = ROOT / "dist" / "careloop-source.zip") -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    files = [ROOT / "main.py"]
    files += sorted(p for p in (ROOT / "functions").rglob("*.py") if "__pycache__" not in p.parts)
    files += sorted(p for p in (ROOT / "templates").rglob("*") if p.is_file())
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in files:
            bundle.write(path, path.relative_to(ROOT).as_posix())
        bundle.writestr("requirements.txt", requirements())
    return target


if __name__ == "__main__":
    print(build())
