"""Exporting a saved session: the formats, and writing an export where the user asked.

Every format is rendered from the same report model (model.py) by a module of its own.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from pathlib import Path

from simulator.core import pipes
from simulator.core.atomic_file import write_all, write_atomic
from simulator.core.errors import UserError
from simulator.record.session import SessionRecord
from simulator.reports.captions import to_srt, to_vtt
from simulator.reports.html import to_html
from simulator.reports.json_doc import to_json
from simulator.reports.markdown import to_markdown
from simulator.reports.model import Report, report

RENDERERS: dict[str, Callable[[Report], str]] = {
    "html": to_html, "md": to_markdown, "json": to_json, "srt": to_srt, "vtt": to_vtt}
FORMATS = tuple(RENDERERS)


def export(record: SessionRecord, fmt: str) -> str:
    render = RENDERERS.get(fmt)
    if render is None:
        raise UserError(f"unknown export format {fmt!r} (use one of: {', '.join(FORMATS)})")
    return render(report(record))


STDOUT = Path("-")


def write_export(text: str, out: Path) -> None:
    """Write an export to OUT as what stands there allows, or raise a one-line UserError.

    A regular file (or a new one) is replaced atomically, so a failure never leaves half an
    export behind; a symlink keeps being a link and its target gets the export; a device, a
    named pipe or standard output (`-`) cannot be renamed over, so it is written directly.
    """
    data = text.encode("utf-8")
    name = "standard output" if out == STDOUT else str(out)
    try:
        if out == STDOUT:
            try:
                _write_stdout(data)
            except BrokenPipeError:
                pipes.silence()  # the reader stopped early (`export ... | head`): not an error
            return
        target = out.resolve() if out.is_symlink() else out
        if not target.exists() or target.is_file():
            write_atomic(target, data)
        elif target.is_dir():
            raise UserError(f"cannot write {name}: it is a folder, not a file")
        else:
            _write_to(target, data)
    except OSError as exc:
        raise UserError(f"cannot write {name}: {exc.strerror or exc}") from exc
    except RuntimeError as exc:  # a symlink loop, on Python before 3.13
        raise UserError(f"cannot write {name}: {exc}") from exc


def _write_stdout(data: bytes) -> None:
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, io.UnsupportedOperation):  # replaced, as by a test's capture
        sys.stdout.write(data.decode("utf-8"))
        return
    write_all(fd, data)


def _write_to(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)
