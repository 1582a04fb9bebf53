"""Only one daily question a day, even when two `daily` runs start at once (issue 21, item
10)."""

from __future__ import annotations

import signal
import threading
from datetime import date

import pytest
from conftest import logged_session

from simulator.command import cli
from simulator.core.errors import UserError
from simulator.record import daily
from simulator.record import session as sessions


@pytest.fixture
def answer(tmp_path):
    path = tmp_path / "answer.txt"
    path.write_text("I would tell the stakeholders early and cut the scope to what matters.")
    return path


def test_two_dailies_at_once_start_one_session(home, answer, capsys, monkeypatch):
    inside = threading.Event()
    release = threading.Event()
    started: list[str] = []

    def interview(args, console, questions, *rest, **kwargs):
        # The first run's session exists only once its interview has begun: the window in
        # which a second run used to find nothing done today.
        started.append(questions[0].id)
        inside.set()
        release.wait(10)
        logged_session(home, questions[0].id, mode=daily.MODE, started=date.today())
        return 0

    monkeypatch.setattr(cli, "run_interview", interview)
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # one main() runs in a thread
    argv = ["daily", "--answers", str(answer), "--interviewer", "rubric"]
    first: list[int] = []
    thread = threading.Thread(target=lambda: first.append(cli.main(argv)))
    thread.start()
    try:
        assert inside.wait(10)
        second = cli.main(argv)
    finally:
        release.set()
        thread.join(10)
    assert first == [0] and second == 1
    assert len(started) == 1
    err = capsys.readouterr().err
    assert "a daily question is being answered already" in err and err.count("\n") == 1
    # Once the first is over, the usual check says it is done.
    assert cli.main(argv) == 1
    assert "today's question is done" in capsys.readouterr().err
    assert len(sessions.list_sessions(home)) == 1


def test_the_lock_goes_with_the_run_that_held_it(home):
    held = daily.one_at_a_time(home)
    held.__enter__()
    with pytest.raises(UserError, match="answered already"), daily.one_at_a_time(home):
        pass
    held.__exit__(None, None, None)
    with daily.one_at_a_time(home):  # released however the first ended
        pass


def test_a_link_at_the_lock_name_is_not_followed(home, tmp_path):
    home.mkdir(parents=True)
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    (home / daily.LOCK_NAME).symlink_to(outside)
    with pytest.raises(UserError, match="cannot start the daily question"), \
            daily.one_at_a_time(home):
        pass
    assert outside.read_text() == "precious"
