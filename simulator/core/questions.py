"""Question banks: TOML files of questions with rubrics, loaded and validated.

The schema is documented in docs/question-bank.md.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from simulator.core.errors import UserError
from simulator.core.textfile import regular_file
from simulator.language.matching import STOPWORDS

BANK_SCHEMA = 2
READABLE_SCHEMAS = (1, 2)  # schema 1: points with cues only
MAX_TERMS = 200  # per concept; a bank is data, and grading time grows with it
MAX_TERM_CHARS = 80
MAX_TERM_WORDS = 8
# Letters a wildcard needs before its `*`: "te*" would match "team", "test" and "tell" alike.
MIN_WILDCARD_STEM = 3
MAX_CONCEPTS = 4
MAX_BANK_BYTES = 2_000_000
MAX_EXAMPLES = 12  # per point, of each kind
MAX_EXAMPLE_CHARS = 400
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# What kind of answer a question asks for: how the candidate would do something, or a story
# of one past event (told as situation, task, action, result, and given STAR feedback).
KINDS = ("approach", "story")
DEFAULT_BANK = "pm-execution"  # what `practice` asks when nothing chooses the questions


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
    # Sentences of a candidate doing the point, and doing its opposite: what the sentence
    # model compares an answer with.
    examples: tuple[str, ...] = ()
    opposites: tuple[str, ...] = ()


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
    kind: str = "approach"  # one of KINDS

    def point(self, point_id: str) -> RubricPoint:
        return next(p for p in self.rubric if p.id == point_id)


@dataclass(frozen=True)
class Bank:
    questions: tuple[Question, ...]
    # The banks `select` draws from when no question or category is asked for.
    default: tuple[str, ...] = (DEFAULT_BANK,)
    warnings: tuple[str, ...] = ()  # user banks that could not be read and were left out
    named: bool = False  # `default` was named on the command line (--bank)

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
        if ids:
            chosen = [self.get(i) for i in ids]
        elif category and not self.named:  # a category is looked for in every bank
            chosen = list(self.questions)
        else:
            chosen = [q for q in self.questions if q.bank in self.default]
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
                                f"(the lexicon and the bank's [terms] have: {known})")
            out += shared[term[1:]]
        elif term.lower() not in STOPWORDS:  # matches nearly every sentence
            _check_term(term, where, key)
            out.append(term)
    if len(out) > MAX_TERMS:
        raise BankError(f"{where}: key {key!r} has {len(out)} phrases; at most {MAX_TERMS}")
    return tuple(dict.fromkeys(out))


def term_problem(term: str) -> str | None:
    """Why a phrase would match almost anything, or cost too much to look for; None if not."""
    words = term.split()
    if len(words) > MAX_TERM_WORDS:
        return f"{len(words)} words; at most {MAX_TERM_WORDS}"
    for word in words:
        stem = word.rstrip("*")
        if "*" in stem:
            return "a * may only end a word"
        if word != stem and not stem.isdigit() and sum(map(str.isalpha, stem)) < \
                MIN_WILDCARD_STEM:
            return (f"a wildcard needs at least {MIN_WILDCARD_STEM} letters before the * "
                    "(it would match almost any word)")
    return None


def _check_term(term: str, where: str, key: str) -> None:
    problem = term_problem(term)
    if problem:
        raise BankError(f"{where}: key {key!r}: {term!r}: {problem}")


LEXICON = "lexicon.toml"  # in the questions package: concept classes every bank may use


@lru_cache(maxsize=1)
def lexicon() -> dict[str, tuple[str, ...]]:
    """The shared concept classes ("@tell", "@stakeholders", ...), tested with the bundled
    banks, so that a bank's author writes a point's own words only."""
    data = tomllib.loads(resources.files("questions").joinpath(LEXICON).read_text("utf-8"))
    return {key: _terms(value, f"questions/{LEXICON}", key) for key, value in data.items()}


def _shared_terms(data: dict, name: str) -> dict[str, tuple[str, ...]]:
    table = data.get("terms", {})
    if not isinstance(table, dict):
        raise BankError(f"{name}: key 'terms' must be a table of name = [phrases]")
    shared: dict[str, tuple[str, ...]] = dict(lexicon())
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
    examples = _sentences(table, "examples", where) if schema >= 2 else ()
    opposites = _sentences(table, "opposites", where) if schema >= 2 else ()
    if schema >= 2 and ("action" in table or "concepts" in table or "contrary" in table):
        if "action" not in table:
            raise BankError(f"{where}: missing key 'action' (the phrases that do the point)")
        action = _terms(table["action"], where, "action", shared)
        concepts = _concepts(table.get("concepts", {}), where, shared)
        if "contrary" in table:
            contrary = _terms(table["contrary"], where, "contrary", shared)
    elif "cues" not in table and not examples:
        raise BankError(f"{where}: missing key 'cues'"
                        + (" (or 'examples', or 'action' and 'concepts')" if schema >= 2 else ""))
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
        examples=examples,
        opposites=opposites,
    )


def _sentences(table: dict, key: str, where: str) -> tuple[str, ...]:
    """Example sentences: optional, a list of short texts."""
    if key not in table:
        return ()
    value = table[key]
    if (not isinstance(value, list) or len(value) > MAX_EXAMPLES
            or not all(isinstance(t, str) and t.strip() and len(t) <= MAX_EXAMPLE_CHARS
                       for t in value)):
        raise BankError(f"{where}: key {key!r} must be a list of at most {MAX_EXAMPLES} "
                        f"sentences of at most {MAX_EXAMPLE_CHARS} characters")
    return tuple(dict.fromkeys(" ".join(t.split()) for t in value))


def _kind(table: dict, where: str, default: str) -> str:
    kind = table.get("kind", default)
    if kind not in KINDS:
        raise BankError(f"{where}: key 'kind' must be one of {', '.join(KINDS)}, not {kind!r:.40}")
    return kind


def _question(table: object, where: str, categories: dict, bank_id: str,
              schema: int, shared: dict[str, tuple[str, ...]], kind: str) -> Question:
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
        kind=_kind(table, where, kind),
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
    bank_id = data.get("id", slug(Path(name).stem, 64) or "bank")
    if not isinstance(bank_id, str) or not SLUG.match(bank_id):
        raise BankError(f"{name}: id {bank_id!r:.80} must be a lowercase slug (a-z, 0-9, '-')")
    shared = _shared_terms(data, name) if schema >= 2 else {}
    kind = _kind(data, name, "approach")
    parsed = [
        _question(q, f"{name}: questions[{i}]", categories, bank_id, schema, shared, kind)
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
    # Only a regular file: saved banks load on every command, and a FIFO named *.toml among
    # them would hang each one.
    try:
        regular_file(path, "question bank")
    except UserError as exc:
        raise BankError(str(exc)) from None
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
        if entry.name.endswith(".toml") and entry.name != LEXICON:
            found += parse_bank(entry.read_text(encoding="utf-8"), f"questions/{entry.name}")
    return found


def slug(text: str, limit: int = 40) -> str:
    """A lowercase a-z0-9 slug of `text`, cut at a dash to at most `limit` characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(out) > limit:
        out = out[:limit + 1]
        out = out[:out.rfind("-")] if "-" in out else out[:limit]
    return out.strip("-")


# Other names the bundled banks answer to, besides their ids.
ALIASES = {"execution": "pm-execution", "behavioural": "pm-behavioural",
           "behavioral": "pm-behavioural"}


def named(name: str, bank_ids: list[str]) -> str | None:
    """The bank a name given on the command line means, if it names one."""
    name = name.strip().lower()
    if name in bank_ids:
        return name
    return ALIASES.get(name) if ALIASES.get(name) in bank_ids else None


def _bank_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise BankError(f"{path}: no *.toml question banks in this folder")
        return files
    if path.exists():
        return [path]
    raise BankError(f"{path}: no such question bank")


def _read_new_bank(path: Path, loaded: list[Question]) -> list[Question]:
    """A bank file's questions, refused when a question id or the bank id is already taken:
    a saved bank may not add questions to a bundled one, nor replace any."""
    questions = read_bank_file(path)
    ids = {q.id for q in loaded}
    banks = {q.bank for q in loaded}
    clash = next((q.id for q in questions if q.id in ids), None)
    if clash:
        raise BankError(f"{path}: question id {clash!r} is already in another bank")
    if questions and questions[0].bank in banks:
        raise BankError(f"{path}: bank id {questions[0].bank!r} is already taken")
    return questions


def load_bank(extra: list[Path | str] | None = None, user_dir: Path | None = None) -> Bank:
    """The bundled banks, the user's saved banks (`user_dir`), and what `extra` names: bank
    files, folders of them, or a loaded bank by name ("behavioural"). Without `extra`,
    `select` draws from the execution bank; with it, from the banks it names."""
    questions = builtin_banks()
    warnings: list[str] = []
    loaded: dict[Path, str] = {}  # bank files read, resolved, and their bank ids
    if user_dir is not None and user_dir.is_dir():
        for f in sorted(user_dir.glob("*.toml")):
            try:
                added = _read_new_bank(f, questions)
            except BankError as exc:  # one broken saved bank must not stop every interview
                warnings.append(f"left out a saved question bank: {exc}")
                continue
            questions += added
            loaded[f.resolve()] = added[0].bank
    chosen: list[str] = []
    for item in extra or []:
        text = str(item)
        # A name wins over a folder of the same name; a path says so with a "/" or ".toml".
        bank_id = named(text, list(dict.fromkeys(q.bank for q in questions)))
        if bank_id and "/" not in text and not text.endswith(".toml"):
            chosen.append(bank_id)
            continue
        path = Path(item).expanduser()
        if not path.exists() and not text.endswith(".toml") and "/" not in text:
            known = ", ".join(dict.fromkeys(q.bank for q in questions))
            raise BankError(f"no question bank called {text!r:.80} (banks: {known}; or "
                            "give a .toml file or a folder)")
        for f in _bank_files(path):
            if f.resolve() in loaded:  # a saved bank given by its path: loaded already
                chosen.append(loaded[f.resolve()])
                continue
            added = _read_new_bank(f, questions)
            questions += added
            loaded[f.resolve()] = added[0].bank
            chosen.append(added[0].bank)
    return Bank(tuple(questions), tuple(dict.fromkeys(chosen)) or (DEFAULT_BANK,),
                tuple(warnings), named=bool(chosen))
