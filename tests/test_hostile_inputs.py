"""Inputs a careful or a hostile user can give: none of them breaks anything but itself."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from conftest import SAMPLE_ANSWER, logged_session

from simulator.core.errors import UserError
from simulator.record import session as sessions


@pytest.mark.parametrize(("event", "fields", "reason"), [
    ("critique", {"critique": {"interviewer": "rubric", "overall_score": 1, "strengths": [],
                               "to_add": [], "practice_next": [],
                               "questions": [{"score": 1}]}}, "question_id"),
    ("critique", {"critique": ["not", "a", "critique"]}, "critique"),
    ("session_started", {"question_ids": 7}, "question_ids"),
])
@pytest.mark.slow
def test_a_damaged_session_is_listed_as_such_and_breaks_no_other(cli, home, event, fields,
                                                                 reason):
    good = logged_session(home)
    bad = sessions.Session.create(home)
    if event == "session_started":
        bad.log("session_started", **fields)
    else:
        bad.log("session_started", question_ids=["user-story"])
        bad.log(event, **fields)
    bad.close()

    listed = json.loads(cli("sessions", "--json").stdout)
    by_id = {s["id"]: s for s in listed}
    assert by_id[good.id]["status"] == "finished" and by_id[good.id]["damaged"] is None
    assert by_id[bad.id]["status"] == "damaged" and reason in by_id[bad.id]["damaged"]
    table = cli("sessions")
    assert "damaged" in table.stdout and "Progress by category" in table.stdout
    for fmt in ("md", "json", "html"):
        assert cli("export", good.id, "--format", fmt).returncode == 0
    refused = cli("export", bad.id, "--format", "md", check=False)
    assert refused.returncode == 1 and "damaged session" in refused.stderr
    assert refused.stderr.count("\n") == 1 and "unexpected" not in refused.stderr


def test_bracketed_text_is_shown_as_written_not_read_as_markup(cli, home, tmp_path):
    category = "[/bold] [link=https://example.com]click[/link] [red]"
    logged_session(home, category=category)
    out = cli("sessions")
    assert category in out.stdout.replace("\n", "")
    bank = tmp_path / "brackets.toml"
    bank.write_text("""
[[questions]]
id = "brackets"
category = "[/x]"
text = "What is [b]this[/b]?"
target_seconds = 60
model_answer = "[i]plain[/i]"
""" + "".join(f"""
  [[questions.rubric]]
  id = "p{n}"
  strong = "Does [bold]{n}[/bold]."
  cues = ["thing {n}"]
  probe = "What about {n}?"
""" for n in range(3)))
    listed = cli("questions", "--bank", bank)
    assert "[/x]" in listed.stdout and "[b]this[/b]" in listed.stdout
    focus = cli("practice", "--focus", "weakest", "--bank", bank, "--questions", "1",
                "--answers", tmp_path / "missing.txt", check=False)
    assert "MarkupError" not in focus.stderr and "unexpected" not in focus.stderr


@pytest.mark.parametrize("args", [
    ["--rate", "9999"], ["--rate", "-5"], ["--thinking-grace", "nan"],
    ["--end-silence", "inf"], ["--end-silence", "-1"], ["--max-follow-ups", "99"],
])
@pytest.mark.slow
def test_a_refused_option_leaves_nothing_on_disk(cli, home, tmp_path, args):
    answer = tmp_path / "a.txt"
    answer.write_text(SAMPLE_ANSWER)
    result = cli("practice", "--question", "user-story", "--answers", answer, *args,
                 check=False)
    assert result.returncode == 2 and "out of range" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (home / "sessions").exists()


def test_a_session_folder_that_is_a_symlink_is_refused(cli, home, tmp_path):
    real = logged_session(home)
    outside = tmp_path / "outside"
    real.path.rename(outside)
    (home / "sessions" / real.id).symlink_to(outside)
    for command in (["resume", real.id, "--answers", outside / "events.jsonl"],
                    ["export", real.id]):
        result = cli(*command, check=False)
        assert result.returncode == 1 and "symbolic link" in result.stderr
    assert all(s["id"] != real.id for s in json.loads(cli("sessions", "--json").stdout))
    assert sorted(p.name for p in outside.iterdir()) == ["events.jsonl"]


@pytest.mark.parametrize(("content", "message"), [
    ("\ufeff", "the answer text is empty"),
    ("\u200b \u200b\n\u2060", "the answer text is empty"),
    ("word " * 50_000, "too long"),
])
@pytest.mark.slow
def test_answer_text_that_is_empty_in_disguise_or_too_long_is_refused(cli, home, tmp_path,
                                                                      content, message):
    answer = tmp_path / "a.txt"
    answer.write_text(content, encoding="utf-8")
    started = time.monotonic()
    for command in (["grade", "--question", "user-story", answer],
                    ["practice", "--question", "user-story", "--answers", answer]):
        result = cli(*command, check=False)
        assert result.returncode == 1 and message in result.stderr, result.stderr
    assert time.monotonic() - started < 60  # refused, not spoken for minutes
    assert not (home / "sessions").exists()


def test_grade_on_a_named_pipe_is_refused_at_once(cli, home, tmp_path):
    pipe = tmp_path / "answer.txt"
    os.mkfifo(pipe)
    done = threading.Event()
    result: list = []

    def run():
        result.append(cli("grade", "--question", "user-story", pipe, check=False))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    if not done.wait(30):
        with open(pipe, "w") as unblock:  # let the command go before failing the test
            unblock.write("x")
        pytest.fail("grade waited on a named pipe")
    assert result[0].returncode == 1 and "not a regular file" in result[0].stderr


@pytest.mark.parametrize(("args", "env", "message"), [
    (["export", "a" * 300], {}, "no session"),
    (["grade", "--question", "user-story", "{answer}", "--interviewer", "openai"],
     {"OPENAI_BASE_URL": "http://localhost:99999/v1"}, "OPENAI_BASE_URL is not a usable URL"),
    (["grade", "--question", "user-story", "{answer}"],
     {"OPENAI_BASE_URL": "localhost:11434"}, "must be an http:// or https:// address"),
])
def test_bad_inputs_get_a_message_that_says_what_to_fix(cli, home, tmp_path, monkeypatch,
                                                         args, env, message):
    answer = tmp_path / "a.txt"
    answer.write_text(SAMPLE_ANSWER)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = cli(*[str(a).format(answer=answer) for a in args], check=False)
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert "unexpected" not in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.slow
@pytest.mark.parametrize("value", ["nan", "inf", "-1", "1e9"])
def test_config_timeout_must_be_a_sensible_number(cli, home, value):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f"[openai]\nbase_url = \"http://127.0.0.1:9/v1\"\n"
                                      f"timeout = {value}\n")
    result = cli("grade", "--question", "user-story", "--interviewer", "openai",
                 home / "config.toml", check=False)
    assert result.returncode == 1 and "timeout must be a number" in result.stderr


def test_loading_checks_every_event_once(home):
    s = logged_session(home)
    with open(s.path / "events.jsonl", "a") as f:
        f.write(json.dumps({"v": 1, "seq": 9, "type": "answer_transcribed",
                            "transcript": {"text": 5}}) + "\n")
    with pytest.raises(UserError, match=r"damaged session: event 6 \(answer_transcribed\)"):
        sessions.load(s.path)


def test_a_line_separator_inside_an_event_does_not_break_the_log(home):
    s = logged_session(home)
    with open(s.path / "events.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({"v": 1, "seq": 9, "type": "answer_transcribed", "turn": 1,
                            "transcript": {"text": "one\u2028two\u0085three", "words": []}},
                           ensure_ascii=False) + "\n")
    assert sessions.load(s.path).events[-1]["transcript"]["text"] == "one\u2028two\u0085three"
