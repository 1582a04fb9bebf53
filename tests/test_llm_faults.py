"""What an LLM server does wrong is told as it is (issue 21, items 7 and 9): a web page, a
refused key, a reply nested without end, and the deadline the user set."""

from __future__ import annotations

import time

import pytest
from openai_server import FakeOpenAI, Reply
from test_job_description import JD, generate, job_model, repairs, structured_chat

from simulator.command.cli import main
from simulator.interviewers.generate import GenerationFailed
from simulator.interviewers.structured import ADDRESS_FIX, KEY_FIX, Unavailable

SCHEMA = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
MESSAGES = [{"role": "user", "content": "Reply with JSON."}]
NESTED = "[" * 5000  # cut at 4 characters a token; still far deeper than Python recurses


@pytest.fixture
def server():
    with FakeOpenAI(responder=job_model) as fake:
        yield fake


def test_a_web_page_is_told_as_a_wrong_address_at_once(server, home):
    server.enqueue(*[Reply(web_page=True)] * 3)
    with pytest.raises(Unavailable, match="answered with a web page, not the API") as caught:
        structured_chat(server, home).ask(MESSAGES, "x", SCHEMA)
    assert caught.value.fix == ADDRESS_FIX
    assert len(server.chat_requests()) == 1  # asking again would get the same page


def test_a_web_page_while_writing_questions_says_to_check_the_address(server, home):
    server.enqueue(Reply(web_page=True))
    with pytest.raises(GenerationFailed) as caught:
        generate(server, home)
    message = str(caught.value)
    assert "web page" in message and "/v1" in message
    assert "cut off" not in message and "another model" not in message


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_says_to_check_the_key_not_the_model(server, home, status):
    server.enqueue(Reply(status=status, error="Incorrect API key provided"))
    with pytest.raises(GenerationFailed) as caught:
        generate(server, home)
    message = str(caught.value)
    assert f"HTTP {status}" in message and "Check the API key" in message
    assert "another model" not in message
    assert len(server.chat_requests()) == 1
    assert KEY_FIX.startswith("check the API key")


def test_a_missing_model_still_says_to_choose_another(server, home):
    server.enqueue(Reply(status=404, error="model 'x' not found"))
    with pytest.raises(GenerationFailed, match="another model with --model"):
        generate(server, home)


@pytest.mark.parametrize("reply", [NESTED, '{"a": ' + NESTED, '{"a": {"b": ' * 2000])
def test_json_nested_without_end_is_one_bad_reply_and_one_repair(server, home, reply):
    server.enqueue(Reply(reply), Reply(reply))
    with pytest.raises(Unavailable, match="stayed invalid") as caught:
        structured_chat(server, home).ask(MESSAGES, "x", SCHEMA)
    assert "RecursionError" not in str(caught.value)
    assert len(server.chat_requests()) == 2 and len(repairs(server.chat_requests())) == 1


def test_json_nested_without_end_then_a_good_reply_is_repaired(server, home):
    server.enqueue(Reply(NESTED), Reply('{"a": 1}'))
    assert structured_chat(server, home).ask(MESSAGES, "x", SCHEMA) == {"a": 1}
    assert "nested too deeply" in repairs(server.chat_requests())[0]["messages"][-1]["content"]


def test_nested_json_while_writing_questions_is_refused_after_one_repair(server, home):
    server.enqueue(Reply(NESTED), Reply(NESTED))
    with pytest.raises(GenerationFailed, match="stayed invalid|not valid either") as caught:
        generate(server, home)
    assert "RecursionError" not in str(caught.value)
    assert len(server.chat_requests()) == 2


def test_the_configured_deadline_bounds_writing_questions(server, home, tmp_path, capsys,
                                                           monkeypatch):
    home.mkdir(parents=True)
    (home / "config.toml").write_text("[openai]\ndeadline = 2\ntimeout = 5\n")
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    server.enqueue(Reply('{"role": "PM", "questions": [', endless=True, chunk_delay=0.02))
    jd = tmp_path / "jd.txt"
    jd.write_text(JD)
    started = time.monotonic()
    code = main(["practice", "--job-description", str(jd), "--answers", str(jd),
                 "--interviewer", "openai", "--questions", "2"])
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 1
    assert took < 10, took  # not the 180 s two questions are given without a setting
    assert "the 2 s deadline" in err and "120 s" not in err
    assert "can take 180 s" in err and "config.toml to 180" in err  # why, and how to set it
    assert err.count("\n") == 1


@pytest.mark.parametrize(("deadline", "used"), [(None, 180.0), (2.0, 2.0), (500.0, 500.0)])
def test_writing_questions_keeps_a_configured_deadline_else_takes_the_time_it_needs(
        server, home, monkeypatch, deadline, used):
    from simulator.interviewers import structured
    from simulator.interviewers.generate import Job, write_bank
    from simulator.interviewers.prompting import load_prompts

    seen = []
    real = structured.StructuredChat.ask

    def ask(self, *args, **kwargs):
        seen.append(self.deadline)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(structured.StructuredChat, "ask", ask)
    write_bank(structured_chat(server, home), load_prompts(), Job(JD), 2, lambda role: "jd-x",
               deadline=deadline)
    assert seen == [used]


def test_a_refused_key_in_an_interview_says_to_check_the_key(server, home):
    from audio.stt import Transcript
    from simulator.core.contracts import Exchange, QuestionRecord
    from simulator.core.questions import load_bank
    from simulator.interviewers.llm import LLMInterviewer
    from simulator.interviewers.prompting import load_prompts

    server.enqueue(Reply(status=401, error="Incorrect API key provided"))
    q = load_bank().get("sprint-half-capacity")
    record = QuestionRecord(q, [Exchange(q.text, "question", Transcript(
        "I'd tell the sales VP the new date that afternoon."))])
    grade = LLMInterviewer(structured_chat(server, home), load_prompts()).grade(record)
    note = grade.critique.notes[0]
    assert "HTTP 401" in note and "check the API key" in note
    assert "rubric interviewer graded this question" in note
    assert len(server.chat_requests()) == 1
