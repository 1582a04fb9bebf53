"""Settings for the OpenAI-compatible API: flags win over the environment, which wins over
`$MOCK_INTERVIEW_HOME/config.toml`.

    [openai]
    base_url = "http://localhost:11434/v1"   # Ollama; omit for api.openai.com
    model = "llama3.2"
    api_key = "..."                          # usually better left to OPENAI_API_KEY
    timeout = 60                             # seconds to wait for each piece of a reply
    deadline = 120                           # seconds for a whole reply, retries included

Without `deadline`, a follow-up or a critique gets DEFAULT_DEADLINE and writing a job's
questions a minute per question; a `deadline` that is set is kept for both.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from simulator.core.errors import UserError
from simulator.core.textfile import read_regular
from simulator.record.session import data_home

DEFAULT_MODEL = "gpt-4o-mini"
MAX_TIMEOUT = 3600  # seconds; a longer wait is a mistake, not a setting
KNOWN_KEYS = {"base_url", "model", "api_key", "timeout", "deadline", "stt_model", "tts_model",
              "tts_voice"}
SECONDS_KEYS = ("timeout", "deadline")
DEFAULT_DEADLINE = 120.0  # seconds for one reply when the config sets none
MAX_CONFIG_BYTES = 100_000


@dataclass(frozen=True)
class ApiSettings:
    api_key: str | None = None
    base_url: str | None = None
    model: str = DEFAULT_MODEL
    timeout: float = 60.0
    # Seconds for a whole reply; None when the config sets none, so that each task takes the
    # default its size needs (DEFAULT_DEADLINE for a follow-up or a critique).
    deadline: float | None = None
    stt_model: str = "whisper-1"
    tts_model: str = "tts-1"
    tts_voice: str = "alloy"

    @property
    def configured(self) -> bool:
        return bool(self.api_key or self.base_url)

    @property
    def server(self) -> str:
        """The server, safe to print and to record: no credentials, no query string."""
        if not self.base_url:
            return "api.openai.com"
        parts = urlsplit(self.base_url)
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))

    def __repr__(self) -> str:  # never print the key, even by accident
        return f"ApiSettings(server={self.server!r}, model={self.model!r})"


def config_path() -> Path:
    return data_home() / "config.toml"


def read_config(path: Path | None = None) -> dict:
    path = path or config_path()
    if not os.path.lexists(path):
        return {}
    # Read only as a regular file: a named pipe put there would otherwise hang every command
    # that may use an LLM.
    raw, size = read_regular(path, "config file", MAX_CONFIG_BYTES)
    if size > MAX_CONFIG_BYTES:
        raise UserError(f"{path}: the config file is too long ({size // 1000} kB; a few lines "
                        "are enough)")
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: cannot read the config file ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {exc}") from exc
    section = data.get("openai", {})
    if not isinstance(section, dict):
        raise UserError(f"{path}: [openai] must be a table")
    unknown = set(section) - KNOWN_KEYS
    if unknown:
        raise UserError(f"{path}: unknown key(s) in [openai]: {', '.join(sorted(unknown))}")
    for key, value in section.items():
        if key in SECONDS_KEYS:
            if (isinstance(value, bool) or not isinstance(value, int | float)
                    or not math.isfinite(value) or not 0 < value <= MAX_TIMEOUT):
                raise UserError(f"{path}: [openai] {key} must be a number of seconds above 0 "
                                f"and at most {MAX_TIMEOUT}")
        elif not isinstance(value, str) or not value.strip():
            raise UserError(f"{path}: [openai] {key} must be a non-empty string")
    return section


def api_settings(model: str | None = None, config: Path | None = None) -> ApiSettings:
    file = read_config(config)
    env_key = os.environ.get("OPENAI_API_KEY") or None
    env_url = os.environ.get("OPENAI_BASE_URL") or None
    base_url = env_url or file.get("base_url")
    if base_url:
        _check_url(base_url, "OPENAI_BASE_URL" if env_url else f"{config or config_path()}: "
                                                                 "[openai] base_url")
    return ApiSettings(
        api_key=env_key or file.get("api_key"),
        base_url=base_url,
        model=model or file.get("model") or DEFAULT_MODEL,
        timeout=float(file.get("timeout", 60.0)),
        deadline=float(file["deadline"]) if "deadline" in file else None,
        stt_model=file.get("stt_model", "whisper-1"),
        tts_model=file.get("tts_model", "tts-1"),
        tts_voice=file.get("tts_voice", "alloy"),
    )


def _check_url(url: str, where: str) -> None:
    """A base URL the client can use: http(s), a host, and a port that is a port."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:
        raise UserError(f"{where} is not a usable URL ({exc}): use e.g. "
                        "http://localhost:11434/v1") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"{where} must be an http:// or https:// address with a host, e.g. "
                        "http://localhost:11434/v1")


def openai_client(settings: ApiSettings, max_retries: int = 2):
    """The real openai client. Local servers take any key, so a placeholder is sent."""
    from openai import OpenAI

    return OpenAI(
        api_key=settings.api_key or "not-needed",
        base_url=settings.base_url,
        timeout=settings.timeout,
        max_retries=max_retries,
    )
