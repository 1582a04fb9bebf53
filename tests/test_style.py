"""The interviewer's manner (--style): wording, follow-ups and interrupting change; the critique
does not."""

from __future__ import annotations

from dataclasses import dataclass, field

from conftest import LookupTranscriber, SilentSpeaker, TextAnswers
from openai_server import FakeOpenAI
from test_llm import fair_model

from simulator.command.arguments import build_parser
from simulator.command.runner import build_interviewer
from simulator.core.questions import load_bank
from simulator.core.style import STYLES
from simulator.interviewers.rubric import RubricInterviewer
from simulator.live.engine import Interview, greeting
from simulator.record import session as sessions
from simulator.record.turns import turns

BANK = load_bank()
VAGUE = "I would talk to the team about it."


@dataclass
class LimitsSeen(TextAnswers):
    """Text answers that remember the soft time limit each request carried."""

    limits: list[float | None] = field(default_factory=list)

    def record_answer(self, request):
        self.limits.append(request.time_limit)
        return super().record_answer(request)


def run(home, style, texts, interviewer_=None, question="user-story"):
    answers = LimitsSeen(texts)
    s = sessions.Session.create(home)
    st = STYLES[style]
    critique = Interview(
        questions=[BANK.get(question)], speaker=SilentSpeaker(), answers=answers,
        transcriber=LookupTranscriber(answers), interviewer=interviewer_ or RubricInterviewer(),
        session=s, max_follow_ups=st.follow_ups, style=st,
    ).run()
    s.close()
    return critique, sessions.load(s.path), answers


def test_each_style_words_the_interview_its_own_way(home):
    said = {}
    for name in STYLES:
        _, record, _ = run(home, name, [VAGUE] * 5)
        said[name] = [t.text for t in turns(record) if t.kind in ("greeting", "closing")]
        assert said[name][0].startswith(STYLES[name].opening)
        assert said[name][-1] == STYLES[name].closing
    assert len({tuple(lines) for lines in said.values()}) == len(STYLES)


def test_follow_ups_and_the_time_limit_follow_the_style(home):
    target = BANK.get("user-story").target_seconds
    for name, follow_ups, limit in (("friendly", 1, 3.0), ("neutral", 2, 1.5),
                                    ("tough", 3, 1.0)):
        _, record, answers = run(home, name, [VAGUE] * 5)
        assert [t.kind for t in turns(record)].count("follow_up") == follow_ups, name
        assert answers.limits[0] == target * limit, name
    assert not STYLES["friendly"].interrupts and STYLES["tough"].interrupts


def test_the_critique_is_the_same_whatever_the_style(home, answers):
    text = answers["user-story"]["strong"]
    critiques = [run(home, name, [text] + [VAGUE] * 3)[0] for name in STYLES]
    first = critiques[0].questions[0]
    for c in critiques[1:]:
        q = c.questions[0]
        assert (q.score, [p.status for p in q.points]) == (
            first.score, [p.status for p in first.points])


def test_the_llm_hears_the_manner_when_it_asks_not_when_it_grades(home, monkeypatch):
    with FakeOpenAI(responder=fair_model) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        args = build_parser().parse_args(["practice", "--interviewer", "openai"])
        llm, _described = build_interviewer(args, 1, STYLES["tough"])
        run(home, "tough", [VAGUE] * 3, interviewer_=llm)
        prompts = {r["messages"][-1]["content"].split("\n", 1)[0]: r["messages"][-1]["content"]
                   for r in server.chat_requests()}
    assert STYLES["tough"].manner in prompts["TASK: follow_up"]
    assert STYLES["tough"].manner not in prompts["TASK: critique"]


def test_the_greeting_says_what_kind_of_questions_come():
    story = [q for q in BANK.questions if q.kind == "story"]
    approach = [q for q in BANK.questions if q.kind == "approach"]
    assert story and "get things done" in greeting(approach[:2])
    assert "times you've handled" in greeting(story[:2])
    assert "things you've done" in greeting([approach[0], story[0]])


def test_style_is_an_option_with_help_and_is_kept_in_the_log(cli, tmp_path):
    answer = tmp_path / "a.txt"
    answer.write_text(VAGUE)
    cli("practice", "--question", "user-story", "--answers", answer, "--style", "tough",
        "--interviewer", "rubric")
    record = sessions.list_sessions()[-1]
    assert record.first("session_started")["style"] == "tough"
    assert record.first("session_started")["max_follow_ups"] == 3
    bad = cli("practice", "--style", "rude", check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "--style" in cli("practice", "--help").stdout
