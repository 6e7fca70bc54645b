from dataclasses import replace

import pytest
from helpers import CAMERA_IDS, CAMERAS, REALISTIC, analyse, bird_dog_reach, faults_by_rep, reps_per_side

from formcheck.testing.synthetic import QUADRUPED, Builder, Pose


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


def test_same_side_arm_and_leg():
    pairs = [("left", "right", {}, None), ("right", "right", {}, None)]
    summary, _ = analyse("bird_dog", bird_dog(pairs))
    assert faults_by_rep(summary) == {1: {"same_side_limbs"}}


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
    assert summary["reps"] == 0 and not [e for e in events if e.kind == "ready"]
