"""Progress across sessions: scores by category and rubric point, attempts, --focus weakest."""

from __future__ import annotations

import json

import pytest


def practise(cli, tmp_path, question: str, text: str) -> str:
    answer = tmp_path / f"{question}.txt"
    answer.write_text(text)
    cli("practice", "--question", question, "--answers", answer, "--max-follow-ups", "0")
    return json.loads(cli("sessions", "--json").stdout)[-1]["id"]


@pytest.mark.slow
def test_attempts_show_side_by_side_and_progress_by_category(cli, home, tmp_path, answers):
    practise(cli, tmp_path, "user-story", answers["user-story"]["weak"])
    second = practise(cli, tmp_path, "user-story", answers["user-story"]["strong"])
    listed = json.loads(cli("sessions", "--json").stdout)
    assert [s["categories"]["sprint"] for s in listed] == [s["score"] for s in listed]
    assert listed[0]["score"] < listed[1]["score"]

    table = cli("sessions").stdout
    assert f"sprint: {listed[0]['score']} → {listed[1]['score']}" in table
    assert "user-story/outcome-not-implementation: missed → covered" in table

    md = cli("export", second, "--format", "md").stdout
    assert "Attempts at this question, side by side:" in md
    assert "| outcome-not-implementation | missed | covered |" in md
    html = cli("export", second, "--format", "html").stdout
    assert "Attempts at this question, side by side" in html and "(this one)" in html


@pytest.mark.slow
def test_focus_weakest_picks_the_lowest_scoring_categories(cli, home, tmp_path, answers):
    practise(cli, tmp_path, "launch-end-to-end", answers["launch-end-to-end"]["strong"])
    practise(cli, tmp_path, "user-story", answers["user-story"]["strong"])
    practise(cli, tmp_path, "slow-dependency", answers["slow-dependency"]["offtopic"])
    practise(cli, tmp_path, "technically-impossible", answers["technically-impossible"]["weak"])
    answer = tmp_path / "any.txt"
    answer.write_text("I would agree an interface with them.")
    out = cli("practice", "--focus", "weakest", "--questions", "2", "--answers", answer,
              "--max-follow-ups", "0").stdout
    assert "Focus: cross-functional" in out
    latest = json.loads(cli("sessions", "--json").stdout)[-1]
    # The weakest category first, and within it the questions not yet practised.
    assert latest["questions"] == ["design-eng-disagreement", "alignment-shifting-priorities"]


@pytest.mark.slow
def test_focus_prefers_categories_never_tried(cli, home, tmp_path, answers):
    practise(cli, tmp_path, "user-story", answers["user-story"]["weak"])
    answer = tmp_path / "any.txt"
    answer.write_text("An answer.")
    cli("practice", "--focus", "weakest", "--questions", "1", "--answers", answer,
        "--max-follow-ups", "0")
    latest = json.loads(cli("sessions", "--json").stdout)[-1]
    assert latest["questions"] == ["launch-end-to-end"]
