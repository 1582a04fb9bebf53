"""Speech or silence: Silero VAD, the copy that ships inside faster-whisper (no download)."""

from __future__ import annotations

from dataclasses import dataclass

from audio.pcm import Audio

VAD_RATE = 16000


@dataclass(frozen=True)
class Span:
    start: float  # seconds
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def speech_spans(
    audio: Audio, min_silence: float = 0.5, pad: float = 0.2, max_span: float = float("inf")
) -> list[Span]:
    """Where in `audio` someone is speaking; pauses shorter than `min_silence` are bridged.

    A span longer than `max_span` is split at its quietest moment, which Silero picks.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    pcm = audio.resampled(VAD_RATE)
    found = get_speech_timestamps(
        pcm.samples,
        VadOptions(min_silence_duration_ms=int(min_silence * 1000),
                   speech_pad_ms=int(pad * 1000), max_speech_duration_s=max_span),
        sampling_rate=VAD_RATE,
    )
    return [Span(s["start"] / VAD_RATE, s["end"] / VAD_RATE) for s in found]


def group_spans(spans: list[Span], max_seconds: float) -> list[Span]:
    """Join neighbouring spans into pieces of at most `max_seconds`, cutting only at pauses.

    A single span longer than the limit is kept whole: cutting mid-speech would split words.
    """
    pieces: list[Span] = []
    for span in spans:
        if pieces and span.end - pieces[-1].start <= max_seconds:
            pieces[-1] = Span(pieces[-1].start, span.end)
        else:
            pieces.append(span)
    return pieces
