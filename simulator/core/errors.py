"""Errors whose message is shown to the user as one line."""


class UserError(Exception):
    """Bad input or a state the user can fix; the CLI prints the message and exits non-zero."""
