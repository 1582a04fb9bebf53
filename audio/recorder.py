"""One spoken turn: audio chunks in, speech segments and an end-of-turn decision out.

Turn-taking here is built for interviews, not chatbots. Voice-agent defaults end a turn after
0.5-0.8 s of silence, which cuts off a candidate who is thinking. Here the silence that ends
the turn is decided afresh at every pause, about 0.2 s after the voice stops, by a `wait_for`
the caller supplies (an end-of-turn model and the transcript's cues): short when the answer
sounds finished, long when it sounds cut off mid-thought. Until the stretch just spoken is
transcribed the wait is not known, and the turn does not end before `end_silence`. A long
silence before the first word is allowed, and Enter or a closing phrase ends the turn at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from audio.pcm import Audio, WavWriter
from audio.stt import Transcript
from audio.vad import FRAME, StreamingVad

RATE = 16000
PAD = 0.2  # seconds kept either side of a speech segment, so no word is clipped
CONTEXT = 10.0  # seconds of audio before a pause handed to `wait_for` (the model hears 8)

# wait_for(audio up to ~0.2 s after the voice stopped, transcript so far) -> seconds of
# silence, counted from the end of the voice, that end the turn at this pause.
WaitFor = Callable[[Audio, Transcript], float]
NOTHING_SAID = Transcript("", [], 0.0)


@dataclass(frozen=True)
class TurnPolicy:
    thinking_grace: float = 15.0  # silence allowed before the first word
    # The longest trailing silence: the wait when the answer sounds unfinished, and the cap on
    # every wait. A 4 s pause in mid-thought must not end the answer.
    end_silence: float = 5.0
    wait_for: WaitFor | None = None  # None: every pause waits `end_silence`
    # A pause is judged this long after the voice stops: the end-of-turn model was trained on
    # audio cut there, and the stretch before it goes for transcription at the same moment.
    judge_after: float = 0.2
    # The listener hears that the turn is likely to end once no more than this is left of the
    # wait (at once if the wait itself is no longer, but not before `segment_gap`): it starts
    # preparing the next turn.
    likely_end: float = 1.5
    segment_gap: float = 0.6  # a pause this long closes a segment for transcription
    # ...and so does any pause once the segment holds this much: the stretch left to transcribe
    # when the answer ends must be short, or the wait is spent waiting for Whisper.
    long_segment: float = 6.0
    time_limit: float | None = None  # a soft limit on the whole answer
    echo_guard: float = 0.3  # input ignored at the start: the interviewer's voice dying away
    speech_on: float = 0.5  # Silero probability that starts speech...
    speech_off: float = 0.35  # ...and that ends it (hysteresis)
    min_segment: float = 0.25  # shorter blips are not speech


class Segments(Protocol):
    """Where stretches of speech go to be transcribed while the candidate talks
    (`audio.streaming.StreamingTranscript`)."""

    def add(self, segment: Audio, offset: float) -> int: ...

    def withdraw(self, ticket: int) -> None: ...

    def so_far(self) -> Transcript | None:
        """The transcript of every stretch sent, or None while one is still being done."""
        ...


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
class Pause:
    """One pause after speech, and what was decided about it."""

    speech_end: float  # seconds into the recording where the voice stopped
    wait: float | None = None  # the silence that would end the turn; None: not decided yet
    text: str | None = None  # the transcript the decision saw
    decided_at: float | None = None  # seconds of silence when the wait was (last) decided
    told: bool = False  # the listener heard that the turn is likely to end
    length: float = 0.0  # the silence, until speech resumed or the turn ended


@dataclass
class TurnResult:
    audio: Audio
    ended_by: str  # silence, grace, time_limit, source_end, or the reason given to control
    heard_speech: bool
    speech_ended: float | None  # seconds into the recording where the last speech ended
    ended_at: float  # time.monotonic() when the end was detected
    pauses: list[Pause] = field(default_factory=list)


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
    segments: Segments | None = None,
    on_status: Callable[[TurnStatus], None] | None = None,
    on_likely_end: Callable[[], None] | None = None,
    on_resumed: Callable[[], None] | None = None,
) -> TurnResult:
    """Consume 16 kHz chunks until the turn ends. Every chunk is on disk as it arrives.

    Each stretch of speech goes to `segments` as a pause begins, so it is transcribed while
    the candidate is silent; if they go on before `segment_gap` it is withdrawn and the longer
    stretch sent at the next pause, unless it is `long_segment` long already. `on_likely_end`
    fires, with the transcript up to date, once in a pause when the turn is likely to end
    there (see `TurnPolicy.likely_end`), and `on_resumed` when the candidate speaks again
    after it.
    """
    vad = StreamingVad()
    kept: list[np.ndarray] = []
    total = 0  # samples kept
    elapsed = 0.0
    frames_done = 0
    speaking = False
    heard = False
    seg_start: float | None = None  # where the open segment's speech began
    draft: int | None = None  # the ticket of the open segment, sent when the pause began
    last_speech: float | None = None
    pause: Pause | None = None
    pause_audio: Audio | None = None
    pauses: list[Pause] = []
    ended_by = "source_end"

    def send(until: float) -> int | None:
        """The open segment, padded, to the transcriber."""
        assert seg_start is not None
        start, end = max(0.0, seg_start - PAD), min(elapsed, until + PAD)
        if segments is None or end - start < policy.min_segment:
            return None
        audio = span(kept, total, int(start * RATE), int(end * RATE))
        return segments.add(Audio(audio, RATE), start)

    def close_segment(until: float) -> None:
        nonlocal seg_start, draft
        if seg_start is not None and draft is None:
            send(until)
        seg_start, draft = None, None

    for chunk in chunks:
        chunk = np.asarray(chunk, dtype=np.float32)
        if elapsed < policy.echo_guard:
            keep_from = int((policy.echo_guard - elapsed) * RATE)
            chunk = chunk.copy()
            chunk[:keep_from] = 0.0
        kept.append(chunk)
        total += len(chunk)
        if sink is not None:
            sink.write(chunk)
        elapsed = total / RATE

        for prob in vad.feed(chunk):
            t = frames_done * FRAME / RATE
            frames_done += 1
            if prob >= policy.speech_on or (speaking and prob >= policy.speech_off):
                if pause is not None:  # the candidate goes on
                    if draft is not None and segments is not None:
                        if seg_start is not None and last_speech is not None \
                                and last_speech - seg_start >= policy.long_segment:
                            seg_start = None  # the draft stands; a new segment starts here
                        else:
                            segments.withdraw(draft)  # the whole segment goes at the next pause
                        draft = None
                    if pause.told and on_resumed is not None:
                        on_resumed()
                    pause = None
                speaking, heard = True, True
                if seg_start is None:
                    seg_start = t
                last_speech = t + FRAME / RATE
            else:
                speaking = False
                if seg_start is not None and last_speech is not None \
                        and t - last_speech >= policy.segment_gap:
                    close_segment(last_speech)  # a draft sent already stays: it is final

        silence = elapsed - last_speech if last_speech is not None else elapsed
        if last_speech is not None:
            if pause is not None:
                pause.length = silence
            elif not speaking and silence >= policy.judge_after:
                # A pause begins: judge it on the audio up to here, and transcribe the
                # stretch before it now, so the transcript is ready when the wait is over.
                cut = last_speech + policy.judge_after
                pause_audio = Audio(span(kept, total, int(max(0.0, cut - CONTEXT) * RATE),
                                         int(cut * RATE)), RATE)
                pause = Pause(last_speech, length=silence)
                pauses.append(pause)
                if seg_start is not None and draft is None:
                    draft = send(last_speech)
            if pause is not None:
                heard_so_far = segments.so_far() if segments is not None else NOTHING_SAID
                if heard_so_far is not None and (pause.wait is None
                                                 or heard_so_far.text != pause.text):
                    wait = policy.end_silence
                    if policy.wait_for is not None and pause_audio is not None:
                        wait = policy.wait_for(pause_audio, heard_so_far)
                    pause.wait = min(max(0.0, wait), policy.end_silence)
                    pause.text, pause.decided_at = heard_so_far.text, silence
                # Not at a breath (under `segment_gap`): with an LLM interviewer each time the
                # next turn is prepared is a paid request.
                if pause.wait is not None and not pause.told and on_likely_end is not None \
                        and silence >= min(policy.segment_gap, pause.wait) \
                        and pause.wait - min(silence, pause.wait) <= policy.likely_end:
                    pause.told = True
                    on_likely_end()

        if heard:
            # Until the wait is decided (the stretch is still being transcribed) only the
            # longest wait ends the turn.
            limit = pause.wait if pause is not None and pause.wait is not None \
                else policy.end_silence
        else:
            limit = policy.thinking_grace
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
    if seg_start is not None:
        close_segment(last_speech if last_speech is not None else elapsed)
    control.end(ended_by)  # tells a live source to stop
    samples = np.concatenate(kept) if kept else np.zeros(0, dtype=np.float32)
    return TurnResult(Audio(samples, RATE), ended_by, heard, last_speech, ended_at, pauses)
