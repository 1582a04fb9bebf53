"""A question bank written out as TOML text, in the shape docs/question-bank.md describes.

Only the shape a bank has is written: top-level keys, [categories], [[questions]] and their
[[questions.rubric]] points with an optional [questions.rubric.concepts] table. Keys are slugs
(bare TOML keys); every string is a TOML basic string. The text is meant to be read back with
`parse_bank`, and to be edited by hand like any bank.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence

from simulator.core.untrusted_text import inert

_NOT_UTF8 = str.maketrans({c: None for c in range(0xD800, 0xE000)})  # lone surrogates
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def toml_string(text: str) -> str:
    """`text` as a TOML basic string.

    JSON's escapes (\\" \\\\ \\n \\t, and \\u with four hex digits for the other control
    characters) are TOML's too. Two differences are handled here: TOML forbids a raw DEL
    (U+007F), which JSON leaves as it is, and a lone surrogate cannot be written as UTF-8 at
    all, so it is dropped. Text beyond the BMP is written as itself, not as the surrogate pair
    escapes TOML would refuse.
    """
    return json.dumps(text.translate(_NOT_UTF8), ensure_ascii=False).replace("\x7f", "\\u007F")


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a bank holds finite numbers only")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, Sequence):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} in a question bank")


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def _pairs(table: Mapping[str, object], indent: str = "") -> list[str]:
    return [f"{indent}{_key(key)} = {_value(value)}" for key, value in table.items()
            if not isinstance(value, Mapping) and value is not None]


def bank_toml(bank: Mapping[str, object], header: Sequence[str] = ()) -> str:
    """TOML text for `bank`: plain keys, then "categories" (id -> title), then "questions",
    each with its "rubric" list of points; a point's "concepts" is a table of name -> terms.
    `header` lines become comments at the top (one line each)."""
    lines = [f"# {_CONTROL.sub(' ', inert(line))}" for line in header] + ([""] if header else [])
    lines += _pairs({k: v for k, v in bank.items() if k not in ("categories", "questions")})
    categories = bank.get("categories") or {}
    if categories:
        lines += ["", "[categories]", *_pairs(categories)]  # type: ignore[arg-type]
    for question in bank.get("questions") or []:  # type: ignore[union-attr]
        lines += ["", "[[questions]]",
                  *_pairs({k: v for k, v in question.items() if k != "rubric"})]
        for point in question.get("rubric", []):
            lines += ["", "  [[questions.rubric]]",
                      *_pairs({k: v for k, v in point.items() if k != "concepts"}, "  ")]
            if point.get("concepts"):
                lines += ["  [questions.rubric.concepts]", *_pairs(point["concepts"], "  ")]
    return "\n".join(lines) + "\n"
