"""The HTML report in a real headless Chromium (Debian's, driven through chromedriver)."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest
from conftest import mock_interview

from audio.stt import Transcript, Word
from simulator.record import session as sessions

XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        if os.environ.get("MOCK_INTERVIEW_REQUIRE_DEVICES"):
            pytest.fail("chromium and chromedriver are required here")
        pytest.skip("no chromium / chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(driver), options=options)
    yield drv
    drv.quit()


def open_report(browser, path):
    browser.get(path.as_uri())
    browser.get_log("browser")  # start each page with an empty log


@pytest.mark.slow
def test_the_demo_report_loads_plays_and_seeks(browser, demo, tmp_path):
    assert demo.result.returncode == 0, demo.result.stderr
    sid = json.loads(mock_interview(demo.home, "sessions", "--json").stdout)[0]["id"]
    report = tmp_path / "report.html"
    mock_interview(demo.home, "export", sid, "--format", "html", "-o", report)
    size = report.stat().st_size
    print(f"demo HTML report: {size / 1024:.0f} KiB")
    assert size < 2_000_000

    browser.get(report.as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []

    duration = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const p = document.getElementById('player');
        const ready = () => done(p.duration);
        if (p.readyState >= 1) ready(); else p.addEventListener('loadedmetadata', ready);""")
    assert duration > 60  # the whole interview is in the one file

    # Opening the audio output takes a moment, so wait for the clock to move (up to 8 s).
    played = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const p = document.getElementById('player');
        const started = Date.now();
        const check = () => (p.currentTime > 0.5 || Date.now() - started > 8000)
            ? done([p.currentTime, p.paused]) : setTimeout(check, 100);
        p.play().then(check).catch(e => done(['error', String(e)]));""")
    assert played[0] != "error", played
    assert played[0] > 0.5 and played[1] is False

    evidence = browser.find_elements("css selector", "td .seek")
    assert evidence, "no clickable evidence in the rubric tables"
    target = evidence[-1]
    want = float(target.get_attribute("data-t"))
    # Centre it: at the top of the page the sticky player would take the click.
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
    target.click()
    time.sleep(0.3)
    at = browser.execute_script("return document.getElementById('player').currentTime")
    assert abs(at - want) < 1.0 and want > 5
    specificity = browser.find_elements("css selector", "p.specific, p.vague")
    assert specificity and "concrete detail" in specificity[0].text
    fillers = browser.find_elements("xpath", "//h3[.='Fillers and long pauses']")
    assert fillers and browser.find_elements("css selector", "svg circle.seek")
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_every_text_is_escaped(browser, home, tmp_path, voice):
    s = sessions.Session.create(home)
    s.log("session_started", question_ids=["user-story"],
          questions=[{"id": "user-story", "target_seconds": 90}])
    said = voice.synthesize("Tell me.")
    s.save_audio("q01-t0-interviewer.wav", said)
    s.log("interviewer_said", kind="question", text=f"Tell me {XSS}",
          audio="q01-t0-interviewer.wav", duration=said.duration, question_id="user-story",
          turn=0)
    answer = voice.synthesize("Script alert one.")
    s.save_audio("q01-t0-candidate.wav", answer)
    s.log("answer_recorded", audio="q01-t0-candidate.wav", duration=answer.duration,
          question_id="user-story", turn=0)
    words = [Word(w, 0.2 + i * 0.3, 0.4 + i * 0.3) for i, w in enumerate(XSS.split("(") +
                                                                        ["done"])]
    s.log("answer_transcribed", transcript=Transcript(f"I said {XSS}", words).to_dict(),
          question_id="user-story", turn=0)
    point = {"id": "p", "strong": f"Strong {XSS}", "status": "covered", "evidence": XSS,
             "weight": 1.0}
    question = {"question_id": "user-story", "category": "c", "question": f"Q {XSS}",
                "score": 50, "points": [point], "strengths": [XSS], "to_add": [XSS],
                "model_answer": XSS, "better_answer": XSS, "notes": [XSS]}
    s.log("critique", critique={"interviewer": "rubric", "overall_score": 50,
                                "questions": [question], "strengths": [XSS], "to_add": [XSS],
                                "practice_next": [XSS], "notes": []})
    s.log("session_finished", overall_score=50)
    s.close()
    from simulator.reports.html import to_html
    from simulator.reports.model import report as report_of

    report = tmp_path / "xss.html"
    report.write_text(to_html(report_of(sessions.load(s.path))))
    open_report(browser, report)
    assert browser.execute_script("return document.querySelectorAll('script').length") == 1
    text = browser.find_element("tag name", "body").text
    assert text.count(XSS) >= 8  # shown as text, everywhere it was used
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - raises if no alert opened
