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

from simulator.errors import UserError

TEMPLATES = ("persona.txt", "follow_up.txt", "critique.txt")
SCHEMAS = ("follow_up.schema.json", "critique.schema.json")


@dataclass(frozen=True)
class Prompts:
    texts: dict[str, str]
    schemas: dict[str, dict]
    origin: dict[str, str]  # file name -> where it was read from, for error messages

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
        mine = override / name if override else None
        try:
            if mine is not None and mine.is_file():
                text, origin[name] = mine.read_text(encoding="utf-8"), str(mine)
            else:
                text, origin[name] = bundled.joinpath(name).read_text("utf-8"), f"prompts/{name}"
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"{origin.get(name, name)}: cannot read ({exc})") from exc
        if name.endswith(".json"):
            try:
                schemas[name.removesuffix(".schema.json")] = json.loads(text)
            except ValueError as exc:
                raise UserError(f"{origin[name]}: not valid JSON: {exc}") from exc
        else:
            texts[name.removesuffix(".txt")] = text
    return Prompts(texts, schemas, origin)
