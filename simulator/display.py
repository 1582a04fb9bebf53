"""Terminal output with rich: the live interview, the critique and tables."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.console import Console
from rich.markup import escape
from rich.table import Table

STATUS_STYLE = {"covered": "green", "partial": "yellow", "missed": "red"}


class ConsoleDisplay:
    """Shows an interview as it happens; every logged event passes through `show`."""

    def __init__(self, console: Console, live: bool = False):
        self.console = console
        self.live = live

    def show(self, event: dict) -> None:
        kind = event["type"]
        c = self.console
        if kind == "session_started":
            c.print(f"[dim]Interviewer: {event.get('interviewer_detail', event['interviewer'])}"
                    f" · speech model: {event.get('stt_model')}[/]")
        elif kind == "interviewer_said":
            label = "Interviewer (follow-up)" if event.get("kind") == "follow_up" else "Interviewer"
            c.print(f"\n[bold cyan]{label}:[/] {escape(event['text'])}")
            if self.live and event.get("kind") in ("question", "follow_up"):
                c.print("[dim]Answer out loud. Press Enter when you have finished.[/]")
        elif kind == "answer_transcribed":
            text = event["transcript"].get("text") or "(nothing was heard)"
            c.print(f"[bold green]You:[/] {escape(text)}")
        elif kind == "answer_passed":
            c.print("[bold green]You:[/] [dim](passed)[/]")
        elif kind == "interviewer_decided" and event.get("fallback"):
            c.print(f"[yellow]{escape(event['fallback'])}[/]")

    @contextlib.contextmanager
    def working(self, text: str) -> Iterator[None]:
        with self.console.status(f"[dim]{text}…[/]"):
            yield


def show_critique(console: Console, critique: dict) -> None:
    console.rule("[bold]Critique")
    for q in critique["questions"]:
        console.print(f"\n[bold]{escape(q['question'])}[/]  [bold]{q['score']}/100[/]")
        table = Table(show_header=True, header_style="bold", expand=True)
        table.add_column("Rubric point", ratio=3)
        table.add_column("Status", ratio=1)
        table.add_column("Evidence from your answer", ratio=4)
        for p in q["points"]:
            style = STATUS_STYLE.get(p["status"], "")
            table.add_row(escape(p["strong"]), f"[{style}]{p['status']}[/]",
                          escape(f"\"{p['evidence']}\"") if p["evidence"] else "")
        console.print(table)
        if q.get("better_answer"):
            console.print(f"[dim]A stronger answer:[/] {escape(q['better_answer'])}")
        console.print(f"[dim]Model answer direction:[/] {escape(q['model_answer'])}")
        for note in q.get("notes", []):
            console.print(f"[yellow]Note:[/] {escape(note)}")
    for title, items in (("Strengths", critique["strengths"]),
                         ("What to add", critique["to_add"]),
                         ("Practise next", critique["practice_next"])):
        if items:
            console.print(f"\n[bold]{title}[/]")
            for item in items:
                console.print(f"  • {escape(item)}")
    console.print(f"\n[bold]Overall score: {critique['overall_score']}/100[/] "
                  f"[dim](interviewer: {critique['interviewer']})[/]")
