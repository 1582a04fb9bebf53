"""Live turn latency: how soon the interviewer answers once the candidate has finished.

Runs a short interview fed at real-time pace through the same recorder, VAD, end-of-turn
decision and streaming transcription a microphone uses, with the default tiny.en model, the
Smart Turn model when pipecat-ai is installed, and the rubric interviewer. The first answer is
about two minutes of speech; nine more questions get a finished answer each (the bank's strong
sample answers), and follow-ups a short finished answer. Then prints:

- `speech_end_to_reply_s` (the candidate's last voiced audio -> interviewer audio starts),
  median and 90th percentile over the answers;
- `turn_end_to_reply_s` (end of turn detected -> interviewer audio starts), median;
- the last end-of-turn decision of each answer, and what it was made from;
- how long batch transcription of the two-minute answer takes after the fact, and the ratio;
- the process's peak memory.

Goals on a 2-core machine: speech_end_to_reply_s median <= 1.5 s (3.9 s when every answer
waited 3 s of silence), turn_end_to_reply_s median <= 0.25 s, ratio >= 15x, peak memory
<= 500 MB with the end-of-turn model loaded. Takes about eight minutes: the answers are
spoken in real time.

With `--decisions` it judges the labelled answers in tests/data/turns/ instead (tune, measure
and unseen; see the README there), with and without the end-of-turn model, as if
transcription took no time (about two minutes), and prints for each file: answers cut off
early (the goal is none), the mean and median wait after the last word, and how often the
next turn was prepared in vain.

With `--realtime` it feeds the measure half and the unseen mid-thought answers at real-time
pace through the streaming transcription a microphone uses (25 answers, about four minutes),
and prints those cut off, those whose last stretch was transcribed late, and the wait after
the last word.

    .venv/bin/python benchmarks/turn_latency.py [--decisions | --realtime]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tomllib
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import turn_answers  # noqa: E402

from audio.feed import PacedAudio  # noqa: E402
from audio.pcm import Audio  # noqa: E402
from audio.recorder import TurnPolicy  # noqa: E402
from audio.speaker import VoiceSpeaker  # noqa: E402
from audio.stt import Transcript, WhisperTranscriber  # noqa: E402
from audio.tts import LocalVoice  # noqa: E402
from simulator.core.contracts import AnswerRequest  # noqa: E402
from simulator.core.questions import load_bank  # noqa: E402
from simulator.interviewers.rubric import RubricInterviewer  # noqa: E402
from simulator.live.answers import LiveAnswers, TurnEnd  # noqa: E402
from simulator.live.engine import Interview  # noqa: E402
from simulator.record import session as sessions  # noqa: E402

QUESTIONS = ("user-story", "launch-end-to-end", "technically-impossible",
             "sprint-half-capacity", "slow-dependency", "done-enough-to-ship",
             "bug-interrupts-sprint", "launch-went-wrong", "design-eng-disagreement",
             "critical-bug-before-launch")
# The two-minute first answer: four strong answers one after another.
LONG_ANSWER = ("alignment-shifting-priorities", "launch-went-wrong", "design-eng-disagreement",
               "bug-interrupts-sprint")
FOLLOW_UPS = (
    "I would tell the stakeholders the same day, with the new scope and date.",
    "We would look at the error rate and the support tickets after a week.",
    "The designer and the engineer agreed on it together, and we wrote it down.",
    "I would ask the team what they need from me, and then clear the way for them.",
)


def spoken(voice: LocalVoice, texts: list[str], pause: float = 0.6) -> Audio:
    """The texts spoken one after another. espeak-ng adds about 0.4 s of silence of its own
    around each, so the pause between them is about 1 s: between two complete points, which
    must not end the answer."""
    parts: list[np.ndarray] = [np.zeros(8000, dtype=np.float32)]
    for i, text in enumerate(texts):
        if i:
            parts.append(np.zeros(int(pause * 16000), dtype=np.float32))
        parts.append(voice.synthesize(text).resampled(16000).samples)
    return Audio(np.concatenate(parts), 16000)


class LoggedTurnEnd(TurnEnd):
    """The decision, noting each answer's last one: why it waited what it waited."""

    decisions: list[tuple[str, float | None, float]]

    def __init__(self, model=None):
        super().__init__(model)
        self.decisions = []

    def wait_for(self, audio: Audio, transcript: Transcript) -> float:
        wait = super().wait_for(audio, transcript)
        self.decisions[-1] = (transcript.text, self.probability(audio), wait)
        return wait


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def latency() -> None:
    voice = LocalVoice("en")
    with open(ROOT / "tests" / "data" / "answers.toml", "rb") as f:
        strong = {qid: a["strong"] for qid, a in tomllib.load(f).items()}
    main_answer = spoken(voice, [strong[q] for q in LONG_ANSWER])
    firsts = {QUESTIONS[0]: main_answer}
    firsts |= {qid: spoken(voice, [strong[qid]]) for qid in QUESTIONS[1:]}
    follow_ups = [spoken(voice, [text]) for text in FOLLOW_UPS]
    asked: set[str] = set()
    turn_end = LoggedTurnEnd.installed()

    def source(request: AnswerRequest) -> PacedAudio:
        """The question's own answer first; a short finished answer to each follow-up."""
        turn_end.decisions.append(("", None, 0.0))
        if request.question_id not in asked:
            asked.add(request.question_id)
            return PacedAudio(firsts[request.question_id])
        return PacedAudio(follow_ups[len(asked) % len(follow_ups)])

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MOCK_INTERVIEW_HOME"] = tmp
        transcriber = WhisperTranscriber()
        transcriber.load()
        # The same path as a microphone, with recordings fed at their real pace.
        answers = LiveAnswers(source, transcriber, TurnPolicy(), enter_ends=False,
                              turn_end=turn_end)
        session = sessions.Session.create()
        bank = load_bank()
        started = time.monotonic()
        Interview([bank.get(q) for q in QUESTIONS], VoiceSpeaker(LocalVoice(), playback=False),
                  answers, transcriber, RubricInterviewer(), session, max_follow_ups=1).run()
        wall = time.monotonic() - started
        session.close()
        events = sessions.load(session.path).events
    timings = [e for e in events if e["type"] == "answer_timing"]
    ended = {(e["question_id"], e["turn"]): e["ended_by"] for e in events
             if e["type"] == "answer_recorded"}
    model = turn_end.model

    # Finished answers: ended by the silence after them, not by the time limit.
    finished = [t for t in timings if ended.get((t["question_id"], t["turn"])) == "silence"
                and t.get("speech_ended")]
    speech_end = [t.get("speech_end_to_reply_s")
                  or seconds_between(t["speech_ended"], t["reply_started"]) for t in finished]
    turn_end_s = [t["turn_end_to_reply_s"] for t in timings]
    interview_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    WhisperTranscriber.transcribe(transcriber, main_answer)
    batch = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    median = statistics.median(turn_end_s)

    print(f"end-of-turn model: {'Smart Turn v3.2' if model else 'none (fixed waits)'}")
    print(f"{len(timings)} answers ({main_answer.duration:.0f} s first; interview took "
          f"{wall:.0f} s)")
    print(f"speech_end_to_reply_s: median {statistics.median(speech_end):.2f} s, 90th "
          f"percentile {percentile(speech_end, 0.9):.2f} s over {len(speech_end)} finished "
          f"answers ({', '.join(f'{x:.2f}' for x in speech_end)})")
    print(f"turn_end_to_reply_s: median {median:.3f} s over {len(turn_end_s)} answers")
    print("the last decision of each answer (the wait from the voice's end, the model's "
          "probability, the transcript's end):")
    for text, p, wait in turn_end.decisions:
        print(f"  {min(wait, TurnPolicy().end_silence):.1f} s  p={'-' if p is None else f'{p:.2f}'}"
              f"  ...{text[-50:]}")
    print(f"batch transcription of the {main_answer.duration:.0f} s answer: {batch:.2f} s")
    print(f"ratio: {batch / median:.0f}x faster than batch" if median > 0 else
          "ratio: reply started at once")
    print(f"peak memory: {interview_peak_mb:.0f} MB during the interview, {peak_mb:.0f} MB "
          "after the batch transcription")


def loaded_models() -> tuple[WhisperTranscriber, TurnEnd]:
    """Whisper and the end-of-turn model, both loaded before anything is measured."""
    transcriber = WhisperTranscriber()
    transcriber.load()
    turn_end = TurnEnd.installed()
    if not turn_end.load():
        print("no end-of-turn model: install pipecat-ai (see README)")
    return transcriber, turn_end


def decisions() -> None:
    transcriber, with_model = loaded_models()
    for name, turn_end in (("model", with_model), ("no model", TurnEnd(None))):
        for half in ("tune", "measure", "unseen"):
            outcomes = [turn_answers.judge(turn_answers.record(a), transcriber,
                                           TurnPolicy(wait_for=turn_end.wait_for))
                        for a in turn_answers.load(half)]
            cut = [o.recording.id for o in outcomes if o.cut_off]
            waits = [o.wait for o in outcomes if o.wait is not None]
            wasted = sum(o.preparations - (not o.cut_off) for o in outcomes)
            print(f"{name:8} {half:7}: {len(cut)} of {len(outcomes)} cut off early"
                  f"{' (' + ', '.join(cut) + ')' if cut else ''}; wait after the last word: "
                  f"mean {statistics.mean(waits):.2f} s, median {statistics.median(waits):.2f} "
                  f"s; next turn prepared {wasted} times in vain")


def realtime() -> None:
    transcriber, turn_end = loaded_models()
    answers = turn_answers.load("measure") + [
        a for a in turn_answers.load("unseen") if a["kind"] == "mid-thought"]
    with tempfile.TemporaryDirectory() as tmp:
        outcome = turn_answers.realtime(answers, transcriber, turn_end, LocalVoice("en"),
                                        Path(tmp))
    print(f"real time: {len(outcome.cut)} of {len(answers)} cut off early")
    for answer_id, ended_by, text in outcome.cut:
        print(f"  {answer_id} ({ended_by}): {text!r}")
    print(f"last stretch transcribed more than 0.3 s after the turn end: {outcome.late or 'none'}")
    print(f"next turn not prepared from the final transcript: {outcome.unprepared or 'none'}")
    if outcome.waits:
        print(f"wait after the last word: mean {statistics.mean(outcome.waits):.2f} s, "
              f"median {statistics.median(outcome.waits):.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--decisions", action="store_true",
                      help="judge the labelled answers in tests/data/turns/ instead")
    mode.add_argument("--realtime", action="store_true",
                      help="feed the measured answers at real-time pace instead")
    args = parser.parse_args()
    (decisions if args.decisions else realtime if args.realtime else latency)()
