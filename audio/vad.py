"""Speech or silence: Silero VAD, the copy that ships inside faster-whisper (no download)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audio.pcm import Audio

VAD_RATE = 16000


@dataclass(frozen=True)
class Span:
    start: float  # seconds
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def speech_spans(
    audio: Audio, min_silence: float = 0.5, pad: float = 0.2, max_span: float = float("inf")
) -> list[Span]:
    """Where in `audio` someone is speaking; pauses shorter than `min_silence` are bridged.

    A span longer than `max_span` is split at its quietest moment, which Silero picks.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    pcm = audio.resampled(VAD_RATE)
    found = get_speech_timestamps(
        pcm.samples,
        VadOptions(min_silence_duration_ms=int(min_silence * 1000),
                   speech_pad_ms=int(pad * 1000), max_speech_duration_s=max_span),
        sampling_rate=VAD_RATE,
    )
    return [Span(s["start"] / VAD_RATE, s["end"] / VAD_RATE) for s in found]


def group_spans(spans: list[Span], max_seconds: float) -> list[Span]:
    """Join neighbouring spans into pieces of at most `max_seconds`, cutting only at pauses.

    A single span longer than the limit is kept whole: cutting mid-speech would split words.
    """
    pieces: list[Span] = []
    for span in spans:
        if pieces and span.end - pieces[-1].start <= max_seconds:
            pieces[-1] = Span(pieces[-1].start, span.end)
        else:
            pieces.append(span)
    return pieces


FRAME = 512  # samples per Silero decision at 16 kHz: 32 ms


class StreamingVad:
    """Silero speech probabilities for audio arriving a chunk at a time.

    The model carries a recurrent state from frame to frame, and each 32 ms frame is judged
    with the tail of the one before it as context, exactly as faster-whisper's batch call does,
    so live decisions match what `speech_spans` finds afterwards.
    """

    CONTEXT = 64

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self._pending = np.zeros(0, dtype=np.float32)
        self._context = np.zeros(self.CONTEXT, dtype=np.float32)
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)

    def feed(self, samples: np.ndarray) -> np.ndarray:
        """Speech probabilities for every whole frame now available (16 kHz input)."""
        self._pending = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        whole = len(self._pending) // FRAME * FRAME
        if whole == 0:
            return np.zeros(0, dtype=np.float32)
        frames = self._pending[:whole].reshape(-1, FRAME)
        self._pending = self._pending[whole:]
        contexts = np.concatenate([self._context[None, :], frames[:-1, -self.CONTEXT:]])
        self._context = frames[-1, -self.CONTEXT:].copy()
        out, self._h, self._c = self._session.run(
            None, {"input": np.concatenate([contexts, frames], axis=1), "h": self._h,
                   "c": self._c},
        )
        return np.asarray(out, dtype=np.float32).reshape(-1)
