"""A local model server found without setup: the probe, the choice of model, and the
command line against a scripted server on Ollama's own port."""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import socketserver
import threading
import time

import pytest
from openai_server import FakeOpenAI, fair_model

from simulator.command import discovery
from simulator.command.doctor import check_local_server
from simulator.command.runner import build_interviewer
from simulator.core.errors import UserError
from simulator.interviewers.llm import LLMInterviewer
from simulator.interviewers.rubric import RubricInterviewer

OLLAMA_PORT = 11434
ANSWER = ("I'd cut scope to the must-haves with the PM, tell stakeholders the new date early, "
          "and protect the team from overtime; the trade-off is fewer features this sprint.")


@pytest.fixture
def looking(home, monkeypatch):
    """Discovery switched on, and no API configured: only a found server can be used."""
    monkeypatch.delenv(discovery.SWITCH, raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    return monkeypatch


def free_port() -> int:
    """A port where nothing listens (closed again at once, so connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def candidates(monkeypatch, *ports: int) -> None:
    names = ("Ollama", "LM Studio")
    monkeypatch.setattr(discovery, "CANDIDATES", tuple(zip(names, ports, strict=True)))


def args(interviewer: str = "auto", model: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(interviewer=interviewer, model=model, prompts=None)


@contextlib.contextmanager
def raw_server(reply: bytes | None):
    """A TCP server that answers every request with `reply` as is, or never (None)."""
    stop = threading.Event()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.recv(65536)
            if reply is None:
                stop.wait(10)
                return
            with contextlib.suppress(OSError):
                self.request.sendall(reply)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def http_reply(body: bytes, status: str = "200 OK") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


# --- the probe --------------------------------------------------------------------------------


def test_a_server_is_found_with_its_first_chat_model(looking):
    models = ("nomic-embed-text:latest", "llama3.2:latest", "qwen2.5:0.5b")
    with FakeOpenAI(models=models) as fake:
        candidates(looking, fake._server.server_address[1], free_port())
        found = discovery.discover()
    assert found == discovery.LocalServer("Ollama", fake.url, "llama3.2:latest", models)
    assert fake.listed == ["/v1/models"]
    assert discovery.describe(found) == (f"Ollama at {fake.url} with llama3.2:latest "
                                         "(3 models)")


def test_the_first_candidate_that_answers_wins(looking):
    with FakeOpenAI(models=("from-ollama",)) as ollama, \
            FakeOpenAI(models=("from-lm-studio",)) as lm_studio:
        ports = ollama._server.server_address[1], lm_studio._server.server_address[1]
        candidates(looking, *ports)
        assert discovery.discover().model == "from-ollama"
        candidates(looking, free_port(), ports[1])
        found = discovery.discover()
        assert (found.name, found.model) == ("LM Studio", "from-lm-studio")


def test_nothing_listening_is_quick_and_means_the_rubric(looking, record_property):
    candidates(looking, free_port(), free_port())
    started = time.perf_counter()
    found = discovery.discover()
    took = time.perf_counter() - started
    record_property("probe_seconds_nothing_listening", round(took, 4))
    print(f"probe with nothing listening: {took * 1000:.1f} ms")
    assert found is None and took < 2.0
    started = time.perf_counter()
    interviewer, described = build_interviewer(args("auto"))
    took = time.perf_counter() - started
    record_property("auto_interviewer_seconds_nothing_listening", round(took, 4))
    assert isinstance(interviewer, RubricInterviewer) and described == "rubric (offline)"
    assert took < 2.0


def test_a_server_that_never_answers_is_given_up_on_quickly(looking, record_property):
    with raw_server(None) as silent:
        candidates(looking, silent, free_port())
        started = time.perf_counter()
        found = discovery.discover()
        took = time.perf_counter() - started
    record_property("probe_seconds_silent_server", round(took, 4))
    assert found is None and took < 2.0


@pytest.mark.parametrize(
    "reply",
    [
        b"SSH-2.0-OpenSSH_9.6\r\n",  # not HTTP at all
        b"",  # the connection closed without a word
        http_reply(b"<html>hello</html>"),
        http_reply(b'{"error": "boom"}', "500 Internal Server Error"),
        http_reply(b'{"error": "no such endpoint"}', "404 Not Found"),
        http_reply(b"[1, 2, 3]"),
        http_reply(b'{"data": "llama3.2"}'),
        http_reply(b'{"data": [{"id": 3}, "llama3.2", {"name": "llama3.2"}, {"id": " "}]}'),
        http_reply(b'{"object": "list", "data": []}'),
        http_reply(b'{"data": [{"id": "' + b"x" * (2 << 20) + b'"}]}'),  # far too long
        http_reply(b'{"data": [{"id": "llama'),  # cut off
    ],
    ids=["not-http", "closed", "html", "500", "404", "json-list", "data-string",
         "ids-not-strings", "empty-list", "huge", "truncated"],
)
def test_junk_replies_mean_not_found(looking, capfd, reply):
    with raw_server(reply) as port:
        candidates(looking, port, free_port())
        assert discovery.discover() is None
    assert capfd.readouterr().err == ""  # no traceback from the probe's thread either


def test_a_server_with_only_embedding_and_speech_models_is_not_found(looking):
    models = ("nomic-embed-text:latest", "text-embedding-3-small", "whisper-1", "tts-1",
              "bge-reranker-v2-m3", "all-minilm:latest")
    with FakeOpenAI(models=models) as fake:
        candidates(looking, fake._server.server_address[1], free_port())
        assert discovery.discover() is None
        assert fake.listed == ["/v1/models"]


def test_lm_studio_embedding_type_is_skipped():
    entries = [{"id": "nomic-ai/nomic-text-v1.5", "type": "embeddings"},
               {"id": "qwen2.5-7b-instruct", "type": "llm"}]
    assert discovery.chat_model(entries) == "qwen2.5-7b-instruct"


# --- which interviewer the flags and the environment give ------------------------------------


@pytest.fixture
def local_server(looking):
    with FakeOpenAI(responder=fair_model, models=("llama3.2:latest", "gemma3:1b")) as fake:
        candidates(looking, fake._server.server_address[1], free_port())
        yield fake


def test_auto_uses_a_found_server_and_says_so(local_server):
    interviewer, described = build_interviewer(args("auto"))
    assert isinstance(interviewer, LLMInterviewer)
    assert described == (f"openai (llama3.2:latest at {local_server.url}, "
                         "found Ollama on this machine)")
    _, described = build_interviewer(args("auto", model="gemma3:1b"))
    assert described.startswith(f"openai (gemma3:1b at {local_server.url}, found Ollama")


def test_openai_uses_a_found_server_too(local_server):
    interviewer, described = build_interviewer(args("openai"))
    assert isinstance(interviewer, LLMInterviewer) and "found Ollama" in described


def test_openai_with_nothing_found_is_the_clear_error(looking):
    candidates(looking, free_port(), free_port())
    with pytest.raises(UserError, match=r"needs OPENAI_API_KEY or OPENAI_BASE_URL .*"
                                        r"no local model server answered at \d+ \(Ollama\)"):
        build_interviewer(args("openai"))


def test_rubric_never_probes(local_server):
    interviewer, described = build_interviewer(args("rubric"))
    assert isinstance(interviewer, RubricInterviewer) and described == "rubric (offline)"
    assert local_server.listed == []


def test_the_switch_turns_discovery_off(local_server, monkeypatch):
    monkeypatch.setenv(discovery.SWITCH, "1")
    assert discovery.discover() is None
    assert build_interviewer(args("auto"))[1] == "rubric (offline)"
    with pytest.raises(UserError) as error:
        build_interviewer(args("openai"))
    assert "local model server" not in str(error.value)
    assert local_server.listed == []


def test_a_configured_api_is_not_second_guessed(local_server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    _, described = build_interviewer(args("auto"))
    assert described == "openai (gpt-4o-mini at http://127.0.0.1:9/v1)"
    assert local_server.listed == []


# --- doctor ----------------------------------------------------------------------------------


def test_doctor_says_what_it_found():
    found = discovery.LocalServer("Ollama", "http://127.0.0.1:11434/v1", "llama3.2",
                                  ("llama3.2", "qwen2.5", "nomic-embed-text"))
    check = check_local_server(found, configured=False)
    assert check.ok and check.name == "Local model server"
    assert check.detail.startswith("Ollama at http://127.0.0.1:11434/v1 with llama3.2 "
                                   "(3 models)")
    none = check_local_server(None, configured=False)
    assert not none.ok and none.warning and none.fix
    assert none.detail == "none found at 11434 (Ollama) or 1234 (LM Studio)"
    assert check_local_server(None, configured=True).ok
    assert "not looked for" in check_local_server(None, False, disabled=True).detail


# --- the command line, with a server on Ollama's own port ------------------------------------


@pytest.fixture
def ollama_port(looking):
    """A scripted server on 127.0.0.1:11434, where Ollama listens."""
    try:
        server = FakeOpenAI(responder=fair_model, port=OLLAMA_PORT,
                            models=("nomic-embed-text:latest", "llama3.2:latest"))
        server.__enter__()
    except OSError as exc:
        pytest.skip(f"127.0.0.1:{OLLAMA_PORT} is taken on this machine ({exc.strerror})")
    try:
        yield server
    finally:
        server.__exit__(None, None, None)


def test_practice_and_grade_find_a_server_on_ollamas_port(ollama_port, cli, tmp_path):
    answer = tmp_path / "answer.txt"
    answer.write_text(ANSWER)
    said = ("Interviewer: openai (llama3.2:latest at http://127.0.0.1:11434/v1, "
            "found Ollama on this machine)")
    out = cli("practice", "--question", "sprint-half-capacity", "--answers", answer,
              "--max-follow-ups", "1")
    assert said in out.stdout, out.stdout
    assert "Overall score" in out.stdout
    chats = ollama_port.chat_requests()
    assert chats and {r["model"] for r in chats} == {"llama3.2:latest"}
    sid = json.loads(cli("sessions", "--json").stdout)[0]["id"]
    doc = json.loads(cli("export", sid, "--format", "json").stdout)
    assert doc["critique"]["interviewer"] == "openai"

    graded = cli("grade", "--question", "sprint-half-capacity", answer)
    assert said in graded.stdout, graded.stdout
    asked = len(ollama_port.listed)
    rubric = cli("grade", "--question", "sprint-half-capacity", answer, "--interviewer", "rubric")
    assert "Interviewer: rubric (offline)" in rubric.stdout
    assert len(ollama_port.listed) == asked  # --interviewer rubric did not look
