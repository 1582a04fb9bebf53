"""The `mock-interview` command line: its commands, options and help."""

from __future__ import annotations

import argparse
import functools
import math
from pathlib import Path

from simulator.command.config import DEFAULT_MODEL
from simulator.core.style import DEFAULT_STYLE, STYLES
from simulator.reports import export as exporting


def number_in(low: float, high: float, kind: type = float):
    """An option's value type: a finite number in [low, high], else a one-line error that
    says the range. Checked while parsing, so a refused value leaves nothing on disk."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is out of range ({low:g} to {high:g})")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mock-interview")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def bank_arg(text: str) -> str:
    """A bank's name or path, kept as given: a name is not a path ("behavioural")."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a bank name or the path of a .toml file")
    return text


def file_arg(text: str) -> Path:
    """A file's path: an empty one would name the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a file")
    return Path(text)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage plus error
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> Parser:
    p = Parser(prog="mock-interview", allow_abbrev=False,
               description="Spoken mock interviews for product managers, offline at your desk.")
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    # "--stt" must never be read as a shortening of "--stt-model".
    sub.add_parser = functools.partial(sub.add_parser, allow_abbrev=False)  # type: ignore

    def bank_opt(sp: argparse.ArgumentParser, purpose: str) -> None:
        sp.add_argument("--bank", action="append", type=bank_arg, default=[], metavar="BANK",
                        help=f"{purpose}: a bundled or saved bank's name (execution, "
                             "behavioural), a .toml file or a folder of them; repeat for more")

    def stt_opt(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--stt-model", metavar="MODEL",
                        help="faster-whisper model name or local folder (default: bundled tiny.en)")

    def answer_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--answers", nargs="+", type=Path, default=[], metavar="FILE",
                        help="answer from files instead of the microphone: audio as it is, "
                             ".txt spoken by TTS; one file per interviewer turn")
        sp.add_argument("--thinking-grace", type=number_in(1, 600), default=15.0,
                        metavar="SECONDS",
                        help="silence allowed before your first word (default: 15; 1 to 600)")
        sp.add_argument("--end-silence", type=number_in(0.5, 60), default=5.0, metavar="SECONDS",
                        help="the longest trailing silence before an answer ends, waited when "
                             "it sounds unfinished; one that sounds finished ends sooner "
                             "(default: 5; 0.5 to 60)")
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
                             "OPENAI_API_KEY or OPENAI_BASE_URL is set or a local Ollama / "
                             "LM Studio server is found; MOCK_INTERVIEW_NO_DISCOVERY=1 "
                             "stops the looking)")
        sp.add_argument("--model", help="the LLM's model name (default: from config.toml, "
                                        f"else {DEFAULT_MODEL})")
        sp.add_argument("--prompts", type=Path, metavar="DIR",
                        help="a folder of prompt files that replace the bundled ones")

    def style_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--style", choices=tuple(STYLES), default=DEFAULT_STYLE,
                        help="the interviewer's manner: friendly (warm, one follow-up, lets you "
                             "run to three times the target length), neutral (default: two "
                             "follow-ups, stops an answer at 1.5 times its target length) or "
                             "tough (terse, three follow-ups, stops you at the target length); "
                             "the critique is the same")
        sp.add_argument("--max-follow-ups", type=number_in(0, 10, int), metavar="N",
                        help="follow-up questions per question at most (default: the style's; "
                             "0 to 10)")

    def speech_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--stt", choices=("local", "openai"), default="local",
                        help="speech recognition: local faster-whisper (default) or the "
                             "API's audio.transcriptions")
        sp.add_argument("--tts", choices=("local", "openai"), default="local",
                        help="the interviewer's voice: local, Piper or espeak-ng (default), "
                             "or the API's audio.speech")

    def voice_opts(sp: argparse.ArgumentParser) -> None:
        # No default here: local_voice picks Piper's joe when the voice extra is installed.
        sp.add_argument("--voice",
                        help="interviewer's voice: a Piper voice (joe) or .onnx file, or an "
                             "espeak-ng voice such as en-us (default: joe when the voice extra "
                             "is installed, else en-us); `doctor --voices` lists them")
        sp.add_argument("--rate", type=number_in(80, 450, int), default=165,
                        help="interviewer's speaking rate in words per minute (default: 165; "
                             "80 to 450)")

    def interview_opts(sp: argparse.ArgumentParser, bank_purpose: str) -> None:
        """What every new interview takes: its bank, the interviewer's manner, the answers,
        the speech models and voice, and who asks and grades."""
        bank_opt(sp, bank_purpose)
        style_opts(sp)
        answer_opts(sp)
        stt_opt(sp)
        voice_opts(sp)
        interviewer_opts(sp)
        speech_opts(sp)

    sp = sub.add_parser("practice", help="run a mock interview at your desk")
    sp.add_argument("--questions", type=number_in(1, 1000, int), metavar="N",
                    help="how many questions to ask (default: all of the bank; 5 with "
                         "--job-description)")
    sp.add_argument("--job-description", type=file_arg, metavar="FILE",
                    help="practise for this job: its advert as a .txt or .md file. With an "
                         "LLM, new questions are written for it and saved as a bank you can "
                         "practise again offline; without one, the bank questions that fit "
                         "its words best are asked")
    sp.add_argument("--resume", type=file_arg, metavar="FILE",
                    help="with --job-description: your résumé as a .txt or .md file, so that "
                         "some questions ask about your own projects (needs an LLM)")
    sp.add_argument("--category", metavar="C", help="only questions from this category")
    sp.add_argument("--question", nargs="+", default=[], metavar="ID",
                    help="ask these questions, in this order")
    sp.add_argument("--focus", choices=("weakest",),
                    help="weakest: questions from the categories where your past scores are "
                         "lowest (3 unless --questions says otherwise)")
    interview_opts(sp, "the bank to ask from (default: execution; without --bank, --question "
                       "and --category look in every bank)")

    sp = sub.add_parser("resume", help="carry on with an interrupted session")
    sp.add_argument("session", help="session id or folder")
    bank_opt(sp, "the bank the session's questions came from, when it is not bundled or saved")
    answer_opts(sp)
    stt_opt(sp)
    voice_opts(sp)
    interviewer_opts(sp)
    speech_opts(sp)

    sp = sub.add_parser("daily", help="one question a day, chosen from your past answers",
                        description="One question a day, chosen by spaced repetition: the "
                                    "rubric points you miss most (recent answers count more) "
                                    "and the categories you have not practised lately. Once "
                                    "a day; --again asks another.")
    sp.add_argument("--again", action="store_true",
                    help="another question when today's is done: the next most due, not one "
                         "already asked today")
    interview_opts(sp, "the bank to choose from (default: execution)")

    sp = sub.add_parser("demo", help="a short offline interview with bundled sample answers")
    sp.add_argument("--speak", action="store_true", help="also play it through the speakers")
    style_opts(sp)
    stt_opt(sp)
    voice_opts(sp)
    interviewer_opts(sp)
    speech_opts(sp)

    sp = sub.add_parser("grade", help="critique one answer given as audio or text")
    sp.add_argument("--question", required=True, metavar="ID", help="the question answered")
    sp.add_argument("file", type=Path, help="the answer: .txt, or audio (.wav, .flac, ...)")
    sp.add_argument("--json", action="store_true", help="print JSON")
    bank_opt(sp, "the bank the question is in, when it is not bundled or saved")
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
    bank_opt(sp, "list only this bank")

    sp = sub.add_parser("check-bank", help="check that a question bank's points can be graded "
                                           "offline")
    sp.add_argument("file", type=Path, help="the bank's .toml file")

    sp = sub.add_parser("sessions", help="list saved sessions")
    sp.add_argument("--json", action="store_true", help="print JSON")

    sp = sub.add_parser("replay", help="play a session back, or print it with --no-audio")
    sp.add_argument("session", help="session id or folder")
    sp.add_argument("--no-audio", action="store_true",
                    help="print the whole interview with timestamps instead of playing it")

    sp = sub.add_parser("doctor", help="check the microphone, speakers, voice, speech model "
                                       "and API")
    sp.add_argument("--voices", action="store_true", help="list the voices --voice accepts")
    sp.add_argument("--mic-seconds", type=number_in(0.5, 60), default=3.0, metavar="SECONDS",
                    help="length of the microphone level test (default: 3; 0.5 to 60)")
    stt_opt(sp)
    voice_opts(sp)

    sp = sub.add_parser("export", help="write a session's transcript and feedback")
    sp.add_argument("session", help="session id or folder")
    sp.add_argument("--format", choices=exporting.FORMATS, default="md")
    sp.add_argument("-o", "--output", type=Path, metavar="FILE",
                    help="write to FILE instead of printing")
    return p
