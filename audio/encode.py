"""Compact encodings for sharing: Opus in an Ogg file, through PyAV (faster-whisper brings it)."""

from __future__ import annotations

import io

import numpy as np

from audio.pcm import Audio, AudioError

OPUS_RATE = 16000  # one of the rates Opus takes natively; speech needs no more


def to_ogg_opus(audio: Audio, bit_rate: int = 24000) -> bytes:
    import av

    pcm = audio.resampled(OPUS_RATE)
    buffer = io.BytesIO()
    try:
        with av.open(buffer, "w", format="ogg") as out:
            stream = out.add_stream("libopus", rate=OPUS_RATE, layout="mono")
            stream.bit_rate = bit_rate
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(pcm.samples, dtype=np.float32)[None, :], format="flt",
                layout="mono")
            frame.sample_rate = OPUS_RATE
            for packet in stream.encode(frame):
                out.mux(packet)
            for packet in stream.encode(None):
                out.mux(packet)
    except Exception as exc:
        raise AudioError(f"could not encode Opus audio ({type(exc).__name__}: {exc})") from exc
    return buffer.getvalue()
