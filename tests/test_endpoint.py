"""The end-of-turn model (Smart Turn v3.2), run for real on speech made here with espeak-ng.

The model ships inside the `pipecat-ai` wheel, which the project does not depend on. These
tests use that copy when pipecat-ai is installed, or the file named by SMART_TURN_MODEL
(e.g. extracted from the wheel), and are skipped otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from audio import endpoint
from audio.endpoint import TurnEndModel
from audio.pcm import Audio, AudioError
from audio.tts import LocalVoice

FINISHED = "That's the main thing I learned from that project."
CUT_OFF = "and then I would, um"


def model_path() -> Path | None:
    named = os.environ.get("SMART_TURN_MODEL")
    return Path(named) if named else endpoint.find_model()


@pytest.fixture(scope="module")
def model() -> TurnEndModel:
    path = model_path()
    if path is None or not path.is_file():
        pytest.skip("Smart Turn model not found: pipecat-ai is not installed and "
                    "SMART_TURN_MODEL does not name smart-turn-v3.2-cpu.onnx")
    return TurnEndModel(path)


@pytest.mark.parametrize("voice", ["en", "en-us"])
def test_a_finished_sentence_scores_above_a_cut_off_phrase(model, voice):
    speaker = LocalVoice(voice)
    done = model.probability(speaker.synthesize(FINISHED))
    cut = model.probability(speaker.synthesize(CUT_OFF))
    assert 0.0 <= cut < done <= 1.0
    assert done - cut > 0.3, (done, cut)


def test_only_the_last_eight_seconds_count(model):
    speech = LocalVoice("en").synthesize(FINISHED)
    rng = np.random.default_rng(0)
    earlier = (rng.standard_normal(10 * speech.rate) * 0.1).astype(np.float32)
    long = Audio(np.concatenate([earlier, speech.samples]), speech.rate)
    last = Audio(long.samples[-8 * speech.rate:], speech.rate)
    assert model.probability(long) == pytest.approx(model.probability(last), abs=0.02)


def test_silence_and_empty_audio_mean_nothing_was_finished(model):
    assert model.probability(Audio.silence(3.0)) == 0.0
    assert model.probability(Audio(np.zeros(0, dtype=np.float32), 16000)) == 0.0


def test_very_short_audio_at_another_rate_still_gets_a_probability(model):
    speech = LocalVoice("en").synthesize("Yes.")
    assert speech.rate != 16000  # espeak-ng writes 22.05 kHz: the model resamples
    blip = Audio(speech.samples[: speech.rate // 10], speech.rate)  # 0.1 s
    for audio in (speech, blip):
        p = model.probability(audio)
        assert 0.0 <= p <= 1.0


def test_a_missing_model_file_is_a_one_line_error_on_first_use(tmp_path):
    missing = TurnEndModel(tmp_path / "smart-turn.onnx")  # making one loads nothing
    with pytest.raises(AudioError) as caught:
        missing.probability(Audio.silence(1.0))
    assert str(tmp_path / "smart-turn.onnx") in str(caught.value)
    assert "\n" not in str(caught.value)


def test_no_pipecat_is_a_one_line_error(monkeypatch):
    monkeypatch.setattr(endpoint, "find_model", lambda: None)
    with pytest.raises(AudioError, match="install pipecat-ai") as caught:
        TurnEndModel().load()
    assert "\n" not in str(caught.value)


def test_a_file_that_is_not_a_model_is_a_one_line_error(tmp_path):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(AudioError, match="not a readable ONNX model") as caught:
        TurnEndModel(junk).load()
    assert "\n" not in str(caught.value)


def test_without_pipecat_answers_get_fixed_waits_and_doctor_says_so(monkeypatch):
    from audio.stt import Transcript
    from simulator.command.doctor import end_of_turn_model
    from simulator.live.answers import TurnEnd

    monkeypatch.setattr(endpoint, "find_model", lambda: None)
    monkeypatch.setattr("simulator.live.answers.find_model", lambda: None)
    turn_end = TurnEnd.installed()
    assert turn_end.model is None and not turn_end.load()
    heard = Audio.silence(1.0)
    assert turn_end.wait_for(heard, Transcript("That's the plan.", [], 1.0)) == TurnEnd.FIXED
    assert turn_end.wait_for(heard, Transcript("And then, um,", [], 1.0)) > TurnEnd.FIXED
    said = end_of_turn_model()
    assert "no end-of-turn model" in said and "pip install --no-deps pipecat-ai" in said


def test_doctor_names_the_model_when_it_is_there(model, monkeypatch):
    from simulator.command.doctor import end_of_turn_model

    monkeypatch.setattr(endpoint, "find_model", lambda: model.path)
    assert "Smart Turn v3.2 loaded in" in end_of_turn_model()
