"""The live interview in the terminal, with rich: every event as it happens, and the answer in
progress."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

from audio.recorder import TurnStatus
from simulator.core import pipes
from simulator.core.untrusted_text import inert
from simulator.reports.terminal import shown


class PipeSafeConsole(Console):
    """A console whose reader may stop early (`mock-interview practice ... | head -1`).

    Rich's own answer to a closed pipe is to exit at once, which would leave an interview half
    recorded. Here the console falls silent instead and the work goes on; `closed_note`, when
    given, is said once on stderr so the user knows where the rest went.
    """

    def __init__(self, *args, closed_note: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.closed_note = closed_note

    def on_broken_pipe(self) -> None:
        self.quiet = True
        pipes.silence(self.file)
        if self.closed_note and self.file is not sys.stderr:
            with contextlib.suppress(OSError):
                print(f"mock-interview: {self.closed_note}", file=sys.stderr, flush=True)


class ConsoleDisplay:
    """Shows an interview as it happens; every logged event passes through `show`."""

    def __init__(self, console: Console, live: bool = False):
        self.console = console
        self.live = live

    def show(self, event: dict) -> None:
        kind = event["type"]
        c = self.console
        if kind == "session_started":
            detail = event.get("interviewer_detail", event["interviewer"])
            voice = f" · voice: {shown(str(event['voice']))}" if event.get("voice") else ""
            c.print(f"[dim]Interviewer: {shown(str(detail))}{voice}"
                    f" · speech model: {shown(str(event.get('stt_model')))}[/]")
        elif kind == "interviewer_said":
            label = {"follow_up": "Interviewer (follow-up)"}.get(event.get("kind"), "Interviewer")
            c.print(f"\n[bold cyan]{label}:[/] {shown(event['text'])}")
            if self.live and event.get("kind") in ("question", "follow_up", "repeat", "nudge"):
                c.print("[dim]Answer out loud. Press Enter when you have finished.[/]")
        elif kind == "answer_transcribed":
            text = event["transcript"].get("text") or "(nothing was heard)"
            c.print(f"[bold green]You:[/] {shown(text)}")
        elif kind == "answer_passed":
            c.print("[bold green]You:[/] [dim](passed)[/]")
        elif kind == "interviewer_decided" and event.get("fallback"):
            c.print(f"[yellow]{shown(event['fallback'])}[/]")

    @contextlib.contextmanager
    def working(self, text: str) -> Iterator[Callable[[str], None]]:
        with self.console.status(f"[dim]{shown(text)}…[/]") as status:
            yield lambda now: status.update(f"[dim]{shown(now)}…[/]")


class TerminalTurnView:
    """The answer in progress: input level, elapsed time, the end-of-turn countdown and the
    transcript so far, redrawn in place."""

    def __init__(self, console: Console):
        self.console = console
        self._live: Live | None = None
        self._status: TurnStatus | None = None
        self._text = ""

    def _render(self) -> Group:
        s = self._status
        if s is None:
            return Group(Text("Listening…", style="dim"))
        bars = min(20, int(s.level * 200))
        meter = Text("▮" * bars + "▯" * (20 - bars), style="green" if s.speaking else "dim")
        line = Text.assemble(("● REC ", "bold red"), meter, f"  {s.elapsed:5.1f} s")
        if s.silence_left is not None:
            line.append(f"  ending in {s.silence_left:.0f} s (keep talking to continue, "
                        "Enter to finish)", style="yellow")
        elif not s.heard_speech:
            line.append("  take your time; press Enter when you have finished", style="dim")
        return Group(line, Text(inert(self._text), style="green"))

    def _refresh(self) -> None:
        if self._live is None:
            self._live = Live(self._render(), console=self.console, refresh_per_second=8,
                              transient=True)
            self._live.start()
        else:
            self._live.update(self._render())

    def status(self, status: TurnStatus) -> None:
        self._status = status
        self._refresh()

    def transcript(self, text: str) -> None:
        self._text = text
        self._refresh()

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
        self._live, self._status, self._text = None, None, ""
