"""Every whole file the program saves (a question bank, an export, what a server accepts) is
written here, whole or not at all.

The data goes into a temporary file beside the target, under a random name created
exclusively and never through a link (O_EXCL | O_NOFOLLOW), and is renamed over the target
once it is on disk. A link planted at a name the program might use is never written through,
and the saved file is always a regular file of our own.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
          | getattr(os, "O_CLOEXEC", 0))
_NAME_TRIES = 16  # random names that are all taken mean someone is trying to stop the save


def write_all(fd: int, data: bytes) -> None:
    """os.write until done: every error is raised, not lost in a buffer."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _temporary(path: Path) -> tuple[int, Path]:
    # Hidden, and not named like the target's kind (*.toml, *.json): a reader of the folder
    # never takes it for a finished file.
    for _ in range(_NAME_TRIES):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
        try:
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def write_atomic(path: Path, data: bytes | str) -> None:
    """Put `data` (text is written as UTF-8) at `path`, replacing what is there in one step.

    A file that is there keeps its permissions (a private report stays private); a new one
    gets the usual ones (0666 less the umask). OSError on failure, with nothing left behind.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = _temporary(path)
    try:
        try:
            try:
                old = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                old = None
            if old is not None and stat.S_ISREG(old.st_mode):
                os.fchmod(fd, stat.S_IMODE(old.st_mode))
            write_all(fd, raw)
            os.fsync(fd)  # a full disk may only show here
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
