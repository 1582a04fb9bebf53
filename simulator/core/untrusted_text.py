"""Text that did not come from us, made inert before it is printed or exported.

Bank text, a model's name or reply, a config value, a transcript, a session's log: any of
them may hold characters a terminal or a viewer obeys rather than shows. ESC starts sequences
that clear the screen, retitle the window or write to the clipboard; a C1 control (U+0080 to
U+009F) can start one on its own; NUL and the other C0 controls are not text. Bidirectional
controls reorder what follows them on screen, so a quote could be made to read backwards.

`inert` is applied wherever such text is shown (the terminal, Markdown, SRT, WebVTT, HTML),
before each format's own escaping. JSON keeps the data as it was and escapes the same
characters instead (`inert_json`).
"""

from __future__ import annotations

# Bidi embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), the left-to-right
# and right-to-left marks and the Arabic letter mark: invisible, and able to reorder a line.
BIDI_CONTROLS = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F,
                           0x061C])
_C0 = [c for c in range(0x20) if chr(c) not in "\t\n"]
_C1 = range(0x80, 0xA0)
_SURROGATES = range(0xD800, 0xE000)  # a lone one cannot even be written as UTF-8
_WHITESPACE = {0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F, 0x85}  # spacing, not commands: a space

_SHOWN: dict[int, str | None] = {
    # Other C0 controls and DEL as their visible pictures: NUL is shown as U+2400, ESC as
    # U+241B. C1 controls and lone surrogates have no picture: the replacement character.
    **{c: chr(0x2400 + c) for c in _C0},
    0x7F: "\u2421",
    **{c: "\ufffd" for c in (*_C1, *_SURROGATES)},
    **{c: " " for c in _WHITESPACE},
    0x0D: "\n",  # a lone carriage return ends a line; "\r\n" is made one "\n" first
    **{c: None for c in BIDI_CONTROLS},
}
_JSON_ESCAPED = {c: f"\\u{c:04x}" for c in (*_C1, *_SURROGATES, *BIDI_CONTROLS, 0x7F)}


def inert(text: object) -> str:
    """`text` with nothing a terminal or a viewer would obey: newlines and tabs stay, other
    control characters become visible stand-ins, bidirectional controls are removed."""
    return str(text).replace("\r\n", "\n").translate(_SHOWN)


def inert_json(text: str) -> str:
    """JSON text with the characters `inert` changes written as \\u escapes: the same data
    for a JSON reader, nothing raw for a terminal. JSON escapes C0 controls itself, and these
    characters can only stand inside its strings, so the result is the same JSON value."""
    return text.translate(_JSON_ESCAPED)
