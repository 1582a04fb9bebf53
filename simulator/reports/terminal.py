"""The critique and delivery in the terminal, with rich."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simulator.core.critique import Critique
from simulator.core.untrusted_text import inert
from simulator.language.delivery import Delivery, summary_lines
from simulator.language.specificity import specificity_line
from simulator.language.star import star_lines

STATUS_STYLE = {"covered": "green", "partial": "yellow", "missed": "red"}


def shown(text: object) -> str:
    """Text that did not come from us, for rich's console: no markup, nothing the terminal
    would obey (simulator.core.untrusted_text)."""
    return escape(inert(text))


def show_critique(console: Console, critique: Critique) -> None:
    console.rule("[bold]Critique")
    for q in critique.questions:
        console.print(f"\n[bold]{shown(q.question)}[/]  [bold]{q.score}/100[/]")
        table = Table(show_header=True, header_style="bold", expand=True)
        table.add_column("Rubric point", ratio=3)
        table.add_column("Status", ratio=1)
        table.add_column("Evidence from your answer", ratio=4)
        for p in q.points:
            style = STATUS_STYLE.get(p.status, "")
            table.add_row(shown(p.strong), f"[{style}]{shown(p.status)}[/]",
                          shown(f"\"{p.evidence}\"") if p.evidence else "")
        console.print(table)
        spec = specificity_line(q.specificity)
        if spec:
            style = "yellow" if q.specificity and q.specificity.vague else "dim"
            console.print(f"[{style}]{shown(spec)}[/]")
        star = star_lines(q.star)
        if star:
            console.print("[bold]Story (STAR)[/]")
            for line in star:
                console.print(f"  {shown(line)}")
        if q.better_answer:
            console.print(f"[dim]A stronger answer:[/] {shown(q.better_answer)}")
        console.print(f"[dim]Model answer direction:[/] {shown(q.model_answer)}")
        for note in q.notes:
            console.print(f"[yellow]Note:[/] {shown(note)}")
    for title, items in (("Strengths", critique.strengths),
                         ("What to add", critique.to_add),
                         ("Practise next", critique.practice_next)):
        if items:
            console.print(f"\n[bold]{title}[/]")
            for item in items:
                console.print(f"  • {shown(item)}")
    console.print(f"\n[bold]Overall score: {critique.overall_score}/100[/] "
                  f"[dim](interviewer: {shown(str(critique.interviewer))})[/]")


def show_delivery(console: Console, delivery: Delivery) -> None:
    console.print("\n[bold]Delivery[/]")
    for line in summary_lines(delivery):
        console.print(f"  • {shown(line)}")
