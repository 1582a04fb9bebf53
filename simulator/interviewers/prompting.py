"""Prompt templates and JSON schemas for LLM interviewers, read from `prompts/` at run time.

`--prompts DIR` replaces any of the files with the user's own; the rest stay the bundled ones.
Templates use `$name` placeholders (string.Template), so JSON braces need no escaping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from simulator.core.errors import UserError

TEMPLATES = ("persona.txt", "follow_up.txt", "critique.txt", "generate_bank.txt")
SCHEMAS = ("follow_up.schema.json", "critique.schema.json", "generate_bank.schema.json")


@dataclass(frozen=True)
class Prompts:
    texts: dict[str, str]
    schemas: dict[str, dict]
    origin: dict[str, str]  # template -> the file it was read from, for error messages

    def render(self, name: str, **values: str) -> str:
        try:
            return Template(self.texts[name]).substitute(values)
        except KeyError as exc:
            raise UserError(f"{self.origin[name]}: unknown placeholder ${exc.args[0]}") from exc
        except ValueError as exc:
            raise UserError(f"{self.origin[name]}: {exc}") from exc

    def schema(self, name: str) -> dict:
        return self.schemas[name]


def load_prompts(override: Path | None = None) -> Prompts:
    if override is not None and not override.is_dir():
        raise UserError(f"{override}: --prompts must be a folder of prompt files")
    bundled = resources.files("prompts")
    texts: dict[str, str] = {}
    schemas: dict[str, dict] = {}
    origin: dict[str, str] = {}
    for name in TEMPLATES + SCHEMAS:
        key = name.removesuffix(".schema.json").removesuffix(".txt")
        mine = override / name if override else None
        where = str(mine) if mine is not None and mine.is_file() else f"prompts/{name}"
        try:
            if mine is not None and mine.is_file():
                text = mine.read_text(encoding="utf-8")
            else:
                text = bundled.joinpath(name).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"{where}: cannot read ({exc})") from exc
        if name.endswith(".json"):
            try:
                schemas[key] = json.loads(text)
            except ValueError as exc:
                raise UserError(f"{where}: not valid JSON: {exc}") from exc
        else:
            texts[key] = text
            origin[key] = where
    return Prompts(texts, schemas, origin)
