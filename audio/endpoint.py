"""Has the speaker finished? Smart Turn v3.2 (BSD-2-Clause), an end-of-turn model on the audio.

The model is an ~8.7 MB int8 ONNX file on the Whisper-tiny encoder. It hears the last 8 s of
16 kHz mono speech, as Whisper log-mel features, and answers with the probability that the
turn is complete. It judges prosody (falling pitch, a drawn-out "um"), not words, so callers
should weigh it together with what the transcript says.

The file ships inside the `pipecat-ai` wheel on PyPI; nothing is downloaded at run time. We
read the file from that package, or from a path given, and never import pipecat itself: its
package import pulls loguru and prints a banner.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from audio.pcm import Audio, AudioError

MODEL_RATE = 16000
WINDOW = 8 * MODEL_RATE  # the model was trained on exactly 8 s: 800 feature frames
MODEL_IN_PIPECAT = ("audio", "turn", "smart_turn", "data", "smart-turn-v3.2-cpu.onnx")
QUIET = 1e-4  # peak below this (about -80 dBFS) is digital silence, not a quiet voice


def find_model() -> Path | None:
    """The ONNX file inside an installed `pipecat-ai`, or None.

    `find_spec` of a top-level name only locates the package folder; it runs none of its code.
    """
    spec = importlib.util.find_spec("pipecat")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder).joinpath(*MODEL_IN_PIPECAT)
        if path.is_file():
            return path
    return None


@dataclass
class TurnEndModel:
    """Probability that the speaker has finished, from the sound of their last 8 seconds.

    Loaded on first use, so making one costs nothing. One intra-op thread: a call takes tens
    of milliseconds anyway, and the recorder and Whisper need the other core.
    """

    path: Path | None = None  # None: the copy inside the installed pipecat-ai
    _session: Any = field(default=None, init=False, repr=False)
    _mel: Any = field(default=None, init=False, repr=False)

    def load(self) -> None:
        if self._session is not None:
            return
        path = Path(self.path) if self.path is not None else find_model()
        if path is None:
            raise AudioError("no end-of-turn model: install pipecat-ai, which ships Smart Turn")
        if not path.is_file():
            raise AudioError(f"{path}: no such end-of-turn model file")
        import onnxruntime as ort
        from faster_whisper.feature_extractor import FeatureExtractor

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own family for a bad file
            raise AudioError(f"{path}: not a readable ONNX model ({type(exc).__name__})") from exc
        # faster-whisper's numpy log-mel is the Whisper recipe (n_fft 400, hop 160, 80 Slaney
        # mels, log10 clamped to max-8, scaled (x+4)/4) the model was trained on.
        self._mel = FeatureExtractor(feature_size=80, sampling_rate=MODEL_RATE, chunk_length=8)

    def probability(self, audio: Audio) -> float:
        """0..1: how likely `audio` ends with the speaker's turn complete.

        Pass what was heard up to now, ideally with the short pause (~0.2 s) that made us ask:
        the model was trained on turns cut where a voice-activity detector heard silence.
        Audio holding no sound at all gives 0.0: nobody has said anything to have finished, and
        the model's verdict on pure silence ("complete", ~0.99) means nothing.
        """
        self.load()
        if len(audio.samples) == 0 or not np.any(np.abs(audio.samples) >= QUIET):
            return 0.0
        # Resample only the tail (plus a margin for the resampler's edge), not a whole answer.
        tail = Audio(audio.samples[-int((WINDOW / MODEL_RATE + 0.1) * audio.rate):], audio.rate)
        x = tail.resampled(MODEL_RATE).samples[-WINDOW:].astype(np.float32)
        # Shorter speech is padded with silence at the start, so the end stays where the model
        # looks; then the whole 8 s is scaled to zero mean, unit variance, as in training
        # (Whisper's feature extractor with do_normalize).
        x = np.pad(x, (WINDOW - len(x), 0))
        x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
        # padding=0: 128000 samples give 801 frames, and the extractor drops the last -> 800.
        features = self._mel(x, padding=0).astype(np.float32)[None]  # (1, 80, 800)
        (out,) = self._session.run(None, {"input_features": features})
        # The output is named "logits" but the graph ends in a sigmoid: already a probability.
        return float(np.clip(out.reshape(-1)[0], 0.0, 1.0))
