import json

import pytest

from simulator.core.critique import Critique
from simulator.core.errors import UserError
from simulator.record import session as sessions


def make_session(home):
    s = sessions.Session.create(home)
    s.log("session_started", question_ids=["user-story"])
    s.log("interviewer_said", kind="question", text="Hi?", question_id="user-story", turn=0)
    return s


def test_events_are_on_disk_as_soon_as_they_are_logged(home):
    s = make_session(home)
    lines = (s.path / "events.jsonl").read_text().splitlines()  # read before close
    assert [json.loads(x)["type"] for x in lines] == ["session_started", "interviewer_said"]
    assert [json.loads(x)["seq"] for x in lines] == [1, 2]
    assert all(json.loads(x)["v"] == sessions.LOG_SCHEMA for x in lines)
    record = sessions.load(s.path)
    assert record.status == "interrupted" and record.score is None
    s.log("critique", critique=Critique("rubric", 70, []).to_dict())
    s.log("session_finished", overall_score=70)
    s.close()
    record = sessions.load(s.path)
    assert record.status == "finished" and record.score == 70


def test_a_torn_last_line_is_skipped_with_a_warning(home):
    s = make_session(home)
    s.close()
    with open(s.path / "events.jsonl", "a") as f:
        f.write('{"v": 1, "seq": 3, "type": "answer_rec')
    record = sessions.load(s.path)
    assert len(record.events) == 2 and "torn" in record.warnings[0]


def test_corruption_in_the_middle_and_non_sessions_are_refused(home, tmp_path):
    s = make_session(home)
    s.close()
    log = s.path / "events.jsonl"
    lines = log.read_text().splitlines()
    log.write_text("\n".join([lines[0], "garbage", lines[1]]) + "\n")
    with pytest.raises(UserError, match="line 2 is corrupt"):
        sessions.load(s.path)
    with pytest.raises(UserError, match="not a session"):
        sessions.load(tmp_path)


def test_sessions_resolve_by_id_or_path_but_not_outside_the_data_folder(home, tmp_path):
    s = make_session(home)
    assert sessions.resolve(s.id) == s.path
    assert sessions.resolve(str(s.path)) == s.path
    (tmp_path / "outside").mkdir()
    for bad in ("../outside", "..", "/etc", "nope"):
        with pytest.raises(UserError, match="no session"):
            sessions.resolve(bad)


def test_list_skips_broken_folders(home, capsys):
    good = make_session(home)
    (sessions.sessions_dir(home) / "junk").mkdir()
    assert [r.id for r in sessions.list_sessions(home)] == [good.id]
    assert "not a session" in capsys.readouterr().err
