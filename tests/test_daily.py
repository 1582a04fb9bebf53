"""`mock-interview daily`: the question chosen by spaced repetition, once a day, the streak."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from conftest import logged_session

from simulator.core.errors import UserError
from simulator.core.questions import load_bank
from simulator.record import daily, progress
from simulator.record import session as sessions

BANK = load_bank()
TODAY = date(2025, 3, 20)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def logged(home, day: date, question: str, missed: tuple[str, ...] = (), score: int = 70,
           mode: str = "daily", finished: bool = True) -> str:
    """A session answered at local noon on `day`: `missed` rubric points missed, the others
    covered."""
    return logged_session(home, question, mode=mode, started=day, missed=missed, score=score,
                          finished=finished).id


def choice(home, today: date = TODAY, exclude=()) -> daily.Choice:
    return daily.choose(BANK, progress.attempts(sessions.list_sessions(home)), today, exclude)


# --- the choice ------------------------------------------------------------------------------


def test_with_no_history_the_first_question_of_a_category_never_practised(home):
    picked = choice(home)
    assert picked.question.id == BANK.select()[0].id == "sprint-half-capacity"
    assert picked.reason == "'sprint' never practised"


def test_the_point_missed_most_lately_is_chosen(home):
    for n, missed in ((12, True), (10, False), (9, True)):
        logged(home, days_ago(n), "sprint-half-capacity",
               ("tell-stakeholders-early",) if missed else ())
    for question in ("launch-end-to-end", "design-eng-disagreement", "technically-impossible"):
        logged(home, days_ago(2), question)
    picked = choice(home)
    assert picked.question.id == "sprint-half-capacity"
    assert picked.reason == ("you missed 'tell-stakeholders-early' in 2 of your last 3 attempts; "
                             "'sprint' not practised for 9 days")


def test_a_point_missed_last_time_outweighs_one_missed_long_ago():
    assert daily.weakness(["missed"]) == 1.0
    assert daily.weakness(["covered", "covered", "missed"]) > daily.weakness(
        ["missed", "missed", "covered"])
    assert daily.weakness(["partial"]) == 0.5
    assert daily.weakness(["covered"] * 3) == 0.0


def test_a_category_never_practised_comes_before_ones_practised_lately(home):
    logged(home, days_ago(1), "sprint-half-capacity")
    picked = choice(home)
    # launch is the first category in the bank that was never practised.
    assert picked.question.id == "launch-end-to-end"
    assert picked.reason == "'launch' never practised"


def test_yesterdays_question_gives_way_when_another_is_equally_due(home):
    for question in ("launch-end-to-end", "design-eng-disagreement", "technically-impossible"):
        logged(home, days_ago(1), question)
    logged(home, days_ago(3), "user-story")
    logged(home, days_ago(1), "sprint-half-capacity")
    logged(home, days_ago(3), "bug-interrupts-sprint")
    # Every question tried has every point covered and each category was practised
    # yesterday: the tried ones are equally due, and the untried ones come first.
    ranked = [c.question.id for c in daily.rank(
        BANK, progress.attempts(sessions.list_sessions(home)), TODAY)]
    tried_sprint = [q for q in ranked if q in {"sprint-half-capacity", "user-story",
                                               "bug-interrupts-sprint"}]
    # sprint-half-capacity is first in the bank but was done yesterday.
    assert tried_sprint == ["user-story", "bug-interrupts-sprint", "sprint-half-capacity"]


def test_the_choice_is_the_same_for_the_same_history_and_day(home):
    logged(home, days_ago(4), "launch-went-wrong", ("root-cause",))
    logged(home, days_ago(2), "user-story", ("persona", "out-of-scope"))
    first = choice(home)
    assert all(choice(home) == first for _ in range(3))


def test_again_leaves_out_the_question_asked_today(home):
    logged(home, days_ago(5), "launch-went-wrong", ("root-cause",))
    best = choice(home)
    again = choice(home, exclude={best.question.id})
    assert again.question != best.question
    ranked = daily.rank(BANK, progress.attempts(sessions.list_sessions(home)), TODAY)
    assert again == ranked[1]
    with pytest.raises(UserError, match="every question in the bank"):
        choice(home, exclude={q.id for q in BANK.questions})


# --- the streak and the trend ----------------------------------------------------------------


def test_streak_counts_days_in_a_row_up_to_today_or_yesterday():
    assert daily.streak([], TODAY) == 0
    assert daily.streak([TODAY, days_ago(1), days_ago(2), days_ago(4)], TODAY) == 3
    assert daily.streak([days_ago(1), days_ago(2)], TODAY) == 2  # today not done yet
    assert daily.streak([days_ago(2), days_ago(3)], TODAY) == 0  # yesterday missed


def test_streak_from_sessions_counts_daily_answers_only(home):
    for n in (0, 1, 2, 4, 5):
        logged(home, days_ago(n), "user-story", score=50 + 5 * n, mode="daily")
    logged(home, days_ago(3), "user-story", mode="practice")  # not a daily
    logged(home, days_ago(6), "user-story", finished=False)  # never answered
    found = sessions.list_sessions(home)
    done = daily.daily_attempts(found)
    days = {daily.local_day(a.started) for a in done}
    assert days == {days_ago(n) for n in (0, 1, 2, 4, 5)}
    assert daily.streak(days, TODAY) == 3
    assert daily.streak(days, TODAY + timedelta(days=1)) == 3
    assert daily.streak(days, TODAY + timedelta(days=2)) == 0
    assert [r.id for r in daily.started_on(found, TODAY)] == [done[-1].session_id]
    trend = daily.trend(done)
    assert trend.scores == [75, 70, 60, 55, 50]
    assert trend.change == pytest.approx((55 + 50) / 2 - (75 + 70) / 2)


# --- the command -----------------------------------------------------------------------------


def session_folders(home) -> list[str]:
    return sorted(p.name for p in (home / "sessions").iterdir())


@pytest.mark.slow
def test_daily_runs_once_a_day_then_again_on_request(cli, home, tmp_path):
    answer = tmp_path / "answer.txt"
    answer.write_text("I would tell the stakeholders early and cut the scope to what matters.")
    options = ("--answers", answer, "--interviewer", "rubric", "--max-follow-ups", "0")

    out = cli("daily", *options).stdout
    assert "Today's question: sprint-half-capacity ('sprint' never practised)" in out
    (first,) = session_folders(home)
    record = sessions.load(home / "sessions" / first)
    assert record.first("session_started")["mode"] == "daily"
    assert record.status == "finished"

    refused = cli("daily", *options, check=False)
    assert refused.returncode == 1
    assert refused.stderr == (f"mock-interview: error: today's question is done "
                              f"(sprint-half-capacity, score {record.score}); run "
                              "`mock-interview daily --again` for another\n")
    assert "Traceback" not in refused.stdout + refused.stderr
    assert session_folders(home) == [first]

    out = cli("daily", "--again", *options).stdout
    assert "Today's question: launch-end-to-end ('launch' never practised)" in out
    listed = json.loads(cli("sessions", "--json").stdout)
    assert [s["questions"] for s in listed] == [["sprint-half-capacity"], ["launch-end-to-end"]]

    table = cli("sessions").stdout
    assert "Daily streak: 1 day (today's question done)" in table
    scores = " → ".join(str(s["score"]) for s in listed)
    assert f"Daily scores (last 2, oldest first): {scores}" in table


def test_an_unfinished_daily_today_is_pointed_at_resume(cli, home):
    sid = logged(home, date.today(), "user-story", finished=False)
    refused = cli("daily", "--answers", "nothing.txt", check=False)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1
    assert f"`mock-interview resume {sid}`" in refused.stderr
    assert session_folders(home) == [sid]


def test_sessions_without_a_daily_question_say_how_to_start(cli, home):
    assert cli("sessions").stdout.startswith("No sessions yet.")
    logged(home, date.today(), "user-story", mode="practice")
    assert "No daily question yet. Try: mock-interview daily" in cli("sessions").stdout


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                                   "yesterday", ""])
def test_a_start_time_that_is_no_local_day_counts_as_unknown(stamp):
    assert daily.local_day(stamp) is None


def test_a_log_time_past_the_last_day_breaks_neither_sessions_nor_daily(cli, home, tmp_path):
    # Local time of 9999-12-31T23:59:59-14:00 is past year 9999 east of UTC-14.
    logged_session(home, "user-story", mode="daily", started="9999-12-31T23:59:59-14:00")
    listed = cli("sessions")
    assert "unexpected" not in listed.stderr and "No daily question yet" not in listed.stdout
    refused = cli("daily", "--interviewer", "rubric", "--answers", tmp_path / "missing.txt",
                  check=False)
    assert refused.stderr.startswith("mock-interview: error: ")
    assert "no such answer file" in refused.stderr and "unexpected" not in refused.stderr
