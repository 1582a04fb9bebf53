"""Question banks: TOML files of questions with rubrics, loaded and validated.

The schema is documented in docs/question-bank.md.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from simulator.core.errors import UserError

BANK_SCHEMA = 2
READABLE_SCHEMAS = (1, 2)  # schema 1: points with cues only
MAX_TERMS = 200  # per concept; a bank is data, and grading time grows with it
MAX_TERM_CHARS = 80
MAX_CONCEPTS = 4
MAX_BANK_BYTES = 2_000_000
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class BankError(UserError):
    pass


@dataclass(frozen=True)
class RubricPoint:
    id: str
    strong: str
    cues: tuple[str, ...]  # schema 1: phrases, two of which show the point
    probe: str
    weight: float = 1.0
    # Schema 2: the action that does the point, the other concepts it needs (name, terms),
    # and actions that do the opposite. Graded by simulator.language.concepts when `action` is set.
    action: tuple[str, ...] = ()
    concepts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    contrary: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    text: str
    target_seconds: int
    model_answer: str
    rubric: tuple[RubricPoint, ...]
    category_title: str = ""
    bank: str = ""

    def point(self, point_id: str) -> RubricPoint:
        return next(p for p in self.rubric if p.id == point_id)


@dataclass(frozen=True)
class Bank:
    questions: tuple[Question, ...]

    def get(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        known = ", ".join(q.id for q in self.questions)
        raise UserError(f"unknown question id {question_id!r} (known: {known})")

    def categories(self) -> list[str]:
        return list(dict.fromkeys(q.category for q in self.questions))

    def select(
        self, ids: list[str] | None = None, category: str | None = None, count: int | None = None
    ) -> list[Question]:
        chosen = [self.get(i) for i in ids] if ids else list(self.questions)
        if category:
            wanted = category.lower()
            chosen = [
                q for q in chosen
                if q.category.lower() == wanted or q.category_title.lower() == wanted
            ]
            if not chosen:
                raise UserError(
                    f"no questions in category {category!r} "
                    f"(categories: {', '.join(self.categories())})"
                )
        if count is not None:
            if count < 1:
                raise UserError("--questions must be at least 1")
            chosen = chosen[:count]
        return chosen


def _require(table: dict, key: str, kind: type, where: str) -> object:
    if key not in table:
        raise BankError(f"{where}: missing key {key!r}")
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BankError(f"{where}: key {key!r} must be a {kind.__name__}, not {value!r:.40}")
    if isinstance(value, str) and not value.strip():
        raise BankError(f"{where}: key {key!r} is empty")
    return value


def _slug(table: dict, where: str) -> str:
    value = str(_require(table, "id", str, where))
    if not SLUG.match(value):
        raise BankError(f"{where}: id {value!r} must be a lowercase slug (a-z, 0-9, '-')")
    return value


def _terms(value: object, where: str, key: str,
           shared: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """A list of phrases; "@name" stands for the bank's shared list of that name."""
    if (not isinstance(value, list) or not value
            or not all(isinstance(t, str) and t.strip() and len(t) <= MAX_TERM_CHARS
                       and any(ch.isalnum() for ch in t) for t in value)):
        raise BankError(f"{where}: key {key!r} must be a non-empty list of phrases "
                        f"of at most {MAX_TERM_CHARS} characters")
    out: list[str] = []
    for term in value:
        term = " ".join(term.split())
        if term.startswith("@") and shared is not None:
            if term[1:] not in shared:
                known = ", ".join(f"@{k}" for k in shared) or "none"
                raise BankError(f"{where}: key {key!r} names unknown term list {term!r} "
                                f"(the bank's [terms] has: {known})")
            out += shared[term[1:]]
        else:
            out.append(term)
    if len(out) > MAX_TERMS:
        raise BankError(f"{where}: key {key!r} has {len(out)} phrases; at most {MAX_TERMS}")
    return tuple(dict.fromkeys(out))


def _shared_terms(data: dict, name: str) -> dict[str, tuple[str, ...]]:
    table = data.get("terms", {})
    if not isinstance(table, dict):
        raise BankError(f"{name}: key 'terms' must be a table of name = [phrases]")
    shared: dict[str, tuple[str, ...]] = {}
    for key, value in table.items():
        if not SLUG.match(key):
            raise BankError(f"{name}: term list name {key!r} must be a lowercase slug")
        shared[key] = _terms(value, f"{name}: terms", key)
    return shared


def _concepts(value: object, where: str,
              shared: dict[str, tuple[str, ...]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict) or len(value) > MAX_CONCEPTS:
        raise BankError(f"{where}: key 'concepts' must be a table of at most {MAX_CONCEPTS} "
                        "concepts, each name = [phrases]")
    out = []
    for name, terms in value.items():
        if not SLUG.match(name):
            raise BankError(f"{where}: concept name {name!r} must be a lowercase slug")
        out.append((name, _terms(terms, where, f"concepts.{name}", shared)))
    return tuple(out)


def _point(table: object, where: str, schema: int,
           shared: dict[str, tuple[str, ...]]) -> RubricPoint:
    if not isinstance(table, dict):
        raise BankError(f"{where}: each rubric point must be a table")
    pid = _slug(table, where)
    where = f"{where} ({pid})"
    action: tuple[str, ...] = ()
    concepts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    contrary: tuple[str, ...] = ()
    if schema >= 2 and ("action" in table or "concepts" in table or "contrary" in table):
        if "action" not in table:
            raise BankError(f"{where}: missing key 'action' (the phrases that do the point)")
        action = _terms(table["action"], where, "action", shared)
        concepts = _concepts(table.get("concepts", {}), where, shared)
        if "contrary" in table:
            contrary = _terms(table["contrary"], where, "contrary", shared)
    elif "cues" not in table:
        raise BankError(f"{where}: missing key 'cues'"
                        + (" (or 'action' and 'concepts')" if schema >= 2 else ""))
    cues: tuple[str, ...] = ()
    if "cues" in table:
        raw = _require(table, "cues", list, where)
        if not raw or not all(isinstance(c, str) and c.strip() for c in raw):
            raise BankError(f"{where}: key 'cues' must be a non-empty list of phrases")
        cues = tuple(c.strip() for c in raw)
    weight = table.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 10:
        raise BankError(f"{where}: key 'weight' must be a number above 0 and at most 10")
    return RubricPoint(
        id=pid,
        strong=str(_require(table, "strong", str, where)),
        cues=cues,
        probe=str(_require(table, "probe", str, where)),
        weight=float(weight),
        action=action,
        concepts=concepts,
        contrary=contrary,
    )


def _question(table: object, where: str, categories: dict, bank_id: str,
              schema: int, shared: dict[str, tuple[str, ...]]) -> Question:
    if not isinstance(table, dict):
        raise BankError(f"{where}: each question must be a table")
    qid = _slug(table, where)
    where = f"{where} (question {qid!r})"
    category = str(_require(table, "category", str, where))
    target = _require(table, "target_seconds", int, where)
    if not 10 <= target <= 1800:  # type: ignore[operator]
        raise BankError(f"{where}: key 'target_seconds' must be between 10 and 1800")
    points = _require(table, "rubric", list, where)
    if not 3 <= len(points) <= 6:  # type: ignore[arg-type]
        raise BankError(f"{where}: a question needs 3 to 6 rubric points, found {len(points)}")
    rubric = tuple(_point(p, f"{where} rubric[{i}]", schema, shared) for i, p in enumerate(points))
    ids = [p.id for p in rubric]
    if len(set(ids)) != len(ids):
        raise BankError(f"{where}: duplicate rubric point id")
    return Question(
        id=qid,
        category=category,
        text=str(_require(table, "text", str, where)),
        target_seconds=int(target),  # type: ignore[arg-type]
        model_answer=str(_require(table, "model_answer", str, where)),
        rubric=rubric,
        category_title=str(categories.get(category, category)),
        bank=bank_id,
    )


def parse_bank(text: str, name: str) -> list[Question]:
    """Validate one bank's TOML text; `name` is how errors refer to it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{name}: not valid TOML: {exc}") from exc
    schema = data.get("schema", 1)
    if isinstance(schema, bool) or schema not in READABLE_SCHEMAS:
        readable = " or ".join(map(str, READABLE_SCHEMAS))
        raise BankError(f"{name}: key 'schema' is {schema!r}; this version reads {readable}")
    categories = data.get("categories", {})
    if not isinstance(categories, dict):
        raise BankError(f"{name}: key 'categories' must be a table of id = title")
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        raise BankError(f"{name}: no questions (expected one or more [[questions]] tables)")
    bank_id = str(data.get("id", Path(name).stem))
    shared = _shared_terms(data, name) if schema >= 2 else {}
    parsed = [
        _question(q, f"{name}: questions[{i}]", categories, bank_id, schema, shared)
        for i, q in enumerate(questions)
    ]
    _no_duplicates(parsed, name)
    return parsed


def _no_duplicates(questions: list[Question], where: str) -> None:
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise BankError(f"{where}: duplicate question id {q.id!r}")
        seen.add(q.id)


def read_bank_file(path: Path) -> list[Question]:
    try:
        size = path.stat().st_size
        if size > MAX_BANK_BYTES:
            raise BankError(f"{path}: too large for a question bank ({size} bytes)")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BankError(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise BankError(f"{path}: cannot read ({exc.strerror})") from exc
    return parse_bank(text, str(path))


def builtin_banks() -> list[Question]:
    found: list[Question] = []
    for entry in sorted(resources.files("questions").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found += parse_bank(entry.read_text(encoding="utf-8"), f"questions/{entry.name}")
    return found


def load_bank(extra: list[Path] | None = None) -> Bank:
    """The bundled bank plus any user banks (files, or folders of *.toml files)."""
    questions = builtin_banks()
    for path in extra or []:
        path = Path(path)
        if path.is_dir():
            files = sorted(path.glob("*.toml"))
            if not files:
                raise BankError(f"{path}: no *.toml question banks in this folder")
        elif path.exists():
            files = [path]
        else:
            raise BankError(f"{path}: no such question bank")
        for f in files:
            questions += read_bank_file(f)
    _no_duplicates(questions, "question banks")
    return Bank(tuple(questions))
