import json
import wave

import numpy as np
import pytest

from formcheck.audio import RATE, TONES, Coach, CuePlanner, Speech, WavRecorder
from formcheck.feedback import Event


def say_ms(text):
    return 1500.0  # every utterance lasts 1.5 s here


def test_a_persisting_fault_does_not_chatter():
    planner = CuePlanner(gap_s=1.0, repeat_s=8.0)
    said = []
    for k in range(200):  # 20 s, the same cue raised every 100 ms
        t = k * 100.0
        sounds = planner.plan([Event(t, "cue", "Keep your hips down")], t, say_ms)
        said += [(t, s.name) for s in sounds if s.kind == "speech"]
    assert [t for t, _ in said] == [0.0, 8000.0, 16000.0]


def test_one_utterance_at_a_time_and_corrections_first():
    planner = CuePlanner(gap_s=1.0)
    first = planner.plan(
        [Event(0, "rep", "Rep 1", data={"good": True}), Event(0, "cue", "Straighten your leg")], 0, say_ms
    )
    assert [(s.kind, s.name) for s in first] == [("tone", "rep"), ("speech", "Straighten your leg")]
    busy = planner.plan([Event(1000, "cue", "Keep your back flat")], 1000, say_ms)
    assert busy == []  # still speaking (1.5 s + 1 s gap): dropped, not queued
    later = planner.plan([Event(2600, "rep", "Rep 2", data={"good": False})], 2600, say_ms)
    assert [(s.kind, s.name) for s in later] == [("tone", "rep_fault"), ("speech", "2")]


def test_hold_events_give_tones():
    planner = CuePlanner()
    events = [Event(0, "hold_target", "3 seconds: well held"), Event(0, "hold_end", "Held 3.4 s", data={"good": True})]
    sounds = planner.plan(events, 0, say_ms)
    assert {s.name for s in sounds} == {"hold_target", "rep"}


def test_speech_is_real_audio():
    speech = Speech()
    clip = speech.say("Keep your hips on the floor")
    assert 0.8 < len(clip) / RATE < 4.0
    assert np.abs(clip).max() > 0.1 and np.abs(clip[: RATE // 50]).max() < 0.05  # voiced, starting from silence
    assert speech.say("Keep your hips on the floor") is clip  # cached


def test_wav_recorder_places_sounds_at_their_times(tmp_path):
    recorder = WavRecorder(tmp_path / "s.wav")
    coach = Coach(recorder, speech=None)
    coach.handle([Event(1000, "rep", "Rep 1", data={"good": True})], 1000)
    coach.sound("go", 3000)
    coach.close()
    with wave.open(str(tmp_path / "s.wav")) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float) / 32767
        assert w.getframerate() == RATE
    loud = np.flatnonzero(np.abs(pcm) > 0.05)
    assert loud[0] / RATE == pytest.approx(1.0, abs=0.02)
    assert len(pcm) / RATE == pytest.approx(3.0 + len(TONES["go"]) / RATE, abs=0.01)
    log = json.loads((tmp_path / "s.json").read_text())
    assert [(e["t_s"], e["name"]) for e in log] == [(1.0, "rep"), (3.0, "go")]
