"""How fast the default speech model is on this machine.

Synthesises about a minute of speech with the real TTS, then prints the model's load time, the
transcription time, the real-time factor and the process's peak memory.

    .venv/bin/python benchmarks/transcribe_speed.py
"""

from __future__ import annotations

import resource
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from audio.pcm import Audio  # noqa: E402
from audio.stt import WhisperTranscriber  # noqa: E402
from audio.tts import LocalVoice  # noqa: E402


def main() -> None:
    with open(ROOT / "tests" / "data" / "answers.toml", "rb") as f:
        texts = [a["strong"] for a in tomllib.load(f).values()][:2]
    synth = LocalVoice("en")
    parts = [synth.synthesize(t).resampled(16000).samples for t in texts]
    audio = Audio(np.concatenate(parts), 16000)

    transcriber = WhisperTranscriber()
    t0 = time.perf_counter()
    transcriber.load()
    load_s = time.perf_counter() - t0
    transcriber.transcribe(Audio.silence(1.0))  # warm-up

    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        transcript = transcriber.transcribe(audio)
        runs.append(time.perf_counter() - t0)
    best = min(runs)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model: {transcriber.model_name}")
    print(f"audio: {audio.duration:.1f} s, {len(transcript.words)} words")
    print(f"model load: {load_s:.2f} s")
    print(f"transcription: best {best:.2f} s of {len(runs)} runs "
          f"({audio.duration / best:.1f}x real time)")
    print(f"peak memory: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
