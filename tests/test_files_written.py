"""Files the program writes and reads do not reach outside what they should (issue 21, items 2,
3 and 9): every save goes through one atomic writer that never follows a link, and the config
is read only as a regular file."""

from __future__ import annotations

import os
import signal
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from openai_server import FakeOpenAI
from test_job_description import JD, job_model

from simulator.command.cli import main
from simulator.command.config import read_config
from simulator.command.job import save_bank
from simulator.core.atomic_file import write_atomic
from simulator.core.errors import UserError
from simulator.interviewers.generate import GeneratedBank
from simulator.interviewers.structured import ServerMemory


def planted(folder: Path, name: str, outside: Path) -> Path:
    """A symbolic link at `folder/name` to a file outside, as an attacker would leave it."""
    outside.write_text("precious")
    link = folder / name
    link.symlink_to(outside)
    return link


def only_regular_files(folder: Path, *planted: Path) -> None:
    """What the folder holds after a save: regular files and, untouched, what was planted."""
    for entry in folder.iterdir():
        if entry in planted:
            continue
        assert stat.S_ISREG(entry.lstat().st_mode), entry
        assert not entry.name.endswith((".part", ".tmp")), entry  # nothing left behind


BANK_TEXT = 'id = "jd-senior-pm-20260302"\n# the rest of a bank\n'


def a_bank() -> GeneratedBank:
    return GeneratedBank("jd-senior-pm-20260302", "Senior PM", BANK_TEXT, [], False)


def finishes(work: Callable[[], object], unblock: Path | None = None, seconds: float = 10.0):
    """`work()`'s result or exception, failing the test if it has not returned in `seconds`
    (the pipe `unblock` is then opened for writing, so the thread is not left waiting)."""
    result: list = []

    def run() -> None:
        try:
            result.append(("value", work()))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            result.append(("error", exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if unblock is not None:
            os.close(os.open(unblock, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail(f"still waiting after {seconds:g} s")
    kind, value = result[0]
    if kind == "error":
        raise value
    return value


# --- the writer -------------------------------------------------------------------------------


@pytest.mark.parametrize("old_name", [".jd-senior-pm-20260302.toml.tmp", "servers.tmp",
                                      ".servers.json.tmp", "jd-senior-pm-20260302.toml.tmp"])
def test_a_link_at_an_old_temporary_name_is_not_written_through(tmp_path, old_name):
    folder, outside = tmp_path / "banks", tmp_path / "outside.txt"
    folder.mkdir()
    link = planted(folder, old_name, outside)
    path = save_bank(folder, a_bank())
    assert outside.read_text() == "precious"
    assert stat.S_ISREG(path.lstat().st_mode) and not path.is_symlink()
    assert path.read_text() == BANK_TEXT
    only_regular_files(folder, link)


def test_servers_json_is_written_beside_a_planted_link_not_through_it(tmp_path):
    outside = tmp_path / "outside.txt"
    link = planted(tmp_path, "servers.tmp", outside)
    ServerMemory(tmp_path / "servers.json").set("http://x/v1", "json_object")
    assert outside.read_text() == "precious"
    saved = tmp_path / "servers.json"
    assert stat.S_ISREG(saved.lstat().st_mode)
    assert ServerMemory(saved).get("http://x/v1") == "json_object"
    only_regular_files(tmp_path, link, outside)


def test_a_link_at_the_target_is_replaced_not_followed(tmp_path):
    # What a bank's own name may hold: the saved file becomes ours, the one outside stays.
    outside = tmp_path / "outside.txt"
    target = planted(tmp_path, "bank.toml", outside)
    write_atomic(target, "new")
    assert outside.read_text() == "precious"
    assert not target.is_symlink() and target.read_text() == "new"


def test_every_temporary_name_is_fresh_and_exclusive(tmp_path, monkeypatch):
    import secrets

    # Whatever name comes up, an existing entry (a link here) is never opened: the next one
    # is tried.
    names = iter(["aaaaaaaaaaaa", "aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr(secrets, "token_hex", lambda n: next(names))
    outside = tmp_path / "outside.txt"
    link = planted(tmp_path, ".out.txt.aaaaaaaaaaaa.part", outside)
    write_atomic(tmp_path / "out.txt", b"data")
    assert outside.read_text() == "precious" and (tmp_path / "out.txt").read_bytes() == b"data"
    only_regular_files(tmp_path, link, outside)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "bank.toml"
    target.write_text("old")
    target.chmod(0o600)

    def full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old" and sorted(tmp_path.iterdir()) == [target]
    write_atomic(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # a private file stays private


def test_saves_at_once_never_mix(tmp_path):
    target = tmp_path / "servers.json"
    errors: list[BaseException] = []

    def save(n: int) -> None:
        try:
            for _ in range(20):
                write_atomic(target, str(n) * 5000)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    text = target.read_text()
    assert len(text) == 5000 and len(set(text)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["servers.json"]


# --- config.toml ------------------------------------------------------------------------------


def test_a_config_that_is_a_named_pipe_is_refused_at_once(tmp_path):
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="not a regular file"):
        finishes(lambda: read_config(fifo), unblock=fifo)  # it waited for a writer for ever


@pytest.mark.parametrize("make", ["folder", "link to a pipe", "dangling link"])
def test_a_config_that_is_not_a_regular_file_is_a_clear_error(tmp_path, make):
    path = tmp_path / "config.toml"
    if make == "folder":
        path.mkdir()
        match = "not a regular file"
    elif make == "link to a pipe":
        os.mkfifo(tmp_path / "pipe")
        path.symlink_to(tmp_path / "pipe")
        match = "not a regular file"
    else:
        path.symlink_to(tmp_path / "nowhere")
        match = "no such config file"
    with pytest.raises(UserError, match=match):
        finishes(lambda: read_config(path), unblock=tmp_path / "pipe")


@pytest.mark.parametrize("command", ["grade", "practice"])
def test_a_config_fifo_does_not_hang_a_command_that_may_use_an_llm(home, tmp_path, capsys,
                                                                   monkeypatch, command):
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # main() runs in a thread here
    home.mkdir(parents=True)
    os.mkfifo(home / "config.toml")
    answer = tmp_path / "a.txt"
    answer.write_text("I'd tell the sales VP the new date.")
    argv = (["grade", "--question", "sprint-half-capacity", str(answer)] if command == "grade"
            else ["practice", "--job-description", str(answer), "--answers", str(answer)])
    assert finishes(lambda: main(argv), unblock=home / "config.toml") == 1
    err = capsys.readouterr().err
    assert "config.toml: not a regular file" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_regular_config_is_read_as_before(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[openai]\nmodel = "llama3.2"\ndeadline = 10\n')
    assert read_config(path) == {"model": "llama3.2", "deadline": 10}


# --- the banks folder -------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["file", "dangling link"])
def test_a_banks_file_is_a_clear_error_before_the_model_is_asked(home, tmp_path, capsys,
                                                                 monkeypatch, what):
    home.mkdir(parents=True)
    if what == "file":
        (home / "banks").write_text("not a folder")
    else:
        (home / "banks").symlink_to(tmp_path / "nowhere")
    jd = tmp_path / "jd.txt"
    jd.write_text(JD)
    with FakeOpenAI(responder=job_model) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        code = main(["practice", "--job-description", str(jd), "--answers", str(jd),
                     "--interviewer", "openai"])
        asked = fake.chat_requests()
    err = capsys.readouterr().err
    assert code == 1, err
    assert "banks: not a folder" in err and "File exists" not in err
    assert asked == []  # refused before any request was made
    assert not (tmp_path / "nowhere").exists()


# --- text files the candidate names -----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_answer_is_read_or_told_for_what_it_is(home, tmp_path, encoding):
    from simulator.live.answers import answer_text

    path = tmp_path / "answer.txt"
    text = "I'd tell the sales VP the new date that afternoon."
    path.write_bytes(text.encode(encoding))
    if encoding == "utf-16":  # with its byte order mark, as Notepad saves "Unicode"
        assert answer_text(path) == text
        return
    with pytest.raises(UserError, match="looks like UTF-16 text") as caught:
        answer_text(path)
    assert "save it as a .txt file" not in str(caught.value)


def test_a_utf16_answer_file_is_graded(home, tmp_path, capsys):
    path = tmp_path / "answer.txt"
    path.write_bytes("I'd tell the sales VP the new date that afternoon.".encode("utf-16"))
    assert main(["grade", "--question", "sprint-half-capacity", "--interviewer", "rubric",
                 "--json", str(path)]) == 0
    assert "sales VP" in capsys.readouterr().out
