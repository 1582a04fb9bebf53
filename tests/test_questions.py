import json

import pytest

from simulator.core.errors import UserError
from simulator.core.questions import BankError, load_bank, parse_bank

GOOD_POINT = """
  [[questions.rubric]]
  id = "p{n}"
  strong = "Does thing {n}."
  cues = ["thing {n}"]
  probe = "What about thing {n}?"
"""


def bank_text(qid: str = "my-question", points: int = 3, **overrides: str) -> str:
    fields = {"id": f'"{qid}"', "category": '"custom"', "text": '"Why?"',
              "target_seconds": "60", "model_answer": '"Because."', **overrides}
    head = "[[questions]]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items() if v)
    return head + "".join(GOOD_POINT.format(n=i) for i in range(points))


def test_seed_bank_has_every_question_in_its_four_categories():
    bank = load_bank()
    execution = bank.select()  # the default bank
    assert len(execution) == 11 and {q.bank for q in execution} == {"pm-execution"}
    assert list(dict.fromkeys(q.category for q in execution)) == [
        "sprint", "launch", "cross-functional", "ambiguity"]
    for q in bank.questions:
        assert 3 <= len(q.rubric) <= 6
        assert q.target_seconds > 0 and q.model_answer and q.text.endswith(("?", "."))
        for p in q.rubric:
            assert p.action and p.probe.endswith("?") and p.weight > 0


def test_the_behavioural_bank_asks_for_stories_and_is_chosen_by_name():
    bank = load_bank(["behavioural"])
    stories = bank.select()
    assert len(stories) >= 10 and {q.bank for q in stories} == {"pm-behavioural"}
    assert {q.kind for q in stories} == {"story"}
    assert [q.id for q in load_bank(["behavioral"]).select()] == [q.id for q in stories]
    # A category is looked for in every bank; nothing chooses: the execution bank.
    category = stories[0].category
    assert {q.bank for q in load_bank().select(category=category)} == {"pm-behavioural"}
    assert {q.kind for q in load_bank().select()} == {"approach"}
    with pytest.raises(BankError, match="no question bank called 'behaviourl'"):
        load_bank(["behaviourl"])


def test_a_bank_kind_must_be_known(tmp_path):
    (tmp_path / "odd.toml").write_text('kind = "essay"\n' + bank_text("odd-one"))
    with pytest.raises(BankError, match="key 'kind' must be one of approach, story"):
        load_bank([tmp_path / "odd.toml"])


def test_a_saved_bank_that_is_broken_is_left_out_with_a_warning(tmp_path):
    (tmp_path / "good.toml").write_text(bank_text("saved-one"))
    (tmp_path / "bad.toml").write_text("not toml [")
    bank = load_bank(user_dir=tmp_path)
    assert bank.get("saved-one") and len(bank.warnings) == 1 and "bad.toml" in bank.warnings[0]


def test_select_by_category_count_and_ids():
    bank = load_bank()
    assert {q.category for q in bank.select(category="launch")} == {"launch"}
    assert len(bank.select(count=2)) == 2
    assert [q.id for q in bank.select(["user-story", "slow-dependency"])] == [
        "user-story", "slow-dependency"]
    with pytest.raises(UserError, match="unknown question id 'no-such-question'"):
        bank.select(["no-such-question"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[questions]\nid = 1", r"bank.toml: not valid TOML: .*line 1"),
        ("", "no questions"),
        ("schema = 3\n" + bank_text(), "schema"),
        ("schema = 1\n" + bank_text().replace('cues = ["thing 0"]', 'action = ["do"]'),
         r"rubric\[0\].*missing key 'cues'"),
        ("schema = 2\n" + bank_text().replace('cues = ["thing 0"]', 'concepts = {x = ["y"]}'),
         r"rubric\[0\].*missing key 'action'"),
        ("schema = 2\n" + bank_text().replace('cues = ["thing 0"]', 'action = []'),
         "'action' must be a non-empty list"),
        ("schema = 2\n" + bank_text().replace('cues = ["thing 0"]', 'action = ["@no-such"]'),
         "unknown term list '@no-such'"),
        ("schema = 2\n" + bank_text().replace(
            'cues = ["thing 0"]', 'action = ["do"]\nconcepts = {Who = ["x"]}'), "concept name"),
        ("schema = 2\n" + bank_text().replace(
            'cues = ["thing 0"]', 'action = ["do"]\nconcepts = {who = "x"}'),
         "'concepts.who' must be a non-empty list"),
        (bank_text(text=""), "missing key 'text'"),
        (bank_text(target_seconds='"soon"'), "'target_seconds' must be a int"),
        (bank_text(qid="Not A Slug"), "lowercase slug"),
        (bank_text(points=2), "3 to 6 rubric points"),
        (bank_text(points=7), "3 to 6 rubric points"),
        (bank_text() + bank_text(), "duplicate question id 'my-question'"),
        (bank_text().replace('cues = ["thing 0"]', "cues = []"), "'cues' must be a non-empty"),
        (bank_text().replace('probe = "What about thing 1?"\n', ""), r"rubric\[1\].*'probe'"),
    ],
)
def test_malformed_banks_are_rejected_with_file_key_and_reason(text, expected):
    with pytest.raises(BankError, match=expected):
        parse_bank(text, "bank.toml")


def test_user_bank_file_and_folder_add_questions(tmp_path):
    (tmp_path / "mine.toml").write_text(bank_text("mine-one"))
    (tmp_path / "more.toml").write_text(bank_text("mine-two"))
    assert load_bank([tmp_path]).get("mine-two").category == "custom"
    mine = load_bank([tmp_path / "mine.toml"])
    assert len(mine.questions) == len(load_bank().questions) + 1
    assert [q.id for q in mine.select()] == ["mine-one"]  # the bank --bank names


def test_user_bank_cannot_reuse_a_seed_id(tmp_path):
    (tmp_path / "clash.toml").write_text(bank_text("user-story"))
    with pytest.raises(BankError, match="question id 'user-story' is already in another bank"):
        load_bank([tmp_path / "clash.toml"])


def test_huge_bank_is_refused(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * 3_000_000)
    with pytest.raises(BankError, match="too large"):
        load_bank([big])


def test_questions_command_lists_the_bank_as_json(cli, tmp_path):
    (tmp_path / "mine.toml").write_text(bank_text("mine-one"))
    out = json.loads(cli("questions", "--json", "--bank", tmp_path).stdout)
    assert {"id", "category", "text"} <= set(out[0])
    assert [q["id"] for q in out] == ["mine-one"]  # only the bank --bank names
    table = cli("questions").stdout
    assert "sprint-half-capacity" in table


def test_bad_bank_on_the_command_line_is_one_line_and_non_zero(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(bank_text(text=""))
    result = cli("questions", "--bank", bad, check=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(bad) in result.stderr and "missing key 'text'" in result.stderr


def test_schema_2_points_grade_by_action_and_concepts_with_shared_terms():
    text = ("schema = 2\n[terms]\ntell = [\"tell\", \"let know\"]\n" + bank_text().replace(
        'cues = ["thing 0"]',
        'action = ["@tell", "email"]\ncontrary = ["keep it quiet"]\n'
        'concepts = {who = ["sales"], when = ["today"]}'))
    point = parse_bank(text, "bank.toml")[0].rubric[0]
    assert point.action == ("tell", "let know", "email") and point.cues == ()
    assert point.concepts == (("who", ("sales",)), ("when", ("today",)))
    assert point.contrary == ("keep it quiet",)
    # The other points keep their schema 1 cues: both kinds live in one bank.
    assert parse_bank(text, "bank.toml")[0].rubric[1].cues == ("thing 1",)


def test_a_saved_bank_cannot_take_a_bundled_id_or_stop_other_commands(tmp_path):
    (tmp_path / "clash.toml").write_text(bank_text("user-story"))
    (tmp_path / "takes-the-id.toml").write_text('id = "pm-execution"\n' + bank_text("extra-one"))
    bank = load_bank(user_dir=tmp_path)
    assert len(bank.warnings) == 2 and "extra-one" not in {q.id for q in bank.questions}
    assert len(bank.select()) == 11


def test_bank_ids_from_file_names_and_banks_given_by_name_or_path(tmp_path, monkeypatch):
    (tmp_path / "My Questions.toml").write_text(bank_text("mine-one"))
    assert load_bank([tmp_path / "My Questions.toml"]).get("mine-one").bank == "my-questions"
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "jd-x.toml").write_text('id = "jd-x"\n' + bank_text("jd-one"))
    by_path = load_bank([saved / "jd-x.toml"], user_dir=saved)  # loaded once, and chosen
    assert [q.id for q in by_path.select()] == ["jd-one"]
    assert [q.id for q in load_bank(["jd-x"], user_dir=saved).select()] == ["jd-one"]
    # A folder named like a bank does not hide the bank.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "behavioural").mkdir()
    assert load_bank(["behavioural"]).default == ("pm-behavioural",)
    # With --bank, a category is looked for in the banks it names.
    with pytest.raises(UserError, match="no questions in category 'launch'"):
        load_bank(["behavioural"]).select(category="launch")
