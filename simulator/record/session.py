"""Sessions on disk: an append-only JSON-lines event log plus the audio files.

The log is the only source of truth: listing, export and replay read it back. Each event is
flushed and synced as it happens, so a crash loses at most the turn in progress. The schema is
documented in docs/session-log.md.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from audio.pcm import Audio, write_wav
from simulator.core.errors import UserError
from simulator.core.untrusted_text import inert
from simulator.record.log_schema import problem

LOG_SCHEMA = 1
LOG_NAME = "events.jsonl"
SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def data_home() -> Path:
    """$MOCK_INTERVIEW_HOME, else the platform's user data folder."""
    env = os.environ.get("MOCK_INTERVIEW_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("mock-interview", appauthor=False)


def sessions_dir(home: Path | None = None) -> Path:
    return (home or data_home()) / "sessions"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Session:
    """A session being recorded. Events are appended; nothing is ever rewritten."""

    def __init__(self, path: Path, seq: int = 0):
        self.path = path
        self.id = path.name
        self._seq = seq
        self._log = open(path / LOG_NAME, "a", encoding="utf-8")  # noqa: SIM115 - long-lived

    @classmethod
    def reopen(cls, path: Path) -> Session:
        """Carry on appending to an interrupted session's log.

        A line torn by a crash mid-write is moved to `events.torn` first, so that the events
        appended now start on a line of their own.
        """
        events, _warnings = read_log(path)
        log = path / LOG_NAME
        raw = log.read_bytes()
        if raw and not raw.endswith(b"\n"):
            cut = raw.rfind(b"\n") + 1
            with open(path / "events.torn", "ab") as torn:
                torn.write(raw[cut:] + b"\n")
            with open(log, "r+b") as f:
                f.truncate(cut)
        return cls(path, seq=max((int(e.get("seq", 0)) for e in events), default=0))

    @classmethod
    def create(cls, home: Path | None = None) -> Session:
        root = sessions_dir(home)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        try:
            root.mkdir(parents=True, exist_ok=True)
            path = root / f"{stamp}-{secrets.token_hex(2)}"
            path.mkdir()
        except OSError as exc:
            raise UserError(f"cannot create a session folder in {root}: {exc.strerror}") from exc
        return cls(path)

    def log(self, type_: str, **fields: object) -> dict:
        self._seq += 1
        event = {"v": LOG_SCHEMA, "seq": self._seq, "t": now(), "type": type_, **fields}
        self._log.write(json.dumps(event, ensure_ascii=False) + "\n")
        self._log.flush()
        os.fsync(self._log.fileno())
        return event

    def audio_path(self, name: str) -> Path:
        return self.path / safe_name(name)

    def save_audio(self, name: str, audio: Audio) -> str:
        write_wav(self.audio_path(name), audio)
        return name

    def close(self) -> None:
        self._log.close()


@dataclass
class SessionRecord:
    """A session read back from its log."""

    id: str
    path: Path
    events: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    damaged: str | None = None  # why the log could not be read; it then has no events

    def first(self, type_: str) -> dict | None:
        return next((e for e in self.events if e.get("type") == type_), None)

    def last(self, type_: str) -> dict | None:
        return next((e for e in reversed(self.events) if e.get("type") == type_), None)

    @property
    def started(self) -> str:
        start = self.first("session_started")
        return str(start.get("t", "")) if start else ""

    @property
    def status(self) -> str:
        if self.damaged:
            return "damaged"
        if self.last("session_finished"):
            return "finished"
        return "interrupted"

    def audio(self, name: str | None) -> Path | None:
        """The path of an audio file the log names, if it is there."""
        if not name:
            return None
        try:
            path = self.path / safe_name(name)
        except UserError:
            return None
        return path if path.is_file() else None

    @property
    def question_ids(self) -> list[str]:
        start = self.first("session_started") or {}
        return list(start.get("question_ids", []))

    @property
    def critique(self) -> dict | None:
        event = self.last("critique")
        return event.get("critique") if event else None

    @property
    def score(self) -> int | None:
        c = self.critique
        return c.get("overall_score") if c else None


def safe_name(name: str) -> str:
    """A file name inside the session folder: names read back from a log cannot point
    anywhere else (no folders, no "..")."""
    if not name or Path(name).name != name or name in {".", ".."}:
        raise UserError(f"not a file name inside the session folder: {name!r}")
    return name


def read_log(path: Path) -> tuple[list[dict], list[str]]:
    """Events from a log, skipping a torn last line (a crash mid-write) with a warning."""
    events: list[dict] = []
    warnings: list[str] = []
    try:
        # Split on "\n" alone: events are one a line, and their text may hold any other
        # line separator (U+2028 in a transcript, say) without breaking the line.
        lines = (path / LOG_NAME).read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError as exc:
        raise UserError(f"{path}: not a session (no readable {LOG_NAME})") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            if not isinstance(event, dict) or "type" not in event:
                raise ValueError("not an event")
        except ValueError:
            if n == len(lines):
                warnings.append(f"{path.name}: skipped a torn last line in the event log")
                continue
            raise UserError(f"{path}: event log line {n} is corrupt") from None
        events.append(event)
    if not events or events[0].get("type") != "session_started":
        raise UserError(f"{path}: not a session (the event log does not start a session)")
    if events[0].get("v") != LOG_SCHEMA:
        raise UserError(f"{path}: event log schema {events[0].get('v')!r} is not supported")
    for n, event in enumerate(events, 1):
        wrong = problem(event)
        if wrong:
            raise UserError(f"{path}: damaged session: event {n} ({event['type']}) {wrong}")
    return events, warnings


def load(path: Path) -> SessionRecord:
    events, warnings = read_log(path)
    return SessionRecord(path.name, path, events, warnings)


def resolve(ref: str, home: Path | None = None) -> Path:
    """A session given by id (inside the data folder) or by the path of its folder.

    A session folder that is a symbolic link is refused: resuming one would write wherever
    the link points.
    """
    shown = ref if len(ref) <= 80 else ref[:77] + "..."
    try:
        candidate = Path(ref).expanduser()
        if candidate.is_dir() and (candidate / LOG_NAME).exists():
            path = candidate
        elif SESSION_ID.match(ref) and ref not in {".", ".."}:
            path = sessions_dir(home) / ref
            if not path.is_dir():
                raise UserError(f"no session {shown!r} (see `mock-interview sessions`)")
        else:
            raise UserError(f"no session {shown!r} (see `mock-interview sessions`)")
        if path.is_symlink():
            raise UserError(f"{path} is a symbolic link; a session must be a real folder")
    except OSError as exc:  # a name too long for the file system, say
        raise UserError(f"no session {shown!r} ({exc.strerror})") from exc
    return path


def list_sessions(home: Path | None = None) -> list[SessionRecord]:
    root = sessions_dir(home)
    if not root.is_dir():
        return []
    found = []
    for path in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        try:
            found.append(load(path))
        except UserError as exc:
            if not (path / LOG_NAME).is_file():
                print(f"warning: skipping {inert(str(exc))}", file=sys.stderr)
                continue
            # Listed, so the user can see it and why; every other session works as before.
            found.append(SessionRecord(path.name, path, damaged=str(exc).removeprefix(
                f"{path}: ")))
    # Oldest first by start time: folder names only resolve to the second.
    return sorted(found, key=lambda r: (r.started, r.id))
