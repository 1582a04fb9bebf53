"""`practice --job-description`: an interview for the job the candidate is applying for.

With an LLM, it writes new questions for the job (and the résumé, when given), saves them as
a bank under `user_banks_dir()` so they can be practised again offline, and the interview is
run on that bank. Without one, the bank questions that share the most words with the
description are asked (simulator.core.fit).
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from rich.console import Console

from simulator.command.banks import banks, user_banks_dir
from simulator.command.runner import build_chat
from simulator.core.atomic_file import write_atomic
from simulator.core.errors import UserError
from simulator.core.fit import best_fit
from simulator.core.questions import Question, load_bank
from simulator.core.textfile import read_text
from simulator.interviewers.generate import MAX_GENERATED, GeneratedBank, Job, slug, write_bank
from simulator.reports.terminal import shown

MAX_FILE_BYTES = 200_000  # a job advert or a résumé is 2 to 20 kB of text
DEFAULT_QUESTIONS = 5
_MARKUP = re.compile(r"^[#>*_\s-]+|[*_`]+|^(?:job\s+)?title\s*:\s*", re.I)
MAX_ROLE_GUESS = 60


def read_text_file(path: Path, what: str) -> str:
    """The text of a .txt or .md file, or a one-line error that says what is wrong with it."""
    return read_text(path, what, MAX_FILE_BYTES, limit=f"{MAX_FILE_BYTES // 1000} kB of "
                     "plain text")


def read_job(args) -> Job | None:
    """The job `practice` was asked to prepare for, its files checked; None without one."""
    if args.resume and not args.job_description:
        raise UserError("--resume needs --job-description (the résumé tailors the questions "
                        "written for a job)")
    if not args.job_description:
        return None
    if args.question or args.category or args.focus or args.bank:
        raise UserError("--job-description chooses the questions itself: drop "
                        "--question, --category, --focus and --bank")
    description = read_text_file(args.job_description, "job description")
    resume = read_text_file(args.resume, "résumé") if args.resume else None
    # More than an LLM writes at once: refused now, not after the speech model has loaded.
    # Offline, any number of bank questions can be picked.
    if (args.questions or DEFAULT_QUESTIONS) > MAX_GENERATED and build_chat(args) is not None:
        raise UserError(f"--questions with --job-description: 1 to {MAX_GENERATED} questions "
                        "are written at once (--interviewer rubric picks any number from the "
                        "bank instead)")
    return Job(description, resume)


def role_guess(description: str) -> str:
    """What the description's first line calls the job, for the progress line; the model
    names the role properly."""
    for line in description.splitlines():
        line = " ".join(_MARKUP.sub("", line).split())
        if line:
            return line if len(line) <= MAX_ROLE_GUESS else "this job"
    return "this job"


def name_bank(role: str, folder: Path, taken: set[str], today: date) -> str:
    """A new bank's id: jd-<role>-<yyyymmdd>, then -2, -3... when a loaded bank, a question
    or a file in `folder` has it already."""
    base = "-".join(part for part in ("jd", slug(role, 40), today.strftime("%Y%m%d")) if part)
    found, n = base, 1
    while (found in taken or (folder / f"{found}.toml").exists()
           or any(t.startswith(f"{found}-q") for t in taken)):
        n += 1
        found = f"{base}-{n}"
    return found


def questions_for_job(args, console: Console, job: Job) -> list[Question]:
    count = args.questions or DEFAULT_QUESTIONS
    llm = build_chat(args)
    if llm is None:
        return _picked(args, console, job, count)
    folder = user_banks_dir()
    banks_folder(folder)  # before the model is asked: its questions must have a place to go
    loaded = load_bank(None, folder)  # quietly: the interview's own loading warns, once
    taken = {q.bank for q in loaded.questions} | {q.id for q in loaded.questions}
    today = date.today()
    header = (f"Written by mock-interview with {llm.chat.model} for a job description on "
              f"{today.isoformat()}.",
              "A question bank like any other (docs/question-bank.md): edit it freely, and "
              "practise it",
              "with `mock-interview practice --bank ID`, ID being its id below.")
    with console.status(f"[dim]Writing questions for {shown(role_guess(job.description))}"
                        "…[/]"):
        generated = write_bank(llm.chat, llm.prompts, job, count,
                               lambda role: name_bank(role, folder, taken, today), header,
                               deadline=llm.deadline)
    path = save_bank(folder, generated)
    written = len(generated.questions)
    short = f" (the model wrote {written} of the {count} asked for)" if written < count else ""
    console.print(f"Wrote {written} question(s) for [bold]{shown(generated.role)}[/]{short} "
                  f"to {shown(str(path))}.\nPractise them again any time, offline too: "
                  f"[bold]mock-interview practice --bank {generated.bank_id}[/]", soft_wrap=True)
    # Loaded as any saved bank is, by name: what `--bank` will do next time, done now.
    return banks([generated.bank_id]).select()


def banks_folder(folder: Path) -> Path:
    """`folder`, made if need be, where a written bank can be saved; else a one-line error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UserError(f"{folder}: not a folder (question banks written for a job are saved "
                        "there): move that file away and try again") from None
    except OSError as exc:
        raise UserError(f"{folder}: cannot make the folder question banks written for a job "
                        f"are saved in ({exc.strerror})") from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"{folder}: cannot save question banks there (not writable)")
    return folder


def save_bank(folder: Path, generated: GeneratedBank) -> Path:
    """Write the bank into `folder` whole, or not at all."""
    path = banks_folder(folder) / f"{generated.bank_id}.toml"
    try:
        write_atomic(path, generated.text)
    except OSError as exc:
        raise UserError(f"{path}: cannot save the question bank ({exc.strerror})") from exc
    return path


def _picked(args, console: Console, job: Job, count: int) -> list[Question]:
    bank = banks()
    fits = best_fit(list(bank.questions), job.description, count)
    also = " and leave out --interviewer rubric" if args.interviewer == "rubric" else ""
    advice = (" Writing new questions for this job needs an LLM: set OPENAI_API_KEY, or "
              "OPENAI_BASE_URL for any OpenAI-compatible server, or run Ollama on this "
              f"machine{also}.")
    if not fits:
        console.print("None of the bank's questions share a word with the job description, so "
                      "these are the bank's first ones." + advice, soft_wrap=True)
        return bank.select(count=count)
    console.print(f"Chose {len(fits)} question(s) from the bank by the words they share with "
                  "the job description." + advice, soft_wrap=True)
    for fit in fits:
        console.print(f"[dim]  {shown(fit.question.id)}: {shown(', '.join(fit.shared[:5]))}[/]")
    if job.resume:
        console.print("[dim]The résumé is read only when an LLM writes the questions.[/]")
    return [fit.question for fit in fits]
