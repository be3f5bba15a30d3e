"""How costly careloop is to change: the figures issue 34 names, counted on the code as it is.

    python bench/lists.py

- modules outside functions/adapters/channels/ that spell a channel's name ("zalo", "sms")
  in their code (comments excluded: they explain, they don't dispatch);
- Vietnamese string constants (docstrings included) in the Python of functions/;
- modules of functions/ over 400 lines.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
CHANNELS_DIR = FUNCTIONS / "adapters" / "channels"
CHANNEL_NAME = re.compile(r"zalo|\bsms\b|_sms\b|\bsms_", re.IGNORECASE)
# Letters Vietnamese has and English doesn't: a constant holding one is Vietnamese wording.
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE)
LONGEST = 400


def _code_without_comments(source: str) -> str:
    kept = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.COMMENT,):
            kept.append(token.string)
    return " ".join(kept)


def _modules() -> list[Path]:
    return sorted(p for p in FUNCTIONS.rglob("*.py") if "standins" not in p.parts)


def channel_spellers() -> list[str]:
    found = []
    for path in _modules():
        if CHANNELS_DIR in path.parents:
            continue
        if CHANNEL_NAME.search(_code_without_comments(path.read_text(encoding="utf-8"))):
            found.append(str(path.relative_to(ROOT)))
    return found


def vietnamese_constants() -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        n = sum(
            1
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and VIETNAMESE.search(node.value)
        )
        if n:
            counts[str(path.relative_to(ROOT))] = n
    return counts


def long_modules() -> dict[str, int]:
    lengths = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules()}
    return {name: n for name, n in lengths.items() if n > LONGEST}


def main() -> int:
    spellers = channel_spellers()
    print(f"modules spelling a channel outside adapters/channels: {len(spellers)}")
    for name in spellers:
        print(f"  {name}")
    constants = vietnamese_constants()
    print(f"Vietnamese string constants in functions/: {sum(constants.values())}")
    for name, n in sorted(constants.items(), key=lambda item: -item[1])[:12]:
        print(f"  {n:4d} {name}")
    longs = long_modules()
    print(f"modules over {LONGEST} lines: {len(longs)}")
    for name, n in sorted(longs.items(), key=lambda item: -item[1]):
        print(f"  {n:4d} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
