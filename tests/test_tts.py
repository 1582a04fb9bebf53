import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audio.pcm import AudioError
from audio.tts import EspeakSynthesizer, Pyttsx3Synthesizer, list_voices


def test_pyttsx3_renders_speech_of_a_plausible_length():
    audio = Pyttsx3Synthesizer().synthesize("Walk me through how you run a product launch.")
    assert audio.rate > 8000
    assert 1.5 < audio.duration < 8
    assert np.sqrt(np.mean(audio.samples**2)) > 0.01  # speech, not silence


def test_longer_text_gives_longer_audio():
    synth = Pyttsx3Synthesizer()
    short = synth.synthesize("Hello.")
    long = synth.synthesize("Hello. Tell me about a launch that went wrong and what you did.")
    assert long.duration > short.duration * 2


def test_falls_back_to_espeak_when_pyttsx3_writes_nothing(monkeypatch):
    calls = []

    def writes_nothing(self, text):
        calls.append(text)
        return None

    monkeypatch.setattr(Pyttsx3Synthesizer, "_render", writes_nothing)
    audio = Pyttsx3Synthesizer().synthesize("Still speaking.")
    assert len(calls) == 2  # tried, retried once, then fell back
    assert audio.duration > 0.5


def test_no_synthesizer_at_all_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(Pyttsx3Synthesizer, "_render", lambda self, text: None)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(AudioError, match="install espeak-ng"):
        Pyttsx3Synthesizer().synthesize("Anyone there?")


def test_empty_text_is_refused():
    with pytest.raises(AudioError, match="empty"):
        Pyttsx3Synthesizer().synthesize("  ")


def test_espeak_command_line_and_voices():
    assert EspeakSynthesizer().synthesize("One two three.").duration > 0.5
    assert any("en" in vid for vid, _name in list_voices())


def test_first_render_in_a_new_process_waits_for_the_whole_utterance():
    # A new pyttsx3 engine used to hand back control before espeak had written the file; the
    # speech then landed later in a folder that was gone, with a traceback on stderr.
    script = """
from audio.tts import Pyttsx3Synthesizer
text = "Tell me about a launch you led and how you knew it worked. " * 20
synth = Pyttsx3Synthesizer()
first = synth._render(text)
second = synth._render(text)
assert first is not None, "the first render wrote nothing"
assert abs(first.duration - second.duration) < 1.0, (first.duration, second.duration)
print(round(first.duration, 1))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) > 60  # twenty sentences of speech
    assert result.stderr == ""
