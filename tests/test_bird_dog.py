from dataclasses import replace

import pytest
from helpers import CAMERA_IDS, CAMERAS, REALISTIC, analyse, bird_dog_reach, faults_by_rep, reps_per_side

from formcheck.exercises import create
from formcheck.landmarks import VISIBILITY, index
from formcheck.rules import run_rules
from formcheck.testing.synthetic import QUADRUPED, Builder, Camera, Clip, Noise, Pose, render


def bird_dog(pairs, hold=3.5, start=QUADRUPED, getting_down=False):
    b = Builder(Pose(y=0.95) if getting_down else start)
    if getting_down:  # standing, kneel down, settle on hands and knees
        b.hold(1.0).move(2.0, start)
    b.hold(1.5)
    for arm, leg, extra, seconds in pairs:
        b.move(1.0, start, **bird_dog_reach(arm, leg, **extra)).hold(seconds or hold).move(1.0, start).hold(1.0)
    return b.clip()


ALTERNATING = [("left", "right", {}, None), ("right", "left", {}, None)] * 2


@pytest.mark.parametrize("camera", CAMERAS, ids=CAMERA_IDS)
def test_clean_alternating_reps_counted_per_side_without_faults(camera):
    summary, _ = analyse("bird_dog", bird_dog(ALTERNATING), camera)
    assert reps_per_side(summary) == {"left": 2, "right": 2}
    assert summary["good_reps"] == 4 and summary["faults"] == []
    assert all(r["hold_s"] >= 3.0 for r in summary["records"])


def test_noise_and_dropouts_change_no_count():
    summary, _ = analyse("bird_dog", bird_dog(ALTERNATING), noise=REALISTIC)
    assert reps_per_side(summary) == {"left": 2, "right": 2} and summary["faults"] == []


def test_getting_into_position_counts_nothing():
    summary, events = analyse("bird_dog", bird_dog(ALTERNATING[:2], getting_down=True))
    assert reps_per_side(summary) == {"left": 1, "right": 1} and summary["faults"] == []
    assert [e.kind for e in events if e.kind == "ready"] == ["ready"]


@pytest.mark.parametrize(
    "fault, extra",
    [
        ("arm_bent", {"l_elbow": 60}),
        ("leg_bent", {"r_knee": 70}),
        ("arm_low", {"l_shoulder": 140}),
        ("leg_too_high", {"r_hip": -40}),
        ("back_not_level", {"trunk": -22, "l_shoulder": 200, "r_hip": 22}),
        ("hips_rotated", {"pelvis_roll": 60}),
    ],
)
def test_each_hold_fault_is_found_in_its_rep_only(fault, extra):
    pairs = [
        ("left", "right", {}, None),
        ("right", "left", {}, None),
        ("left", "right", extra, None),
        ("right", "left", {}, None),
    ]
    summary, _ = analyse("bird_dog", bird_dog(pairs))
    assert reps_per_side(summary) == {"left": 2, "right": 2}
    assert faults_by_rep(summary) == {2: {fault}}


@pytest.mark.parametrize("shoulder", [135, 120])
def test_a_reach_with_the_arm_well_below_shoulder_height_is_counted_and_flagged(shoulder):
    # the arm 45 or 60 degrees below horizontal, the leg straight back: seen from a camera 1.4 m up and 30
    # degrees off the side, the arm reads further down still; the reach counts, with arm_low
    pairs = [("left", "right", {}, None), ("right", "left", {"r_shoulder": shoulder}, None)]
    camera = Camera(height=1.4, azimuth_deg=30, aim_height=0.5, head_right=True)
    summary, _ = analyse("bird_dog", bird_dog(pairs), camera, noise=REALISTIC)
    assert reps_per_side(summary) == {"left": 1, "right": 1}
    assert faults_by_rep(summary) == {1: {"arm_low"}}


def test_same_side_arm_and_leg():
    pairs = [("left", "right", {}, None), ("right", "right", {}, None)]
    summary, _ = analyse("bird_dog", bird_dog(pairs))
    assert faults_by_rep(summary) == {1: {"same_side_limbs"}}


def test_a_leg_reaching_up_with_its_own_side_arm_unseen_is_a_reach_whose_arm_is_not_judged():
    # A far arm raised toward a low camera fades out (a render 0.27 m up: wrist visibility 0.3-0.45). With the
    # leg well up and the other arm down, that is a reach: counted, its arm (and whether it was the same side's
    # as the leg) not judged
    pairs = [("left", "right", {}, None), ("right", "right", {}, None)]
    clip = bird_dog(pairs)
    frames = render(clip, Camera(), Noise(pixel_sd=1.0, seed=1))
    unseen = [index("right_elbow"), index("right_wrist")]
    hidden = []
    for frame in frames:
        landmarks = frame.landmarks.copy()
        landmarks[unseen, VISIBILITY] = 0.3
        hidden.append(replace(frame, landmarks=landmarks))
    exercise = create("bird_dog")
    run_rules(exercise, hidden)
    summary = exercise.summary()
    assert reps_per_side(summary) == {"left": 1, "right": 1}
    assert faults_by_rep(summary) == {}


def test_short_hold_and_repeated_side():
    pairs = [("left", "right", {}, None), ("right", "left", {}, 1.5), ("right", "left", {}, None)]
    summary, events = analyse("bird_dog", bird_dog(pairs))
    assert faults_by_rep(summary) == {1: {"hold_too_short"}, 2: {"same_side_repeated"}}
    assert [r["target_reached"] for r in summary["records"]] == [True, False, True]
    assert "Hold each reach for 3 seconds" in [e.message for e in events if e.kind == "cue"]


def test_start_position_faults_before_the_first_rep():
    bad_start = replace(QUADRUPED, l_hip=120, r_hip=120)  # knees well ahead of the hips
    summary, events = analyse("bird_dog", bird_dog([], start=bad_start))
    assert {f["id"] for f in summary["faults"]} == {"knees_not_under_hips"}
    assert summary["reps"] == 0


@pytest.mark.parametrize("start", [replace(QUADRUPED, l_shoulder=110, r_shoulder=110), replace(QUADRUPED, l_hip=115)])
def test_an_imperfect_start_is_a_fault_with_a_cue_and_the_reaches_still_count(start):
    # Hands ahead of the shoulders, or one knee ahead of the hips: the reaches that follow are real.
    summary, events = analyse("bird_dog", bird_dog(ALTERNATING, start=start))
    assert reps_per_side(summary) == {"left": 2, "right": 2}
    setup = {f["id"] for f in summary["faults"] if f["rep"] is None}
    assert setup and setup <= {"wrists_not_under_shoulders", "knees_not_under_hips"}
    cues = [e.message for e in events if e.kind == "cue"]
    assert "Put your hands under your shoulders" in cues or "Put your knees under your hips" in cues


def quick_reaches(n: int, pause: float, up_s: float = 0.5, down_s: float = 0.6) -> Builder:
    """``n`` alternating reaches, each paused ``pause`` s at the top, without settling between them."""
    b = Builder(QUADRUPED).hold(1.5)
    for k in range(n):
        arm, leg = ("left", "right") if k % 2 == 0 else ("right", "left")
        b.move(up_s, QUADRUPED, **bird_dog_reach(arm, leg)).hold(pause).move(down_s, QUADRUPED).hold(0.1)
    return b.hold(1.0)


@pytest.mark.parametrize("pause", [0.1, 0.3])
def test_quick_reaches_are_counted_and_flagged_as_too_short(pause):
    # A physiotherapist counts every reach and says "hold each reach 3 s".
    summary, events = analyse("bird_dog", quick_reaches(8, pause).clip(), noise=REALISTIC)
    assert reps_per_side(summary) == {"left": 4, "right": 4}
    assert all("hold_too_short" in r["faults"] for r in summary["records"])
    assert "Hold each reach for 3 seconds" in [e.message for e in events if e.kind == "cue"]


def test_a_wobble_mid_hold_keeps_one_hold():
    reach = bird_dog_reach("left", "right")
    wobble = {**reach, "trunk": 12.0, "r_hip": 18, "l_shoulder": 160}  # the back, leg and arm dip and come back
    b = Builder(QUADRUPED).hold(1.5).move(1.0, QUADRUPED, **reach).hold(2.0)
    b.move(0.6, QUADRUPED, **wobble).move(0.6, QUADRUPED, **reach).hold(2.0).move(1.0, QUADRUPED).hold(1.0)
    summary, _ = analyse("bird_dog", b.clip())
    (record,) = summary["records"]  # one hold (the dip itself is a fault: the leg dropped below hip height)
    assert record["side"] == "left" and record["hold_s"] >= 4.5 and "hold_too_short" not in record["faults"]


def test_a_hold_within_its_slack_reaches_the_target():
    summary, _ = analyse("bird_dog", bird_dog([("left", "right", {}, 2.85)]))
    (record,) = summary["records"]
    assert record["target_reached"] and record["good"], record


@pytest.mark.parametrize("fps", [5, 10, 30, 60])
def test_holds_are_counted_and_timed_at_any_frame_rate(fps):
    # Live runs drop to a few frames a second on a loaded laptop; phones record at 60.
    clip = bird_dog(ALTERNATING)
    summary, _ = analyse("bird_dog", Clip(clip.keys, fps=fps), noise=Noise(pixel_sd=1.5, seed=2))
    assert reps_per_side(summary) == {"left": 2, "right": 2} and summary["faults"] == []
    assert [r["hold_s"] for r in summary["records"]] == [pytest.approx(3.5, abs=0.5)] * 4
