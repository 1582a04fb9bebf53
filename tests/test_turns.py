"""Live turn-taking: VAD end of turn, thinking grace, requests, streaming transcription.

Recordings are fed through the same recorder a microphone uses (`PacedAudio`), mostly faster
than real time: the turn-taking decisions count audio time, not wall time.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import SilentSpeaker

from audio.feed import PacedAudio
from audio.pcm import Audio, write_wav
from audio.recorder import TurnControl, TurnPolicy, record_turn, span
from audio.streaming import StreamingTranscript
from audio.stt import Transcript
from simulator.core.contracts import AnswerRequest, Exchange, FollowUp, QuestionRecord
from simulator.core.questions import load_bank
from simulator.interviewers.rubric import RubricInterviewer
from simulator.live.answers import LiveAnswers, ScriptedAnswers
from simulator.live.engine import Interview, Speculation
from simulator.record import session as sessions

BANK = load_bank()


def spoken(voice, *parts: str | float) -> Audio:
    """Speech and silences (floats, in seconds) joined into one recording at 16 kHz.

    It starts with half a second of quiet: nobody answers within the 300 ms echo guard.
    """
    pieces = [np.zeros(8000, dtype=np.float32)]
    for part in parts:
        if isinstance(part, str):
            pieces.append(voice.synthesize(part).resampled(16000).samples)
        else:
            pieces.append(np.zeros(int(part * 16000), dtype=np.float32))
    return Audio(np.concatenate(pieces), 16000)


def take_turn(audio: Audio, transcriber, policy=None, realtime=False):
    control = TurnControl()
    stream = StreamingTranscript(transcriber)
    result = record_turn(PacedAudio(audio, realtime=realtime).chunks(control),
                         policy or TurnPolicy(), control, on_segment=stream.add)
    return result, stream.finish(result.audio.duration)


def test_a_two_second_pause_does_not_end_the_turn_but_trailing_silence_does(voice, transcriber):
    audio = spoken(voice, "First I would talk to the design lead.", 2.0,
                   "Then I would write it down for the team.")
    result, transcript = take_turn(audio, transcriber)
    assert result.ended_by == "silence"
    text = transcript.text.lower()
    # Words from before and after the pause (tiny.en mishears the odd word of espeak's speech).
    assert "talk" in text and "write it down" in text
    # It ended about three seconds after the speech, not at the pause.
    assert audio.duration + 2.5 <= result.audio.duration <= audio.duration + 4.0


def test_the_thinking_grace_allows_silence_before_the_first_word(voice, transcriber):
    audio = spoken(voice, 6.0, "After some thought, I would release it to ten percent of "
                               "users first.")
    result, transcript = take_turn(audio, transcriber, TurnPolicy(thinking_grace=15))
    assert result.ended_by == "silence" and "release" in transcript.text.lower()
    result, transcript = take_turn(audio, transcriber, TurnPolicy(thinking_grace=3))
    assert result.ended_by == "grace" and transcript.text == ""
    assert 2.9 <= result.audio.duration <= 3.5


def test_a_soft_time_limit_ends_a_long_answer(voice, transcriber):
    audio = spoken(voice, "I would start with the customer problem and then keep talking "
                          "about it for a very long time without stopping at all.")
    result, _ = take_turn(audio, transcriber, TurnPolicy(time_limit=3.0))
    assert result.ended_by == "time_limit" and result.audio.duration < 3.5


def test_noise_alone_is_never_an_answer(transcriber):
    rng = np.random.default_rng(7)
    hiss = Audio((rng.standard_normal(16000 * 6) * 0.02).astype(np.float32), 16000)
    result, transcript = take_turn(hiss, transcriber, TurnPolicy(thinking_grace=4))
    assert transcript.text == "" and transcript.words == []


@pytest.mark.slow
def test_segments_are_transcribed_while_the_candidate_is_still_talking(voice, transcriber):
    audio = spoken(voice, "We agreed an interface with the other team.", 1.5,
                   "Then both teams built in parallel.", 1.5,
                   "And we met every week to check.")
    control = TurnControl()
    updates: list[str] = []
    stream = StreamingTranscript(transcriber, on_update=lambda t: updates.append(t.text))
    result = record_turn(PacedAudio(audio, realtime=True).chunks(control), TurnPolicy(),
                         control, on_segment=stream.add)
    while_talking = list(updates)  # the turn has just ended
    transcript = stream.finish(result.audio.duration)
    assert len(updates) >= 3
    # The first segments were transcribed before the turn ended, not after it.
    assert while_talking and transcript.text.startswith(while_talking[0])
    assert "parallel" in transcript.text.lower()
    assert [w.start for w in transcript.words] == sorted(w.start for w in transcript.words)


# --- whole interviews with paced answers -------------------------------------------------


def run_paced(home, tmp_path, voice, transcriber, question, recordings, policy=None,
              max_follow_ups=0):
    files = []
    for i, audio in enumerate(recordings):
        path = tmp_path / f"answer{i}.wav"
        write_wav(path, audio)
        files.append(path)
    answers = ScriptedAnswers(files, voice).paced(transcriber, policy or TurnPolicy())
    s = sessions.Session.create(home)
    Interview(questions=[BANK.get(question)], speaker=SilentSpeaker(), answers=answers,
              transcriber=transcriber, interviewer=RubricInterviewer(), session=s,
              max_follow_ups=max_follow_ups).run()
    s.close()
    return sessions.load(s.path)


@pytest.mark.slow
def test_a_closing_phrase_ends_the_turn_and_is_not_graded(home, tmp_path, voice, transcriber):
    audio = spoken(voice, "We would roll out in stages. I'm done.", 12.0)
    record = run_paced(home, tmp_path, voice, transcriber, "launch-end-to-end", [audio],
                       TurnPolicy(end_silence=8))
    recorded = next(e for e in record.events if e["type"] == "answer_recorded")
    assert recorded["ended_by"] == "phrase"
    text = next(e for e in record.events if e["type"] == "answer_transcribed")["transcript"]
    assert "stages" in text["text"].lower() and "done" not in text["text"].lower()
    assert "done" not in " ".join(w["word"].lower() for w in text["words"])
    # It did not wait for the eight seconds of silence.
    assert recorded["duration"] < audio.duration - 4


@pytest.mark.slow
def test_repeat_the_question_repeats_it_and_is_not_an_answer(home, tmp_path, voice,
                                                              transcriber):
    # A shorter trailing silence than the default only saves test time; requests don't use it.
    record = run_paced(home, tmp_path, voice, transcriber, "user-story", [
        spoken(voice, "Sorry, could you repeat the question?", 2.0),
        spoken(voice, "I would write clear acceptance criteria for every story.", 2.0)],
        TurnPolicy(end_silence=1.5))
    said = [e for e in record.events if e["type"] == "interviewer_said"]
    assert [e["kind"] for e in said] == ["greeting", "question", "repeat", "closing"]
    assert said[2]["text"] == said[1]["text"]
    answers = [e for e in record.events if e["type"] == "answer_transcribed"]
    assert len(answers) == 1 and "criteria" in answers[0]["transcript"]["text"].lower()
    assert any(e["type"] == "candidate_request" and e["request"] == "repeat"
               for e in record.events)


@pytest.mark.slow
def test_skip_moves_on_without_an_answer(home, tmp_path, voice, transcriber):
    record = run_paced(home, tmp_path, voice, transcriber, "user-story",
                       [spoken(voice, "Can we skip this one?", 2.0)], TurnPolicy(end_silence=1.5))
    passed = next(e for e in record.events if e["type"] == "answer_passed")
    assert passed["reason"] == "skipped"
    assert not [e for e in record.events if e["type"] == "answer_transcribed"]
    assert record.critique["questions"][0]["answered"] is False


@pytest.mark.slow
def test_a_silent_answer_gets_one_nudge_then_moves_on(home, tmp_path, voice, transcriber):
    quiet = Audio(np.zeros(16000, dtype=np.float32), 16000)
    record = run_paced(home, tmp_path, voice, transcriber, "user-story", [quiet, quiet],
                       TurnPolicy(thinking_grace=2))
    kinds = [e["kind"] for e in record.events if e["type"] == "interviewer_said"]
    assert kinds == ["greeting", "question", "nudge", "skip", "closing"]
    passed = next(e for e in record.events if e["type"] == "answer_passed")
    assert passed["reason"] == "silence"


@pytest.mark.slow
def test_timing_is_recorded_and_exported(home, tmp_path, voice, transcriber, cli):
    answer = tmp_path / "answer.txt"
    answer.write_text("I would agree an API contract with them, and build in parallel.")
    cli("practice", "--question", "slow-dependency", "--answers", answer, "--pace", "realtime",
        "--max-follow-ups", "1")
    sid = json.loads(cli("sessions", "--json").stdout)[0]["id"]
    doc = json.loads(cli("export", sid, "--format", "json").stdout)
    answered = [t for t in doc["turns"] if t["answer"]]
    timing = answered[0]["timing"]
    for key in ("speech_ended", "turn_end_detected", "transcript_ready", "reply_started"):
        assert timing[key]
    assert timing["speech_ended"] < timing["turn_end_detected"] <= timing["reply_started"]
    assert 0 <= answered[0]["answer"]["turn_end_to_reply_s"] < 5


class CountingInterviewer:
    name = "counting"
    remote = False

    def __init__(self):
        self.calls = 0

    def next_turn(self, record, cancel=None):
        self.calls += 1
        return FollowUp(f"Probe about: {record.answer_text}?")

    def grade(self, record):  # pragma: no cover - not used here
        raise AssertionError

    def summarize(self, grades):  # pragma: no cover - not used here
        raise AssertionError


def test_the_next_turn_is_prepared_in_the_silence_and_dropped_if_they_go_on(home):
    interviewer = CountingInterviewer()
    s = sessions.Session.create(home)
    engine = Interview([], SilentSpeaker(), None, None, interviewer, s)  # type: ignore[arg-type]
    q = BANK.get("user-story")
    record = QuestionRecord(q, [Exchange(q.text, "question")])
    speculation = Speculation(engine, record)
    speculation.paused(Transcript("We write a persona."))
    speculation.resumed()  # they spoke again
    assert speculation.take("We write a persona.") is None
    speculation.paused(Transcript("We write a persona and criteria."))
    decision, audio = speculation.take("We write a persona and criteria.")
    assert decision == FollowUp("Probe about: We write a persona and criteria.?")
    assert audio is not None and interviewer.calls == 2
    assert speculation.take("Something else entirely.") is None  # a different final answer
    s.close()


def test_enter_or_a_control_ends_the_turn(voice, transcriber):
    audio = spoken(voice, "I am still talking about the launch.", 10.0)
    control = TurnControl()
    chunks = PacedAudio(audio, realtime=False).chunks(control)

    def ending():
        for n, chunk in enumerate(chunks):
            if n == 40:
                control.end("enter")
            yield chunk

    result = record_turn(ending(), TurnPolicy(), control)
    assert result.ended_by == "enter" and result.audio.duration == pytest.approx(4.1, abs=0.15)


def test_live_answers_write_the_recording_as_it_goes(tmp_path, voice, transcriber):
    audio = spoken(voice, "Short answer.", 4.0)
    live = LiveAnswers(lambda request: PacedAudio(audio, realtime=False), transcriber,
                       enter_ends=False)
    answer = live.record_answer(AnswerRequest("q", tmp_path / "a.wav"))
    assert answer.transcript.text and answer.turn_end and answer.transcript_ready
    assert (tmp_path / "a.wav").stat().st_size > 16000 * 2 * 3


def test_a_span_of_the_recording_matches_joining_it_all():
    rng = np.random.default_rng(3)
    chunks = [rng.standard_normal(n).astype(np.float32) for n in rng.integers(0, 2000, 40)]
    joined = np.concatenate(chunks)
    for start, end in [(0, len(joined)), (0, 0), (5, 5), (len(joined) - 700, len(joined)),
                       *[sorted(rng.integers(0, len(joined) + 1, 2)) for _ in range(200)]]:
        assert np.array_equal(span(chunks, len(joined), start, end), joined[start:end])
