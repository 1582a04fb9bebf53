"""Shared fixtures. Speech is made at test time with the real TTS; Whisper is the real model."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from time import sleep

import numpy as np
import pytest

from audio.pcm import Audio, write_wav
from audio.stt import Transcript, WhisperTranscriber
from audio.tts import LocalVoice
from simulator.core.contracts import Answer

# No test looks for a local Ollama or LM Studio server, whatever listens on their ports here,
# unless it removes this (tests/test_discovery.py does, for its own servers).
os.environ["MOCK_INTERVIEW_NO_DISCOVERY"] = "1"

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
# A test that starts the program as a process, or loads Whisper or a voice, is slow whatever
# its own marks say: the quick tier (`pytest -m "not slow"`) runs none of them.
SLOW_FIXTURES = frozenset({"cli", "demo", "transcriber", "voice", "speech"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def answers() -> dict:
    with open(DATA / "answers.toml", "rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="session")
def transcriber() -> WhisperTranscriber:
    t = WhisperTranscriber()
    t.load()
    return t


@pytest.fixture(scope="session")
def voice() -> LocalVoice:
    return LocalVoice("en")


@pytest.fixture
def speech(tmp_path, voice):
    """Write `text` as spoken audio to a WAV file and return its path."""

    def make(text: str, name: str = "speech.wav", pad: float = 0.0) -> Path:
        audio = voice.synthesize(text)
        if pad:
            silence = Audio.silence(pad, audio.rate).samples
            import numpy as np

            audio = Audio(np.concatenate([silence, audio.samples, silence]), audio.rate)
        path = tmp_path / name
        write_wav(path, audio)
        return path

    return make


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh data folder for sessions."""
    path = tmp_path / "home"
    monkeypatch.setenv("MOCK_INTERVIEW_HOME", str(path))
    return path


def mock_interview(home: Path, *args: str | Path, check: bool = True,
                   offline: bool = False) -> subprocess.CompletedProcess:
    """Run the installed `mock-interview` command as a user would.

    `offline` runs it in a network namespace of its own (no network at all, not even DNS) and
    without any API settings.
    """
    env = {**os.environ, "MOCK_INTERVIEW_HOME": str(home), "COLUMNS": "120"}
    env.pop("MOCK_INTERVIEW_DEBUG", None)
    command = [str(Path(sys.executable).with_name("mock-interview")), *map(str, args)]
    if offline:
        if not shutil.which("unshare") or subprocess.run(["unshare", "-n", "true"]).returncode:
            pytest.skip("cannot make a network namespace here")
        command = ["unshare", "-n", *command]
        env = {k: v for k, v in env.items() if not k.startswith("OPENAI")}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def cli(home):
    """`mock-interview` with the test's own data folder."""
    return functools.partial(mock_interview, home)


@dataclass
class Demo:
    home: Path
    result: subprocess.CompletedProcess


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Demo:
    """One `mock-interview demo`, run offline; the tests that use it only read its session."""
    home = tmp_path_factory.mktemp("demo") / "home"
    return Demo(home, mock_interview(home, "demo", check=False, offline=True))


# --- stand-ins for the audio stages, for tests of the turn loop ------------------------------


class SilentSpeaker:
    def render(self, text: str) -> Audio:
        return Audio(np.zeros(1600, dtype=np.float32), 16000)

    def play(self, audio: Audio) -> None:
        pass


@dataclass
class TextAnswers:
    """Each answer is a text; its 'audio' is a tone whose length encodes the index."""

    texts: list[str]
    given: list[str] = field(default_factory=list)

    def record_answer(self, request):
        if len(self.given) == len(self.texts):
            return None
        self.given.append(self.texts[len(self.given)])
        audio = Audio(np.full(1600 * len(self.given), 0.1, dtype=np.float32), 16000)
        write_wav(request.dest, audio)
        return Answer(audio)


@dataclass
class LookupTranscriber:
    answers: TextAnswers

    def transcribe(self, audio):
        return Transcript(self.answers.texts[int(round(audio.duration / 0.1)) - 1])


# --- session logs written as the engine writes them ------------------------------------------

SAMPLE_ANSWER = "I'd message the sales VP that afternoon with the new date and what moved."


def logged_session(home: Path, question: str = "sprint-half-capacity", *,
                   mode: str = "practice", started: date | str | None = None,
                   missed: tuple[str, ...] | None = None, score: int | None = None,
                   category: str | None = None, finished: bool = True):
    """A one-question session's log, with a real rubric critique of SAMPLE_ANSWER.

    `started`: a day (the session is then at local noon that day) or a log time as written,
    however odd; by default, now. `missed` grades those rubric points missed and every other
    one covered; `score` replaces the score; `category` the category the critique records.
    An unfinished session stops after the question is asked.
    """
    from simulator.core.contracts import Exchange, QuestionRecord, critique_all
    from simulator.core.questions import load_bank
    from simulator.interviewers.rubric import RubricInterviewer
    from simulator.record import session as sessions

    q = load_bank().get(question)
    critique = critique_all(RubricInterviewer(), [
        QuestionRecord(q, [Exchange(q.text, "question", Transcript(SAMPLE_ANSWER))])]).to_dict()
    graded = critique["questions"][0]
    if missed is not None:
        for point in graded["points"]:
            point["status"] = "missed" if point["id"] in missed else "covered"
    if score is not None:
        graded["score"] = critique["overall_score"] = score
    if category is not None:
        graded["category"] = category
    if isinstance(started, date) and not isinstance(started, datetime):
        started = (datetime.combine(started, time(12)).astimezone().astimezone(UTC)
                   .isoformat(timespec="milliseconds"))
    with pytest.MonkeyPatch.context() as m:
        if started is not None:
            m.setattr(sessions, "now", lambda: started)
        s = sessions.Session.create(home)
        s.log("session_started", interviewer="rubric", question_ids=[q.id],
              questions=[{"id": q.id, "category": q.category, "text": q.text,
                          "target_seconds": q.target_seconds}], mode=mode, stt_model="x")
        s.log("interviewer_said", kind="question", text=q.text, audio=None, question_id=q.id,
              turn=0)
        if finished:
            s.log("answer_transcribed", question_id=q.id, turn=0,
                  transcript={"text": SAMPLE_ANSWER, "duration": 4.0, "words": []})
            s.log("critique", critique=critique)
            s.log("session_finished", overall_score=critique["overall_score"])
        s.close()
    if started is None:
        sleep(0.01)  # distinct start times keep the listing's order stable
    return s
