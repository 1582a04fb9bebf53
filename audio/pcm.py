"""Audio as data: mono float32 samples with their sample rate, and WAV files on disk."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np


class AudioError(Exception):
    """Audio could not be read, written, made or captured. The message is meant for the user."""


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray  # float32, mono, nominally in [-1, 1]
    rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0

    def resampled(self, rate: int) -> Audio:
        """Band-limited resampling with libswresample (PyAV, which faster-whisper brings).

        Plain interpolation aliases the high end of speech into the band Whisper listens to,
        and was seen to change what tiny.en heard.
        """
        if rate == self.rate or len(self.samples) == 0:
            return Audio(self.samples.astype(np.float32, copy=False), rate)
        import av

        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(self.samples, dtype=np.float32)[None, :], format="flt",
            layout="mono",
        )
        frame.sample_rate = self.rate
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        out = [f.to_ndarray()[0] for f in resampler.resample(frame) + resampler.resample(None)]
        return Audio(np.concatenate(out).astype(np.float32, copy=False), rate)

    @staticmethod
    def silence(seconds: float, rate: int = 16000) -> Audio:
        return Audio(np.zeros(int(seconds * rate), dtype=np.float32), rate)


def to_int16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()


class WavWriter:
    """A 16-bit mono WAV file that is valid on disk after every `write`.

    The `wave` module rewrites the header's lengths on each `writeframes`, and we flush after
    it, so a process killed mid-answer leaves a playable file holding everything captured.
    """

    def __init__(self, path: Path | None, rate: int, stream: BinaryIO | None = None):
        self.path = path
        self.rate = rate
        self._owned = stream is None
        self._file = stream if stream is not None else open(path, "wb")  # noqa: SIM115
        self._wav = wave.open(self._file, "wb")  # noqa: SIM115
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(rate)

    @classmethod
    def to_stream(cls, stream: BinaryIO, rate: int) -> WavWriter:
        """Write into an open binary stream (left open on close), e.g. for an upload."""
        return cls(None, rate, stream)

    def write(self, samples: np.ndarray) -> None:
        self._wav.writeframes(to_int16(samples))
        self._file.flush()

    def close(self) -> None:
        self._wav.close()
        if self._owned:
            self._file.close()

    def __enter__(self) -> WavWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_wav(path: Path, audio: Audio) -> None:
    with WavWriter(path, audio.rate) as w:
        w.write(audio.samples)


def read_audio(path: Path, rate: int = 16000) -> Audio:
    """Decode any file PyAV can read (WAV, FLAC, MP3, Opus...) to mono at `rate`."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such audio file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the file is empty")
    # Imported here: PyAV comes with faster-whisper and takes a moment to load.
    from faster_whisper.audio import decode_audio

    try:
        samples = decode_audio(str(path), sampling_rate=rate)
    except Exception as exc:  # PyAV raises a wide family of errors for bad input
        raise AudioError(f"{path}: not readable as audio ({type(exc).__name__})") from exc
    if len(samples) == 0:
        raise AudioError(f"{path}: holds no audio samples")
    return Audio(np.asarray(samples, dtype=np.float32), rate)
