"""Speech in and out: synthesis, transcription, recording and playback.

Nothing here knows about interviews; audio travels as `Audio` values (samples plus a rate).
"""

from audio.pcm import Audio, AudioError

__all__ = ["Audio", "AudioError"]
