"""Real sounddevice capture and playback, through a PulseAudio null sink in CI.

`./quickstart.sh test` starts PulseAudio with the sink as the default output and its monitor
as the default input, so whatever is played is recorded back.
"""

import os
import threading
import time

import numpy as np
import pytest

from audio import devices
from audio.devices import DeviceError, Microphone
from audio.pcm import Audio, read_audio
from audio.recorder import TurnPolicy
from audio.speaker import VoiceSpeaker
from audio.tts import LocalVoice
from simulator.core.contracts import AnswerRequest
from simulator.live.answers import LiveAnswers

pytestmark = pytest.mark.devices


@pytest.fixture(scope="module", autouse=True)
def need_devices():
    try:
        devices.require("input")
        devices.require("output")
    except DeviceError as exc:
        if os.environ.get("MOCK_INTERVIEW_REQUIRE_DEVICES"):
            pytest.fail(f"audio devices are required here: {exc}")
        pytest.skip(f"no audio devices: {exc}")


def live(transcriber, **policy) -> LiveAnswers:
    return LiveAnswers(lambda request: Microphone(), transcriber, TurnPolicy(**policy),
                       enter_ends=False)


@pytest.mark.slow
def test_an_answer_with_a_pause_is_captured_whole_through_the_devices(tmp_path, voice,
                                                                       transcriber):
    # A pause mid-thought, which must not end it (after a sentence that sounds finished, a
    # pause of 2 s would: the answer ends 1.4 s after one, see simulator/live/answers.py).
    first = voice.synthesize("I would roll out to ten percent of users first, and")
    second = voice.synthesize("then I would watch the error rate on the dashboard.")
    gap = np.zeros(int(2.0 * first.rate), dtype=np.float32)
    answer = Audio(np.concatenate([first.samples, gap, second.samples]), first.rate)
    player = threading.Timer(1.0, devices.play, args=(answer,))
    started = time.monotonic()
    player.start()
    got = live(transcriber, end_silence=3.0).record_answer(
        AnswerRequest("q", tmp_path / "answer.wav"))
    player.join()
    took = time.monotonic() - started

    assert got.ended_by == "silence"
    # Ended by the trailing silence: after all the speech (1.4 s to 3 s of it, as the answer
    # sounds finished or not), but not much later.
    assert answer.duration + 1.0 + 1.2 <= took <= answer.duration + 1.0 + 5.5
    text = got.transcript.text.lower()
    # Both sides of the pause (tiny.en writes "ten percent" as "10%").
    assert ("10%" in text or "percent" in text) and "dashboard" in text
    on_disk = read_audio(tmp_path / "answer.wav")  # written while recording, and complete
    assert abs(on_disk.duration - got.audio.duration) < 0.1


@pytest.mark.slow
def test_silence_before_the_first_word_ends_after_the_grace(tmp_path, transcriber):
    started = time.monotonic()
    got = live(transcriber, thinking_grace=2.0).record_answer(
        AnswerRequest("q", tmp_path / "silent.wav"))
    assert got.ended_by == "grace" and got.transcript.text == ""
    assert 1.9 <= got.audio.duration <= 2.5  # two seconds of audio heard, then it ended
    assert time.monotonic() - started <= 6  # opening the device takes a moment too


@pytest.mark.slow
def test_the_interviewer_leaking_into_the_microphone_is_not_transcribed(tmp_path, transcriber):
    # The speakers play the question; the microphone (the sink's monitor) hears everything
    # played. The answer starts only after playback plus the echo guard, so none of the
    # interviewer's words may turn up in the transcript.
    speaker = VoiceSpeaker(LocalVoice("en-us"), playback=True)
    question = "Tell me about a launch that went wrong, and what you did about it."
    speaker.play(speaker.render(question))
    got = live(transcriber, thinking_grace=2.0).record_answer(
        AnswerRequest("q", tmp_path / "echo.wav"))
    assert got.transcript.text == "" and got.ended_by == "grace"


def test_missing_device_lists_what_there_is():
    with pytest.raises(DeviceError, match="Devices found: .*0: "):
        devices.require("input", 4242)


@pytest.mark.slow
def test_doctor_checks_everything_in_order_and_judges_the_level(cli, voice):
    # Speak into the sink while the doctor's microphone test listens to its monitor.
    speech = voice.synthesize("Testing, one two three, testing the microphone level now.")
    player = threading.Timer(1.0, devices.play, args=(speech,))
    player.start()
    result = cli("doctor", "--mic-seconds", "5")
    player.join()
    lines = [line for line in result.stdout.splitlines() if ":" in line]
    order = ["audio devices", "microphone level", "interviewer voice", "speech model", "API"]
    found = [next(i for i, line in enumerate(lines) if name in line) for name in order]
    assert found == sorted(found)
    assert "microphone level: ok" in result.stdout
    assert "tiny.en (bundled) loaded in" in result.stdout and "All set." in result.stdout


@pytest.mark.slow
def test_doctor_calls_a_silent_microphone_too_quiet_and_lists_voices(cli):
    result = cli("doctor", "--mic-seconds", "1")
    assert "microphone level: too quiet" in result.stdout and "fix:" in result.stdout
    voices = cli("doctor", "--voices").stdout
    assert "gmw/en-us" in voices


def test_level_verdicts():
    from simulator.command.doctor import level_verdict

    rng = np.random.default_rng(1)
    speechy = Audio((rng.standard_normal(16000) * 0.1).astype(np.float32), 16000)
    assert level_verdict(speechy)[0] == "ok"
    assert level_verdict(Audio(speechy.samples * 0.001, 16000))[0] == "too quiet"
    assert level_verdict(Audio(np.clip(speechy.samples * 50, -1, 1), 16000))[0] == "clipping"


@pytest.mark.slow
def test_replay_plays_every_file_in_order_and_prints_each_line(cli, home, voice, transcriber):
    from simulator.record import session as sessions

    s = sessions.Session.create(home)
    s.log("session_started", question_ids=["user-story"], questions=[])
    question = voice.synthesize("Why?")
    s.save_audio("q01-t0-interviewer.wav", question)
    s.log("interviewer_said", kind="question", text="Why?", audio="q01-t0-interviewer.wav",
          duration=question.duration, question_id="user-story", turn=0)
    answer = voice.synthesize("Because the users asked for it.")
    s.save_audio("q01-t0-candidate.wav", answer)
    s.log("answer_recorded", audio="q01-t0-candidate.wav", duration=answer.duration,
          question_id="user-story", turn=0)
    s.log("answer_transcribed", transcript=transcriber.transcribe(answer).to_dict(),
          question_id="user-story", turn=0)
    s.close()
    started = time.monotonic()
    out = cli("replay", s.id).stdout
    took = time.monotonic() - started
    assert took >= question.duration + answer.duration
    assert out.index("Interviewer: Why?") < out.index("Candidate:")
