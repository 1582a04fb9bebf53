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
    assert len(bank.questions) == 11
    assert bank.categories() == ["sprint", "launch", "cross-functional", "ambiguity"]
    for q in bank.questions:
        assert 3 <= len(q.rubric) <= 6
        assert q.target_seconds > 0 and q.model_answer and q.text.endswith(("?", "."))
        for p in q.rubric:
            assert p.action and p.probe.endswith("?") and p.weight > 0


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
        ("schema = 2\n" + bank_text().replace('cues = ["thing 0"]', 'action = ["@tell"]'),
         "unknown term list '@tell'"),
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
    assert len(load_bank([tmp_path / "mine.toml"]).questions) == 12


def test_user_bank_cannot_reuse_a_seed_id(tmp_path):
    (tmp_path / "clash.toml").write_text(bank_text("user-story"))
    with pytest.raises(BankError, match="duplicate question id 'user-story'"):
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
    assert out[-1]["id"] == "mine-one" and len(out) == 12
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
