import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audio.pcm import Audio, AudioError
from audio.tts import LocalVoice, list_voices

QUESTION = "Walk me through how you run a product launch."


def rms(audio: Audio) -> float:
    return float(np.sqrt(np.mean(audio.samples**2)))


def fake_espeak(folder: Path, script: str) -> None:
    """An `espeak-ng` on PATH that runs `script` (sh) instead of speaking."""
    exe = folder / "espeak-ng"
    exe.write_text("#!/bin/sh\n" + script + "\n")
    exe.chmod(0o755)


def test_renders_speech_of_a_plausible_length():
    audio = LocalVoice().synthesize(QUESTION)
    assert audio.rate > 8000
    assert 1.5 < audio.duration < 8
    assert rms(audio) > 0.01  # speech, not silence


def test_longer_text_gives_longer_audio():
    synth = LocalVoice()
    short = synth.synthesize("Hello.")
    long = synth.synthesize("Hello. Tell me about a launch that went wrong and what you did.")
    assert long.duration > short.duration * 2


def test_rate_changes_the_duration():
    slow = LocalVoice(rate=100).synthesize(QUESTION)
    fast = LocalVoice(rate=300).synthesize(QUESTION)
    assert slow.duration > fast.duration * 2  # three times the words per minute


def test_a_long_text_renders_whole():
    sentence = "Tell me about a launch you led and how you knew it worked. "
    one = LocalVoice().synthesize(sentence)
    twenty = LocalVoice().synthesize(sentence * 20)
    assert twenty.duration > one.duration * 18
    # The end is speech too, not a cut-off followed by padding.
    assert rms(Audio(twenty.samples[-int(5 * twenty.rate):], twenty.rate)) > 0.01


@pytest.mark.parametrize("text", ["--help", "-v nobody -s 80 this is all spoken"])
def test_text_that_looks_like_an_option_is_spoken(text):
    audio = LocalVoice().synthesize(text)
    assert audio.duration > 0.4 and rms(audio) > 0.01


def test_empty_text_is_refused():
    with pytest.raises(AudioError, match="empty"):
        LocalVoice().synthesize("  \n ")


def test_a_missing_espeak_is_a_one_line_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no espeak-ng anywhere
    with pytest.raises(AudioError) as err:
        LocalVoice().synthesize("Anyone there?")
    assert str(err.value) == (
        "no speech synthesizer: install espeak-ng (apt-get install espeak-ng)")


def test_an_unknown_voice_is_a_one_line_error():
    with pytest.raises(AudioError) as err:
        LocalVoice("zz-no-such-voice").synthesize("Hello.")
    assert str(err.value) == (
        "unknown voice 'zz-no-such-voice': `mock-interview doctor --voices` lists the voices")


def test_an_espeak_failure_says_why_in_one_line(monkeypatch, tmp_path):
    fake_espeak(tmp_path, "echo 'wrong data dir: /nowhere' >&2\necho 'more detail' >&2\nexit 2")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(AudioError) as err:
        LocalVoice().synthesize("Hello.")
    assert str(err.value) == "espeak-ng failed: wrong data dir: /nowhere"


def test_espeak_writing_nothing_is_an_error(monkeypatch, tmp_path):
    fake_espeak(tmp_path, "exit 0")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(AudioError) as err:
        LocalVoice().synthesize("Hello there.")
    assert str(err.value) == "espeak-ng wrote no audio for 'Hello there.'"


def test_voices_are_listed_and_each_listed_id_and_name_is_accepted():
    voices = dict(list_voices())
    assert len(voices) > 50
    assert voices["gmw/en-us"] == "English (America)"
    by_id = LocalVoice("gmw/en-us").synthesize("Hello.")
    by_name = LocalVoice("English (America)").synthesize("Hello.")
    assert by_id.duration == by_name.duration == LocalVoice("en-us").synthesize("Hello.").duration


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="Linux only")
def test_linux_needs_no_pyttsx3_and_prints_nothing():
    # A fresh process with pyttsx3 made unimportable: rendering and listing voices must work,
    # and nothing may land on stdout or stderr (pyttsx3's espeak driver used to print there).
    script = """
import sys
sys.modules["pyttsx3"] = None
from audio.tts import LocalVoice, list_voices
assert list_voices()
LocalVoice().synthesize("Tell me about a launch you led and how you knew it worked.")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""


@pytest.mark.skipif(sys.platform not in ("darwin", "win32"),
                    reason="pyttsx3 is the local voice only on macOS and Windows")
def test_the_system_voice_renders_speech():
    audio = LocalVoice().synthesize(QUESTION)
    assert 1.5 < audio.duration < 8 and rms(audio) > 0.01
