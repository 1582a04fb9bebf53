"""`mock-interview replay`: hear the interview again, or read it with timestamps."""

from __future__ import annotations

import select
import sys
import termios
import tty
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

from audio.pcm import AudioError, read_audio
from simulator.record.session import SessionRecord
from simulator.reports.model import Line, clock, timeline
from simulator.reports.terminal import shown

STYLE = {"Interviewer": "bold cyan", "Candidate": "bold green"}
BLOCK = 0.1  # seconds of audio between key checks


def print_lines(console: Console, lines: list[Line]) -> None:
    for line in lines:
        console.print(f"[dim]{clock(line.start)}[/] [{STYLE[line.speaker]}]{line.speaker}:[/] "
                      f"{shown(line.text)}")


@contextmanager
def _keys() -> Iterator[Callable[[], str | None]]:
    """Single key presses without Enter, when there is a terminal; else never a key."""
    if not sys.stdin.isatty():
        yield lambda: None
        return
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd)
    try:
        def key() -> str | None:
            ready, _, _ = select.select([sys.stdin], [], [], 0)
            return sys.stdin.read(1).lower() if ready else None
        yield key
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def play(console: Console, record: SessionRecord) -> None:
    """Play every file in order, printing each line as it is reached.

    Keys: space or p pauses and resumes, s skips to the next turn, q quits.
    """
    from audio.devices import Speakers

    lines = timeline(record)
    files = list(dict.fromkeys((x.audio, x.offset) for x in lines if x.audio))
    console.print("[dim]space/p: pause · s: skip this turn · q: quit[/]")
    with _keys() as key:
        speakers: Speakers | None = None
        try:
            for name, offset in files:
                path = record.audio(name)
                if path is None:
                    console.print(f"[yellow]{shown(str(name))} is missing; skipped[/]")
                    continue
                try:
                    audio = read_audio(path)
                except AudioError as exc:
                    console.print(f"[yellow]{shown(str(exc))}; skipped[/]")
                    continue
                if speakers is None:
                    speakers = Speakers(audio.rate)
                todo = [x for x in lines if x.audio == name]
                block = int(audio.rate * BLOCK)
                pos = 0
                while pos < len(audio.samples):
                    now = offset + pos / audio.rate
                    while todo and todo[0].start <= now:
                        print_lines(console, [todo.pop(0)])
                    pressed = key()
                    if pressed in (" ", "p"):
                        console.print("[dim]paused: press space or p to go on[/]")
                        speakers.pause()
                        while (pressed := key()) not in (" ", "p", "q", "s"):
                            select.select([], [], [], 0.1)
                        speakers.resume()
                    if pressed == "q":
                        return
                    if pressed == "s":
                        break
                    speakers.write(audio.samples[pos : pos + block])
                    pos += block
                print_lines(console, todo)
        finally:
            if speakers is not None:
                speakers.close()
