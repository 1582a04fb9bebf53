"""A question bank written by an LLM for one job, checked as strictly as a hand-written one.

The model is given the job description (and the candidate's résumé, when there is one) and
replies with JSON in prompts/generate_bank.schema.json's shape. That schema keeps to what
every structured-output server accepts (no lengths or ranges); the reply is then made into a
bank here (ids made slugs and unique, numbers brought into range, terms cleaned) and the bank's
TOML text is read back with `parse_bank`, exactly as a saved bank will be.

A reply that is not JSON, not the schema's shape or not a valid bank gets one repair request
that says what was wrong. One in all: StructuredChat repairs JSON and shape, this module
repairs the bank, and whichever comes first, a second repair is never sent. When the repaired
reply is no better, generation stops with a one-line error.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import SimpleNamespace

from simulator.core.bank_writer import bank_toml
from simulator.core.contracts import Cancel
from simulator.core.errors import UserError
from simulator.core.questions import (
    KINDS,
    MAX_EXAMPLE_CHARS,
    MAX_EXAMPLES,
    MAX_TERM_CHARS,
    BankError,
    Question,
    parse_bank,
    slug,
    term_problem,
)
from simulator.interviewers.prompting import Prompts
from simulator.interviewers.structured import OutOfTime, StructuredChat, Unavailable

MAX_GENERATED = 12  # questions written at once; more is a question bank, not an interview
# What the model reads of each file: a job advert is 2,000 to 6,000 characters, and a small
# local model's context must hold the reply as well.
MAX_DESCRIPTION_CHARS = 12_000
MAX_RESUME_CHARS = 8_000
TOKENS_PER_QUESTION = 900  # a question, its model answer and 3 to 5 points with their terms
MAX_POINTS = 6  # what a bank allows; the prompt asks for 3 to 5
MAX_CONCEPTS = 3
MAX_LIST_TERMS = 30
TARGET_SECONDS = (30, 600)
WEIGHTS = (1, 3)
TIME_PER_QUESTION = 60.0  # seconds of deadline per question, and one more for the rest


class GenerationFailed(UserError):
    pass


@dataclass(frozen=True)
class Job:
    description: str
    resume: str | None = None


@dataclass(frozen=True)
class GeneratedBank:
    bank_id: str
    role: str
    text: str  # the bank's TOML, valid by parse_bank
    questions: list[Question]
    repaired: bool  # whether a repair request was needed


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def _terms(values: list) -> list[str]:
    """Phrases a bank accepts: one line, some letter or digit, not too long, no "@" (which a
    bank reads as the name of a shared list), no wildcard that matches almost anything."""
    out: list[str] = []
    for value in values:
        term = _one_line(value).lstrip("@").strip()
        if (term and len(term) <= MAX_TERM_CHARS and any(ch.isalnum() for ch in term)
                and term_problem(term) is None):
            out.append(term)
    return list(dict.fromkeys(out))[:MAX_LIST_TERMS]


def _unique(name: str, taken: set[str]) -> str:
    found, n = name, 1
    while found in taken:
        n += 1
        found = f"{name}-{n}"
    taken.add(found)
    return found


def _number(value: object, low: float, high: float) -> float:
    number = float(value) if isinstance(value, int | float) else low
    return min(max(number if math.isfinite(number) else low, low), high)


def _sentences(value: object) -> list[str]:
    """Example sentences from a reply: short single lines, as many as a bank holds."""
    if not isinstance(value, list):
        return []
    out = [_one_line(v)[:MAX_EXAMPLE_CHARS] for v in value if isinstance(v, str)]
    return list(dict.fromkeys(t for t in out if t))[:MAX_EXAMPLES]


def role_of(reply: dict) -> str:
    return _one_line(reply.get("role", ""))[:80] or "this job"


def bank_from_reply(reply: dict, bank_id: str, count: int) -> dict:
    """The bank the reply describes, shaped for `bank_toml`; its first `count` questions."""
    categories: dict[str, str] = {}
    questions = []
    for i, q in enumerate(reply.get("questions", [])[:count]):
        title = _one_line(q.get("category", "")) or "General"
        category = slug(title) or "general"
        categories.setdefault(category, title)
        points, point_ids = [], set()
        for j, p in enumerate(q.get("rubric", [])[:MAX_POINTS]):
            concepts, names = {}, set()
            for k, c in enumerate(p.get("concepts", [])[:MAX_CONCEPTS]):
                terms = _terms(c.get("terms", []))
                if terms:
                    name = _unique(slug(str(c.get("name", "")), 30) or f"concept-{k + 1}", names)
                    concepts[name] = terms
            weight = _number(p.get("weight"), *WEIGHTS)
            points.append({
                "id": _unique(slug(str(p.get("id", "")), 40) or f"point-{j + 1}", point_ids),
                "weight": round(weight * 2) / 2,
                "strong": _one_line(p.get("strong", "")),
                "probe": _one_line(p.get("probe", "")),
                "action": _terms(p.get("action", [])),
                "examples": _sentences(p.get("examples", [])),
                "opposites": _sentences(p.get("opposites", [])),
                "concepts": concepts,
            })
        questions.append({
            "id": f"{bank_id}-q{i + 1}",
            "kind": q.get("kind") if q.get("kind") in KINDS else "approach",
            "category": category,
            "text": _one_line(q.get("text", "")),
            "target_seconds": int(_number(q.get("target_seconds"), *TARGET_SECONDS)),
            "model_answer": _one_line(q.get("model_answer", "")),
            "rubric": points,
        })
    return {"schema": 2, "id": bank_id, "title": role_of(reply), "categories": categories,
            "questions": questions}


class _OneRepair:
    """The openai client as StructuredChat sees it, letting one repair request through in a
    whole generation. A repair is a request that carries an earlier reply (an assistant
    message); the same one sent again after a dropped connection is still the one repair. A
    second is stopped before it is sent, through `cancel`, which ends StructuredChat's step
    at once."""

    def __init__(self, client: object, cancel: Cancel) -> None:
        self._client = client
        self.cancel = cancel
        self.repair: str | None = None
        self.stopped = False  # whether a second repair was stopped
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self._create))

    def _create(self, **kwargs):
        messages = kwargs.get("messages", [])
        if any(m.get("role") == "assistant" for m in messages):
            key = json.dumps(messages, sort_keys=True)
            if self.repair is not None and key != self.repair:
                self.stopped = True
                self.cancel.set()
                raise RuntimeError("a second repair request")
            self.repair = key
        return self._client.chat.completions.create(**kwargs)  # type: ignore[attr-defined]


def _fenced(text: str, tag: str, limit: int) -> str:
    text = text.strip()
    if len(text) > limit:  # cut at a word, and say so: the model must not take it as whole
        text = text[:limit].rsplit(None, 1)[0] + " [... the rest is left out]"
    return f"<{tag}>\n{text.replace(f'</{tag}>', '')}\n</{tag}>\n"


def messages_for(prompts: Prompts, job: Job, count: int) -> list[dict]:
    resume = _fenced(job.resume, "resume", MAX_RESUME_CHARS) if job.resume else ""
    instruction = (
        "- The candidate's résumé is above: make one or two of the questions \"story\" "
        "questions about their own projects or jobs, named as the résumé names them (\"Tell "
        "me about the checkout redesign at Acme: ...\").\n" if job.resume else "")
    task = prompts.render("generate_bank", count=str(count),
                          job_description=_fenced(job.description, "job_description",
                                                  MAX_DESCRIPTION_CHARS),
                          resume=resume, resume_instruction=instruction)
    return [{"role": "system", "content": prompts.render("persona")},
            {"role": "user", "content": task}]


def needed_time(count: int) -> float:
    """Seconds writing `count` questions may take, the repair included."""
    return TIME_PER_QUESTION * (count + 1)


def write_bank(chat: StructuredChat, prompts: Prompts, job: Job, count: int,
               name_bank: Callable[[str], str], header: tuple[str, ...] = (),
               deadline: float | None = None) -> GeneratedBank:
    """Ask for `count` questions for `job` and make them a valid bank; `name_bank` gives the
    bank its id from the role the model names. `deadline` is the seconds the user allows a
    reply (config.toml), kept as it is; without one, the time `count` questions need."""
    if not 1 <= count <= MAX_GENERATED:
        raise UserError(f"--questions with --job-description: 1 to {MAX_GENERATED} questions "
                        "are written at once")
    cancel = Cancel()
    watch = _OneRepair(chat.client, cancel)
    chat = replace(chat, client=watch, deadline=deadline or needed_time(count))
    schema = prompts.schema("generate_bank")
    max_tokens = TOKENS_PER_QUESTION * count + 400
    messages = messages_for(prompts, job, count)

    def ask(request: list[dict]) -> dict:
        try:
            return chat.ask(request, "generate_bank", schema, max_tokens=max_tokens,
                            cancel=cancel)
        except Unavailable as exc:
            if watch.stopped:  # StructuredChat wanted to repair the repaired reply
                raise GenerationFailed(_failed(f"the repaired reply was not valid either "
                                               f"({exc.reason or 'not valid'})")) from None
            fix = exc.fix
            if isinstance(exc, OutOfTime) and deadline is not None:
                fix = (f"writing {count} question(s) can take {needed_time(count):g} s: raise "
                       f"`deadline` under [openai] in config.toml to {needed_time(count):g} (or "
                       "remove it)")
            raise GenerationFailed(_failed(str(exc), fix)) from None

    def build(reply: dict) -> GeneratedBank:
        role = role_of(reply)
        bank_id = name_bank(role)
        text = bank_toml(bank_from_reply(reply, bank_id, count), header)
        questions = parse_bank(text, f"{bank_id}.toml")
        return GeneratedBank(bank_id, role, text, questions, watch.repair is not None)

    reply = ask(messages)
    try:
        return build(reply)
    except BankError as exc:
        if watch.repair is not None:  # StructuredChat has sent the one repair already
            raise GenerationFailed(_failed(f"the repaired reply is not a valid bank: {exc}")) \
                from None
        repair = [*messages, {"role": "assistant", "content": json.dumps(reply)},
                  {"role": "user", "content":
                   f"That reply does not make a valid question bank: {exc}. Reply again with "
                   "the whole corrected JSON object."}]
        fixed = ask(repair)
    try:
        return build(fixed)
    except BankError as exc:
        raise GenerationFailed(_failed(f"the repaired reply is not a valid bank: {exc}")) \
            from None


def _failed(why: str, fix: str | None = None) -> str:
    """The one line a failed generation ends with: why, and what to do about it."""
    advice = (f"{fix[0].upper()}{fix[1:]}, or pick" if fix else
              "Try again, choose another model with --model, or pick")
    return (f"could not write questions for this job: {_one_line(why)[:300]}. {advice} from the "
            "bundled questions offline with --interviewer rubric")
