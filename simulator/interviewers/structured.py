"""Structured JSON replies from any OpenAI-compatible chat server, made to survive faults.

Servers differ in how they accept structured output. OpenAI takes a JSON schema; llama.cpp's
server was seen to answer `{"type": "json_schema", ...}` with HTTP 500 yet accept
`{"type": "json_object", "schema": ...}`; others know only plain JSON mode or nothing. Each
refusal moves one step down that ladder, and the step that worked is remembered per server.

Timeouts, 429 and 5xx answers are retried with backoff (by the openai client, and again here
with the stream); a stream that ends without a finish reason counts as dropped and is retried;
malformed or off-schema JSON gets one repair request. When all of that fails, `Unavailable` is
raised and the caller falls back to something that needs no server.

Every request is bounded twice: by `max_tokens`, and by an overall deadline for the whole
step, retries and repair included. A client's timeout only covers the wait between two chunks,
so a small local model that streams without end would otherwise never be stopped.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema

from simulator.core.atomic_file import write_atomic
from simulator.core.contracts import Cancel

MODES = ("json_schema", "json_object_schema", "json_object", "prompt")
# Words in an error body that show the server refused the response_format, not the request.
FORMAT_REFUSAL = re.compile(r"response_format|json_schema|json_object|Input should be", re.I)


class Unavailable(Exception):
    """No usable reply after retries; the message says why, without secrets. `reason` is
    what was wrong with the model's last reply when it was not valid (not JSON, or not the
    schema's shape), else None; `fix` is what the user can do about it, when we know."""

    def __init__(self, message: str, reason: str | None = None, fix: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.fix = fix


class _Refused(Unavailable):
    """The server will not answer this request as it is (a wrong key, a wrong address):
    asking again would get the same answer."""


class _StillInvalid(Unavailable):
    """The repaired reply was invalid too: asking again would only repeat that."""


class _Dropped(Exception):
    pass


class OutOfTime(Unavailable):
    """The step's deadline passed: asking again would only take longer."""


DEADLINE_FIX = "allow more time with `deadline = SECONDS` under [openai] in config.toml"
KEY_FIX = "check the API key (OPENAI_API_KEY, or api_key under [openai] in config.toml)"
ADDRESS_FIX = ("check the server's address in OPENAI_BASE_URL or in base_url under [openai] "
               "in config.toml (an OpenAI-compatible API's address usually ends in /v1)")


class _Cancelled(Unavailable):
    """The caller no longer wants the reply: asking again would waste a request."""


@dataclass
class ServerMemory:
    """Which response_format each server accepted, kept in a small JSON file across runs."""

    path: Path | None = None
    modes: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.path and self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self.modes = {k: v for k, v in data.items() if v in MODES}
            except (OSError, ValueError, AttributeError):
                self.modes = {}  # a damaged cache only costs one re-detection

    def get(self, server: str) -> str:
        return self.modes.get(server, MODES[0])

    def set(self, server: str, mode: str) -> None:
        with self._lock:
            self.modes[server] = mode
            if self.path:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    write_atomic(self.path, json.dumps(self.modes, indent=1))
                except OSError:
                    pass  # remembering is an optimisation; the interview goes on


def _content_type(stream: object) -> str:
    """The reply's Content-Type, when the client says (a test's stand-in may not)."""
    response = getattr(stream, "response", None)
    headers = getattr(response, "headers", None)
    return str(headers.get("content-type", "")).lower() if headers is not None else ""


def _response_format(mode: str, name: str, schema: dict) -> dict | None:
    if mode == "json_schema":
        return {"type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": True}}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def _status_error_text(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    return f"{exc} {json.dumps(body) if body is not None else ''}"


def parse_json(text: str) -> object:
    """The JSON object in a reply, tolerating a Markdown code fence around it."""
    text = text.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", text, re.S)
    if fenced:
        text = fenced.group(1)
    return json.loads(text)


@dataclass(frozen=True)
class _Step:
    """The bounds of one step: when it must be done by, how long a reply may be, and whether
    it is still wanted."""

    done_by: float  # time.monotonic()
    max_tokens: int
    cancel: Cancel | None = None

    def left(self) -> float:
        return self.done_by - time.monotonic()

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise _Cancelled("no longer wanted")


@dataclass
class StructuredChat:
    client: object  # openai.OpenAI
    model: str
    server: str
    memory: ServerMemory = field(default_factory=ServerMemory)
    attempts: int = 3
    backoff: float = 1.0  # seconds before the 2nd attempt; doubles after
    sleep: Callable[[float], None] = time.sleep
    temperature: float = 0.3
    deadline: float = 120.0  # seconds for one step, whatever the stream does
    timeout: float = 60.0  # seconds to wait for each piece of a reply (the client's timeout)

    def ask(
        self,
        messages: list[dict],
        name: str,
        schema: dict,
        early: Callable[[str], dict | None] | None = None,
        max_tokens: int = 1000,
        cancel: Cancel | None = None,
    ) -> dict:
        """One reply that validates against `schema`, streamed.

        `early` sees the text as it streams and may return a finished result before the reply
        ends (a follow-up question can be spoken as soon as its first sentence is complete).
        Setting `cancel` closes the reply's stream and raises `Unavailable` at once.
        """
        import openai

        problems: list[str] = []
        attempt = 0
        step = _Step(time.monotonic() + self.deadline, max_tokens, cancel)
        while attempt < self.attempts:
            mode = self.memory.get(self.server)
            try:
                text, finished_early = self._stream(messages, mode, name, schema, early, step)
                if finished_early is not None:
                    return finished_early
                if not text.strip():
                    raise Unavailable("the model sent an empty reply")
                return self._validated(messages, text, mode, name, schema, step)
            except openai.APIStatusError as exc:
                if exc.status_code in (400, 422, 500) and FORMAT_REFUSAL.search(
                    _status_error_text(exc)
                ) and mode != MODES[-1]:
                    # Not a failed attempt: the server told us what it cannot do.
                    self.memory.set(self.server, MODES[MODES.index(mode) + 1])
                    continue
                if exc.status_code in (401, 403):
                    raise _Refused(f"the server refused the API key (HTTP {exc.status_code})",
                                   fix=KEY_FIX) from None
                if exc.status_code == 404:
                    raise _Refused(f"the server has no model {self.model!r} or no such "
                                   "address (HTTP 404)",
                                   fix=f"choose another model with --model, or {ADDRESS_FIX}"
                                   ) from None
                problems.append(f"HTTP {exc.status_code}")
            except (openai.APIConnectionError, openai.APITimeoutError) as exc:
                problems.append(type(exc).__name__)
            except _Dropped:
                problems.append("the reply stream was cut off")
            except (_StillInvalid, OutOfTime, _Cancelled, _Refused):
                raise
            except Unavailable as exc:
                problems.append(str(exc))
            except Exception as exc:  # a broken stream surfaces as many transport errors
                problems.append(f"{type(exc).__name__} while reading the reply")
            attempt += 1
            pause = self.backoff * 2 ** (attempt - 1)
            if attempt < self.attempts and step.left() > pause:
                self.sleep(pause)
            elif attempt < self.attempts:
                break  # no time left for another try
        raise Unavailable("; ".join(dict.fromkeys(problems)) or "no reply")

    def _stream(self, messages, mode, name, schema, early,
                step: _Step) -> tuple[str, dict | None]:
        step.check()
        if step.left() <= 0:
            raise OutOfTime(f"no reply within the {self.deadline:g} s deadline",
                            fix=DEADLINE_FIX)
        kwargs: dict = {"model": self.model, "messages": messages, "stream": True,
                        "temperature": self.temperature, "max_tokens": step.max_tokens,
                        # The timeout covers the wait for each chunk; never let that wait
                        # outlast the step.
                        "timeout": max(0.1, min(self.timeout, step.left()))}
        fmt = _response_format(mode, name, schema)
        if fmt is not None:
            kwargs["response_format"] = fmt
        try:
            stream = self.client.chat.completions.create(**kwargs)  # type: ignore[attr-defined]
        except Exception:
            step.check()  # a request given up on fails however it fails
            raise
        if step.cancel is not None:
            step.cancel.on_set(stream.close)
        if "html" in _content_type(stream):
            stream.close()
            raise _Refused("the server answered with a web page, not the API", fix=ADDRESS_FIX)
        text = ""
        finish = None
        refusal = ""
        try:
            for chunk in stream:
                step.check()
                if step.left() <= 0:
                    raise OutOfTime(f"the reply was still coming after the {self.deadline:g} "
                                    "s deadline", fix=DEADLINE_FIX)
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                text += choice.delta.content or ""
                refusal += getattr(choice.delta, "refusal", None) or ""
                if choice.finish_reason:
                    finish = choice.finish_reason
                if early is not None and finish is None:
                    result = early(text)
                    if result is not None:
                        return text, result
        except Exception:
            step.check()  # a stream closed by a cancel breaks in the transport: say why
            raise
        finally:
            stream.close()
        if refusal:
            raise Unavailable("the model refused")
        if finish is None:
            raise _Dropped()
        return text, None

    def _validated(self, messages, text, mode, name, schema, step: _Step) -> dict:
        try:
            return self._check(text, schema)
        except ValueError as first:
            # One repair: show the model its reply and what was wrong with it. A reply cut
            # off by max_tokens lands here too, as JSON that does not close.
            repair = [*messages, {"role": "assistant", "content": text},
                      {"role": "user", "content":
                       f"That reply was not valid: {first}. Reply again with only the "
                       "corrected JSON object, and keep it short."}]
            try:
                fixed, _ = self._stream(repair, mode, name, schema, None, step)
            except Unavailable as exc:  # cancelled or out of time: the reply is still invalid
                exc.reason = exc.reason or str(first)
                raise
            try:
                return self._check(fixed, schema)
            except ValueError as second:
                raise _StillInvalid(f"the model's JSON stayed invalid ({second})",
                                    reason=str(second)) from None

    @staticmethod
    def _check(text: str, schema: dict) -> dict:
        # A reply nested thousands deep makes json and jsonschema recurse until Python stops
        # them: that is a malformed reply like any other, and gets the one repair.
        try:
            data = parse_json(text)
        except ValueError as exc:
            raise ValueError(f"not JSON ({exc.args[0][:80]})") from None
        except RecursionError:
            raise ValueError("not JSON (nested too deeply)") from None
        try:
            jsonschema.validate(data, schema)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "the reply"
            raise ValueError(f"{where}: {exc.message[:120]}") from None
        except RecursionError:
            raise ValueError("the reply is nested too deeply") from None
        return data  # type: ignore[return-value]
