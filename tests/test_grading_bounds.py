"""No bank or answer makes grading take over: terms that would match almost anything are
refused when the bank loads, the matcher's work follows the answer, and a word list earns
nothing. The time taken on the worst bank the loader accepts is measured by
benchmarks/grading_bound.py."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from simulator.core.questions import BankError, load_bank, parse_bank
from simulator.interviewers.generate import _terms as generated_terms
from simulator.interviewers.rubric import WORD_LIST, assess
from simulator.language.concepts import Term, split_sentences

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import grading_bound  # noqa: E402

BANK = load_bank()
ONE_POINT = """
schema = 2
id = "mine"
[[questions]]
id = "tell-q"
category = "x"
text = "A launch slips. What do you do?"
target_seconds = 60
model_answer = "Tell sales early."
{points}
"""
POINT = """
  [[questions.rubric]]
  id = "p{k}"
  strong = "Tells sales early."
  probe = "Who hears?"
  action = [{action}]
  [questions.rubric.concepts]
  who = ["sales"]
"""


def bank_with(action: str) -> str:
    return ONE_POINT.format(points="".join(POINT.format(k=k, action=action) for k in range(3)))


@pytest.mark.parametrize("term", ["t*", "te*", "a1*", "tell them t*", "te*ll", "x*y*"])
def test_a_wildcard_that_matches_almost_anything_is_refused_with_the_reason(term):
    with pytest.raises(BankError, match=r"wildcard needs at least 3 letters|may only end"):
        parse_bank(bank_with(f'"{term}"'), "mine.toml")


def test_long_terms_are_refused_and_ordinary_wildcards_and_numbers_load():
    with pytest.raises(BankError, match="10 words; at most 8"):
        parse_bank(bank_with('"tell the sales team and the support team about it"'), "m.toml")
    (q,) = parse_bank(bank_with('"tel*", "stakehold*", "2*", "let know"'), "mine.toml")
    assert q.rubric[0].action == ("tel*", "stakehold*", "2*", "let know")


def test_a_written_bank_drops_such_terms_instead_of_failing():
    assert generated_terms(["tell", "t*", "te*", "escalat*"]) == ["tell", "escalat*"]


def test_the_matcher_finds_terms_as_before_spelling_compounds_and_wildcards():
    (s,) = split_sentences("I'd let the sales VP know, and tell the stake holders today.")
    assert Term.of("let know").find(s) == [1]
    assert Term.of("stakeholder").find(s) == [10]
    assert Term.of("stakehold*").find(s) == [10]
    assert Term.of("tell today").find(s) == [8]
    assert Term.of("know today").find(s) == []  # a comma stands between
    assert Term.of("support").find(s) == []
    assert Term.of("tell").find(s.toks) == [8]  # plain tokens still work


def test_a_term_whose_words_are_not_in_the_sentence_is_never_tried_there(monkeypatch):
    (s,) = split_sentences("We shipped the fix on Friday and told support.")
    tried = []
    real = Term._word_at
    monkeypatch.setattr(Term, "_word_at", lambda self, *a: tried.append(a) or real(self, *a))
    assert Term.of("escalate to leadership").find(s) == []
    assert tried == []
    assert Term.of("told support").find(s) == [7]
    assert len(tried) <= 3


@pytest.mark.parametrize("answer", ["a word list", "one word repeated"])
def test_a_word_list_earns_nothing_and_the_critique_says_why(answer):
    text = grading_bound.answers(random.Random(1), 300)[answer]
    (q,) = parse_bank(grading_bound.worst_bank(random.Random(1)), "worst.toml")
    points = assess(q, text, grader=None)
    assert all(p.status == "missed" and p.unsure == WORD_LIST for p in points)


def test_the_terse_answers_written_as_sentences_are_not_word_lists():
    q = BANK.get("sprint-half-capacity")
    terse = ("First: ask engineering why the estimate moved, scope or risk. Second: cut to the "
             "smallest slice a customer can use. Third: message the sales VP and support lead "
             "today with the new date. Fourth: agree the cut list in writing with eng.")
    assert not any(p.unsure == WORD_LIST for p in assess(q, terse, grader=None))
    keywords = " ".join(terse.replace(":", "").replace(".", "").split()[::2] * 3)
    bag = " ".join(w for w in keywords.split() if w.lower() not in
                   {"the", "to", "a", "can", "with", "in", "or", "why", "today"})
    assert all(p.unsure == WORD_LIST for p in assess(q, bag, grader=None)), bag
