"""The labelled answers in tests/data/turns/, made into audio and put through the turn decision.

Shared by tests/test_turns.py and `benchmarks/turn_latency.py` (`--decisions`, `--realtime`).
"""

from __future__ import annotations

import functools
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audio.feed import PacedAudio
from audio.pcm import Audio, read_audio, write_wav
from audio.recorder import Pause, TurnControl, TurnPolicy, record_turn
from audio.stt import Transcriber, Transcript
from audio.tts import LocalVoice
from simulator.core.contracts import AnswerRequest
from simulator.live.answers import ScriptedAnswers, TurnEnd

TURNS = Path(__file__).parent / "data" / "turns"
RATE = 16000
LEAD_IN = 0.5  # quiet before the first word: nobody answers within the 300 ms echo guard
QUIET = 10 ** (-50 / 20)  # -50 dBFS: below this, espeak-ng's own lead-in and tail are silence
MARGIN = 0.03  # seconds kept either side of the voice when trimming


def load(half: str) -> list[dict]:
    """The answers in one file: "tune", "measure" or "unseen"."""
    with open(TURNS / f"{half}.toml", "rb") as f:
        return tomllib.load(f)["answer"]


@functools.cache
def _voice(name: str, rate: int) -> LocalVoice:
    return LocalVoice(name, rate)


def voiced(audio: Audio) -> np.ndarray:
    """The samples from the first to the last sound, at 16 kHz.

    espeak-ng pads its speech with silence of its own (about 0.1 s before and 0.3 s after), so
    without trimming a scripted 1 s pause would be 1.4 s of silence.
    """
    samples = audio.resampled(RATE).samples
    loud = np.nonzero(np.abs(samples) >= QUIET)[0]
    if not len(loud):
        return samples[:0]
    margin = int(MARGIN * RATE)
    return samples[max(0, loud[0] - margin): loud[-1] + margin + 1]


@dataclass(frozen=True)
class Recording:
    id: str
    kind: str
    audio: Audio
    voice_end: float  # seconds: where the last word ends
    pauses: tuple[float, ...]  # seconds: where each pause the candidate goes on after starts


def record(answer: dict) -> Recording:
    """An answer's script as audio: strings spoken, numbers seconds of silence."""
    speaker = _voice(answer["voice"], answer.get("rate", 165))
    pieces = [np.zeros(int(LEAD_IN * RATE), dtype=np.float32)]
    position = LEAD_IN
    pauses = []
    for part in answer["script"]:
        if isinstance(part, str):
            samples = voiced(speaker.synthesize(part))
        else:
            pauses.append(position)
            samples = np.zeros(int(part * RATE), dtype=np.float32)
        pieces.append(samples)
        position += len(samples) / RATE
    return Recording(answer["id"], answer["kind"], Audio(np.concatenate(pieces), RATE),
                     position, tuple(pauses))


def as_from_a_file(audio: Audio) -> Audio:
    """The audio through a 16-bit WAV file, as `--answers` and the real-time tests take it (a
    microphone gives 16-bit too): the end-of-turn model's verdict on synthetic speech can
    change with that rounding alone."""
    with tempfile.TemporaryDirectory() as tmp:
        write_wav(Path(tmp) / "answer.wav", audio)
        return read_audio(Path(tmp) / "answer.wav")


class SyncSegments:
    """Transcribes each stretch the moment it is sent: the decision as it would be if Whisper
    took no time, so that a recording can be judged faster than real time."""

    def __init__(self, transcriber: Transcriber):
        self._transcriber = transcriber
        self._parts: dict[int, Transcript] = {}

    def add(self, segment: Audio, offset: float) -> int:
        ticket = len(self._parts) + 1
        self._parts[ticket] = self._transcriber.transcribe(segment)
        return ticket

    def withdraw(self, ticket: int) -> None:
        self._parts[ticket] = Transcript("", [], 0.0)

    def so_far(self) -> Transcript:
        parts = [t for _ticket, t in sorted(self._parts.items())]
        return Transcript(" ".join(t.text for t in parts if t.text),
                          [w for t in parts for w in t.words], 0.0)


@dataclass
class Outcome:
    recording: Recording
    ended_by: str
    cut_off: bool  # the turn ended before the answer did
    wait: float | None  # seconds from the last word to the end of the turn, if not cut off
    pauses: list[Pause] = field(default_factory=list)

    @property
    def preparations(self) -> int:
        """Times the listener was told the turn was likely to end (the next turn prepared)."""
        return sum(p.told for p in self.pauses)


def judge(recording: Recording, transcriber: Transcriber, policy: TurnPolicy) -> Outcome:
    """One recording through the recorder at once, with transcription taking no time."""
    control = TurnControl()
    told: list[int] = []
    audio = as_from_a_file(recording.audio)
    result = record_turn(PacedAudio(audio, realtime=False).chunks(control), policy,
                         control, segments=SyncSegments(transcriber),
                         on_likely_end=lambda: told.append(1))
    cut_off = result.audio.duration < recording.audio.duration
    wait = None if cut_off else result.audio.duration - recording.voice_end
    return Outcome(recording, result.ended_by, cut_off, wait, result.pauses)


class CountingListener:
    """Counts what the recorder tells the engine: each pause likely to end the turn, and each
    time the candidate went on after one."""

    def __init__(self):
        self.prepared: list[str] = []
        self.resumes = 0

    def paused(self, transcript):
        self.prepared.append(transcript.text)

    def resumed(self):
        self.resumes += 1


@dataclass
class RealtimeOutcome:
    cut: list[tuple[str, str, str]] = field(default_factory=list)  # id, ended by, transcript
    late: list[tuple[str, float]] = field(default_factory=list)  # id, seconds after turn end
    unprepared: list[str] = field(default_factory=list)  # ids
    waits: list[float] = field(default_factory=list)  # seconds from last word to turn end


def realtime(answers: list[dict], transcriber: Transcriber, turn_end: TurnEnd, voice,
             folder: Path) -> RealtimeOutcome:
    """The answers fed as a microphone would give them (`--pace realtime`), each ending on its
    own trailing silence, through the streaming transcription the live loop uses."""
    recordings = [record(a) for a in answers]
    files = []
    for rec in recordings:
        files.append(folder / f"{rec.id}.wav")
        write_wav(files[-1], rec.audio)
    paced = ScriptedAnswers(files, voice).paced(transcriber, TurnPolicy())
    paced.live.turn_end = turn_end  # type: ignore[union-attr]  # loaded already
    outcome = RealtimeOutcome()
    for rec in recordings:
        listener = CountingListener()
        answer = paced.record_answer(AnswerRequest(rec.id, folder / f"{rec.id}-got.wav",
                                                   listener=listener))
        if answer.audio.duration < rec.audio.duration:
            outcome.cut.append((rec.id, answer.ended_by, answer.transcript.text))
            continue
        outcome.waits.append(answer.audio.duration - rec.voice_end)
        # The last stretch was transcribed during the silence, not after the turn ended.
        if answer.transcript_ready - answer.turn_end > 0.3:
            outcome.late.append((rec.id, round(answer.transcript_ready - answer.turn_end, 2)))
        # The next turn was prepared from the final transcript, so the reply can use it.
        if not listener.prepared or listener.prepared[-1] != answer.transcript.text:
            outcome.unprepared.append(rec.id)
    return outcome
