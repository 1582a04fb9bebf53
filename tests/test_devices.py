"""Real sounddevice capture and playback, through a PulseAudio null sink in CI.

`./quickstart.sh test` starts PulseAudio with the sink as the default output and its monitor
as the default input, so whatever is played is recorded back.
"""

import os
import threading
import time

import pytest

from audio import devices
from audio.devices import DeviceError, Microphone
from audio.pcm import read_audio
from audio.recorder import RecordPolicy
from simulator.answers import MicrophoneAnswers

pytestmark = pytest.mark.devices


@pytest.fixture(scope="module", autouse=True)
def need_devices():
    try:
        devices._check("input", None)
        devices._check("output", None)
    except DeviceError as exc:
        if os.environ.get("MOCK_INTERVIEW_REQUIRE_DEVICES"):
            pytest.fail(f"audio devices are required here: {exc}")
        pytest.skip(f"no audio devices: {exc}")


def test_microphone_records_what_the_speakers_play(tmp_path, speech, transcriber):
    answer = read_audio(speech("I would roll out to ten percent of users first."))
    player = threading.Timer(0.5, devices.play, args=(answer,))
    source = MicrophoneAnswers(Microphone(), RecordPolicy(silence_timeout=1.5,
                                                          first_word_grace=5))
    dest = tmp_path / "answer.wav"
    started = time.monotonic()
    player.start()
    recorded = source.record_answer("q", dest)
    player.join()
    took = time.monotonic() - started

    # It waited for the speech, then stopped on the trailing silence rather than running on.
    assert answer.duration + 1.5 <= took <= answer.duration + 5
    text = transcriber.transcribe(recorded).text.lower()
    assert "roll out" in text and "users" in text
    on_disk = read_audio(dest)  # written while recording, and complete
    assert abs(on_disk.duration - recorded.duration) < 0.05


def test_silence_before_the_first_word_ends_after_the_grace(tmp_path):
    source = MicrophoneAnswers(Microphone(), RecordPolicy(silence_timeout=0.5,
                                                          first_word_grace=1.5))
    started = time.monotonic()
    recorded = source.record_answer("q", tmp_path / "silent.wav")
    took = time.monotonic() - started
    assert 1.4 <= took <= 4
    assert recorded.duration >= 1.4


def test_missing_device_lists_what_there_is():
    with pytest.raises(DeviceError, match="Devices found: .*0: "):
        devices._check("input", 4242)
