"""Reading a text file the candidate names: a written answer, a job advert, a résumé.

Every problem is one line that says what is wrong with the file and what to do about it.
"""

from __future__ import annotations

import re
from pathlib import Path

from simulator.core.errors import UserError

# Characters that show nothing: a file of only these is empty.
INVISIBLE = re.compile(r"[\s\ufeff\u200b\u200c\u200d\u2060\u00ad]+")
# What people save adverts, résumés and answers as that is not text: refused by name, before
# the size check, so that a large PDF is told to become text, not to become smaller.
NOT_TEXT = {".pdf", ".doc", ".docx", ".odt", ".rtf", ".pages", ".xls", ".xlsx", ".zip",
            ".png", ".jpg", ".jpeg", ".gif", ".webp"}


def regular_file(path: Path, what: str) -> Path:
    """`path` if it is a regular file; a pipe or a device would be read for ever."""
    try:
        ok = path.is_file()
    except OSError as exc:
        raise UserError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    if not ok:
        if not path.exists():
            raise UserError(f"{path}: no such {what}")
        raise UserError(f"{path}: not a regular file (the {what} cannot be a pipe, a device "
                        "or a folder)")
    return path


def _not_text(path: Path, what: str) -> UserError:
    return UserError(f"{path}: the {what} is not plain text: save it as a .txt file")


def read_text(path: Path, what: str, max_bytes: int, limit: str = "") -> str:
    """The UTF-8 text of a regular file of at most `max_bytes`, without its byte order mark;
    `limit` says that bound in the user's terms (default: in kB). A file that is not text, too
    large, unreadable, or shows nothing at all is a one-line UserError."""
    regular_file(path, what)
    if path.suffix.lower() in NOT_TEXT:
        raise _not_text(path, what)
    try:
        size = path.stat().st_size
        if size <= max_bytes:
            with path.open("rb") as f:  # no more than the bound, however the file grows
                raw = f.read(max_bytes + 1)
            size = len(raw)
    except OSError as exc:
        raise UserError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    if size > max_bytes:
        raise UserError(f"{path}: the {what} is too long ({size // 1000} kB; at most "
                        f"{limit or f'{max_bytes // 1000} kB'})")
    if b"\0" in raw:  # a PDF or a word processor's file, whatever its name says
        raise _not_text(path, what)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{path}: cannot read the {what}: it is not UTF-8 text (save it as a "
                        "UTF-8 .txt file)") from None
    if not INVISIBLE.sub("", text):
        raise UserError(f"{path}: the {what} is empty")
    return text
