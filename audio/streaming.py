"""Transcription while the candidate is still talking.

Each stretch of speech is transcribed in a background worker as soon as the candidate pauses,
so when the turn ends the transcript is already there. A stretch sent at the first moment of
a pause is a draft: if the candidate goes on before the pause has closed the segment, the
recorder withdraws it and later sends the longer stretch, so Whisper still hears whole
segments and the final transcript is no more fragmented than if it had waited.
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
        self._queue: queue.Queue[tuple[int, Audio, float] | None] = queue.Queue()
        # ticket -> (text, words): parts kept in the order the segments were sent.
        self._parts: dict[int, tuple[str, list[Word]]] = {}
        self._waiting: set[int] = set()  # sent, neither transcribed nor withdrawn yet
        self._withdrawn: set[int] = set()
        self._tickets = 0
        self._heard = 0.0  # seconds into the answer where the last stretch transcribed ends
        self._error: BaseException | None = None
        self._lock = threading.RLock()  # current() is called with it held, and without
        self._worker = threading.Thread(target=self._run, daemon=True)
        self._worker.start()

    def add(self, segment: Audio, offset: float) -> int:
        """Queue a stretch of speech that starts `offset` seconds into the answer; the ticket
        returned can withdraw it."""
        with self._lock:
            self._tickets += 1
            ticket = self._tickets
            self._waiting.add(ticket)
        self._queue.put((ticket, segment, offset))
        return ticket

    def withdraw(self, ticket: int) -> None:
        """Leave a stretch out of the transcript: a longer one that holds it will follow.

        One still queued is never transcribed; one being transcribed is dropped when done.
        """
        with self._lock:
            self._withdrawn.add(ticket)
            self._waiting.discard(ticket)
            changed = self._parts.pop(ticket, None) is not None
            current = self.current() if changed else None
        if current is not None and self._on_update is not None:
            self._on_update(current)

    def so_far(self) -> Transcript | None:
        """The transcript of everything sent, or None while a stretch is still being done."""
        with self._lock:
            return None if self._waiting else self.current()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            ticket, segment, offset = item
            with self._lock:
                if ticket in self._withdrawn:
                    continue
            try:
                # The transcriber iterates faster-whisper's lazy segments itself, so the
                # decoding happens here on the worker, not on the caller's thread.
                part = self._transcriber.transcribe(segment)
            except BaseException as exc:  # reported to the caller in finish()
                with self._lock:
                    self._error = exc
                    self._waiting.discard(ticket)
                continue
            with self._lock:
                self._waiting.discard(ticket)
                if ticket in self._withdrawn:
                    continue
                self._parts[ticket] = (part.text, [
                    Word(w.word, w.start + offset, w.end + offset, w.probability)
                    for w in part.words])
                self._heard = max(self._heard, offset + segment.duration)
                current = self.current()
            if self._on_update is not None and part.text:
                self._on_update(current)

    def _text(self) -> str:
        return " ".join(text for _ticket, (text, _words) in sorted(self._parts.items())
                        if text)

    def current(self, duration: float | None = None) -> Transcript:
        """The transcript so far; its duration, unless given, reaches the last stretch done."""
        with self._lock:
            duration = self._heard if duration is None else duration
            words = [w for _ticket, (_text, ws) in sorted(self._parts.items()) for w in ws]
            return Transcript(self._text(), words, duration)

    @property
    def pending(self) -> int:
        """Stretches sent and not yet transcribed."""
        with self._lock:
            return len(self._waiting)

    def finish(self, duration: float) -> Transcript:
        """Wait for the queued segments, then return the whole transcript."""
        self._queue.put(None)
        self._worker.join()
        if self._error is not None:
            raise self._error
        with self._lock:
            return self.current(duration)
