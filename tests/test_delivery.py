"""Delivery metrics from word timestamps, captions, and replay."""

from __future__ import annotations

import json
import re

import pytest

from audio.stt import Transcript, Word
from simulator.language.delivery import measure, summary_lines

# Each line's fillers are known: (text, fillers in it).
FILLER_SCRIPT = [
    ("So, um, I would start with the users.", 1),
    ("Uh, the launch slipped by a week.", 1),
    ("We, um, talked to the design lead, and, uh, agreed a plan.", 2),
    ("I would write the acceptance criteria first.", 0),
    ("It was, like, a really hard quarter, you know.", 2),
    ("Basically, we shipped the smaller version.", 1),
    ("Um, then we watched the error rate.", 1),
    ("The team met every week to check progress.", 0),
]


def words_of(text: str, start: float = 0.0, step: float = 0.3) -> list[Word]:
    return [Word(w, start + i * step, start + i * step + 0.25)
            for i, w in enumerate(text.split())]


def test_fillers_pauses_hedges_and_ownership_from_timestamps():
    words = words_of("So, um, I think we should, like, ship it. I guess we'll iterate.")
    words += [Word("Then", 30.0, 30.3), Word("we", 30.4, 30.6), Word("measured.", 30.7, 31.0)]
    d = measure([Transcript("", words)], target_seconds=60)
    assert [f.text for f in d.fillers] == ["um", "like"]
    assert d.fillers[0].start == words[1].start
    assert [h.text for h in d.hedges] == ["i think", "i guess"]
    assert len(d.pauses) == 1 and d.pauses[0].start == words[12].end
    assert (d.i_count, d.we_count) == (2, 3)
    assert d.length_ratio == round(d.speaking_seconds / 60, 2)
    assert d.wpm > 0 and d.pace


def test_like_as_a_verb_is_not_a_filler():
    d = measure([Transcript("", words_of("I would like to ship what users like most."))])
    assert d.fillers == []


def test_observations_are_numbers_not_judgements():
    d = measure([Transcript("", words_of("Um, we shipped it, you know, on time."))])
    lines = " ".join(summary_lines(d))
    assert re.search(r"\d+ words per minute", lines) and "Fillers: 2" in lines
    for judgement in ("confident", "nervous", "anxious", "shy", "personality"):
        assert judgement not in lines.lower()


@pytest.mark.slow
def test_filler_count_on_speech_with_known_fillers(voice, transcriber):
    import numpy as np

    from audio.pcm import Audio

    parts = [voice.synthesize(text).resampled(16000).samples for text, _ in FILLER_SCRIPT]
    gap = np.zeros(8000, dtype=np.float32)
    audio = Audio(np.concatenate([x for p in parts for x in (p, gap)]), 16000)
    t = transcriber.transcribe(audio)
    expected = sum(n for _, n in FILLER_SCRIPT)
    counted = len(measure([t]).fillers)
    print(f"filler count: {counted} of {expected} ({t.text!r})")
    assert abs(counted - expected) <= expected * 0.35, (counted, expected, t.text)


@pytest.mark.slow
def test_captions_parse_and_run_forwards(cli, home, tmp_path, answers):
    answer = tmp_path / "a.txt"
    answer.write_text(answers["user-story"]["strong"])
    cli("practice", "--question", "user-story", "--answers", answer, answer)
    sid = json.loads(cli("sessions", "--json").stdout)[0]["id"]

    srt = cli("export", sid, "--format", "srt").stdout
    blocks = [b for b in srt.strip().split("\n\n") if b]
    stamp = r"(\d\d):(\d\d):(\d\d)[,.](\d\d\d)"

    def seconds(m: tuple) -> float:
        h, mi, s, ms = map(int, m)
        return h * 3600 + mi * 60 + s + ms / 1000

    last = -1.0
    speakers = set()
    for n, block in enumerate(blocks, 1):
        number, times, text = block.split("\n", 2)
        assert int(number) == n
        a, b = re.fullmatch(stamp + " --> " + stamp, times).groups()[:4], \
            re.fullmatch(stamp + " --> " + stamp, times).groups()[4:]
        assert last <= seconds(a) < seconds(b)
        last = seconds(b)
        speakers.add(text.split(":")[0])
    assert speakers == {"Interviewer", "Candidate", "Delivery"}
    assert "words per minute" in blocks[-1]

    vtt = cli("export", sid, "--format", "vtt").stdout
    assert vtt.startswith("WEBVTT\n\n")
    cues = re.findall(stamp + " --> " + stamp + r"\n<v (Interviewer|Candidate|Delivery)>", vtt)
    assert len(cues) == len(blocks)
    starts = [seconds(c[:4]) for c in cues]
    assert starts == sorted(starts)


@pytest.mark.slow
def test_metrics_appear_in_every_format(cli, home, tmp_path):
    answer = tmp_path / "a.txt"
    answer.write_text("Um, I think we would, you know, stage the rollout and watch metrics.")
    out = cli("practice", "--question", "launch-end-to-end", "--answers", answer,
              "--max-follow-ups", "0").stdout
    assert "Delivery" in out and "words per minute" in out
    sid = json.loads(cli("sessions", "--json").stdout)[0]["id"]
    doc = json.loads(cli("export", sid, "--format", "json").stdout)
    assert doc["delivery"]["session"]["words"] > 5
    assert doc["delivery"]["questions"]["launch-end-to-end"]["target_seconds"] == 150
    answered = [t for t in doc["turns"] if t["answer"]]
    assert answered[0]["delivery"]["wpm"] > 0
    md = cli("export", sid, "--format", "md").stdout
    assert "## Delivery" in md and "words per minute" in md


@pytest.mark.slow
def test_replay_without_audio_prints_the_interview_with_times(cli, home, tmp_path):
    answer = tmp_path / "a.txt"
    answer.write_text("We agreed an API contract with them.")
    cli("practice", "--question", "slow-dependency", "--answers", answer,
        "--max-follow-ups", "0")
    sid = json.loads(cli("sessions", "--json").stdout)[0]["id"]
    out = cli("replay", sid, "--no-audio").stdout
    lines = out.strip().splitlines()
    assert lines[0].startswith("00:00 Interviewer: Hi, thanks")
    assert any(re.match(r"\d\d:\d\d Candidate: .*contract", x, re.I) for x in lines)
    stamps = [x[:5] for x in lines]
    assert stamps == sorted(stamps)
