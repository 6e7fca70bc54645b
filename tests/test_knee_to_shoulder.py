from dataclasses import replace

import numpy as np
import pytest
from helpers import CAMERA_IDS, CAMERAS, REALISTIC, analyse, fault_ids, faults_by_rep, reps_per_side

from formcheck.exercises import create
from formcheck.exercises.base import Profile
from formcheck.rules import run_rules
from formcheck.testing.synthetic import SUPINE, Builder, Camera, Noise, Pose, render

SHORT = Profile(target_hold_s=4.0)  # most clips hold 5 s against a 4 s target, to keep the tests fast
SITTING = replace(SUPINE, y=0.1, trunk=90.0, l_hip=90, r_hip=90)


def pull(side: str, hip=120, knee=120, abduct=0, arms=(25, 45), other_hip=0, other_knee=0) -> dict:
    """Pose changes for pulling ``side``'s knee in (default: hugged to the chest, both hands on the knee)."""
    me, other = side[0], "l" if side == "right" else "r"
    return {
        f"{me}_hip": hip,
        f"{me}_knee": knee,
        f"{me}_abduct": abduct,
        f"{other}_hip": other_hip,
        f"{other}_knee": other_knee,
        "l_shoulder": arms[0],
        "r_shoulder": arms[0],
        "l_elbow": arms[1],
        "r_elbow": arms[1],
    }


def stretches(holds, hold=5.0, start: Pose = SUPINE, sitting_up=False, fps=15):
    """Each hold: (side, extra pose changes, seconds or None for ``hold``)."""
    b = Builder(SITTING if sitting_up else start, fps=fps)
    if sitting_up:  # sit on the floor, legs out, then lie back
        b.hold(1.0).move(2.0, start)
    b.hold(1.5)
    for side, extra, seconds in holds:
        b.move(1.5, start, **pull(side, **extra)).hold(seconds or hold).move(1.5, start).hold(1.5)
    return b.clip()


BOTH = [("right", {}, None), ("left", {}, None)]


def per_record(summary, key):
    return [r[key] for r in summary["records"]]


@pytest.mark.parametrize("camera", CAMERAS, ids=CAMERA_IDS)
def test_clean_holds_counted_per_side_without_faults(camera):
    summary, _ = analyse("knee_to_shoulder", stretches(BOTH), camera, profile=SHORT)
    assert reps_per_side(summary) == {"right": 1, "left": 1}
    assert summary["good_reps"] == 2 and summary["faults"] == []
    assert all(5.0 <= h <= 7.5 for h in per_record(summary, "hold_s"))
    assert all(118 <= f <= 122 for f in per_record(summary, "hip_flexion_deg"))


def test_holds_of_20_seconds_for_30_seconds_a_side_then_switch_and_a_short_hold_is_flagged():
    """ "Hold this pose for 20 seconds ... Repeat this exercise for 30 seconds, then switch to the left side."

    A second hold on the right only needs the 30 s's remainder; the switch
    is prompted once the right side has been held 30 s, not after its first hold.
    """
    clip = stretches([("right", {}, 20.5), ("right", {}, 10.5), ("left", {}, 8.0)])
    summary, events = analyse("knee_to_shoulder", clip)
    assert per_record(summary, "side") == ["right", "right", "left"]
    first, second, _ = summary["records"]
    assert first["target_hold_s"] == 20 and second["target_hold_s"] == pytest.approx(30 - first["hold_s"])
    assert per_record(summary, "target_reached") == [True, True, False]
    assert faults_by_rep(summary) == {2: {"hold_too_short"}}
    switches = [e.t_ms / 1000 for e in events if e.kind == "cue" and e.message == "Switch sides"]
    assert switches == [pytest.approx(second["end_s"], abs=0.1)]
    assert "Hold the stretch for 20 seconds" in [e.message for e in events if e.kind == "cue"]


def test_the_set_is_done_once_each_side_has_been_held_30_seconds():
    one_hold_each = [("right", {}, 20.5), ("left", {}, 20.5)]
    thirty_each = [("right", {}, 20.5), ("right", {}, 10.5), ("left", {}, 20.5), ("left", {}, 10.5)]
    for holds, done in ((one_hold_each, False), (thirty_each, True)):
        exercise = create("knee_to_shoulder")
        run_rules(exercise, render(stretches(holds), Camera(), Noise(pixel_sd=1.0, seed=1)))
        assert len(exercise.records) == len(holds) and exercise.targets_met() is done


def test_left_side_first_and_repeated_holds_per_side():
    holds = [("left", {}, None), ("left", {}, None), ("right", {}, None)]
    summary, _ = analyse("knee_to_shoulder", stretches(holds), profile=SHORT)
    assert per_record(summary, "side") == ["left", "left", "right"] and summary["faults"] == []


def test_noise_and_dropouts_change_no_count():
    summary, _ = analyse("knee_to_shoulder", stretches(BOTH * 2), noise=REALISTIC, profile=SHORT)
    assert per_record(summary, "side") == ["right", "left"] * 2 and summary["faults"] == []


def test_sitting_down_and_lying_back_counts_nothing():
    summary, events = analyse("knee_to_shoulder", stretches(BOTH, sitting_up=True), profile=SHORT)
    assert reps_per_side(summary) == {"right": 1, "left": 1} and summary["faults"] == []
    assert [e.kind for e in events].count("ready") == 1


def test_how_far_the_knee_comes_in_is_reported_and_only_a_knee_never_drawn_in_is_flagged():
    holds = [
        ("right", dict(hip=65, knee=90, arms=(20, 0)), None),
        ("right", dict(hip=95, knee=110, arms=(40, 0)), None),
        ("right", dict(hip=135, knee=130, arms=(10, 85)), None),
    ]
    summary, _ = analyse("knee_to_shoulder", stretches(holds), profile=SHORT)
    assert faults_by_rep(summary) == {0: {"knee_not_pulled"}}  # the thigh never got past upright
    half, low, deep = per_record(summary, "hip_flexion_deg")
    assert 62 <= half <= 68 and 92 <= low <= 98 and 132 <= deep <= 138


def test_a_knee_bent_up_with_the_foot_on_the_floor_is_no_hold():
    holds = [("right", dict(hip=60, knee=120, arms=(0, 0)), None)]  # heel slid up, foot still down
    summary, _ = analyse("knee_to_shoulder", stretches(holds), profile=SHORT)
    assert summary["reps"] == 0 and fault_ids(summary) == {"legs_not_straight"}  # a bent leg at rest


@pytest.mark.parametrize(
    "fault, extra",
    [
        ("knee_not_bent", dict(hip=100, knee=55, arms=(25, 20))),  # only half bent
        ("other_leg_bent", dict(other_hip=45, other_knee=90)),  # its foot stays on the floor
        ("other_leg_lifted", dict(other_hip=35)),  # straight, but off the floor
        ("hands_not_on_leg", dict(arms=(0, 0))),  # arms resting on the floor
        ("knee_drifts_out", dict(abduct=60)),  # the knee falls well out to its own side
    ],
)
def test_each_fault_is_found_in_its_hold_only(fault, extra):
    holds = [("right", {}, None), ("right", extra, None), ("left", {}, None)]
    summary, _ = analyse("knee_to_shoulder", stretches(holds), profile=SHORT)
    assert per_record(summary, "side") == ["right", "right", "left"]
    assert faults_by_rep(summary) == {1: {fault}}


def test_a_knee_drawn_in_and_out_toward_a_high_camera_is_a_hold_with_its_fault():
    # Camera on the right, 1.2 m up, 20 degrees round: the thigh drawn in and fallen out toward it reads past
    # vertical, but its foot only 7-11 degrees above the floor line, as a foot resting on the floor would. A thigh
    # past vertical holds its foot off the floor: the hold counts, and its fault is found
    camera = Camera(near_side="right", height=1.2, distance=2.5, azimuth_deg=20, aim_height=0.2, head_right=True)
    holds = [("right", {}, None), ("right", dict(abduct=60), None), ("left", {}, None)]
    summary, _ = analyse("knee_to_shoulder", stretches(holds), camera, profile=SHORT)
    assert per_record(summary, "side") == ["right", "right", "left"]
    assert "knee_drifts_out" in faults_by_rep(summary)[1]


def test_a_far_knee_pulled_in_by_its_own_hand_is_held_by_the_hands():
    """One hand pulls the far knee in, the near one rests on the floor: the far hand, seen on the leg, holds it.
    With both hands on the floor the fault shows."""
    one_hand = {**pull("right"), "l_shoulder": 0, "l_elbow": 0}  # the camera is on the left: the left hand is near
    no_hands = pull("right", arms=(0, 0))
    b = Builder(SUPINE, fps=15).hold(1.5)
    for pose in (one_hand, no_hands):
        b.move(1.5, SUPINE, **pose).hold(5.0).move(1.5, SUPINE).hold(1.5)
    for camera in (Camera(near_side="left"), Camera(near_side="left", azimuth_deg=30, head_right=True)):
        summary, _ = analyse("knee_to_shoulder", b.clip(), camera, profile=SHORT)
        assert per_record(summary, "side") == ["right", "right"], camera
        assert faults_by_rep(summary) == {1: {"hands_not_on_leg"}}, camera


def test_mirrored_fault_on_the_left_leg():
    holds = [("left", dict(other_hip=45, other_knee=90), None)]
    for camera in (Camera(near_side="left"), Camera(near_side="right", head_right=True)):
        summary, _ = analyse("knee_to_shoulder", stretches(holds), camera, profile=SHORT)
        assert per_record(summary, "side") == ["left"] and faults_by_rep(summary) == {0: {"other_leg_bent"}}


def test_knee_toward_the_opposite_shoulder_is_reported_from_the_3d_landmarks():
    holds = [
        ("right", {}, None),
        ("right", dict(abduct=-25), None),
        ("right", dict(abduct=40), None),
        ("right", dict(abduct=60), None),
    ]
    summary, _ = analyse("knee_to_shoulder", stretches(holds), profile=SHORT)
    straight, across, out, far_out = per_record(summary, "knee_offset_half_hips")
    assert straight == pytest.approx(1.0, abs=0.1)  # over its own hip: straight to the chest
    assert across < -0.5 and 3.0 < out < 4.0 and far_out > 4.0
    # only a knee far out to its own side is flagged: the model's depth is too rough for finer calls
    assert faults_by_rep(summary) == {3: {"knee_drifts_out"}}


def test_without_3d_landmarks_the_sideways_rule_cannot_judge():
    clip = stretches([("right", dict(abduct=60), None)])
    frames = [replace(f, world=None) for f in render(clip, Camera(), Noise(pixel_sd=1.0, seed=1))]
    exercise = create("knee_to_shoulder", SHORT)
    run_rules(exercise, frames)
    summary = exercise.summary()
    assert reps_per_side(summary) == {"right": 1} and summary["faults"] == []
    assert per_record(summary, "knee_offset_half_hips") == [None]


def test_a_hidden_far_leg_is_not_judged_and_not_guessed():
    # Camera on the left, far (right) side hidden (visibility 0.2: a guess, tools/landmark_error.py): a bent
    # right leg under the pulled left knee is not flagged (cannot see it), and a pulled right knee is not
    # counted (cannot see which knee moved).
    clip = stretches([("left", dict(other_hip=45, other_knee=90), None), ("right", {}, None)])
    summary, _ = analyse("knee_to_shoulder", clip, Camera(near_side="left"), Noise(far_visibility=0.2), profile=SHORT)
    assert per_record(summary, "side") == ["left"] and summary["faults"] == []


def test_a_far_knee_pulled_in_behind_the_near_leg_is_read_as_the_model_places_it():
    # The far (right) leg's landmarks at visibility 0.4: under the 0.5 trust gate, yet placed about as well as
    # the seen ones (tools/landmark_error.py on the renders). The pulled far thigh is read there, so its hold
    # counts (corpus dev seeds 19 and 46 lost it); a bent far leg under the near pull is still not judged.
    clip = stretches([("left", dict(other_hip=45, other_knee=90), None), ("right", {}, None)])
    summary, _ = analyse("knee_to_shoulder", clip, Camera(near_side="left"), Noise(far_visibility=0.4), profile=SHORT)
    assert per_record(summary, "side") == ["left", "right"] and summary["faults"] == []
    assert all(5.0 <= h <= 7.5 for h in per_record(summary, "hold_s"))


def test_start_position_faults_before_the_first_hold():
    bent_start = replace(SUPINE, l_hip=45, r_hip=45, l_knee=90, r_knee=90, l_ankle=-60, r_ankle=-60)
    b = Builder(bent_start, fps=15).hold(2.0).move(1.0, SUPINE).hold(1.5)
    b.move(1.5, SUPINE, **pull("right")).hold(5.0).move(1.5, SUPINE).hold(1.0)
    summary, _ = analyse("knee_to_shoulder", b.clip(), profile=SHORT)
    assert fault_ids(summary) == {"legs_not_straight", "toes_not_up"}
    assert all(f["rep"] is None and f["end_s"] < 4.0 for f in summary["faults"])
    assert reps_per_side(summary) == {"right": 1} and faults_by_rep(summary) == {}


def test_info_declares_targets_and_what_it_cannot_see():
    exercise = create("knee_to_shoulder")
    info = exercise.info
    assert info.posture == "supine" and info.kind == "holds"
    assert exercise.targets.hold_s == 20.0 and exercise.targets.per_side
    assert any("opposite shoulder" in text for text in info.cannot_check)
    assert np.isclose(create("knee_to_shoulder", Profile(target_hold_s=30)).targets.hold_s, 30)


def test_a_straight_leg_raise_is_no_knee_pull():
    summary, _ = analyse(
        "knee_to_shoulder", stretches([("right", dict(hip=70, knee=0, arms=(0, 0)), None)]), profile=SHORT
    )
    assert summary["reps"] == 0 and summary["faults"] == []


def test_hands_reaching_for_the_knee_after_it_is_up_and_letting_go_first_are_no_fault():
    # the knee comes up with the arms still on the floor, the hands reach it in 0.8 s, hold, let go, then the
    # knee goes down: the hands are judged in the hold, not on the way in or out
    b = Builder(SUPINE, fps=15).hold(1.5)
    for side in ("right", "left"):
        b.move(1.2, SUPINE, **pull(side, arms=(0, 0))).move(0.8, SUPINE, **pull(side)).hold(5.0)
        b.move(0.8, SUPINE, **pull(side, arms=(0, 0))).move(1.2, SUPINE).hold(1.5)
    for camera in CAMERAS[:2]:
        summary, _ = analyse("knee_to_shoulder", b.clip(), camera, profile=SHORT)
        assert reps_per_side(summary) == {"right": 1, "left": 1}
        assert summary["faults"] == []
