"""The report model and its renderers: one model, each format laid out from it alone."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from simulator.record import session as sessions
from simulator.reports import model
from simulator.reports.export import FORMATS, export

# Real sessions (two `mock-interview demo` runs; an interrupted one with a live answer's timing,
# a follow-up and a pass; one whose critique has a key of a newer version and lacks ones of an
# older), each with the JSON export the code before the report model wrote for it.
FIXTURES = Path(__file__).parent / "data" / "export"
EXPECTED = sorted(FIXTURES.glob("*.json"))
REPORTS = Path(model.__file__).parent


@pytest.fixture(scope="module")
def fixture_home(tmp_path_factory) -> Path:
    # A copy: `attempts` reads every session beside the one exported, and nothing may be
    # written next to the fixtures.
    home = tmp_path_factory.mktemp("export") / "home"
    shutil.copytree(FIXTURES / "sessions", home / "sessions")
    return home


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.stem)
def test_json_export_is_byte_for_byte_what_it_was(fixture_home, expected):
    # The stored exports were written by the code before the report model, and since then
    # gained only `speech_end_to_reply_s` and `interviewer_requests` (docs/export-json.md).
    record = sessions.load(fixture_home / "sessions" / expected.stem)
    assert export(record, "json") == expected.read_text(encoding="utf-8")


def test_every_format_renders_the_fixtures(fixture_home):
    for folder in sorted((fixture_home / "sessions").iterdir()):
        record = sessions.load(folder)
        for fmt in FORMATS:
            assert export(record, fmt)


def test_a_critique_from_another_version_is_typed_all_the_same(fixture_home):
    r = model.report(sessions.load(fixture_home / "sessions" / "20260304-100000-dddd"))
    assert "extra_key" in r.critique_as_logged
    q = r.critique.questions[0]
    assert (q.category, q.specificity, q.points[0].missing) == ("", None, [])


def test_captions_and_replay_share_the_clock(fixture_home):
    record = sessions.load(fixture_home / "sessions" / "20261128-113955-2414")
    r = model.report(record)
    assert r.lines == model.timeline(record)
    answered = [t for t in r.turns if t.answer_at is not None]
    assert answered and all(t.answer_at == t.said_at + t.said_for for t in answered)
    # Back to back: each turn starts where the one before ended.
    for before, after in zip(r.turns, r.turns[1:], strict=False):
        assert after.said_at == pytest.approx(before.said_at + before.said_for
                                              + before.answer_for)


@pytest.mark.parametrize("renderer", ["markdown", "json_doc", "html", "captions", "terminal"])
def test_a_renderer_imports_the_model_and_none_of_its_siblings(renderer):
    tree = ast.parse((REPORTS / f"{renderer}.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for a in node.names}
    siblings = {m for m in imported if m and m.startswith("simulator.reports")}
    assert siblings <= {"simulator.reports.model"}, siblings
