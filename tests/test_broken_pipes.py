"""A reader that stops early (`| head -1`) is not an error, and never costs an interview
(issue 21, item 8)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT, LookupTranscriber, SilentSpeaker, TextAnswers, logged_session

from simulator.command.cli import CLOSED_NOTE, main
from simulator.command.console import ConsoleDisplay, PipeSafeConsole
from simulator.core.questions import load_bank
from simulator.interviewers.rubric import RubricInterviewer
from simulator.live.engine import Interview
from simulator.record import session as sessions


@contextmanager
def closed_stdout(monkeypatch) -> Iterator[int]:
    """Standard output as a pipe whose reader has already gone; yields its descriptor."""
    read, write = os.pipe()
    os.close(read)
    stream = open(write, "w", buffering=1, encoding="utf-8")  # noqa: SIM115 - closed below
    monkeypatch.setattr(sys, "stdout", stream)
    try:
        yield write
    finally:
        monkeypatch.undo()
        try:
            stream.close()
        except BrokenPipeError:
            pytest.fail("the closed pipe was still being written to at the end")


def is_devnull(fd: int) -> bool:
    return os.path.samestat(os.fstat(fd), os.stat(os.devnull))


@pytest.mark.parametrize("argv", [["questions", "--json"], ["sessions", "--json"],
                                  ["questions"], ["sessions"]])
def test_a_listing_to_a_reader_that_stopped_is_quiet_and_succeeds(home, capsys, monkeypatch,
                                                                  argv):
    for _ in range(3):
        logged_session(home)
    with closed_stdout(monkeypatch) as fd:
        code = main(argv)
        assert is_devnull(fd)  # Python's flush at exit goes nowhere, quietly
    assert code == 0
    assert capsys.readouterr().err == ""  # no "unexpected error: BrokenPipeError"


def test_an_interview_whose_output_closes_goes_on_and_is_saved(home, capsys, monkeypatch):
    bank = load_bank()
    answers = TextAnswers(["I'd message the sales VP that afternoon with the new date."] * 3)
    session = sessions.Session.create(home)
    with closed_stdout(monkeypatch):
        console = PipeSafeConsole(closed_note=CLOSED_NOTE)
        critique = Interview(
            questions=[bank.get("sprint-half-capacity"), bank.get("user-story")],
            speaker=SilentSpeaker(), answers=answers, transcriber=LookupTranscriber(answers),
            interviewer=RubricInterviewer(), session=session,
            display=ConsoleDisplay(console), max_follow_ups=0,
        ).run()
        console.print("Saved.")  # and whatever comes after, quietly
    session.close()
    record = sessions.load(session.path)
    assert record.status == "finished" and record.score == critique.overall_score
    assert len(critique.questions) == 2
    err = capsys.readouterr().err
    assert err == f"mock-interview: {CLOSED_NOTE}\n"  # said once, however much followed


def test_a_listing_console_falls_silent_without_a_word(capsys, monkeypatch):
    with closed_stdout(monkeypatch):
        console = PipeSafeConsole()
        for n in range(50):
            console.print(f"line {n}")
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_practice_piped_into_head_finishes_the_session(home, tmp_path):
    """The real thing: `practice --answers a.txt | head -1`, speech and Whisper included."""
    answer = tmp_path / "a.txt"
    answer.write_text("I'd message the sales VP that afternoon with the new date and what moved.")
    command = (f"'{Path(sys.executable).with_name('mock-interview')}' practice --answers "
               f"'{answer}' --question sprint-half-capacity --interviewer rubric "
               "--max-follow-ups 0 | head -1")
    env = {**os.environ, "MOCK_INTERVIEW_HOME": str(home)}
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True,
                            text=True, env=env, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(CLOSED_NOTE) <= 1 and "Traceback" not in result.stderr
    (record,) = sessions.list_sessions(home)
    assert record.status == "finished" and record.critique is not None
