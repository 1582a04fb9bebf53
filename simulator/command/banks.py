"""The question banks a command works with: bundled, saved by the user, and given by --bank."""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.core.questions import Bank, load_bank
from simulator.core.untrusted_text import inert
from simulator.record.session import data_home


def user_banks_dir() -> Path:
    """Where generated banks are saved, so they can be practised again offline."""
    return data_home() / "banks"


def banks(extra: list[Path | str] | None = None) -> Bank:
    bank = load_bank(extra, user_banks_dir())
    for warning in bank.warnings:
        print(f"mock-interview: warning: {inert(warning)}", file=sys.stderr)
    return bank
