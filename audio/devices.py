"""Microphone and speakers through sounddevice: the only module that touches audio devices."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from audio.pcm import Audio, AudioError

if TYPE_CHECKING:
    from audio.recorder import TurnControl


class DeviceError(AudioError):
    """No usable audio device, or the device failed."""


def _sd():
    try:
        import sounddevice
    except OSError as exc:  # raised when the PortAudio library itself is missing
        raise DeviceError(
            "PortAudio is not installed, so no audio device can be opened "
            "(Debian/Ubuntu: apt-get install libportaudio2; macOS: brew install portaudio)"
        ) from exc
    return sounddevice


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: float


def list_devices() -> list[DeviceInfo]:
    sd = _sd()
    try:
        found = sd.query_devices()
    except Exception as exc:
        raise DeviceError(f"could not list audio devices: {exc}") from exc
    return [
        DeviceInfo(i, d["name"], d["max_input_channels"], d["max_output_channels"],
                   d["default_samplerate"])
        for i, d in enumerate(found)
    ]


def default_device(kind: str) -> DeviceInfo:
    """The default "input" or "output" device."""
    sd = _sd()
    try:
        d = sd.query_devices(kind=kind)
    except Exception as exc:
        raise DeviceError(f"no default {kind} device ({exc})") from exc
    return DeviceInfo(int(d.get("index", -1)), d["name"], d["max_input_channels"],
                      d["max_output_channels"], d["default_samplerate"])


def describe_devices() -> str:
    try:
        devices = list_devices()
    except DeviceError:
        return "none (PortAudio is missing)"
    if not devices:
        return "none"
    return "; ".join(f"{d.index}: {d.name} ({d.inputs} in, {d.outputs} out)" for d in devices)


def require(kind: str, device: int | str | None = None) -> None:
    """Raise DeviceError, listing the devices there are, unless `kind` ("input" or "output")
    can be opened."""
    _check(kind, device)


def _check(kind: str, device: int | str | None) -> None:
    sd = _sd()
    try:
        sd.check_input_settings(device=device) if kind == "input" else sd.check_output_settings(
            device=device
        )
    except Exception as exc:
        raise DeviceError(
            f"no usable {kind} device ({exc}). Devices found: {describe_devices()}"
        ) from exc


def play(audio: Audio, device: int | str | None = None) -> None:
    """Play and wait until the sound has finished."""
    _check("output", device)
    sd = _sd()
    try:
        sd.play(audio.samples, audio.rate, device=device, blocking=True)
    except Exception as exc:
        raise DeviceError(f"playback failed: {exc}") from exc


@dataclass
class Microphone:
    """Captures mono float32 chunks from an input device until told to stop."""

    rate: int = 16000
    block_seconds: float = 0.1
    device: int | str | None = None

    def chunks(self, stop: threading.Event | TurnControl) -> Iterator[np.ndarray]:
        _check("input", self.device)
        sd = _sd()
        captured: queue.Queue[np.ndarray] = queue.Queue()

        def on_audio(indata, _frames, _time, _status) -> None:
            captured.put(indata[:, 0].copy())

        try:
            stream = sd.InputStream(
                samplerate=self.rate, channels=1, dtype="float32", device=self.device,
                blocksize=int(self.rate * self.block_seconds), callback=on_audio,
                # The default ("high") was seen to hold back the first audio for 1.6-1.9 s
                # through PulseAudio; "low" delivers it in 0.2 s.
                latency="low",
            )
        except Exception as exc:
            raise DeviceError(
                f"could not open the microphone ({exc}). Devices found: {describe_devices()}"
            ) from exc
        with stream:
            while not stop.is_set():
                try:
                    yield captured.get(timeout=0.5)
                except queue.Empty:
                    continue
        while not captured.empty():
            yield captured.get_nowait()


class Speakers:
    """An open output stream, written a block at a time, so playback can pause and skip."""

    def __init__(self, rate: int, device: int | str | None = None):
        _check("output", device)
        self.rate = rate
        try:
            self._stream = _sd().OutputStream(samplerate=rate, channels=1, dtype="float32",
                                              device=device)
            self._stream.start()
        except Exception as exc:
            raise DeviceError(f"could not open the speakers ({exc})") from exc

    def write(self, samples: np.ndarray) -> None:
        self._stream.write(np.ascontiguousarray(samples, dtype=np.float32).reshape(-1, 1))

    def pause(self) -> None:
        # Stopped rather than starved: a starved stream makes ALSA print underrun warnings.
        self._stream.stop()

    def resume(self) -> None:
        self._stream.start()

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()

    def __enter__(self) -> Speakers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
