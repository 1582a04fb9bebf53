"""Reading a text file the candidate names: a written answer, a job advert, a résumé.

Every problem is one line that says what is wrong with the file and what to do about it.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
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


def read_regular(path: Path, what: str, max_bytes: int) -> tuple[bytes, int]:
    """The bytes of a regular file, at most `max_bytes` + 1 of them, and the file's size.

    The file is opened without waiting and checked once open: a named pipe with no writer, a
    device or a folder is refused at once, whatever stood at the path a moment before.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UserError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UserError(f"{path}: not a regular file (the {what} cannot be a pipe, a "
                            "device or a folder)")
        raw = b""
        while info.st_size <= max_bytes and len(raw) <= max_bytes:  # however the file grows
            chunk = os.read(fd, max_bytes + 1 - len(raw))
            if not chunk:
                break
            raw += chunk
    except OSError as exc:
        raise UserError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    finally:
        os.close(fd)
    return raw, max(info.st_size, len(raw))


def _not_text(path: Path, what: str) -> UserError:
    return UserError(f"{path}: the {what} is not plain text: save it as a .txt file")


def _utf16_without_mark(raw: bytes) -> bool:
    """Every other byte zero, and the bytes between them not: Latin text saved as UTF-16."""
    if len(raw) < 4:
        return False
    even, odd = raw[0::2], raw[1::2]
    return any(zeros.count(0) > len(zeros) / 2 and others.count(0) < len(others) / 10
               for zeros, others in ((even, odd), (odd, even)))


def _decoded(raw: bytes, path: Path, what: str) -> str:
    """UTF-8 text, or UTF-16 when a byte order mark says so (Notepad's "Unicode")."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise UserError(f"{path}: cannot read the {what}: it starts as UTF-16 text but is "
                            "not (save it as a UTF-8 .txt file)") from None
    if _utf16_without_mark(raw):
        raise UserError(f"{path}: cannot read the {what}: it looks like UTF-16 text (save it "
                        "as UTF-8: in Notepad, Save As and choose the UTF-8 encoding)")
    if b"\0" in raw:  # a PDF or a word processor's file, whatever its name says
        raise _not_text(path, what)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{path}: cannot read the {what}: it is not UTF-8 text (save it as a "
                        "UTF-8 .txt file)") from None


def read_text(path: Path, what: str, max_bytes: int, limit: str = "") -> str:
    """The text of a regular file of at most `max_bytes` (UTF-8, or UTF-16 with its byte
    order mark), without its byte order mark; `limit` says that bound in the user's terms
    (default: in kB). A file that is not text, too large, unreadable, or shows nothing at all
    is a one-line UserError."""
    if path.suffix.lower() in NOT_TEXT:
        regular_file(path, what)  # a missing report.pdf is missing, not "not text"
        raise _not_text(path, what)
    raw, size = read_regular(path, what, max_bytes)
    if size > max_bytes:
        raise UserError(f"{path}: the {what} is too long ({size // 1000} kB; at most "
                        f"{limit or f'{max_bytes // 1000} kB'})")
    text = _decoded(raw, path, what)
    if "\0" in text:
        raise _not_text(path, what)
    if not INVISIBLE.sub("", text):
        raise UserError(f"{path}: the {what} is empty")
    return text
