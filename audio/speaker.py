"""The interviewer's voice: render to audio (kept for the record), then play if wanted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from audio import devices
from audio.pcm import Audio
from audio.tts import Synthesizer


class Speaker(Protocol):
    def render(self, text: str) -> Audio: ...

    def play(self, audio: Audio) -> None: ...


@dataclass
class VoiceSpeaker:
    synth: Synthesizer
    playback: bool = True  # False renders only: scripted runs need no speakers

    def render(self, text: str) -> Audio:
        return self.synth.synthesize(text)

    def play(self, audio: Audio) -> None:
        # Blocking: the microphone opens only after the interviewer has finished, so the
        # speakers never leak into an answer.
        if self.playback:
            devices.play(audio)
