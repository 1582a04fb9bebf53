"""Audio that stands in for a microphone: a recording fed at the pace it was spoken.

This is how scripted answers, the tests and the benchmarks reproduce live behaviour through
the same turn-taking and streaming path a microphone uses.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from audio.pcm import Audio
from audio.recorder import RATE, TurnControl


@dataclass
class PacedAudio:
    audio: Audio
    realtime: bool = True
    block_seconds: float = 0.1
    # After the recording, the room is quiet until the turn ends, as a microphone would hear.
    max_trailing_silence: float = 60.0

    def chunks(self, control: TurnControl) -> Iterator[np.ndarray]:
        pcm = self.audio.resampled(RATE).samples
        block = int(RATE * self.block_seconds)
        silence = np.zeros(block, dtype=np.float32)
        started = time.monotonic()
        position = 0  # samples handed over so far, recording and trailing silence alike
        while not control.is_set():
            if position < len(pcm):
                chunk = pcm[position : position + block]
            elif position - len(pcm) < self.max_trailing_silence * RATE:
                chunk = silence
            else:
                return
            position += len(chunk)
            if self.realtime:  # a microphone hands over a chunk once it has been spoken
                time.sleep(max(0.0, started + position / RATE - time.monotonic()))
            yield chunk
