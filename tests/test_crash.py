"""Nothing lost: kills at every stage, resume, clean stops, a full disk, bad input, fuzzing."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai_server import FakeOpenAI, fair_model, task_of

from audio.pcm import read_audio
from simulator.core.errors import UserError
from simulator.core.questions import BankError, parse_bank
from simulator.record import session as sessions

QUESTIONS = ["user-story", "bug-interrupts-sprint"]


def answer_files(tmp_path: Path, answers: dict) -> list[Path]:
    texts = [answers["user-story"]["weak"], "I write acceptance criteria in given when then.",
             answers["bug-interrupts-sprint"]["weak"], "I check how many users it affects."]
    files = []
    for i, text in enumerate(texts):
        path = tmp_path / f"answer{i}.txt"
        path.write_text(text)
        files.append(path)
    return files


def start(home: Path, *args, env: dict | None = None) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("mock-interview")
    full_env = {**os.environ, "MOCK_INTERVIEW_HOME": str(home), **(env or {})}
    # A test run started in the background by a shell has SIGINT ignored, and a child would
    # inherit that; a candidate's Ctrl-C at a terminal is never ignored. A handled signal
    # goes back to its default in the child.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen([str(exe), *map(str, args)], env=full_env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, previous)


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the kill point")
        time.sleep(0.05)


def only_session(home: Path) -> Path:
    (path,) = list((home / "sessions").iterdir())
    return path


def check_whole_after_kill(home: Path, cli) -> sessions.SessionRecord:
    listed = json.loads(cli("sessions", "--json").stdout)
    assert [s["status"] for s in listed] == ["interrupted"]
    record = sessions.load(only_session(home))  # readable, torn line or not
    for e in record.events:
        if e["type"] in ("interviewer_said", "answer_recorded"):
            audio = read_audio(record.path / e["audio"])  # every completed turn's audio
            assert abs(audio.duration - e["duration"]) < 0.2
    return record


def resume_and_finish(cli, record, files) -> dict:
    cli("resume", record.id, "--interviewer", "rubric", "--answers", *files)
    final = sessions.load(record.path)
    assert final.status == "finished"
    critique = final.critique
    assert [q["question_id"] for q in critique["questions"]] == QUESTIONS
    assert sum(1 for e in final.events if e["type"] == "critique") == 1
    return critique


def api_stage(stage: str):
    return {
        "tts": lambda r: r["_path"].endswith("/audio/speech") and "Walk me" not in r["input"]
        and r["input"].startswith("Take me through"),
        "transcription": lambda r: r["_path"].endswith("/audio/transcriptions"),
        "decision": lambda r: r["_path"].endswith("/chat/completions")
        and task_of(r) == "follow_up",
        "critique": lambda r: r["_path"].endswith("/chat/completions")
        and task_of(r) == "critique",
    }[stage]


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["tts", "transcription", "decision", "critique"])
def test_killed_while_waiting_on_a_stage_loses_nothing_and_resumes(
        stage, home, tmp_path, cli, answers, transcriber):
    files = answer_files(tmp_path, answers)
    with FakeOpenAI(responder=fair_model, transcriber=transcriber) as server:
        server.gate = api_stage(stage)
        proc = start(home, "practice", "--question", *QUESTIONS, "--max-follow-ups", "1",
                     "--interviewer", "openai", "--tts", "openai", "--stt", "openai",
                     "--answers", *files, env={"OPENAI_BASE_URL": server.url})
        try:
            wait_for(server.arrived.is_set)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    record = check_whole_after_kill(home, cli)
    if stage in ("decision", "critique"):
        assert any(e["type"] == "answer_transcribed" for e in record.events)
    resume_and_finish(cli, record, files)


@pytest.mark.slow
def test_killed_while_recording_keeps_the_answer_up_to_its_last_second(
        home, tmp_path, cli, speech, answers):
    long_answer = speech(answers["launch-went-wrong"]["strong"], name="long.wav")  # ~36 s
    proc = start(home, "practice", "--question", *QUESTIONS, "--answers", long_answer,
                 "--pace", "realtime")
    try:
        def recording_for(seconds: float) -> bool:
            found = list(home.glob("sessions/*/q01-t0-candidate.wav"))
            return bool(found) and found[0].stat().st_size > 44 + seconds * 16000 * 2
        wait_for(lambda: recording_for(4.0))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    record = check_whole_after_kill(home, cli)
    partial = read_audio(record.path / "q01-t0-candidate.wav")
    assert partial.duration >= 4.0  # everything up to the kill, within a second
    files = answer_files(tmp_path, answers)
    critique = resume_and_finish(cli, record, files)
    assert critique["questions"][0]["answered"]
    assert (record.path / "q01-t0-candidate.wav").is_file()  # the first attempt is kept
    assert (record.path / "r1-q01-t0-candidate.wav").is_file()


@pytest.mark.slow
def test_sigint_or_sigterm_stops_cleanly(home, tmp_path, cli, speech, answers):
    long_answer = speech(answers["launch-went-wrong"]["strong"], name="long.wav")
    for sig in (signal.SIGINT, signal.SIGTERM):
        proc = start(home, "practice", "--question", "user-story", "--answers", long_answer,
                     "--pace", "realtime")
        wait_for(lambda: any(p.stat().st_size > 32000 for p in
                             home.glob("sessions/*/q01-t0-candidate.wav")))
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, err
        assert "Traceback" not in err and "mock-interview resume" in out
        newest = sorted((home / "sessions").iterdir())[-1]
        record = sessions.load(newest)
        assert record.status == "interrupted" and record.last("session_stopped")
        for path in newest.iterdir():
            path.unlink()
        newest.rmdir()


@pytest.mark.slow
def test_a_torn_last_line_is_skipped_then_set_aside_on_resume(home, tmp_path, cli, answers):
    files = answer_files(tmp_path, answers)
    cli("practice", "--question", *QUESTIONS, "--answers", *files[:1], "--max-follow-ups", "0")
    path = only_session(home)
    log = path / "events.jsonl"
    lines = log.read_text().splitlines()
    # Pretend the process died mid-way through the critique: keep the first question's events.
    cut = next(i for i, line in enumerate(lines) if '"question_id": "bug-interrupts' in line)
    log.write_text("\n".join(lines[:cut]) + '\n{"v": 1, "seq": 99, "type": "answer_rec')
    listed = cli("sessions", "--json")
    assert json.loads(listed.stdout)[0]["status"] == "interrupted"
    resume_and_finish(cli, sessions.load(path), files[1:])
    assert "answer_rec" in (path / "events.torn").read_text()


@pytest.mark.slow
def test_a_real_full_disk_stops_cleanly_and_keeps_what_was_recorded(tmp_path, speech,
                                                                      answers):
    # A small tmpfs as the data folder, filled up while the candidate is answering.
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small disk here (it needs root)")
    try:
        home = disk / "home"
        long_answer = speech(answers["launch-went-wrong"]["strong"], name="long.wav")
        proc = start(home, "practice", "--question", "user-story", "--answers", long_answer,
                     "--pace", "realtime")
        wait_for(lambda: any(p.stat().st_size > 64000 for p in
                             home.glob("sessions/*/q01-t0-candidate.wav")))
        with contextlib.suppress(OSError), open(disk / "filler", "wb") as filler:
            while True:
                filler.write(bytes(1 << 16))
                filler.flush()
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 1, err
        assert "disk is full" in out and "Traceback" not in err
        path = next((home / "sessions").iterdir())
        assert read_audio(path / "q01-t0-candidate.wav").duration >= 2.0
        assert sessions.load(path).status == "interrupted"
    finally:
        subprocess.run(["umount", "-l", str(disk)])


@pytest.mark.slow
def test_a_full_disk_stops_cleanly_and_keeps_what_was_recorded(home, tmp_path, monkeypatch,
                                                                speech, capsys):
    from audio import pcm
    from simulator.command import cli

    real_write = pcm.WavWriter.write
    written = {"chunks": 0}

    def filling_up(self, samples):
        if self.path is not None and "candidate" in self.path.name:
            written["chunks"] += 1
            if written["chunks"] > 20:  # two seconds in
                raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, samples)

    monkeypatch.setattr(pcm.WavWriter, "write", filling_up)
    answer = speech("I would roll the feature out slowly to a small group of users first, "
                    "and then widen it week by week.", name="a.wav")
    code = cli.main(["practice", "--question", "user-story", "--answers", str(answer),
                     "--pace", "realtime"])
    out = capsys.readouterr()
    assert code == 1 and "disk is full" in out.out and "Traceback" not in out.err
    path = only_session(home)
    kept = read_audio(path / "q01-t0-candidate.wav")
    assert 1.9 <= kept.duration <= 2.1  # the 20 chunks that fitted
    record = sessions.load(path)
    assert record.last("session_stopped")["reason"] == "the disk is full"


@pytest.mark.slow  # speaks and transcribes the answer
def test_ctrl_c_taken_back_carries_on_every_time_without_growing_the_stack(home, tmp_path,
                                                                          monkeypatch, capsys):
    """Each Ctrl-C answered "n" goes on from the log, as `resume` would; the interview then
    finishes with one critique. Carrying on is a loop: the stack is as deep each time."""
    import inspect

    from simulator.command import cli, runner
    from simulator.live.engine import Interview

    real_ask = Interview.ask
    depths: list[int] = []

    def interrupted_three_times(self, *args, **kwargs):
        depths.append(len(inspect.stack(0)))
        if len(depths) <= 3:
            raise KeyboardInterrupt  # as Ctrl-C does while the question is being asked
        return real_ask(self, *args, **kwargs)

    monkeypatch.setattr(Interview, "ask", interrupted_three_times)
    monkeypatch.setattr(runner, "confirm_stop", lambda console: False)
    answer = tmp_path / "a.txt"
    answer.write_text("I'd ask what outcome the users need and write that as the story.")
    code = cli.main(["practice", "--question", "user-story", "--answers", str(answer),
                     "--max-follow-ups", "0"])
    out = capsys.readouterr()
    assert code == 0, out
    assert len(depths) == 4 and len(set(depths)) == 1, depths
    record = sessions.load(only_session(home))
    assert record.last("critique") is not None
    assert record.last("session_stopped") is None


# --- bad input: one line, non-zero, nothing half-written ----------------------------------

def test_no_audio_device_is_a_clear_error_and_leaves_no_session(home):
    result_env = subprocess.run(
        [str(Path(sys.executable).with_name("mock-interview")), "practice"],
        env={**os.environ, "MOCK_INTERVIEW_HOME": str(home), "PULSE_SERVER": "/nonexistent"},
        capture_output=True, text=True, timeout=60)
    assert result_env.returncode == 1
    assert "no usable input device" in result_env.stderr and "Devices found:" in result_env.stderr
    assert result_env.stderr.count("\n") == 1
    assert not (home / "sessions").exists()


def test_a_data_folder_that_cannot_be_written(cli, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    answer = tmp_path / "a.txt"
    answer.write_text("An answer.")
    monkeypatch.setenv("MOCK_INTERVIEW_HOME", str(blocker / "home"))
    exe = Path(sys.executable).with_name("mock-interview")
    result = subprocess.run([str(exe), "practice", "--question", "user-story", "--answers",
                             str(answer)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "cannot create a session folder" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [("garbage\n{}\n", "line 1 is corrupt"), ("", "not a session"),
     ('{"v": 9, "seq": 1, "type": "session_started"}\n', "schema 9")],
)
@pytest.mark.slow
def test_corrupt_sessions_are_refused_in_one_line(cli, home, content, message):
    bad = home / "sessions" / "20260101-000000-dead"
    bad.mkdir(parents=True)
    (bad / "events.jsonl").write_text(content)
    result = cli("export", bad.name, check=False)
    assert result.returncode == 1 and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert cli("sessions", "--json").returncode == 0  # the listing survives it


@pytest.mark.parametrize(("name", "content", "message"), [
    ("garbage.wav", b"RIFF not really" * 20, "not readable as audio"),
    ("empty.txt", b"   ", "the answer text is empty"),
    ("latin1.txt", "caf\xe9".encode("latin-1"), "cannot read the answer text"),
])
def test_bad_answer_files_fail_before_a_session_exists(cli, home, tmp_path, name, content,
                                                       message):
    bad = tmp_path / name
    bad.write_bytes(content)
    result = cli("practice", "--question", "user-story", "--answers", bad, check=False)
    assert result.returncode == 1 and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (home / "sessions").exists()


def test_audio_with_no_samples_is_refused(cli, tmp_path):
    import wave

    empty = tmp_path / "empty.wav"
    with wave.open(str(empty), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
    result = cli("grade", "--question", "user-story", empty, check=False)
    assert result.returncode == 1 and "no audio samples" in result.stderr


def test_names_in_a_log_cannot_leave_the_session_folder(home):
    s = sessions.Session.create(home)
    s.log("session_started", question_ids=[])
    s.close()
    record = sessions.load(s.path)
    assert record.audio("../../etc/passwd") is None and record.audio("/etc/passwd") is None
    with pytest.raises(UserError):
        s.audio_path("../escape.wav")


@pytest.mark.slow
def test_finished_sessions_cannot_be_resumed(cli, home, tmp_path):
    answer = tmp_path / "a.txt"
    answer.write_text("An answer.")
    cli("practice", "--question", "user-story", "--answers", answer, "--max-follow-ups", "0")
    sid = json.loads(cli("sessions", "--json").stdout)[0]["id"]
    result = cli("resume", sid, "--answers", answer, check=False)
    assert result.returncode == 1 and "already finished" in result.stderr


# --- fuzzing the loaders and the grading path ----------------------------------------------

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.text())
def test_fuzz_bank_loader_only_ever_raises_bank_errors(text):
    with contextlib.suppress(BankError):
        parse_bank(text, "fuzz.toml")


@FUZZ
@given(st.lists(st.one_of(st.text(), st.dictionaries(st.text(), st.text())), max_size=5),
       st.booleans())
def test_fuzz_session_loader_only_ever_raises_user_errors(tmp_path, lines, torn):
    folder = tmp_path / "fuzz-session"
    folder.mkdir(exist_ok=True)
    body = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines)
    (folder / "events.jsonl").write_text(body + ("" if torn else "\n"), encoding="utf-8")
    try:
        record = sessions.load(folder)
    except UserError:
        return
    assert record.status in ("finished", "interrupted")
    from simulator.reports.export import export

    json.loads(export(record, "json"))
    export(record, "md")


@pytest.mark.slow
@FUZZ
@given(st.text(max_size=5000))
def test_fuzz_transcript_to_critique(text):
    from audio.stt import Transcript
    from simulator.core.contracts import Exchange, QuestionRecord
    from simulator.core.questions import load_bank
    from simulator.interviewers.rubric import RubricInterviewer, critique_question

    q = load_bank().get("launch-end-to-end")
    record = QuestionRecord(q, [Exchange(q.text, "question", Transcript(text))])
    critique = critique_question(record)
    assert 0 <= critique.score <= 100
    for p in critique.points:
        assert p.evidence is None or p.evidence in " ".join(text.split()) or p.evidence in text
    RubricInterviewer().next_turn(record)


@pytest.mark.slow
def test_fuzz_very_long_answer_is_graded_in_bounded_time(answers):
    from audio.stt import Transcript
    from simulator.core.contracts import Exchange, QuestionRecord
    from simulator.core.questions import load_bank
    from simulator.interviewers.rubric import critique_question

    q = load_bank().get("launch-end-to-end")
    text = " ".join([answers["launch-end-to-end"]["strong"]] * 200)  # ~20,000 words
    started = time.monotonic()
    critique = critique_question(QuestionRecord(q, [Exchange(q.text, "question",
                                                             Transcript(text))]))
    assert critique.score >= 90 and time.monotonic() - started < 20


@pytest.mark.slow
def test_a_long_written_answer_stops_within_seconds_on_sigterm(home, tmp_path, cli):
    # About 19,000 characters, just under the bound: some 20 minutes of speech, which takes
    # tiny.en a couple of minutes to transcribe. A stop must not wait for that.
    sentence = "I would message the sales lead that afternoon with the new date and the scope. "
    long_text = tmp_path / "long.txt"
    long_text.write_text(sentence * 240)
    proc = start(home, "practice", "--question", "user-story", "--answers", long_text)
    try:
        wait_for(lambda: any(home.glob("sessions/*/q01-t0-candidate.wav")))
        time.sleep(3.0)  # well into transcribing the answer
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert took < 5.0, took  # about 2 s here: one piece of at most 20 s of audio
    record = sessions.load(only_session(home))
    assert record.status == "interrupted" and record.last("session_stopped")
    short = tmp_path / "short.txt"
    short.write_text(sentence)
    finished = cli("resume", record.id, "--answers", short)
    assert finished.returncode == 0 and sessions.load(record.path).status == "finished"
