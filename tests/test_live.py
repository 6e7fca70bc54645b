"""Live coaching, headless: the stage machine on synthetic poses, and whole runs with a video as the camera."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import replace

import cv2
import jsonschema
import numpy as np
import pytest
from helpers import bird_dog_reach
from test_lumbar_extension import ON_ELBOWS

from formcheck.audio import Coach, WavRecorder
from formcheck.exercises import create
from formcheck.exercises.base import Profile
from formcheck.feed import FrameReader, Pace
from formcheck.live import Coaching, LiveConfig
from formcheck.pipeline import Interpreter
from formcheck.plans import Plan, PlanItem, builtin_plans, load_plan
from formcheck.pose.filters import ConditioningConfig
from formcheck.rules import run_rules
from formcheck.testing import synthetic
from formcheck.testing.scenarios import scenario
from formcheck.video import Frame


def routine():
    """Hands and knees, two bird-dog reps, then lying prone for three press-ups."""
    q, p = synthetic.QUADRUPED, synthetic.PRONE
    b = synthetic.Builder(q, fps=15).hold(2.0)
    for arm, leg in (("left", "right"), ("right", "left")):
        b.move(1.0, q, **bird_dog_reach(arm, leg)).hold(3.5).move(1.0, q).hold(1.0)
    b.move(2.0, p).hold(5.0)
    for _ in range(3):
        b.move(1.2, p, **ON_ELBOWS).hold(1.0).move(1.2, p).hold(0.8)
    return synthetic.render(b.hold(2.0).clip())


class Words:
    """Speech as a tenth of a second of silence per sentence: what was said is in the recorder's log."""

    def say(self, text: str) -> np.ndarray:
        return np.zeros(1600, np.float32)


def run(plan, poses, keys=(), tmp_path=None, profile=None, speech=None):
    recorder = WavRecorder(tmp_path / "s.wav") if tmp_path else None
    interpreter = Interpreter(None, ConditioningConfig())
    coaching = Coaching(
        plan,
        profile or Profile(),
        interpreter,
        Coach(recorder, speech) if recorder else None,
        LiveConfig(window=False, countdown_s=1, settle_s=0.5),
    )
    image = np.zeros((480, 640, 3), np.uint8)
    pending = sorted(keys)
    stages = []
    for k, raw in enumerate(poses):
        while pending and pending[0][0] * 1000 <= raw.t_ms:
            coaching.key(pending.pop(0)[1], raw.t_ms)
        shown = coaching.step(Frame(image, raw.t_ms, k), raw)
        assert shown.shape == image.shape
        if not stages or stages[-1] != (coaching.index, coaching.stage):
            stages.append((coaching.index, coaching.stage))
        if coaching.finished:
            break
    coaching.at_end()
    interpreter.finish()
    if recorder:
        recorder.close()
    return coaching, interpreter, stages


PLAN = Plan("test", (PlanItem("bird_dog", reps=2, rest_s=3.0), PlanItem("lumbar_extension", reps=3)))


def test_a_guided_plan_runs_setup_countdown_active_rest_for_each_exercise(tmp_path):
    coaching, interpreter, stages = run(PLAN, routine(), tmp_path=tmp_path)
    assert stages == [
        (0, "setup"),
        (0, "countdown"),
        (0, "active"),
        (0, "rest"),
        (1, "setup"),
        (1, "countdown"),
        (1, "active"),
    ]
    assert coaching.completed == ["bird_dog", "lumbar_extension"] and coaching.finished
    bird, press = (e.summary() for e in interpreter.done)
    assert {s: v["reps"] for s, v in bird["per_side"].items()} == {"left": 1, "right": 1}
    assert press["reps"] == 3 and press["faults"] == []
    played = [e["name"] for e in json.loads((tmp_path / "s.json").read_text())]
    assert played.count("countdown") == 2 and played.count("go") == 2
    assert played.count("hold_target") == 2 and played.count("rep") == 2 + 3


def test_pause_stops_counting_and_next_skips(tmp_path):
    # paused across the second bird-dog rep (about 8.5-13.5 s), then skip the rest of the plan item
    coaching, interpreter, stages = run(PLAN, routine(), keys=[(8.0, "pause"), (14.0, "pause"), (16.0, "next")])
    bird = interpreter.done[0].summary()
    assert bird["reps"] == 1 and coaching.skipped == ["bird_dog"]
    assert (0, "paused") in stages and (0, "rest") not in stages  # skipping goes straight to the next setup


def test_recheck_returns_to_setup_and_keeps_the_count():
    coaching, interpreter, stages = run(PLAN, routine(), keys=[(7.8, "setup")])  # between the two reps
    assert stages[:6] == [(0, "setup"), (0, "countdown"), (0, "active"), (0, "setup"), (0, "countdown"), (0, "active")]
    first = interpreter.done[0].summary()["records"][0]
    assert first["side"] == "left" and first["index"] == 0 and first["good"]


def test_quit_ends_the_session():
    coaching, interpreter, _ = run(PLAN, routine(), keys=[(6.0, "quit")])
    assert coaching.finished and coaching.completed == []


AUTO = Plan("auto", (PlanItem("auto", rest_s=0),))


def joined(*recordings):
    """Scenario recordings (exercise, seed) one after another, on one clock."""
    frames, t0 = [], 0.0
    for ex, seed in recordings:
        own = scenario(ex, seed).frames
        frames += [replace(f, t_ms=f.t_ms - own[0].t_ms + t0) for f in own]
        t0 = frames[-1].t_ms + 50.0
    return frames


@pytest.mark.parametrize("exercise,seed", [("bird_dog", 4), ("nerve_glide", 8), ("aerobic_march", 12)])
def test_auto_recognises_the_exercise_and_counts_the_reps_done_meanwhile(exercise, seed, tmp_path):
    """Held-out (test-split) scenarios: live --exercise auto starts judging once it has recognised the exercise
    and judges the poses seen meanwhile, so it counts what judging the whole recording with that exercise
    counts. It says which exercise it is, with its safety warning (no setup card showed it)."""
    frames = scenario(exercise, seed).frames
    coaching, interpreter, stages = run(AUTO, frames, tmp_path=tmp_path, speech=Words())
    info = create(exercise).info
    speech = [e["name"] for e in json.loads((tmp_path / "s.json").read_text()) if e["kind"] == "speech"]
    assert speech[0].startswith(info.title) and (info.warning or "") in speech[0]
    assert stages == [(0, "recognising"), (0, "active")]
    offline = run_rules(create(exercise), frames).done[0].summary()
    live = interpreter.done[0].summary()
    assert live["exercise"] == exercise and live["reps"] == offline["reps"] > 0
    assert live["records"] == offline["records"] and live["faults"] == offline["faults"]
    (seg,) = coaching.recognised()
    assert seg.exercise == exercise and seg.end_s == interpreter.last_ms / 1000.0


def test_auto_judges_a_session_shorter_than_recognition_needs_at_its_end():
    frames = scenario("aerobic_march", 40).frames  # 7.5 s of marching, a held-out seed
    coaching, interpreter, stages = run(AUTO, frames)
    assert stages == [(0, "recognising")] and coaching.recognised()[0].exercise == "aerobic_march"
    assert (
        interpreter.done[0].summary()["reps"]
        == run_rules(create("aerobic_march"), frames).done[0].summary()["reps"]
        > 0
    )


def test_auto_moves_on_when_another_exercise_is_recognised():
    coaching, interpreter, stages = run(AUTO, joined(("aerobic_march", 8), ("bird_dog", 4)))
    assert stages == [(0, "recognising"), (0, "active")]
    assert [e.info.id for e in interpreter.done] == ["aerobic_march", "bird_dog"]
    assert coaching.completed == ["aerobic_march"]
    first, second = coaching.recognised()
    assert first.end_s == second.start_s and first.start_s < second.start_s
    assert (
        interpreter.done[1].summary()["reps"]
        == run_rules(create("bird_dog"), scenario("bird_dog", 4).frames).done[0].summary()["reps"]
    )


def test_auto_does_not_take_another_movement_for_an_exercise_and_says_so():
    # a push-up, the nearest look-alike of a lumbar extension (a held-out seed)
    coaching, interpreter, stages = run(AUTO, scenario("push_up", 4).frames)
    assert stages == [(0, "recognising")] and interpreter.done == []
    unknown = coaching.recognizer.unknown()
    assert unknown is not None and unknown.closest is not None


def test_auto_starts_again_after_a_set_reaches_its_target():
    # a set of one rep: the reps after it are a new set, recognised afresh
    coaching, interpreter, stages = run(AUTO, scenario("bird_dog", 4).frames, profile=Profile(target_reps=1))
    assert stages[:3] == [(0, "recognising"), (0, "active"), (0, "recognising")]
    first = interpreter.done[0]
    assert coaching.completed[0] == "bird_dog" and first.targets_met() and first.summary()["reps"] == 1


def test_builtin_physio_plans_add_one_exercise_a_day():
    plans = builtin_plans()
    days = [[i.exercise for i in plans[f"physio-day-{d}"].items] for d in range(1, 6)]
    assert days[0] == ["lumbar_extension"]
    assert all(days[d][:-1] == days[d - 1] for d in range(1, 5)) and len(days[4]) == 5
    assert load_plan("physio-day-3") == plans["physio-day-3"]


def test_live_on_the_sample_clip_counts_cues_and_tones(tmp_path, model_path):
    from conftest import SAMPLE_VIDEOS
    from test_cli import formcheck

    out, shots, wav = tmp_path / "out", tmp_path / "shots", tmp_path / "sound.wav"
    result = formcheck(
        "live",
        "-e",
        "bird_dog",
        "--camera",
        SAMPLE_VIDEOS / "bird_dog_good.mp4",
        "--no-window",
        "--save-frames",
        shots,
        "--sound-file",
        wav,
        "--countdown",
        "0",
        "-o",
        out,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    bird = summary["exercises"][0]
    assert {s: v["reps"] for s, v in bird["per_side"].items()} == {"left": 2, "right": 2}
    assert bird["good_reps"] == 4
    played = json.loads(wav.with_suffix(".json").read_text())
    names = [p["name"] for p in played]
    assert names.count("hold_target") == 4 and names.count("rep") == 4
    assert played[0]["kind"] == "speech" and "Side view" in played[0]["name"]  # the camera placement, spoken
    live = summary["live"]
    assert live["frames_shown"] == len(list(shots.glob("*.png"))) > 100 and live["latency_ms_mean"] > 0
    assert live["sound"] == "wav"
    # a file standing in for the camera loses no frame, however busy the machine: the run is the same every time
    assert live["frames_shown"] == live["frames_read"] == 394 == summary["pose"]["frames"]
    # two model processes take the frames in turn where two cores are free (CI has two)
    assert live["model_processes"] == min(2, len(os.sched_getaffinity(0)))


def test_guided_session_from_a_plan_file_with_checkin(tmp_path, model_path):
    from conftest import SAMPLE_VIDEOS
    from test_cli import formcheck

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"name": "mine", "items": [{"exercise": "bird_dog", "reps": 2, "rest_s": 0}]}))
    out = tmp_path / "out"
    result = formcheck(
        "session",
        plan,
        "--camera",
        SAMPLE_VIDEOS / "bird_dog_good.mp4",
        "--no-window",
        "--mute",
        "--countdown",
        "0",
        "--pain-before",
        "4",
        "--pain-after",
        "3",
        "--no-tingling-after",
        "-o",
        out,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["plan"]["completed"] == ["bird_dog"] and summary["exercises"][0]["reps"] == 2
    assert summary["checkin"] == {"pain_before": 4, "tingling_before": None, "pain_after": 3, "tingling_after": False}
    assert summary["live"]["sound"] == "muted"
    bad = formcheck("session", tmp_path / "nope.json", "--no-window")
    assert bad.returncode == 2 and "no plan" in bad.stderr


def test_live_auto_recognises_and_counts_and_without_a_sound_device_says_so_once(tmp_path, model_path):
    from conftest import SAMPLE_VIDEOS
    from test_cli import SCHEMAS, formcheck

    out, shots = tmp_path / "out", tmp_path / "shots"
    result = formcheck(
        "live",
        "-e",
        "auto",
        "--camera",
        SAMPLE_VIDEOS / "bird_dog_good.mp4",
        "--no-window",
        "--save-frames",
        shots,
        "-o",
        out,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    jsonschema.validate(summary, json.loads((SCHEMAS / "session_summary.schema.json").read_text()))
    (bird,) = summary["exercises"]
    assert bird["exercise"] == "bird_dog" and bird["good_reps"] == 4  # those done while it was recognised too
    assert {s: v["reps"] for s, v in bird["per_side"].items()} == {"left": 2, "right": 2}
    (seg,) = summary["recognition"]["segments"]
    assert seg["exercise"] == bird["recognition"]["exercise"] == "bird_dog" and seg["confidence"] >= 0.7
    assert seg["end_s"] == summary["pose"]["duration_s"] and summary["plan"]["items"] == ["auto"]
    shown = sorted(shots.glob("*.png"))
    assert len(shown) == summary["pose"]["frames"]
    first = cv2.imread(str(shown[0]))
    assert first.mean() < 0.5 * cv2.imread(str(shown[-1])).mean()  # the dimmed "Your exercise?" card, then the coach
    sound = summary["live"]["sound"]
    notices = [line for line in result.stderr.splitlines() if "sound device" in line]
    if sound == "silent":  # this machine has no sound device
        assert len(notices) == 1 and "carrying on without sound" in notices[0]
    else:
        assert sound == "device" and notices == []


class Frames:
    """A source of ``n`` blank frames, 15 a second, delivered as fast as they are asked for."""

    def __init__(self, n: int):
        self.n = n

    def __iter__(self):
        for k in range(self.n):
            yield Frame(np.zeros((4, 4, 3), np.uint8), k * 1000 / 15, k)


def taken(reader, pause_s: float) -> list[int]:
    indices = []
    while (frame := reader.next()) is not None:
        indices.append(frame.index)
        time.sleep(pause_s)  # a slow consumer
    return indices


def test_a_file_loses_no_frame_to_a_slow_consumer_and_a_camera_skips_to_the_newest():
    every = FrameReader(Frames(30), every_frame=True)
    assert taken(every, 0.01) == list(range(30)) and every.read == 30
    newest = FrameReader(Frames(2000), every_frame=False)
    got = taken(newest, 0.02)
    assert got == sorted(set(got)) and got[-1] == 1999 and len(got) < 2000 and newest.read == 2000


class SlowReads:
    """A source whose every read takes a while, and which notes whether one is under way (a capture mid-read)."""

    def __init__(self):
        self.reading = threading.Event()
        self.started = threading.Event()

    def __iter__(self):
        for k in range(1000):
            self.reading.set()
            self.started.set()
            time.sleep(0.05)
            self.reading.clear()
            yield Frame(np.zeros((4, 4, 3), np.uint8), k * 1000 / 15, k)


def test_stopping_the_reader_waits_for_the_read_under_way_so_the_source_can_be_closed():
    # releasing a capture while the reader thread is inside its read deadlocked FFmpeg's scaler
    source = SlowReads()
    reader = FrameReader(source, every_frame=False)
    assert source.started.wait(5)
    reader.stop()
    assert not source.reading.is_set()  # a read takes 50 ms: without the wait, one is nearly always under way


def test_the_computer_is_found_too_slow_once_and_not_before_the_grace_time():
    pace = Pace(window_s=5.0, grace_s=3.0)
    steady = [pace.update(t / 10, shown=3 * t, come=3 * t) for t in range(100)]  # 30 of 30 a second
    assert not any(steady) and not pace.too_slow
    pace = Pace(window_s=5.0, grace_s=3.0)
    slow = [pace.update(t / 10, shown=2 * t, come=3 * t) for t in range(200)]  # 20 of 30 a second
    assert slow.count(True) == 1 and slow.index(True) >= 30 + 40
    assert pace.rates() == pytest.approx((20, 30), rel=0.05)
