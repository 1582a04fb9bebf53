"""Live turn-taking: VAD end of turn, thinking grace, requests, streaming transcription.

Recordings are fed through the same recorder a microphone uses (`PacedAudio`), mostly faster
than real time: the turn-taking decisions count audio time, not wall time. The end-of-turn
decision is judged on the labelled answers in tests/data/turns/ (see the README there).
"""

from __future__ import annotations

import json
import math
import threading
import time

import numpy as np
import pytest
import turn_answers
from conftest import SilentSpeaker

from audio.feed import PacedAudio
from audio.pcm import Audio, write_wav
from audio.recorder import TurnControl, TurnPolicy, record_turn, span
from audio.streaming import StreamingTranscript
from audio.stt import Transcript, Word
from simulator.core.contracts import AnswerRequest, Exchange, FollowUp, QuestionRecord
from simulator.core.questions import load_bank
from simulator.interviewers.rubric import RubricInterviewer
from simulator.language.turn_cues import unfinished
from simulator.live.answers import LiveAnswers, ScriptedAnswers, TurnEnd
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
                         policy or TurnPolicy(), control, segments=stream)
    return result, stream.finish(result.audio.duration)


def test_a_two_second_pause_does_not_end_the_turn_but_trailing_silence_does(voice, transcriber):
    audio = spoken(voice, "First I would talk to the design lead.", 2.0,
                   "Then I would write it down for the team.")
    result, transcript = take_turn(audio, transcriber)
    assert result.ended_by == "silence"
    text = transcript.text.lower()
    # Words from before and after the pause (tiny.en mishears the odd word of espeak's speech).
    assert "talk" in text and "write it down" in text
    # Without a `wait_for` every pause waits the longest (5 s), so it ended then, not at the
    # pause. (espeak-ng ends its audio with ~0.3 s of silence of its own.)
    assert audio.duration + 4.4 <= result.audio.duration <= audio.duration + 5.2


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
                         control, segments=stream)
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


# --- when the answer is finished: the end-of-turn decision ---------------------------------


@pytest.fixture(scope="module")
def turn_end() -> TurnEnd:
    """The end-of-turn decision with the Smart Turn model, which pipecat-ai carries."""
    made = TurnEnd.installed()
    if not made.load():
        pytest.skip("no end-of-turn model: pipecat-ai is not installed (see the README)")
    return made


def judged(answer_id: str, transcriber, turn_end: TurnEnd) -> turn_answers.Outcome:
    """One tune.toml answer through the recorder at once, transcription taking no time."""
    answer = next(a for a in turn_answers.load("tune") if a["id"] == answer_id)
    return turn_answers.judge(turn_answers.record(answer), transcriber,
                              TurnPolicy(wait_for=turn_end.wait_for))


def test_a_finished_answer_ends_after_the_short_wait(transcriber, turn_end):
    outcome = judged("finished-05", transcriber, turn_end)
    assert not outcome.cut_off and outcome.ended_by == "silence"
    assert outcome.pauses[-1].wait == TurnEnd.SHORT
    # Counted from the voice's end; the recorder looks at the silence every 0.1 s.
    assert TurnEnd.SHORT - 0.1 <= outcome.wait <= TurnEnd.SHORT + 0.2
    # The next turn was prepared at once, from the whole answer.
    assert outcome.pauses[-1].told and outcome.pauses[-1].decided_at < 0.5


def test_a_pause_between_two_complete_points_does_not_end_the_answer(transcriber, turn_end):
    outcome = judged("points-03", transcriber, turn_end)
    between = outcome.pauses[0]
    assert not outcome.cut_off
    # The first point sounded finished, but one short sentence is not taken for a whole
    # answer: the wait is the fixed one, and the candidate went on well within it.
    assert between.wait == TurnEnd.FIXED and 0.9 <= between.length < TurnEnd.SHORT


def test_a_pause_mid_thought_waits_the_longest(transcriber, turn_end):
    # "And then I would, um," (the words trail off) and "I would first check the logs, and"
    # (tiny.en hears "ad": only the model says it is unfinished).
    for answer_id, pause in (("mid-01", 3.0), ("mid-11", 3.0)):
        outcome = judged(answer_id, transcriber, turn_end)
        mid = outcome.pauses[0]
        assert not outcome.cut_off, answer_id
        assert mid.wait == TurnPolicy().end_silence and mid.length >= pause - 0.1, answer_id
        assert not mid.told, answer_id  # nothing prepared for a pause that is not the end


def test_without_the_model_the_words_and_a_fixed_wait_decide(transcriber):
    no_model = TurnEnd(None)
    finished = judged("finished-05", transcriber, no_model)
    assert finished.pauses[-1].wait == TurnEnd.FIXED and not finished.cut_off
    points = judged("points-03", transcriber, no_model)
    assert points.pauses[0].wait == TurnEnd.FIXED and not points.cut_off
    mid = judged("mid-01", transcriber, no_model)
    assert mid.pauses[0].wait == TurnPolicy().end_silence and not mid.cut_off


def test_ten_pauses_mid_thought_prepare_the_next_turn_at_most_twice(transcriber):
    turn_end = TurnEnd.installed()
    turn_end.load()  # with the model when there is one; the words decide these pauses anyway
    # Each pause comes after a filler or a conjunction, which tiny.en keeps. (A trailing "the"
    # it sometimes drops, and then nothing shows the thought is unfinished: see mid-10 in
    # tests/data/turns/README.md.)
    fragments = ["So the first thing I would do is, um,", "talk to the people who use it, and",
                 "find out what they are trying to get done, because",
                 "the real problem is usually not the feature itself, but",
                 "the workflow around it. So, um,", "I would map it out with the design lead, and",
                 "then, uh,", "pick the smallest change that moves our number, because",
                 "that tells us if it worked. And, um,", "then we would, uh,"]
    script = [part for fragment in fragments for part in (fragment, 2.0)]
    answer = {"id": "ten-pauses", "kind": "mid-thought", "voice": "en",
              "script": [*script, "ship it to ten percent of users first."]}
    outcome = turn_answers.judge(turn_answers.record(answer), transcriber,
                                 TurnPolicy(wait_for=turn_end.wait_for))
    assert not outcome.cut_off, [(p.text, p.wait) for p in outcome.pauses]
    assert len([p for p in outcome.pauses[:-1] if p.length >= 1.9]) == 10
    assert outcome.preparations <= 2, [(p.text, p.wait) for p in outcome.pauses if p.told]


@pytest.mark.parametrize("text", [
    "And then I will, um,", "We decided to...", "I would work with the design lead and the",
    "If the deadline can't move, I would", "So um", "The main reason was that",
    "There are two things I would look at. First, the error rate.",
    "My first step is to understand the problem.", "it depends on the, you know"])
def test_words_that_leave_the_answer_unfinished(text):
    assert unfinished(text)


@pytest.mark.parametrize("text", [
    "", "That's what I would do.", "I would look at retention as well.",
    "We shipped the smaller version first.", "Adoption was forty percent in the first month.",
    "First I would talk to the design lead. Then I would write it down.",
    "There are two things I'd check: the error rate and the support queue.",
    # An answer that opens with "First" and goes on as a story.
    "First I get both of them in a room. I ask each for their constraint. Usually the "
    "trade-off is hidden. We decide together."])
def test_words_that_do_not(text):
    assert unfinished(text) is None


class SlowModel:
    """A stand-in for the end-of-turn model whose loading waits for the test."""

    def __init__(self):
        self.release = threading.Event()

    def load(self):
        self.release.wait(10)

    def probability(self, audio):
        return 0.9


def test_the_model_loads_in_the_background_and_the_fixed_wait_stands_in_meanwhile():
    model = SlowModel()
    turn_end = TurnEnd(model)  # type: ignore[arg-type]
    started = time.monotonic()
    turn_end.load_in_background()
    assert time.monotonic() - started < 0.1  # nothing waits for it
    audio = Audio.silence(1.0)
    finished = Transcript("We shipped it to every customer in the first week of March.",
                          [Word("March.", 0.5, 0.7, 0.9)], 1.0)
    assert turn_end.wait_for(audio, finished) == TurnEnd.FIXED
    model.release.set()
    deadline = time.monotonic() + 5
    while not turn_end.ready and time.monotonic() < deadline:
        time.sleep(0.01)
    assert turn_end.wait_for(audio, finished) == TurnEnd.SHORT
    # A finished sentence or so is not yet taken for a whole answer.
    assert turn_end.wait_for(audio, Transcript("We shipped it.", [Word("it.", 0.5, 0.7, 0.9)],
                                               1.0)) == TurnEnd.FIXED
    # The words win: a trailing "the", or a last word Whisper is unsure of.
    assert turn_end.wait_for(audio, Transcript("We shipped it to the", [], 1.0)) == math.inf
    unsure = Transcript("We shipped it.", [Word("it.", 0.5, 0.7, 0.1)], 1.0)
    assert turn_end.wait_for(audio, unsure) == math.inf


class GatedTranscriber:
    """Says how long each stretch was, once the test lets it."""

    def __init__(self):
        self.gate = threading.Event()

    def transcribe(self, audio):
        self.gate.wait(10)
        return Transcript(f"{audio.duration:.0f}s", [Word("w", 0.0, 0.1, 1.0)], audio.duration)


def test_a_withdrawn_stretch_is_left_out_of_the_transcript():
    transcriber = GatedTranscriber()
    stream = StreamingTranscript(transcriber)
    draft = stream.add(Audio.silence(1.0), 0.0)
    assert stream.so_far() is None  # not transcribed yet
    stream.withdraw(draft)  # the candidate went on: a longer stretch replaces it
    stream.add(Audio.silence(2.0), 0.0)
    transcriber.gate.set()
    transcript = stream.finish(2.0)
    assert transcript.text == "2s" and len(transcript.words) == 1
    done = StreamingTranscript(transcriber)
    later = done.add(Audio.silence(3.0), 0.0)
    while done.so_far() is None:
        time.sleep(0.01)
    done.withdraw(later)  # withdrawn after it was transcribed
    assert done.so_far().text == "" and done.finish(3.0).words == []


def test_a_short_pause_sends_the_stretch_again_once_it_closes_not_twice(transcriber):
    # A 0.35 s pause: the stretch before it goes for transcription as the pause begins, and is
    # withdrawn when the candidate goes on; the whole segment is transcribed once.
    recording = turn_answers.record({"id": "breath", "kind": "points", "voice": "en", "script": [
        "We agreed an interface with the platform team.", 0.35,
        "Then both teams built in parallel."]})
    result, transcript = take_turn(recording.audio, transcriber)
    text = transcript.text.lower()
    assert text.count("interface") == 1 and "parallel" in text
    assert len(result.pauses) == 2 and result.pauses[0].length < TurnPolicy().segment_gap


@pytest.mark.slow
def test_answers_in_real_time_end_on_their_own_silence_heard_whole(tmp_path, voice, transcriber,
                                                                   turn_end):
    """One measured answer of each kind, fed as a microphone would be (`--pace realtime`).
    `benchmarks/turn_latency.py --realtime` runs the whole measure half and the unseen
    answers this way (25 answers, about four minutes)."""
    wanted = {"finished-02", "points-04", "mid-06"}
    answers = [a for a in turn_answers.load("measure") if a["id"] in wanted]
    outcome = turn_answers.realtime(answers, transcriber, turn_end, voice, tmp_path)
    assert not outcome.cut, outcome.cut
    assert not outcome.late and not outcome.unprepared, (outcome.late, outcome.unprepared)
