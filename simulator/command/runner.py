"""One interview from the command line's options: build its parts, run it, stop it cleanly."""

from __future__ import annotations

import contextlib
import errno
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.console import Console

from audio.stt import WhisperTranscriber
from audio.tts import LocalVoice, PiperVoice, RenderAhead, describe, local_voice
from simulator.command import discovery
from simulator.command.banks import banks
from simulator.command.config import (
    DEFAULT_DEADLINE,
    ApiSettings,
    api_settings,
    config_path,
    openai_client,
)
from simulator.core.errors import UserError
from simulator.core.style import DEFAULT_STYLE, STYLES, Style
from simulator.interviewers.rubric import RubricInterviewer
from simulator.record import session as sessions
from simulator.record.resume import ResumePoint, resume_point
from simulator.reports.terminal import shown

if TYPE_CHECKING:  # imported when an LLM is used: the offline paths start without them
    from simulator.interviewers.prompting import Prompts
    from simulator.interviewers.structured import StructuredChat

# The candidate's voice must be easy to tell from the interviewer's. The demo's is Piper's joe
# four semitones up, a lighter voice that tiny.en hears as well as the interviewer's (4 to 7%
# of words wrong on the demo's answers, against 10.7% for espeak-ng's "en"). --answers .txt files
# keep espeak-ng's "en": they may hold 20 minutes of speech, which Piper takes one to two
# minutes to render on 2 cores and espeak-ng a few seconds. "en" is also the demo's without
# Piper, beside the interviewer's "en-us".
CANDIDATE_VOICE = "en"
CANDIDATE_PITCH = 2 ** (4 / 12)


@dataclass
class Resume:
    """A session being carried on: its log so far, and where to pick it up."""

    record: sessions.SessionRecord
    point: ResumePoint


def api_for(args) -> ApiSettings:
    return api_settings(getattr(args, "model", None))


@dataclass(frozen=True)
class Llm:
    """The LLM the flags and environment ask for, ready to be asked."""

    chat: StructuredChat
    prompts: Prompts
    described: str  # for the "Interviewer:" line: "openai (model at server...)"
    # The deadline the config sets, None without one: writing a job's questions takes longer
    # than a critique, and is given more time only when the user chose none.
    deadline: float | None = None


def build_chat(args) -> Llm | None:
    """The LLM `--interviewer` asks for, or None for the offline rubric interviewer."""
    choice = args.interviewer
    if choice == "rubric":  # needs no settings, so a broken API setting cannot stop it
        return None
    settings = api_for(args)
    local = None
    if not settings.configured:  # then an Ollama or LM Studio server here will do
        local = discovery.discover()
        if local is not None:
            settings = discovery.settings_for(local, settings, getattr(args, "model", None))
    if choice == "auto" and not settings.configured:
        return None
    if not settings.configured:
        looked = ("" if discovery.disabled() else
                  f"; no local model server answered at {discovery.where()}")
        raise UserError("--interviewer openai needs OPENAI_API_KEY or OPENAI_BASE_URL "
                        f"(or an [openai] table in {config_path()}){looked}")
    from simulator.interviewers.prompting import load_prompts
    from simulator.interviewers.structured import ServerMemory, StructuredChat

    # Retries are StructuredChat's, so that a refused response_format costs one request.
    chat = StructuredChat(openai_client(settings, max_retries=0), settings.model, settings.server,
                          ServerMemory(sessions.data_home() / "servers.json"),
                          deadline=settings.deadline or DEFAULT_DEADLINE,
                          timeout=settings.timeout)
    found = f", found {local.name} on this machine" if local is not None else ""
    return Llm(chat, load_prompts(args.prompts),
               f"openai ({settings.model} at {settings.server}{found})", settings.deadline)


def build_interviewer(args, max_follow_ups: int = 2, style: Style = STYLES[DEFAULT_STYLE]):
    """The interviewer the flags and environment ask for, and a line saying which it is."""
    llm = build_chat(args)
    if llm is None:
        return RubricInterviewer(), "rubric (offline)"
    from simulator.interviewers.llm import LLMInterviewer

    return (LLMInterviewer(llm.chat, llm.prompts, max_follow_ups, manner=style.manner),
            llm.described)


def build_transcriber(args):
    if getattr(args, "stt", "local") == "openai":
        from audio.stt import OpenAITranscriber

        settings = api_for(args)
        if not settings.configured:
            raise UserError("--stt openai needs OPENAI_API_KEY or OPENAI_BASE_URL")
        return OpenAITranscriber(openai_client(settings), args.stt_model or settings.stt_model)
    return WhisperTranscriber(args.stt_model)


def candidate_voice():
    """The voice of the demo's sample candidate."""
    voice = local_voice(None)
    if isinstance(voice, PiperVoice):
        return replace(voice, pitch=CANDIDATE_PITCH)  # the same model, loaded once
    return LocalVoice(CANDIDATE_VOICE)


def build_voice(args):
    if getattr(args, "tts", "local") == "openai":
        from audio.tts import OpenAISynthesizer

        settings = api_for(args)
        if not settings.configured:
            raise UserError("--tts openai needs OPENAI_API_KEY or OPENAI_BASE_URL")
        return OpenAISynthesizer(openai_client(settings), settings.tts_model,
                                 settings.tts_voice)
    return local_voice(args.voice, args.rate)


def run_interview(args, console: Console, bank_questions, answers, transcriber,
                  live: bool, mode: str, resume_from: Resume | None = None) -> int:
    """Run one interview; `live` means a microphone, so the interviewer is heard by default.
    A Ctrl-C that the candidate takes back goes on from where the log says the interview
    was, as `resume` would, as many times as it happens."""
    while True:
        outcome = _run_once(args, console, bank_questions, answers, transcriber, live, mode,
                            resume_from)
        if not isinstance(outcome, Resume):
            return outcome
        bank_questions, resume_from = outcome.point.remaining, outcome


def _run_once(args, console: Console, bank_questions, answers, transcriber, live: bool,
              mode: str, resume_from: Resume | None) -> int | Resume:
    """One stretch of the interview: its exit status, or where to carry on from."""
    from audio.speaker import VoiceSpeaker
    from simulator.command.console import ConsoleDisplay
    from simulator.live.engine import Interview
    from simulator.reports.model import deliveries
    from simulator.reports.terminal import show_critique, show_delivery

    style = STYLES[getattr(args, "style", None) or DEFAULT_STYLE]
    max_follow_ups = getattr(args, "max_follow_ups", None)
    if max_follow_ups is None:
        max_follow_ups = style.follow_ups
    if resume_from is not None:  # the interview goes on as it began
        started = resume_from.record.first("session_started")
        style = STYLES.get(started.get("style", DEFAULT_STYLE), STYLES[DEFAULT_STYLE])
        max_follow_ups = int(started.get("max_follow_ups", style.follow_ups))
    interviewer, described = build_interviewer(args, max_follow_ups, style)
    from simulator.live.engine import WELCOME_BACK, greeting

    # The opening line and the first question are rendered while Whisper loads, so that a
    # Piper voice's load and renders (0.6 to 1.5 s on 2 cores) overlap it, not follow it.
    voice = RenderAhead(build_voice(args))
    voice.prepare(WELCOME_BACK if resume_from is not None else greeting(bank_questions, style),
                  *[q.text for q in bank_questions[:1]])
    with console.status("[dim]Loading the speech model…[/]"):
        transcriber.load()
    session = (sessions.Session.reopen(resume_from.record.path) if resume_from is not None
               else sessions.Session.create())
    interview = Interview(
        questions=bank_questions,
        speaker=VoiceSpeaker(voice, playback=live if args.speak is None else args.speak),
        answers=answers,
        transcriber=transcriber,
        interviewer=interviewer,
        session=session,
        display=ConsoleDisplay(console, live=live),
        max_follow_ups=max_follow_ups,
        style=style,
        settings={"mode": mode, "style": style.name, "stt_model": transcriber.model_name,
                  "interviewer_detail": described, "voice": describe(voice)},
        done=resume_from.point.done if resume_from is not None else [],
        audio_prefix=f"r{resume_from.point.run}-" if resume_from is not None else "",
    )
    try:
        critique = interview.run()
    except KeyboardInterrupt:
        if not confirm_stop(console):
            # Carry on: the log says where the interview was, as it would for `resume`.
            session.close()
            record = sessions.load(session.path)
            return Resume(record, resume_point(record, banks(getattr(args, "bank", []))))
        return stopped(console, session, "you stopped it")
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            return stopped(console, session, "the disk is full", code=1)
        raise
    finally:
        session.close()
    show_critique(console, critique)
    record = sessions.load(session.path)
    show_delivery(console, deliveries(record).session)
    console.print(f"\nSaved as [bold]{session.id}[/]. "
                  f"Export it with: mock-interview export {session.id} --format md")
    return 0


def confirm_stop(console: Console) -> bool:
    """Ctrl-C asks before it ends an interview; without a terminal to ask, it stops."""
    if not sys.stdin or not sys.stdin.isatty():
        return True
    try:
        reply = console.input("\n[bold]Stop the interview?[/] Everything so far is saved. "
                              "[Y/n] ")
    except (KeyboardInterrupt, EOFError):
        return True
    return not reply.strip().lower().startswith("n")


def stopped(console: Console, session, why: str, code: int = 130) -> int:
    """Stop cleanly: everything recorded so far is already on disk."""
    with contextlib.suppress(OSError):  # a full disk may refuse even this line
        session.log("session_stopped", reason=why)
    console.print(f"\n[yellow]Stopped ({shown(why)}). Everything recorded so far is saved in "
                  f"{shown(str(session.path))}.[/]\nCarry on later with: mock-interview resume "
                  f"{shown(session.id)}")
    return code


def answer_source(args, console: Console, transcriber):
    """Live answers from the microphone, or --answers files; and whether it is live."""
    from audio.devices import Microphone
    from audio.recorder import TurnPolicy
    from simulator.command.console import TerminalTurnView
    from simulator.live.answers import LiveAnswers, ScriptedAnswers, check_answer_files

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
    answers = ScriptedAnswers(check_answer_files(args.answers), LocalVoice(CANDIDATE_VOICE))
    if args.pace == "realtime":
        answers.paced(transcriber, policy, view)
    return answers, False
