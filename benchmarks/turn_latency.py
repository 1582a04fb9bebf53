"""Live turn latency: how soon the interviewer answers once the candidate has finished.

Runs a short interview whose first answer is about two minutes of speech, fed at real-time
pace through the same recorder, VAD and streaming transcription a microphone uses, with the
default tiny.en model and the rubric interviewer. Then prints:

- the median `turn_end_to_reply_s` (end of turn detected -> interviewer audio starts);
- how long batch transcription of the same two minutes takes after the fact;
- their ratio;
- the process's peak memory.

Goals on a 2-core machine: median <= 0.25 s, ratio >= 15x, peak memory <= 500 MB.
Takes about three minutes, because the answers are spoken in real time.

    .venv/bin/python benchmarks/turn_latency.py
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from audio.pcm import Audio, write_wav  # noqa: E402
from audio.recorder import TurnPolicy  # noqa: E402
from audio.speaker import VoiceSpeaker  # noqa: E402
from audio.stt import WhisperTranscriber  # noqa: E402
from audio.tts import LocalVoice  # noqa: E402
from simulator import session as sessions  # noqa: E402
from simulator.core.questions import load_bank  # noqa: E402
from simulator.interviewers.rubric import RubricInterviewer  # noqa: E402
from simulator.live.answers import ScriptedAnswers  # noqa: E402
from simulator.live.engine import Interview  # noqa: E402


def long_answer(voice: LocalVoice, seconds: float) -> Audio:
    with open(ROOT / "tests" / "data" / "answers.toml", "rb") as f:
        texts = [a["strong"] for a in tomllib.load(f).values()]
    parts: list[np.ndarray] = [np.zeros(8000, dtype=np.float32)]
    total = 0.0
    for text in texts:
        speech = voice.synthesize(text).resampled(16000).samples
        parts += [speech, np.zeros(int(1.2 * 16000), dtype=np.float32)]  # a thinking pause
        total += len(speech) / 16000 + 1.2
        if total >= seconds:
            break
    return Audio(np.concatenate(parts), 16000)


def main() -> None:
    voice = LocalVoice("en")
    main_answer = long_answer(voice, 120)
    follow_ups = [voice.synthesize(t).resampled(16000) for t in (
        "I would tell the stakeholders the same day, with the new scope and date.",
        "We would look at the error rate and the support tickets after a week.")]

    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, audio in enumerate([main_answer, *follow_ups]):
            path = Path(tmp) / f"answer{i}.wav"
            write_wav(path, audio)
            files.append(path)
        os.environ["MOCK_INTERVIEW_HOME"] = tmp
        transcriber = WhisperTranscriber()
        transcriber.load()
        answers = ScriptedAnswers(files, voice).paced(transcriber, TurnPolicy())
        session = sessions.Session.create()
        bank = load_bank()
        # A question whose rubric the long answer does not fully cover, so it draws follow-ups.
        started = time.monotonic()
        Interview([bank.get("user-story")], VoiceSpeaker(LocalVoice(), playback=False),
                  answers, transcriber, RubricInterviewer(), session, max_follow_ups=2).run()
        wall = time.monotonic() - started
        session.close()
        timings = [e for e in sessions.load(session.path).events
                   if e["type"] == "answer_timing"]

    latencies = [t["turn_end_to_reply_s"] for t in timings]
    median = statistics.median(latencies)
    t0 = time.perf_counter()
    WhisperTranscriber.transcribe(transcriber, main_answer)
    batch = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"answers: {main_answer.duration:.1f} s, then "
          + ", ".join(f"{a.duration:.1f} s" for a in follow_ups)
          + f" (interview took {wall:.0f} s)")
    print(f"turn_end_to_reply_s: median {median:.3f} s over {len(latencies)} turns "
          f"({', '.join(f'{x:.3f}' for x in latencies)})")
    print(f"batch transcription of the {main_answer.duration:.0f} s answer: {batch:.2f} s")
    print(f"ratio: {batch / median:.0f}x faster than batch" if median > 0 else
          "ratio: reply started at once")
    print(f"peak memory: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
