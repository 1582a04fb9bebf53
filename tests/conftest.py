"""Shared fixtures. Speech is made at test time with the real TTS; Whisper is the real model."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from audio.pcm import Audio, write_wav
from audio.stt import WhisperTranscriber
from audio.tts import Pyttsx3Synthesizer

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def answers() -> dict:
    with open(DATA / "answers.toml", "rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="session")
def transcriber() -> WhisperTranscriber:
    t = WhisperTranscriber()
    t.load()
    return t


@pytest.fixture(scope="session")
def voice() -> Pyttsx3Synthesizer:
    return Pyttsx3Synthesizer("en")


@pytest.fixture
def speech(tmp_path, voice):
    """Write `text` as spoken audio to a WAV file and return its path."""

    def make(text: str, name: str = "speech.wav", pad: float = 0.0) -> Path:
        audio = voice.synthesize(text)
        if pad:
            silence = Audio.silence(pad, audio.rate).samples
            import numpy as np

            audio = Audio(np.concatenate([silence, audio.samples, silence]), audio.rate)
        path = tmp_path / name
        write_wav(path, audio)
        return path

    return make


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh data folder for sessions."""
    path = tmp_path / "home"
    monkeypatch.setenv("MOCK_INTERVIEW_HOME", str(path))
    return path


@pytest.fixture
def cli(home):
    """Run the installed `mock-interview` command as a user would."""

    def run(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess:
        env = {**os.environ, "MOCK_INTERVIEW_HOME": str(home), "COLUMNS": "120"}
        env.pop("MOCK_INTERVIEW_DEBUG", None)
        exe = Path(sys.executable).with_name("mock-interview")
        result = subprocess.run(
            [str(exe), *map(str, args)], capture_output=True, text=True, env=env, timeout=300,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    return run
