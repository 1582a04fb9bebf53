"""The `mock-interview` command: argument parsing, wiring and printing, nothing more."""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import json
import os
import signal
import sys
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from audio.pcm import AudioError
from audio.stt import Transcript, WhisperTranscriber
from audio.tts import Pyttsx3Synthesizer
from simulator import export as exporting
from simulator import session as sessions
from simulator.config import DEFAULT_MODEL, ApiSettings, api_settings, config_path, openai_client
from simulator.errors import UserError
from simulator.interviewers import Exchange, QuestionRecord
from simulator.interviewers.rubric import RubricInterviewer
from simulator.questions import Bank, load_bank
from simulator.resume import ResumePoint, resume_point

INTERVIEWER_VOICE = "en-us"
CANDIDATE_VOICE = "en"  # a different voice, so scripted answers are easy to tell apart


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage plus error
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> Parser:
    p = Parser(prog="mock-interview", allow_abbrev=False,
               description="Spoken mock interviews for product managers, offline at your desk.")
    p.add_argument("--version", action="version", version="%(prog)s 0.1.0")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    # "--stt" must never be read as a shortening of "--stt-model".
    sub.add_parser = functools.partial(sub.add_parser, allow_abbrev=False)  # type: ignore

    def bank_opt(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--bank", action="append", type=Path, default=[], metavar="PATH",
                        help="an extra question bank: a .toml file or a folder of them")

    def stt_opt(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--stt-model", metavar="MODEL",
                        help="faster-whisper model name or local folder (default: bundled tiny.en)")

    def answer_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--answers", nargs="+", type=Path, default=[], metavar="FILE",
                        help="answer from files instead of the microphone: audio as it is, "
                             ".txt spoken by TTS; one file per interviewer turn")
        sp.add_argument("--thinking-grace", type=float, default=15.0, metavar="SECONDS",
                        help="silence allowed before your first word (default: 15)")
        sp.add_argument("--end-silence", type=float, default=3.0, metavar="SECONDS",
                        help="trailing silence that ends an answer (default: 3)")
        sp.add_argument("--pace", choices=("instant", "realtime"), default="instant",
                        help="with --answers: take each file at once (default), or feed it in "
                             "real time through live turn-taking and streaming transcription")
        sp.add_argument("--speak", action=argparse.BooleanOptionalAction, default=None,
                        help="play the interviewer through the speakers "
                             "(default: on when answering live, off with --answers)")

    def interviewer_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--interviewer", choices=("auto", "rubric", "openai"), default="auto",
                        help="who asks follow-ups and grades: the offline rubric, or an LLM "
                             "through the OpenAI API (default auto: the LLM when "
                             "OPENAI_API_KEY or OPENAI_BASE_URL is set)")
        sp.add_argument("--model", help="the LLM's model name (default: from config.toml, "
                                        f"else {DEFAULT_MODEL})")
        sp.add_argument("--prompts", type=Path, metavar="DIR",
                        help="a folder of prompt files that replace the bundled ones")

    def speech_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--stt", choices=("local", "openai"), default="local",
                        help="speech recognition: local faster-whisper (default) or the "
                             "API's audio.transcriptions")
        sp.add_argument("--tts", choices=("local", "openai"), default="local",
                        help="the interviewer's voice: local espeak-ng (default) or the "
                             "API's audio.speech")

    def voice_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--voice", default=INTERVIEWER_VOICE,
                        help=f"interviewer's voice (default: {INTERVIEWER_VOICE})")
        sp.add_argument("--rate", type=int, default=165,
                        help="interviewer's speaking rate in words per minute (default: 165)")

    sp = sub.add_parser("practice", help="run a mock interview at your desk")
    sp.add_argument("--questions", type=int, metavar="N", help="how many questions to ask")
    sp.add_argument("--category", metavar="C", help="only questions from this category")
    sp.add_argument("--question", nargs="+", default=[], metavar="ID",
                    help="ask these questions, in this order")
    sp.add_argument("--focus", choices=("weakest",),
                    help="weakest: questions from the categories where your past scores are "
                         "lowest (3 unless --questions says otherwise)")
    bank_opt(sp)
    sp.add_argument("--max-follow-ups", type=int, default=2, metavar="N",
                    help="follow-up questions per question at most (default: 2)")
    answer_opts(sp)
    stt_opt(sp)
    voice_opts(sp)
    interviewer_opts(sp)
    speech_opts(sp)

    sp = sub.add_parser("resume", help="carry on with an interrupted session")
    sp.add_argument("session", help="session id or folder")
    bank_opt(sp)
    answer_opts(sp)
    stt_opt(sp)
    voice_opts(sp)
    interviewer_opts(sp)
    speech_opts(sp)

    sp = sub.add_parser("demo", help="a short offline interview with bundled sample answers")
    sp.add_argument("--speak", action="store_true", help="also play it through the speakers")
    stt_opt(sp)
    voice_opts(sp)
    interviewer_opts(sp)
    speech_opts(sp)

    sp = sub.add_parser("grade", help="critique one answer given as audio or text")
    sp.add_argument("--question", required=True, metavar="ID", help="the question answered")
    sp.add_argument("file", type=Path, help="the answer: .txt, or audio (.wav, .flac, ...)")
    sp.add_argument("--json", action="store_true", help="print JSON")
    bank_opt(sp)
    stt_opt(sp)
    interviewer_opts(sp)
    sp.add_argument("--stt", choices=("local", "openai"), default="local",
                    help="speech recognition for audio answers (default: local)")

    sp = sub.add_parser("transcribe", help="print the transcript of an audio file")
    sp.add_argument("file", type=Path)
    sp.add_argument("--json", action="store_true", help="print JSON with word timestamps")
    stt_opt(sp)
    sp.add_argument("--stt", choices=("local", "openai"), default="local",
                    help="local faster-whisper (default) or the API's audio.transcriptions")

    sp = sub.add_parser("questions", help="list the question bank")
    sp.add_argument("--json", action="store_true", help="print JSON")
    bank_opt(sp)

    sp = sub.add_parser("sessions", help="list saved sessions")
    sp.add_argument("--json", action="store_true", help="print JSON")

    sp = sub.add_parser("replay", help="play a session back, or print it with --no-audio")
    sp.add_argument("session", help="session id or folder")
    sp.add_argument("--no-audio", action="store_true",
                    help="print the whole interview with timestamps instead of playing it")

    sp = sub.add_parser("doctor", help="check the microphone, speakers, voice, speech model "
                                       "and API")
    sp.add_argument("--voices", action="store_true", help="list the voices --voice accepts")
    sp.add_argument("--mic-seconds", type=float, default=3.0, metavar="SECONDS",
                    help="length of the microphone level test (default: 3)")
    stt_opt(sp)
    voice_opts(sp)

    sp = sub.add_parser("export", help="write a session's transcript and feedback")
    sp.add_argument("session", help="session id or folder")
    sp.add_argument("--format", choices=exporting.FORMATS, default="md")
    sp.add_argument("-o", "--output", type=Path, metavar="FILE",
                    help="write to FILE instead of printing")
    return p


# --- wiring -------------------------------------------------------------------------------

def _api(args) -> ApiSettings:
    return api_settings(getattr(args, "model", None))


def build_interviewer(args, max_follow_ups: int = 2):
    """The interviewer the flags and environment ask for, and a line saying which it is."""
    settings = _api(args)
    choice = args.interviewer
    if choice == "auto":
        choice = "openai" if settings.configured else "rubric"
    if choice == "rubric":
        return RubricInterviewer(), "rubric (offline)"
    if not settings.configured:
        raise UserError("--interviewer openai needs OPENAI_API_KEY or OPENAI_BASE_URL "
                        f"(or an [openai] table in {config_path()})")
    from simulator.interviewers.llm import LLMInterviewer
    from simulator.interviewers.structured import ServerMemory, StructuredChat
    from simulator.prompting import load_prompts

    # Retries are StructuredChat's, so that a refused response_format costs one request.
    chat = StructuredChat(openai_client(settings, max_retries=0), settings.model, settings.server,
                          ServerMemory(sessions.data_home() / "servers.json"))
    interviewer = LLMInterviewer(chat, load_prompts(args.prompts), max_follow_ups)
    return interviewer, f"openai ({settings.model} at {settings.server})"


def build_transcriber(args):
    if getattr(args, "stt", "local") == "openai":
        from audio.stt import OpenAITranscriber

        settings = _api(args)
        if not settings.configured:
            raise UserError("--stt openai needs OPENAI_API_KEY or OPENAI_BASE_URL")
        return OpenAITranscriber(openai_client(settings), args.stt_model or settings.stt_model)
    return WhisperTranscriber(args.stt_model)


def build_voice(args):
    if getattr(args, "tts", "local") == "openai":
        from audio.tts import OpenAISynthesizer

        settings = _api(args)
        if not settings.configured:
            raise UserError("--tts openai needs OPENAI_API_KEY or OPENAI_BASE_URL")
        return OpenAISynthesizer(openai_client(settings), settings.tts_model,
                                 settings.tts_voice)
    return Pyttsx3Synthesizer(args.voice, args.rate)


def _run_interview(args, console: Console, bank_questions, answers, transcriber,
                   live: bool, mode: str, speak: bool, resume_from=None) -> int:
    from audio.speaker import VoiceSpeaker
    from simulator.display import ConsoleDisplay, show_critique, show_delivery
    from simulator.engine import Interview
    from simulator.turns import turns

    max_follow_ups = getattr(args, "max_follow_ups", 2)
    if resume_from is not None:
        max_follow_ups = int(resume_from.record.first("session_started").get("max_follow_ups",
                                                                               2))
    interviewer, described = build_interviewer(args, max_follow_ups)
    with console.status("[dim]Loading the speech model…[/]"):
        transcriber.load()
    session = (sessions.Session.reopen(resume_from.record.path) if resume_from is not None
               else sessions.Session.create())
    interview = Interview(
        questions=bank_questions,
        speaker=VoiceSpeaker(build_voice(args), playback=speak),
        answers=answers,
        transcriber=transcriber,
        interviewer=interviewer,
        session=session,
        display=ConsoleDisplay(console, live=live),
        max_follow_ups=max_follow_ups,
        settings={"mode": mode, "stt_model": transcriber.model_name,
                  "interviewer_detail": described},
        done=resume_from.point.done if resume_from is not None else [],
        audio_prefix=f"r{resume_from.point.run}-" if resume_from is not None else "",
    )
    try:
        critique = interview.run()
    except KeyboardInterrupt:
        if not _confirm_stop(console):
            # Carry on: the log says where the interview was, as it would for `resume`.
            session.close()
            record = sessions.load(session.path)
            point = resume_point(record, load_bank(getattr(args, "bank", [])))
            return _run_interview(args, console, point.remaining, answers, transcriber, live,
                                  mode, speak, resume_from=_Resume(record, point))
        return _stopped(console, session, "you stopped it")
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            return _stopped(console, session, "the disk is full", code=1)
        raise
    finally:
        session.close()
    show_critique(console, critique.to_dict())
    record = sessions.load(session.path)
    show_delivery(console, exporting.delivery(record, turns(record))["session"])
    console.print(f"\nSaved as [bold]{session.id}[/]. "
                  f"Export it with: mock-interview export {session.id} --format md")
    return 0


def _confirm_stop(console: Console) -> bool:
    """Ctrl-C asks before it ends an interview; without a terminal to ask, it stops."""
    if not sys.stdin or not sys.stdin.isatty():
        return True
    try:
        reply = console.input("\n[bold]Stop the interview?[/] Everything so far is saved. "
                              "[Y/n] ")
    except (KeyboardInterrupt, EOFError):
        return True
    return not reply.strip().lower().startswith("n")


def _stopped(console: Console, session, why: str, code: int = 130) -> int:
    """Stop cleanly: everything recorded so far is already on disk."""
    with contextlib.suppress(OSError):  # a full disk may refuse even this line
        session.log("session_stopped", reason=why)
    console.print(f"\n[yellow]Stopped ({why}). Everything recorded so far is saved in "
                  f"{session.path}.[/]\nCarry on later with: mock-interview resume {session.id}")
    return code


def _answers(args, console: Console, transcriber):
    """Live answers from the microphone, or --answers files; and whether it is live."""
    from audio.devices import Microphone
    from audio.recorder import TurnPolicy
    from simulator.answers import LiveAnswers, ScriptedAnswers, check_answer_files
    from simulator.display import TerminalTurnView

    if args.thinking_grace <= 0 or args.end_silence <= 0:
        raise UserError("--thinking-grace and --end-silence must be above 0")
    if args.pace == "realtime" and not args.answers:
        raise UserError("--pace realtime needs --answers")
    policy = TurnPolicy(thinking_grace=args.thinking_grace, end_silence=args.end_silence)
    view = TerminalTurnView(console) if console.is_terminal else None
    if not args.answers:
        # Before any session folder exists: a missing device should leave nothing behind.
        from audio.devices import require

        require("input")
        if args.speak is not False:
            require("output")
        return LiveAnswers(lambda _request: Microphone(), transcriber, policy, view), True
    answers = ScriptedAnswers(check_answer_files(args.answers),
                              Pyttsx3Synthesizer(CANDIDATE_VOICE))
    if args.pace == "realtime":
        answers.paced(transcriber, policy, view)
    return answers, False


def cmd_practice(args, console: Console) -> int:
    if args.max_follow_ups < 0:
        raise UserError("--max-follow-ups cannot be negative")
    bank = load_bank(args.bank)
    if args.focus:
        if args.question or args.category:
            raise UserError("--focus picks the questions itself: drop --question/--category")
        from simulator import progress

        found = progress.attempts(sessions.list_sessions())
        questions = progress.weakest_first(bank, found)[: args.questions or 3]
        console.print("Focus: " + ", ".join(dict.fromkeys(q.category for q in questions)))
    else:
        questions = bank.select(args.question, args.category, args.questions)
    transcriber = build_transcriber(args)
    answers, live = _answers(args, console, transcriber)
    speak = live if args.speak is None else args.speak
    return _run_interview(args, console, questions, answers, transcriber, live, "practice",
                          speak)


@dataclass
class _Resume:
    record: sessions.SessionRecord
    point: ResumePoint


def cmd_resume(args, console: Console) -> int:
    record = sessions.load(sessions.resolve(args.session))
    point = resume_point(record, load_bank(args.bank))
    transcriber = build_transcriber(args)
    answers, live = _answers(args, console, transcriber)
    speak = live if args.speak is None else args.speak
    console.print(f"Resuming {record.id}: {len(point.done)} question(s) done, "
                  f"{len(point.remaining)} to go.")
    return _run_interview(args, console, point.remaining, answers, transcriber, live,
                          "resume", speak, resume_from=_Resume(record, point))


def cmd_demo(args, console: Console) -> int:
    from simulator.answers import ScriptedByQuestion

    data = tomllib.loads(
        resources.files("questions.samples").joinpath("pm_execution_demo.toml").read_text()
    )
    questions = load_bank().select(data["questions"])
    console.print("[bold]Demo:[/] a three-question interview answered by a sample candidate "
                  "(a second synthetic voice), transcribed by Whisper and graded offline.")
    answers = ScriptedByQuestion(data["answers"], Pyttsx3Synthesizer(CANDIDATE_VOICE))
    return _run_interview(args, console, questions, answers, build_transcriber(args), False,
                          "demo", args.speak)


def _transcribe_file(args, console: Console) -> Transcript:
    from audio.pcm import read_audio

    audio = read_audio(args.file)
    transcriber = build_transcriber(args)
    with console.status("[dim]Transcribing…[/]"):
        return transcriber.transcribe(audio)


def cmd_transcribe(args, console: Console) -> int:
    transcript = _transcribe_file(args, console)
    if args.json:
        print(json.dumps(transcript.to_dict(), ensure_ascii=False))
    else:
        print(transcript.text)
    return 0


def cmd_grade(args, console: Console) -> int:
    question = load_bank(args.bank).get(args.question)
    interviewer, described = build_interviewer(args)
    if args.file.suffix.lower() == ".txt":
        try:
            transcript = Transcript(args.file.read_text(encoding="utf-8").strip())
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"{args.file}: cannot read the answer ({exc})") from exc
    else:
        transcript = _transcribe_file(args, console)
    record = QuestionRecord(question, [Exchange(question.text, "question", transcript)])
    console.print(f"[dim]Interviewer: {described}[/]")
    with console.status("[dim]Grading…[/]"):
        critique = interviewer.critique([record])
    q = critique.questions[0]
    if args.json:
        print(json.dumps({
            "question_id": q.question_id,
            "score": q.score,
            "rubric": [{"id": p.id, "status": p.status, "evidence": p.evidence,
                        "weight": p.weight} for p in q.points],
            "strengths": q.strengths,
            "to_add": q.to_add,
            "transcript": transcript.text,
            "interviewer": critique.interviewer,
            "better_answer": q.better_answer,
            "notes": critique.notes,
        }, ensure_ascii=False))
    else:
        from simulator.display import show_critique

        show_critique(console, critique.to_dict())
    return 0


def cmd_questions(args, console: Console) -> int:
    bank: Bank = load_bank(args.bank)
    if args.json:
        print(json.dumps([
            {"id": q.id, "category": q.category, "category_title": q.category_title,
             "text": q.text, "target_seconds": q.target_seconds, "bank": q.bank,
             "rubric": [p.id for p in q.rubric]}
            for q in bank.questions
        ], ensure_ascii=False, indent=2))
        return 0
    table = Table("id", "category", "question", show_lines=False, expand=True)
    for q in bank.questions:
        table.add_row(q.id, q.category, escape(q.text))
    console.print(table)
    return 0


def cmd_sessions(args, console: Console) -> int:
    from simulator import progress

    found = sessions.list_sessions()
    if args.json:
        print(json.dumps([
            {"id": s.id, "started": s.started, "status": s.status, "score": s.score,
             "questions": s.question_ids, "path": str(s.path),
             "categories": {c: round(sum(v) / len(v)) for c, v in progress.by_category(
                 progress.attempts([s])).items()}}
            for s in found
        ], indent=2))
        return 0
    if not found:
        console.print("No sessions yet. Try: mock-interview demo")
        return 0
    table = Table("id", "date", "questions", "status", "score")
    for s in found:
        table.add_row(s.id, s.started[:16].replace("T", " "), str(len(s.question_ids)),
                      s.status, "" if s.score is None else str(s.score))
    console.print(table)
    found_attempts = progress.attempts(found)
    if found_attempts:
        console.print("\n[bold]Progress by category[/] (scores, oldest first)")
        for category, scores in progress.by_category(found_attempts).items():
            console.print(f"  {category}: " + " → ".join(map(str, scores)))
        repeated = {k: v for k, v in progress.by_point(found_attempts).items() if len(v) > 1}
        if repeated:
            console.print("\n[bold]Rubric points practised more than once[/]")
            for point, statuses in repeated.items():
                console.print(f"  {point}: " + " → ".join(statuses))
    return 0


def cmd_export(args, console: Console) -> int:
    record = sessions.load(sessions.resolve(args.session))
    text = exporting.export(record, args.format)
    if args.output:
        exporting.write_export(text, args.output)
        console.print(f"Wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_replay(args, console: Console) -> int:
    from simulator import replay
    from simulator.timeline import timeline

    record = sessions.load(sessions.resolve(args.session))
    if args.no_audio:
        replay.print_lines(console, timeline(record))
    else:
        replay.play(console, record)
    return 0


def cmd_doctor(args, console: Console) -> int:
    from audio.speaker import VoiceSpeaker
    from audio.tts import list_voices
    from simulator import doctor

    if args.voices:
        for voice_id, name in list_voices():
            console.print(f"{voice_id:28} {escape(name)}")
        return 0
    speaker = VoiceSpeaker(Pyttsx3Synthesizer(args.voice, args.rate), playback=True)

    def say(text: str):
        audio = speaker.render(text)
        speaker.play(audio)
        return audio

    settings = api_settings()
    steps = [
        ("Checking audio devices", doctor.check_devices),
        (f"Microphone test: say something for {args.mic_seconds:g} seconds",
         lambda: doctor.check_microphone(args.mic_seconds)),
        ("Speaking one line", lambda: doctor.check_voice(say)),
        ("Loading the speech model", lambda: doctor.check_speech_model(WhisperTranscriber(
            args.stt_model))),
        ("Checking the API", lambda: doctor.check_api(settings, openai_client(
            settings, max_retries=0) if settings.configured else None)),
    ]
    failed = 0
    for title, run in steps:
        with console.status(f"[dim]{title}…[/]"):
            check = run()
        mark = ("[green]ok[/]" if check.ok else
                "[yellow]warning[/]" if check.warning else "[red]failed[/]")
        console.print(f"{mark:>20}  [bold]{check.name}[/]: {escape(check.detail)}")
        if check.fix and not check.ok:
            console.print(f"{'':>9}fix: {escape(check.fix)}")
        failed += not check.ok and not check.warning
    console.print("All set." if not failed else f"{failed} check(s) failed.")
    return 1 if failed else 0


COMMANDS = {
    "practice": cmd_practice, "demo": cmd_demo, "grade": cmd_grade,
    "transcribe": cmd_transcribe, "questions": cmd_questions, "sessions": cmd_sessions,
    "export": cmd_export, "doctor": cmd_doctor, "resume": cmd_resume,
    "replay": cmd_replay,
}


def _raise_interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    # A polite kill (SIGTERM) stops an interview as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    # Progress and notes go to stderr so that --json output stays clean on stdout.
    console = Console(stderr=getattr(args, "json", False) or getattr(args, "output", None))
    try:
        return COMMANDS[args.command](args, console)
    except (UserError, AudioError) as exc:
        print(f"mock-interview: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mock-interview: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback for the user; details on request
        if os.environ.get("MOCK_INTERVIEW_DEBUG"):
            raise
        print(f"mock-interview: unexpected error: {type(exc).__name__}: {exc} "
              "(set MOCK_INTERVIEW_DEBUG=1 for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
