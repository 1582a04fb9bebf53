"""A local model server found without setup: Ollama or LM Studio on its usual port.

`--interviewer auto` asks here only when no API is configured. Each candidate is asked for
`GET /v1/models` at once, each in a thread of its own, with a short timeout: with nothing
listening a refused connection returns at once, so startup is as fast as without discovery.
Anything but a well-formed model list with a chat model in it means "not found", never an
error.

Set MOCK_INTERVIEW_NO_DISCOVERY=1 to never look (offline runs, tests, a port used by
something else).
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from dataclasses import dataclass, replace

from simulator.command.config import ApiSettings

SWITCH = "MOCK_INTERVIEW_NO_DISCOVERY"
HOST = "127.0.0.1"  # not "localhost": its ::1 may be tried first and refused or slow
# In order of preference when both answer. Tests replace this tuple.
CANDIDATES: tuple[tuple[str, int], ...] = (("Ollama", 11434), ("LM Studio", 1234))
TIMEOUT = 0.3  # seconds for the connection, and for each read of the reply
GRACE = 0.2  # seconds beyond the timeout that discovery waits for all candidates in all
MAX_REPLY = 1 << 20  # bytes: a model list is a few kilobytes; more is not a model list
# Models that cannot hold a conversation, by the words their names carry.
NOT_CHAT = ("embed", "whisper", "tts", "rerank", "bge-", "minilm", "transcribe", "speech",
            "moderation", "dall-e")


@dataclass(frozen=True)
class LocalServer:
    name: str  # "Ollama" or "LM Studio"
    base_url: str  # e.g. http://127.0.0.1:11434/v1
    model: str  # the chat model chosen
    models: tuple[str, ...] = ()  # every model the server listed, in its order


def disabled() -> bool:
    return os.environ.get(SWITCH, "").strip() not in ("", "0")


def where() -> str:
    """The places looked at, for messages: '11434 (Ollama) or 1234 (LM Studio)'."""
    return " or ".join(f"{port} ({name})" for name, port in CANDIDATES)


def chat_model(entries: object) -> str | None:
    """The first chat model of a /models reply's `data`, in the server's order.

    Ollama lists the most recently pulled or used model first, and LM Studio the loaded one,
    so the first is the likeliest to be what the user meant to run.
    """
    if not isinstance(entries, list):
        return None
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        name = entry.get("id")
        if not isinstance(name, str) or not name.strip():
            continue
        if str(entry.get("type", "")).lower().startswith("embedding"):  # LM Studio says so
            continue
        if not any(word in name.lower() for word in NOT_CHAT):
            return name
    return None


def probe(name: str, port: int, timeout: float = TIMEOUT) -> LocalServer | None:
    """The server on `port` if it answers GET /v1/models with a chat model, else None."""
    base_url = f"http://{HOST}:{port}/v1"
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", "/v1/models", headers={"Accept": "application/json"})
        response = connection.getresponse()
        if response.status != 200:
            return None
        raw = response.read(MAX_REPLY + 1)
    finally:
        connection.close()
    if len(raw) > MAX_REPLY:
        return None
    reply = json.loads(raw)
    entries = reply.get("data") if isinstance(reply, dict) else None
    model = chat_model(entries)
    if model is None:
        return None
    listed = tuple(e["id"] for e in entries
                   if isinstance(e, dict) and isinstance(e.get("id"), str))
    return LocalServer(name, base_url, model, listed)


# The last answer, with the CANDIDATES tuple and the timeout it was for: one command looks
# once, however many times it asks (the job's questions, then the interview). Keyed on the
# tuple itself, not its value: holding it keeps its identity from being reused, so a tuple
# put in CANDIDATES later (as tests do) is always looked at afresh.
_last: tuple[tuple[tuple[str, int], ...], float, LocalServer | None] | None = None


def forget() -> None:
    """Look again at the next `discover()`."""
    global _last
    _last = None


def discover(timeout: float = TIMEOUT) -> LocalServer | None:
    """The first candidate, in CANDIDATES' order, that answers with a chat model; None if
    none does, or if discovery is switched off. Looked for once per process (see `forget`)."""
    global _last
    if disabled():
        return None
    if _last is not None and _last[0] is CANDIDATES and _last[1] == timeout:
        return _last[2]
    found = _look(CANDIDATES, timeout)
    _last = (CANDIDATES, timeout, found)
    return found


def _look(candidates: tuple[tuple[str, int], ...], timeout: float) -> LocalServer | None:
    found: list[LocalServer | None] = [None] * len(candidates)

    def ask(i: int, name: str, port: int) -> None:
        # Every failure, whatever its kind, means "not found": an exception escaping a thread
        # would print a traceback.
        try:
            found[i] = probe(name, port, timeout)
        except Exception:
            found[i] = None

    # Daemon threads: a server that trickles its reply byte by byte is left behind, not
    # waited for, and does not hold up the exit either.
    threads = [threading.Thread(target=ask, args=(i, name, port), daemon=True,
                                name=f"discover-{port}")
               for i, (name, port) in enumerate(candidates)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout + GRACE
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return next((server for server in list(found) if server is not None), None)


def settings_for(server: LocalServer, settings: ApiSettings,
                 model: str | None = None) -> ApiSettings:
    """`settings` pointed at the found server; a model named on the command line wins."""
    return replace(settings, base_url=server.base_url, model=model or server.model)


def describe(server: LocalServer) -> str:
    count = len(server.models)
    return (f"{server.name} at {server.base_url} with {server.model} "
            f"({count} model{'s' if count != 1 else ''})")
