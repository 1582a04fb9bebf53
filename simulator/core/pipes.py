"""Standard output whose reader has gone (`mock-interview questions --json | head -1`).

A reader that stops early is not an error. Pointing the closed descriptor at /dev/null keeps
every later write, and Python's own flush at exit, quiet as well.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys


def silence(stream=None) -> None:
    """Send whatever is still written to `stream` (standard output by default) nowhere."""
    stream = stream or sys.stdout
    with contextlib.suppress(AttributeError, io.UnsupportedOperation, OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, stream.fileno())
        finally:
            os.close(devnull)
