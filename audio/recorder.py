"""One spoken turn: audio chunks in, speech segments and an end-of-turn decision out.

Turn-taking here is built for interviews, not chatbots. Voice-agent defaults end a turn after
0.5-0.8 s of silence, which cuts off a candidate who is thinking; so the turn allows a long
silence before the first word, treats pauses of a couple of seconds as part of the answer, and
ends only after a longer trailing silence, or when told to (Enter, a closing phrase).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from audio.pcm import Audio, WavWriter
from audio.vad import FRAME, StreamingVad

RATE = 16000
PAD = 0.2  # seconds kept either side of a speech segment, so no word is clipped


@dataclass(frozen=True)
class TurnPolicy:
    thinking_grace: float = 15.0  # silence allowed before the first word
    end_silence: float = 3.0  # trailing silence that ends the turn
    segment_gap: float = 0.6  # a pause this long closes a segment for transcription
    time_limit: float | None = None  # a soft limit on the whole answer
    echo_guard: float = 0.3  # input ignored at the start: the interviewer's voice dying away
    speech_on: float = 0.5  # Silero probability that starts speech...
    speech_off: float = 0.35  # ...and that ends it (hysteresis)
    min_segment: float = 0.25  # shorter blips are not speech


class TurnControl:
    """Ends a turn from another thread (Enter, a closing phrase) and says why."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.reason: str | None = None
        self._lock = threading.Lock()

    def end(self, reason: str) -> None:
        with self._lock:
            if self.reason is None:
                self.reason = reason
                self.event.set()

    def is_set(self) -> bool:
        return self.event.is_set()


@dataclass(frozen=True)
class TurnStatus:
    """What a live display shows while the candidate answers."""

    elapsed: float
    level: float  # RMS of the latest chunk
    speaking: bool
    heard_speech: bool
    silence_left: float | None  # seconds until the turn ends, once the silence counts


@dataclass
class TurnResult:
    audio: Audio
    ended_by: str  # silence, grace, time_limit, source_end, or the reason given to control
    heard_speech: bool
    speech_ended: float | None  # seconds into the recording where the last speech ended
    ended_at: float  # time.monotonic() when the end was detected


def rms(chunk: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(chunk)))) if len(chunk) else 0.0


def span(chunks: list[np.ndarray], total: int, start: int, end: int) -> np.ndarray:
    """Samples `start:end` of the chunks joined (`total` samples in all).

    A segment lies near the end of what has been recorded, so only the last chunks are read;
    joining everything at each pause would grow with the square of the answer's length.
    """
    parts = []
    position = total
    for chunk in reversed(chunks):
        if position <= start:
            break
        chunk_start = position - len(chunk)
        if chunk_start < end:
            parts.append(chunk[max(0, start - chunk_start) : max(0, end - chunk_start)])
        position = chunk_start
    return np.concatenate(parts[::-1]) if parts else np.zeros(0, dtype=np.float32)


def record_turn(
    chunks: Iterable[np.ndarray],
    policy: TurnPolicy,
    control: TurnControl,
    sink: WavWriter | None = None,
    on_segment: Callable[[Audio, float], None] | None = None,
    on_status: Callable[[TurnStatus], None] | None = None,
    on_silence: Callable[[], None] | None = None,
    on_speech: Callable[[], None] | None = None,
) -> TurnResult:
    """Consume 16 kHz chunks until the turn ends. Every chunk is on disk as it arrives.

    `on_segment(audio, offset)` gets each stretch of speech once a pause closes it, so it can
    be transcribed while the candidate goes on. `on_silence` fires when a pause is long enough
    to close a segment, `on_speech` when speech starts again after one.
    """
    vad = StreamingVad()
    kept: list[np.ndarray] = []
    elapsed = 0.0
    frames_done = 0
    speaking = False
    heard = False
    seg_start: float | None = None
    last_speech: float | None = None
    paused = False
    ended_by = "source_end"

    def close_segment(until: float) -> None:
        nonlocal seg_start
        if seg_start is None:
            return
        start, end = max(0.0, seg_start - PAD), min(elapsed, until + PAD)
        seg_start = None
        if on_segment is not None and end - start >= policy.min_segment:
            audio = span(kept, int(elapsed * RATE), int(start * RATE), int(end * RATE))
            on_segment(Audio(audio, RATE), start)

    for chunk in chunks:
        chunk = np.asarray(chunk, dtype=np.float32)
        if elapsed < policy.echo_guard:
            keep_from = int((policy.echo_guard - elapsed) * RATE)
            chunk = chunk.copy()
            chunk[:keep_from] = 0.0
        kept.append(chunk)
        if sink is not None:
            sink.write(chunk)
        elapsed += len(chunk) / RATE

        for prob in vad.feed(chunk):
            t = frames_done * FRAME / RATE
            frames_done += 1
            if prob >= policy.speech_on or (speaking and prob >= policy.speech_off):
                if not speaking and paused and on_speech is not None:
                    on_speech()
                speaking, heard, paused = True, True, False
                if seg_start is None:
                    seg_start = t
                last_speech = t + FRAME / RATE
            else:
                speaking = False
                if seg_start is not None and last_speech is not None \
                        and t - last_speech >= policy.segment_gap:
                    close_segment(last_speech)
                    paused = True
                    if on_silence is not None:
                        on_silence()

        silence = elapsed - last_speech if last_speech is not None else elapsed
        limit = policy.end_silence if heard else policy.thinking_grace
        counting = heard and not speaking and silence >= policy.segment_gap
        if on_status is not None:
            on_status(TurnStatus(elapsed, rms(chunk), speaking, heard,
                                 max(0.0, limit - silence) if counting else None))
        if control.is_set():
            break
        if silence >= limit:
            control.end("silence" if heard else "grace")
        elif policy.time_limit is not None and elapsed >= policy.time_limit:
            control.end("time_limit")
        if control.is_set():
            break
    ended_at = time.monotonic()
    ended_by = control.reason or ended_by
    close_segment(last_speech if last_speech is not None else elapsed)
    control.end(ended_by)  # tells a live source to stop
    samples = np.concatenate(kept) if kept else np.zeros(0, dtype=np.float32)
    return TurnResult(Audio(samples, RATE), ended_by, heard, last_speech, ended_at)
