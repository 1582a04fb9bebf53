"""The daily question: one a day, chosen by spaced repetition from every past attempt.

A question is due for two reasons, added together:

- its weakest rubric point: how often the point was missed (1) or partly covered (0.5) in the
  last attempts at the question, each attempt counting twice as much as the one before it, so
  that a point missed last time and never since is near the top;
- its category's staleness: days since the category was last practised, as d / (d + 7), so a
  week away is half due; a category never practised is fully due (1).

Equally due questions are ordered: not the one done yesterday, then the least practised, then
bank order. The same history and the same day always give the same question.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from simulator.core.errors import UserError
from simulator.core.questions import Bank, Question
from simulator.record.progress import Attempt, attempts
from simulator.record.session import SessionRecord

MODE = "daily"  # the `mode` a daily session's log records
MISSING = {"missed": 1.0, "partial": 0.5, "covered": 0.0}
RECENT = 5  # attempts at a question that count toward a point's weakness
DECAY = 0.5  # each older attempt counts half as much as the one after it
SETTLE_DAYS = 7  # a category is half due this many days after it was last practised
LOCK_NAME = "daily.lock"


def local_day(stamp: str) -> date | None:
    """The local calendar day of a log's UTC time: "today" is the candidate's day; None when
    the time is not one (a hand-edited log may hold anything, even a year past 9999 once in
    local time)."""
    try:
        return datetime.fromisoformat(stamp).astimezone().date()
    except (ValueError, OverflowError, TypeError):
        return None


@dataclass(frozen=True)
class Choice:
    question: Question
    due: float  # point weakness + category staleness, 0 to 2
    reason: str  # why, in words: "you missed 'x' in 2 of your last 3 attempts; ..."


def weakness(statuses: list[str]) -> float:
    """How badly a point is going, 0 to 1, from its statuses oldest first."""
    recent = statuses[-RECENT:]
    if not recent:
        return 0.0
    weights = [DECAY ** (len(recent) - 1 - i) for i in range(len(recent))]
    return sum(w * MISSING.get(s, 0.0) for w, s in zip(weights, recent, strict=True)) / sum(weights)


def staleness(days: int | None) -> float:
    return 1.0 if days is None else days / (days + SETTLE_DAYS)


def _point_reason(point: str, statuses: list[str]) -> str:
    recent = statuses[-RECENT:]
    missed, partial = recent.count("missed"), recent.count("partial")
    verb, times = ("missed", missed) if missed else ("only partly covered", partial)
    if len(recent) == 1:
        return f"you {verb} '{point}' last time"
    return f"you {verb} '{point}' in {times} of your last {len(recent)} attempts"


def _category_reason(category: str, days: int | None) -> str:
    if days is None:
        return f"'{category}' never practised"
    if days == 0:
        return f"'{category}' practised today"
    if days == 1:
        return f"'{category}' last practised yesterday"
    return f"'{category}' not practised for {days} days"


def rank(bank: Bank, found: list[Attempt], today: date,
         exclude: Iterable[str] = ()) -> list[Choice]:
    """The questions of the bank's default set (what `practice` asks), most due first."""
    excluded = set(exclude)
    candidates = [q for q in bank.select() if q.id not in excluded]
    category_of = {q.id: q.category for q in bank.questions}
    last_day: dict[str, int] = {}  # category -> days since last practised
    statuses: dict[str, dict[str, list[str]]] = {}  # question -> point -> statuses
    tries: dict[str, int] = {}
    yesterday: set[str] = set()
    for a in found:
        day = local_day(a.started)
        if day is None:
            continue
        category = category_of.get(a.question_id, a.category)
        days = max((today - day).days, 0)
        last_day[category] = min(days, last_day.get(category, days))
        tries[a.question_id] = tries.get(a.question_id, 0) + 1
        if day == today - timedelta(days=1):
            yesterday.add(a.question_id)
        for point, status in a.points.items():
            statuses.setdefault(a.question_id, {}).setdefault(point, []).append(status)

    ranked = []
    for index, q in enumerate(candidates):
        points = statuses.get(q.id, {})
        # The question's own rubric order breaks ties between equally weak points.
        order = list(dict.fromkeys([p.id for p in q.rubric] + list(points)))
        scored = [(weakness(points[p]), p) for p in order if p in points]
        worst, point = max(scored, key=lambda s: s[0], default=(0.0, ""))
        days = last_day.get(q.category)
        reasons = [_point_reason(point, points[point])] if worst > 0 else []
        reasons.append(_category_reason(q.category, days))
        due = worst + staleness(days)
        # Rounded so that sums that differ only by float error count as equally due.
        key = (-round(due, 9), q.id in yesterday, tries.get(q.id, 0), index)
        ranked.append((key, Choice(q, due, "; ".join(reasons))))
    return [choice for _key, choice in sorted(ranked, key=lambda r: r[0])]


def choose(bank: Bank, found: list[Attempt], today: date,
           exclude: Iterable[str] = ()) -> Choice:
    """Today's question: the most due, leaving out `exclude` (those already asked today)."""
    ranked = rank(bank, found, today, exclude)
    if not ranked:
        raise UserError("every question in the bank has been asked today; come back tomorrow "
                        "or practise with `mock-interview practice`")
    return ranked[0]


@contextlib.contextmanager
def one_at_a_time(home: Path) -> Iterator[None]:
    """Held from the "done today?" check until the daily session ends: two `daily` runs at
    once would otherwise both find nothing done and both start. The lock is the system's
    (flock), so it goes with the process however that ends and never goes stale."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(home / LOCK_NAME, flags, 0o600)
    except OSError as exc:
        raise UserError(f"{home / LOCK_NAME}: cannot start the daily question "
                        f"({exc.strerror})") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError("a daily question is being answered already (another "
                            "`mock-interview daily` is running): finish that one first") \
                from None
        yield
    finally:
        os.close(fd)


def is_daily(record: SessionRecord) -> bool:
    start = record.first("session_started") or {}
    return not record.damaged and start.get("mode") == MODE


def started_on(records: list[SessionRecord], day: date) -> list[SessionRecord]:
    """The daily sessions started on `day` (local), oldest first."""
    return [r for r in records if is_daily(r) and local_day(r.started) == day]


def daily_attempts(records: list[SessionRecord]) -> list[Attempt]:
    """Answered and graded daily questions, oldest first."""
    return attempts([r for r in records if is_daily(r)])


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive days with a daily question answered, ending today, or yesterday when
    today's is not done yet (the streak is not broken until the day is over)."""
    done = set(days)
    day = today if today in done else today - timedelta(days=1)
    count = 0
    while day in done:
        count += 1
        day -= timedelta(days=1)
    return count


@dataclass(frozen=True)
class Trend:
    scores: list[int]  # the last daily scores, oldest first
    change: float | None  # newer half's mean minus older half's; None with fewer than 2


TREND_LENGTH = 5  # daily scores shown
STEADY = 3  # points: a smaller change between newer and older scores is "steady"


def trend(found: list[Attempt]) -> Trend:
    scores = [a.score for a in found][-TREND_LENGTH:]
    if len(scores) < 2:
        return Trend(scores, None)
    half = len(scores) // 2
    older, newer = scores[:half], scores[-half:]
    return Trend(scores, sum(newer) / half - sum(older) / half)
