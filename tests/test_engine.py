"""The turn loop with stand-ins for the audio stages; the real stages run in test_cli.py."""

from conftest import LookupTranscriber, SilentSpeaker, TextAnswers

from simulator.core.questions import load_bank
from simulator.interviewers.rubric import RubricInterviewer
from simulator.live.engine import Interview
from simulator.record import session as sessions
from simulator.record.turns import turns

BANK = load_bank()


def run(home, questions, texts, max_follow_ups=2):
    answers = TextAnswers(texts)
    s = sessions.Session.create(home)
    critique = Interview(
        questions=[BANK.get(q) for q in questions], speaker=SilentSpeaker(), answers=answers,
        transcriber=LookupTranscriber(answers), interviewer=RubricInterviewer(), session=s,
        max_follow_ups=max_follow_ups,
    ).run()
    s.close()
    return critique, sessions.load(s.path)


VAGUE = "I would talk to the team about it."


def test_follow_ups_stop_at_the_limit(home):
    critique, record = run(home, ["user-story"], [VAGUE] * 5, max_follow_ups=2)
    asked = [t for t in turns(record) if t.question_id == "user-story"]
    assert [t.kind for t in asked] == ["question", "follow_up", "follow_up"]
    assert len({t.text for t in asked}) == 3  # three different prompts
    assert record.status == "finished" and record.score == critique.overall_score


def test_zero_follow_ups_moves_straight_on(home):
    _, record = run(home, ["user-story", "slow-dependency"], [VAGUE] * 5, max_follow_ups=0)
    kinds = [t.kind for t in turns(record)]
    assert kinds == ["greeting", "question", "question", "closing"]


def test_candidate_passes_when_answers_run_out(home, answers):
    critique, record = run(home, ["launch-end-to-end", "user-story"],
                           [answers["launch-end-to-end"]["strong"]])
    asked = turns(record)
    assert asked[1].transcript is not None and not asked[1].passed
    assert asked[2].question_id == "user-story" and asked[2].passed
    assert critique.questions[0].score > 80
    assert critique.questions[1].score == 0 and not critique.questions[1].answered


def test_every_stage_is_logged_in_order_with_its_audio(home, answers):
    _, record = run(home, ["launch-end-to-end"], [answers["launch-end-to-end"]["strong"]])
    types = [e["type"] for e in record.events]
    assert types == ["session_started", "interviewer_said", "interviewer_said",
                     "answer_recorded", "answer_transcribed", "interviewer_decided",
                     "interviewer_said", "critique", "session_finished"]
    audio_files = [e["audio"] for e in record.events if "audio" in e]
    assert len(audio_files) == 4  # greeting, question, answer, closing
    assert all((record.path / name).is_file() for name in audio_files)


def test_a_line_still_rendering_is_waited_for_not_rendered_twice():
    import threading
    import time

    import numpy as np

    from audio.pcm import Audio
    from simulator.live.engine import Prefetched

    calls, started = [], threading.Event()

    def slow_render(text):
        started.set()
        time.sleep(0.2)
        calls.append(text)
        return Audio(np.zeros(160, dtype=np.float32), 16000)

    ahead = Prefetched()
    ahead.start("closing", slow_render)
    started.wait(5)
    assert ahead.take("closing") is not None and calls == ["closing"]
    ahead.start("next", slow_render)
    ahead.settle()  # nothing is left rendering when the interview ends
    assert calls == ["closing", "next"]
