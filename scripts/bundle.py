"""Builds dist/careloop-source.zip, the source Terraform uploads for every function: main.py,
functions/ (without the demo's local stand-ins), templates/, and a requirements.txt pinned from
requirements.lock: pyproject.toml's runtime dependencies and everything they need, at the locked
versions (test and dev tools left out).

Each module also ships compiled for the functions' runtime (Python 3.11), as a hash-checked-free
.pyc beside it: a cold start then loads bytecode instead of compiling careloop's source (about
20 ms of every cold start, bench/coldstart.py). A Python of another version ignores them."""

from __future__ import annotations

import re
import sys
import tomllib
import zipfile
from importlib.metadata import PackageNotFoundError, requires
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_name(name)] = version.strip()
    return pins


def runtime_closure(roots: list[str]) -> set[str]:
    """The runtime dependencies and theirs, as installed here, with the extras asked for (test and
    dev extras, and other platforms, left out)."""
    seen: set[tuple[str, str]] = set()
    waiting = [(Requirement(r), "") for r in roots]
    while waiting:
        requirement, wanted_by = waiting.pop()
        extras = sorted(requirement.extras) or [""]
        if requirement.marker and not requirement.marker.evaluate({"extra": wanted_by}):
            continue
        for extra in extras:
            if (_name(requirement.name), extra) in seen:
                continue
            seen.add((_name(requirement.name), extra))
            try:
                waiting += [(Requirement(r), extra) for r in requires(requirement.name) or []]
            except PackageNotFoundError:
                sys.exit(f"bundle: {requirement.name} is not installed here; run `make test` first")
    return {name for name, _ in seen}


def requirements() -> str:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = locked()
    missing = sorted(n for n in runtime_closure(dependencies) if n not in pins)
    if missing:
        sys.exit(f"bundle: not in requirements.lock: {', '.join(missing)}; run `make lock`")
    return "".join(f"{name}=={pins[name]}\n" for name in sorted(runtime_closure(dependencies)))


RUNTIME = (3, 11)  # the functions' runtime (infra: python311)


def build(target: Path = ROOT / "dist" / "careloop-source.zip") -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    modules = [ROOT / "main.py"]
    modules += sorted(
        p for p in (ROOT / "functions").rglob("*.py") if "__pycache__" not in p.parts and "standins" not in p.parts
    )
    templates = sorted(p for p in (ROOT / "templates").rglob("*") if p.is_file())
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in modules + templates:
            bundle.write(path, path.relative_to(ROOT).as_posix())
        if sys.version_info[:2] == RUNTIME:
            for path in modules:
                bundle.writestr(_pyc_name(path), _bytecode(path))
        bundle.writestr("requirements.txt", requirements())
    return target


def _pyc_name(path: Path) -> str:
    import importlib.util

    return Path(importlib.util.cache_from_source(str(path))).relative_to(ROOT).as_posix()


def _bytecode(path: Path) -> bytes:
    """The module compiled as `python -m compileall --invalidation-mode unchecked-hash` would."""
    import importlib.util
    import marshal

    source = path.read_bytes()
    code = compile(source, path.relative_to(ROOT).as_posix(), "exec", dont_inherit=True)
    flags = (0b01).to_bytes(4, "little")  # hash-based, not checked against the source
    return importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(source) + marshal.dumps(code)


if __name__ == "__main__":
    print(build())
