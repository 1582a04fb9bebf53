"""How long the candidate waits for feedback once the interview is over.

Runs three-question interviews with real speech (espeak-ng answers, tiny.en transcription),
answers fed at real-time pace, and prints for each interviewer the time from the closing line
to the printed critique:

- `llm`: the LLM interviewer against the scripted OpenAI-compatible server, each critique
  taking `--critique-seconds` (default 2 s) to arrive. Goal: <= 2.5 s.
- `offline`: the rubric interviewer. Goal: <= 0.5 s.
- `runaway`: a model that streams its critiques without end, with a `--deadline` per step
  (default 5 s). Goal: the wait is within one deadline plus 10 s.

Takes about two minutes, because the answers are spoken in real time. `--quick` takes them
at once instead: then the critiques cannot be written while the candidate talks, and the
figures show the worst case.

    .venv/bin/python benchmarks/critique_wait.py [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from rich.console import Console

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from openai_server import FakeOpenAI, Reply, fair_model, task_of  # noqa: E402

from audio.recorder import TurnPolicy  # noqa: E402
from audio.speaker import VoiceSpeaker  # noqa: E402
from audio.stt import WhisperTranscriber  # noqa: E402
from audio.tts import LocalVoice  # noqa: E402
from simulator.command.config import ApiSettings, openai_client  # noqa: E402
from simulator.core.questions import load_bank  # noqa: E402
from simulator.interviewers.llm import LLMInterviewer  # noqa: E402
from simulator.interviewers.prompting import load_prompts  # noqa: E402
from simulator.interviewers.rubric import RubricInterviewer  # noqa: E402
from simulator.interviewers.structured import ServerMemory, StructuredChat  # noqa: E402
from simulator.live.answers import ScriptedAnswers  # noqa: E402
from simulator.live.engine import Interview, QuietDisplay  # noqa: E402
from simulator.record import session as sessions  # noqa: E402
from simulator.reports.terminal import show_critique  # noqa: E402

QUESTIONS = ("user-story", "slow-dependency", "sprint-half-capacity")


class ClosingClock(QuietDisplay):
    """Notes the moment the closing line is said."""

    closing: float | None = None

    def show(self, event: dict) -> None:
        if event.get("kind") == "closing":
            self.closing = time.monotonic()


def answer_files(folder: Path) -> list[Path]:
    with open(ROOT / "tests" / "data" / "answers.toml", "rb") as f:
        answers = tomllib.load(f)
    files = []
    for qid in QUESTIONS:
        path = folder / f"{qid}.txt"
        path.write_text(answers[qid]["strong"], encoding="utf-8")
        files.append(path)
    return files


def llm(server: FakeOpenAI, deadline: float) -> LLMInterviewer:
    settings = ApiSettings(base_url=server.url, model="scripted", timeout=30.0)
    chat = StructuredChat(openai_client(settings, max_retries=0), settings.model,
                          settings.server, ServerMemory(), deadline=deadline,
                          timeout=settings.timeout)
    return LLMInterviewer(chat, load_prompts(), max_follow_ups=0)


def wait_after_closing(interviewer, files: list[Path], transcriber, quick: bool) -> float:
    voice = LocalVoice("en")
    answers = ScriptedAnswers(files, voice)
    if not quick:
        answers.paced(transcriber, TurnPolicy())
    clock = ClosingClock()
    session = sessions.Session.create()
    bank = load_bank()
    critique = Interview([bank.get(q) for q in QUESTIONS],
                         VoiceSpeaker(LocalVoice(), playback=False), answers,
                         transcriber, interviewer, session, display=clock,
                         max_follow_ups=0).run()
    with open(os.devnull, "w") as sink:
        show_critique(Console(file=sink, width=100), critique)
    printed = time.monotonic()
    session.close()
    assert clock.closing is not None
    return printed - clock.closing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="take the answers at once instead of at real-time pace")
    parser.add_argument("--critique-seconds", type=float, default=2.0)
    parser.add_argument("--deadline", type=float, default=5.0)
    args = parser.parse_args()

    def slow(request: dict) -> Reply:
        reply = fair_model(request)
        if task_of(request) == "critique":
            reply.delay = args.critique_seconds
        return reply

    runaway_reply = Reply('{"points": [' + '{"id": "x", "status": "covered"}, ' * 4,
                          chunk=16, chunk_delay=0.01, endless=True)

    def runaway(request: dict) -> Reply:
        return runaway_reply if task_of(request) == "critique" else fair_model(request)

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MOCK_INTERVIEW_HOME"] = tmp
        files = answer_files(Path(tmp))
        transcriber = WhisperTranscriber()
        transcriber.load()
        pace = "at once" if args.quick else "at real-time pace"
        print(f"3 questions, answers {pace}, no follow-ups")
        with FakeOpenAI(responder=slow) as server:
            waited = wait_after_closing(llm(server, 120.0), files, transcriber, args.quick)
        print(f"llm, each critique {args.critique_seconds:g} s: closing line to printed "
              f"critique {waited:.2f} s (goal <= 2.5 s)")
        waited = wait_after_closing(RubricInterviewer(), files, transcriber, args.quick)
        print(f"offline: closing line to printed critique {waited:.3f} s (goal <= 0.5 s)")
        with FakeOpenAI(responder=runaway) as server, contextlib.redirect_stderr(sys.stdout):
            waited = wait_after_closing(llm(server, args.deadline), files, transcriber,
                                        args.quick)
        print(f"runaway model, {args.deadline:g} s deadline per step: closing line to printed "
              f"critique {waited:.2f} s (goal <= {args.deadline + 10:g} s)")


if __name__ == "__main__":
    main()
