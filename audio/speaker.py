"""The interviewer's voice: synthesize, optionally play, and hand back the audio for the record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from audio import devices
from audio.pcm import Audio
from audio.tts import Synthesizer


class Speaker(Protocol):
    def say(self, text: str) -> Audio: ...


@dataclass
class VoiceSpeaker:
    synth: Synthesizer
    playback: bool = True  # False renders only: scripted runs need no speakers

    def say(self, text: str) -> Audio:
        audio = self.synth.synthesize(text)
        if self.playback:
            devices.play(audio)
        return audio
