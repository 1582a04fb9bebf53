"""Turn a stream of audio chunks into one recorded answer, written to disk as it arrives."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from audio.pcm import Audio, WavWriter


@dataclass(frozen=True)
class RecordPolicy:
    """When an answer ends, short of the candidate ending it themselves."""

    # Silence that ends the answer once the candidate has spoken.
    silence_timeout: float = 8.0
    # Silence allowed before the first word: people think before they answer.
    first_word_grace: float = 20.0
    max_seconds: float = 600.0
    # RMS level above which a chunk counts as sound rather than room noise.
    level_threshold: float = 0.01


def rms(chunk: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(chunk)))) if len(chunk) else 0.0


def record(
    chunks: Iterable[np.ndarray],
    rate: int,
    policy: RecordPolicy,
    stop: threading.Event,
    sink: WavWriter | None = None,
    on_level: Callable[[float, float], None] | None = None,
) -> Audio:
    """Consume `chunks` until `stop` is set or the policy ends the answer.

    Every chunk goes to `sink` the moment it arrives, so what was said survives a crash.
    """
    kept: list[np.ndarray] = []
    elapsed = 0.0
    last_sound: float | None = None
    for chunk in chunks:
        kept.append(chunk)
        if sink is not None:
            sink.write(chunk)
        elapsed += len(chunk) / rate
        level = rms(chunk)
        if level >= policy.level_threshold:
            last_sound = elapsed
        if on_level is not None:
            on_level(level, elapsed)
        quiet_for = elapsed - (last_sound if last_sound is not None else 0.0)
        limit = policy.silence_timeout if last_sound is not None else policy.first_word_grace
        if quiet_for >= limit or elapsed >= policy.max_seconds:
            # The source sees this, hands over what it has already captured, and ends.
            stop.set()
    samples = np.concatenate(kept) if kept else np.zeros(0, dtype=np.float32)
    return Audio(samples.astype(np.float32, copy=False), rate)
