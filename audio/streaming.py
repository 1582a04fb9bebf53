"""Transcription while the candidate is still talking.

Each finished speech segment is transcribed in a background worker, so when the turn ends only
the last segment (often nothing) is left to do.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from audio.pcm import Audio
from audio.stt import Transcriber, Transcript, Word


class StreamingTranscript:
    def __init__(self, transcriber: Transcriber,
                 on_update: Callable[[Transcript], None] | None = None):
        self._transcriber = transcriber
        self._on_update = on_update
        self._queue: queue.Queue[tuple[Audio, float] | None] = queue.Queue()
        self._texts: list[str] = []
        self._words: list[Word] = []
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._run, daemon=True)
        self._worker.start()

    def add(self, segment: Audio, offset: float) -> None:
        """Queue a finished speech segment that starts `offset` seconds into the answer."""
        self._queue.put((segment, offset))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            segment, offset = item
            try:
                # The transcriber iterates faster-whisper's lazy segments itself, so the
                # decoding happens here on the worker, not on the caller's thread.
                part = self._transcriber.transcribe(segment)
            except BaseException as exc:  # reported to the caller in finish()
                self._error = exc
                continue
            with self._lock:
                if part.text:
                    self._texts.append(part.text)
                self._words += [Word(w.word, w.start + offset, w.end + offset, w.probability)
                                for w in part.words]
                current = self.current(duration=offset + segment.duration)
            if self._on_update is not None and part.text:
                self._on_update(current)

    def current(self, duration: float = 0.0) -> Transcript:
        return Transcript(" ".join(self._texts), list(self._words), duration)

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def finish(self, duration: float) -> Transcript:
        """Wait for the queued segments, then return the whole transcript."""
        self._queue.put(None)
        self._worker.join()
        if self._error is not None:
            raise self._error
        with self._lock:
            return self.current(duration)
