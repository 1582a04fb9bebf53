"""The built wheel carries the question banks and prompts, and works installed non-editable."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from simulator.core.questions import load_bank

ROOT = Path(__file__).parent.parent


@pytest.mark.slow
def test_wheel_holds_data_and_runs_when_installed(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(ROOT)],
        check=True, capture_output=True,
    )
    wheel = next(dist.glob("mock_interview-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "questions/pm_execution.toml" in names and "questions/pm_behavioural.toml" in names
    assert "questions/samples/pm_execution_demo.toml" in names
    for name in ("persona.txt", "follow_up.txt", "critique.txt", "critique.schema.json"):
        assert f"prompts/{name}" in names
    assert "simulator/reports/templates/report.html.j2" in names  # the HTML report's layout
    assert not any(n.startswith("tests/") for n in names)

    # Installed into a folder of its own (dependencies come from this environment), and run
    # from elsewhere, so nothing can be found through the source checkout.
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "MOCK_INTERVIEW_HOME": str(tmp_path)}
    code = ("import json, simulator.command.cli, questions, simulator.interviewers.prompting as p; "
            "print(json.dumps(questions.__file__)); assert p.load_prompts().schema('critique'); "
            "simulator.command.cli.main(['questions', '--json'])")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True).stdout
    first, rest = out.split("\n", 1)
    assert json.loads(first).startswith(str(target))
    listed = json.loads(rest)
    assert len(listed) == len(load_bank().questions)  # every bundled bank is in the wheel
    assert {q["bank"] for q in listed} == {"pm-execution", "pm-behavioural"}
