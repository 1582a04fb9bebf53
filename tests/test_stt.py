import json
import sys

import numpy as np
import pytest

from audio.pcm import Audio, read_audio


def test_transcribes_synthesized_speech_with_word_timestamps(speech, transcriber):
    path = speech("We rolled out to ten percent of users and watched the error rate.", pad=0.5)
    t = transcriber.transcribe(read_audio(path))
    text = t.text.lower()
    for word in ("roll", "users", "error"):
        assert word in text
    assert len(t.words) >= 8
    starts = [w.start for w in t.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= t.duration + 0.1 for w in t.words)
    assert t.words[-1].end > 3.0  # timestamps span the speech, not just the first word


def test_filler_words_survive(speech, transcriber):
    path = speech("Well, uh, the launch was, um, delayed by two weeks because, um, "
                  "the payment service failed.")
    words = [w.word.lower().strip(",.") for w in transcriber.transcribe(read_audio(path)).words]
    assert {"um", "uh"} & set(words), words


def test_silence_and_noise_give_no_invented_text(transcriber):
    assert transcriber.transcribe(Audio.silence(5.0)).text == ""
    rng = np.random.default_rng(0)
    hiss = Audio((rng.standard_normal(16000 * 4) * 0.003).astype(np.float32), 16000)
    assert transcriber.transcribe(hiss).text == ""


@pytest.mark.slow
def test_transcribe_command_prints_text_and_words(cli, speech):
    path = speech("Acceptance criteria should be testable.")
    plain = cli("transcribe", path).stdout
    assert "criteria" in plain.lower()
    data = json.loads(cli("transcribe", path, "--json").stdout)
    assert "testable" in data["text"].lower()
    assert {"word", "start", "end"} <= set(data["words"][0])


def test_transcribe_reads_flac(cli, tmp_path, speech):
    import av  # comes with faster-whisper

    wav = speech("We ship the first version, then iterate on feedback.")
    flac = tmp_path / "answer.flac"
    with av.open(str(wav)) as src, av.open(str(flac), "w") as dst:
        out = dst.add_stream("flac", rate=src.streams.audio[0].rate)
        for frame in src.decode(audio=0):
            for packet in out.encode(frame):
                dst.mux(packet)
        for packet in out.encode(None):
            dst.mux(packet)
    assert "feedback" in cli("transcribe", flac).stdout.lower()


@pytest.mark.slow
def test_a_long_answer_is_transcribed_to_its_end(voice, transcriber, answers):
    # Two answers back to back, about a minute: longer than one Whisper window, with pauses.
    texts = [answers["user-story"]["strong"], answers["launch-end-to-end"]["strong"]]
    audio = Audio(np.concatenate([voice.synthesize(t).samples for t in texts]),
                  voice.synthesize("a").rate)
    t = transcriber.transcribe(audio)
    text = t.text.lower()
    # Markers from the start to the end. tiny.en mishears the odd word of espeak's speech, but
    # a dropped stretch of audio would take several markers with it.
    markers = ("persona", "invoices", "testable", "support", "dashboard", "stabiliz")
    missing = [m for m in markers if m not in text]
    assert len(missing) <= 1, (missing, text)
    assert t.words[-1].end > audio.duration - 3


def test_coverage_notices_speech_without_words():
    from audio.stt import Word, coverage
    from audio.vad import Span

    spans = [Span(0.0, 10.0)]
    steady = [Word("w", t / 2, t / 2 + 0.4) for t in range(20)]  # a word every half second
    assert coverage(spans, steady) == 1.0
    assert coverage(spans, steady[:6]) < 0.5  # the last seven seconds went untranscribed
    # A word stretched over a gap does not hide it.
    assert coverage(spans, [*steady[:6], Word("w", 3.0, 9.9)]) < 0.6
    assert coverage(spans, []) == 0.0
    assert coverage([], []) == 1.0


def test_vad_finds_speech_between_silences(speech):
    from audio.vad import group_spans, speech_spans

    audio = read_audio(speech("First part.", pad=2.0))
    spans = speech_spans(audio)
    assert len(spans) == 1 and 1.5 < spans[0].start < 2.3 and spans[0].end < audio.duration - 1.5
    assert speech_spans(Audio.silence(3.0)) == []
    from audio.vad import Span

    assert group_spans([Span(0, 5), Span(6, 12), Span(13, 30)], 15) == [Span(0, 12), Span(13, 30)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux's")
def test_big_whisper_buffers_go_back_to_the_system_on_linux():
    from audio.stt import return_big_buffers

    assert return_big_buffers()
