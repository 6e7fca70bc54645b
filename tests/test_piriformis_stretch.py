from dataclasses import replace

import numpy as np
import pytest
from helpers import CAMERA_IDS, CAMERAS, REALISTIC, analyse, faults_by_rep, reps_per_side

from formcheck.exercises import create
from formcheck.exercises.base import Profile
from formcheck.landmarks import index
from formcheck.rules import run_rules
from formcheck.testing.synthetic import SUPINE, Builder, Camera, Noise, render

RIGHT = Profile(symptomatic_side="right", target_hold_s=4.0)  # short holds keep the tests fast
LEFT = Profile(symptomatic_side="left", target_hold_s=4.0)
REST = replace(SUPINE, l_hip=45, r_hip=45, l_knee=90, r_knee=90, l_ankle=10, r_ankle=10)  # knees bent, feet down
SITTING = replace(SUPINE, trunk=90.0, l_hip=90, r_hip=90)


def figure4(crossed: str, support_hip=100, on_shin=False, support_knee=90, rotation=80) -> dict:
    """``crossed``'s ankle resting just below the other knee (or lower down its shin), that thigh at ``support_hip``;
    the crossed thigh turned out by ``rotation`` degrees."""
    c, s = crossed[0], "l" if crossed == "right" else "r"
    leg = (
        dict(hip=support_hip - 25, abduct=25, knee=100, hip_rot=90)
        if on_shin
        else dict(hip=support_hip + 20, abduct=25, knee=115, hip_rot=rotation)
    )
    return {f"{s}_hip": support_hip, f"{s}_knee": support_knee, **{f"{c}_{k}": v for k, v in leg.items()}}


def stretches(holds, hold=5.0, sitting_up=False, fps=15):
    """Each hold: (crossed side, figure4() options, seconds or None for ``hold``): cross, pull in, hold, let go."""
    b = Builder(SITTING if sitting_up else REST, fps=fps)
    if sitting_up:
        b.hold(1.0).move(2.0, SUPINE).move(1.0, REST)
    b.hold(1.5)
    for side, options, seconds in holds:
        b.move(1.0, REST, **figure4(side, support_hip=45)).hold(0.4)  # crossed, supporting foot still down
        b.move(1.0, REST, **figure4(side, **options)).hold(seconds or hold)
        b.move(0.8, REST, **figure4(side, support_hip=45)).move(0.8, REST).hold(2.0)
    return b.clip()


def per_record(summary, key):
    return [r[key] for r in summary["records"]]


THREE = [("right", {}, None)] * 3


@pytest.mark.parametrize("camera", CAMERAS, ids=CAMERA_IDS)
def test_three_clean_holds_of_the_symptomatic_leg(camera):
    summary, _ = analyse("piriformis_stretch", stretches(THREE), camera, profile=RIGHT)
    assert reps_per_side(summary) == {"right": 3} and summary["good_reps"] == 3 and summary["faults"] == []
    assert all(4.5 <= h <= 5.5 for h in per_record(summary, "hold_s"))  # the still, pulled-in part
    assert all(97 <= f <= 103 for f in per_record(summary, "supporting_hip_flexion_deg"))


@pytest.mark.parametrize("camera", [Camera(near_side="left"), Camera(near_side="right", head_right=True)])
def test_left_leg_crossed_mirrored(camera):
    summary, _ = analyse("piriformis_stretch", stretches([("left", {}, None)] * 2), camera, profile=LEFT)
    assert reps_per_side(summary) == {"left": 2} and summary["faults"] == []


def test_a_near_crossed_shin_seen_at_two_thirds_of_its_thigh_is_crossed():
    """The crossed thigh turned out a little less, seen from 12 degrees round from its side: its shin reads 0.69 of
    the thigh in the picture. Crossed near shins read 0.51 (median) and 0.73 (90th percentile) from within 15
    degrees of the side in the corpus dev; supporting ones 0.68 at the 0.1th percentile and 0.91 at the 1st."""
    camera = Camera(near_side="right", azimuth_deg=12, height=0.8, distance=3.2)
    clip = stretches([("right", {"rotation": 70}, None)] * 2)
    summary, _ = analyse("piriformis_stretch", clip, camera, profile=RIGHT)
    assert reps_per_side(summary) == {"right": 2} and summary["faults"] == []
    assert all(4.5 <= h <= 5.5 for h in per_record(summary, "hold_s"))


def test_a_crossed_shin_in_the_world_landmarks_counts_when_the_model_squares_an_oblique_view():
    """Seen from 30 degrees round from its side, a crossed near shin is no shorter in the picture than a
    supporting one, and the model's world landmarks read such a view nearer the side than it is (0.1-1.05 of
    the turn, 0.69 at the median, on the renders: docs/corpus.md). The shin running across the hips in the world
    landmarks still says it is crossed."""
    camera = Camera(near_side="right", azimuth_deg=30, height=0.9, distance=3.4, head_right=True, aim_height=0.3)
    clip = stretches([("right", {}, None)] * 2)
    for squaring in (1.0, 0.35):
        noise = Noise(pixel_sd=1.0, seed=1, world_squaring=squaring)
        summary, _ = analyse("piriformis_stretch", clip, camera, noise, profile=RIGHT)
        assert reps_per_side(summary) == {"right": 2} and summary["faults"] == [], squaring
        assert all(4.5 <= h <= 5.5 for h in per_record(summary, "hold_s")), squaring


def test_the_real_target_is_30_seconds_and_a_short_hold_is_flagged():
    summary, events = analyse("piriformis_stretch", stretches([("right", {}, 31.0), ("right", {}, 12.0)]))
    assert faults_by_rep(summary) == {1: {"hold_too_short"}}
    assert per_record(summary, "target_reached") == [True, False]
    assert "Hold each stretch for 30 seconds" in [e.message for e in events if e.kind == "cue"]


def test_noise_and_dropouts_change_no_count():
    summary, _ = analyse("piriformis_stretch", stretches(THREE), noise=REALISTIC, profile=RIGHT)
    assert reps_per_side(summary) == {"right": 3} and summary["faults"] == []


def test_lying_down_bending_the_knees_and_a_knee_hug_count_nothing():
    b = Builder(SITTING, fps=15).hold(1.0).move(2.0, SUPINE).move(1.0, REST).hold(2.0)
    b.move(1.0, SUPINE, l_hip=120, l_knee=120).hold(3.0).move(1.0, REST).hold(1.0)  # a knee hug is no figure-4
    summary, events = analyse("piriformis_stretch", b.clip(), profile=RIGHT)
    assert summary["reps"] == 0 and summary["faults"] == []
    assert [e.kind for e in events].count("ready") == 1


@pytest.mark.parametrize(
    "fault, options",
    [
        ("ankle_not_near_knee", {"on_shin": True}),  # the ankle rests low on the other shin
        ("thigh_not_pulled", {"support_hip": 72}),  # the foot is off the floor but the thigh not drawn in
        ("thigh_not_pulled", {"support_hip": 45}),  # crossed, but the supporting foot stays on the floor
    ],
)
def test_each_fault_is_found_in_its_hold_only(fault, options):
    holds = [("right", {}, None), ("right", options, None), ("right", {}, None)]
    # the crossed (right) leg faces the camera, as the camera advice asks: its ankle can be judged
    summary, _ = analyse("piriformis_stretch", stretches(holds), Camera(near_side="right"), profile=RIGHT)
    assert reps_per_side(summary) == {"right": 3}
    assert faults_by_rep(summary) == {1: {fault}}


def test_a_light_pull_with_the_supporting_foot_seen_off_the_floor_is_a_hold():
    # the supporting thigh drawn in only to 55 degrees (under the set-up's limit: from a camera above the floor and
    # round from the side a light pull reads so) with its foot, on the camera's side, well off the floor; then the
    # foot back down with the leg still crossed, and a full pull: the light pull is a hold flagged not pulled in,
    # not the set-up of the pull that follows
    crossed, light, pulled = figure4("right", support_hip=45), figure4("right", 55, support_knee=50), figure4("right")
    b = Builder(REST, fps=15).hold(1.5).move(1.0, REST, **crossed).hold(0.4)
    b.move(1.0, REST, **light).hold(5.0).move(0.8, REST, **crossed).hold(2.0)
    b.move(1.0, REST, **pulled).hold(5.0).move(0.8, REST, **crossed).move(0.8, REST).hold(2.0)
    summary, _ = analyse("piriformis_stretch", b.clip(), Camera(near_side="left"), profile=RIGHT)
    assert reps_per_side(summary) == {"right": 2}
    assert faults_by_rep(summary) == {0: {"thigh_not_pulled"}}


@pytest.mark.parametrize("rest_s", [1.5, 4.0, 8.0])
def test_a_leg_kept_crossed_with_the_foot_down_between_two_pulls_is_a_rest_not_a_hold(rest_s):
    # the rest between pulls: the supporting foot back on the floor, the leg still crossed over it; only the
    # pulls are holds, whatever the rest's length (an unpulled hold left as it is stays a hold with its fault,
    # test_each_fault_is_found_in_its_hold_only)
    crossed, pulled = figure4("right", support_hip=45), figure4("right")
    b = Builder(REST, fps=15).hold(1.5).move(1.0, REST, **crossed).hold(0.4)
    b.move(1.0, REST, **pulled).hold(5.0).move(0.8, REST, **crossed).hold(rest_s)
    b.move(1.0, REST, **pulled).hold(5.0).move(0.8, REST, **crossed).move(0.8, REST).hold(2.0)
    for camera in (Camera(near_side="right"), Camera(near_side="left", azimuth_deg=30)):
        summary, _ = analyse("piriformis_stretch", b.clip(), camera, profile=RIGHT)
        assert reps_per_side(summary) == {"right": 2} and summary["faults"] == [], camera
        assert all(4.5 <= h <= 5.5 for h in per_record(summary, "hold_s"))


def test_a_short_pull_let_go_to_the_crossed_rest_is_a_hold_of_its_own():
    # a pull let go after 1.5 s, the leg left crossed with the supporting foot down and kept so for 4 s: the
    # short pull is a hold (flagged too short), not the set-up of the rest that follows; that rest, held
    # still as it is, is a hold too, flagged not pulled in (the rendered faults variants do this)
    crossed, pulled = figure4("right", support_hip=45), figure4("right")
    b = Builder(REST, fps=15).hold(1.5).move(1.0, REST, **crossed).hold(0.4)
    b.move(1.0, REST, **pulled).hold(1.5).move(0.8, REST, **crossed).hold(4.0).move(0.8, REST).hold(2.0)
    for camera in (Camera(near_side="right"), Camera(near_side="left", azimuth_deg=30)):
        summary, _ = analyse("piriformis_stretch", b.clip(), camera, profile=RIGHT)
        assert reps_per_side(summary) == {"right": 2}, camera
        assert faults_by_rep(summary) == {0: {"hold_too_short"}, 1: {"thigh_not_pulled"}}, camera
        short, rest = per_record(summary, "hold_s")
        assert 1.0 <= short <= 2.0 and 3.5 <= rest <= 4.8, camera


def test_the_symptomatic_side_from_the_profile_is_honoured():
    clip = stretches([("left", {}, None), ("right", {}, None)])
    summary, _ = analyse("piriformis_stretch", clip, profile=RIGHT)
    assert per_record(summary, "side") == ["left", "right"] and faults_by_rep(summary) == {0: {"wrong_leg_crossed"}}
    summary, _ = analyse("piriformis_stretch", clip, profile=Profile(target_hold_s=4.0))  # no side given
    assert summary["faults"] == []


def far_ankle_case(near_side, on_shin, far_visibility, shift_px=0.0):
    """Right leg crossed, camera on ``near_side``; optionally move the right ankle as a misplacing model would."""
    clip = stretches([("right", {"on_shin": on_shin}, None)])
    frames = render(clip, Camera(near_side=near_side), Noise(pixel_sd=1.0, far_visibility=far_visibility, seed=1))
    ankle = index("right_ankle")
    for f in frames:
        if f.landmarks is not None:
            f.landmarks[ankle, 0] += shift_px / f.width
            f.landmarks[ankle, 1] -= 0.5 * shift_px / f.height
    exercise = create("piriformis_stretch", RIGHT)
    run_rules(exercise, frames)
    return exercise.summary()


def test_a_far_crossed_ankle_is_judged_only_when_the_model_is_sure_and_consistent():
    # camera on the left: the crossed right ankle is on the far side
    assert faults_by_rep(far_ankle_case("left", on_shin=True, far_visibility=0.95)) == {0: {"ankle_not_near_knee"}}
    assert far_ankle_case("left", on_shin=True, far_visibility=0.8)["faults"] == []  # unsure: cannot judge
    # a well-placed ankle reported 100 px off: inconsistent with its shin, so not judged (and still counted)
    misplaced = far_ankle_case("left", on_shin=False, far_visibility=0.95, shift_px=100.0)
    assert reps_per_side(misplaced) == {"right": 1} and misplaced["faults"] == []
    # facing the camera the crossed ankle is always judged
    assert faults_by_rep(far_ankle_case("right", on_shin=True, far_visibility=0.8)) == {0: {"ankle_not_near_knee"}}


def test_info_declares_targets_and_limits():
    exercise = create("piriformis_stretch")
    assert exercise.targets.hold_s == 30.0 and exercise.targets.holds == 3 and not exercise.targets.per_side
    assert exercise.info.posture == "supine" and "numbness or tingling" in exercise.info.safety
    assert any("far-side crossed ankle" in text for text in exercise.info.cannot_check)
    assert np.isclose(create("piriformis_stretch", Profile(target_hold_s=45)).targets.hold_s, 45)
    assert exercise.side_label("right") == "right leg crossed"


def test_the_pull_is_not_judged_from_a_supporting_thigh_seen_only_on_the_way_out():
    # the right leg crossed on the near side, the supporting (far, left) thigh pulled well in but hidden behind
    # it for the whole hold: it shows only as the legs come down, at 45 degrees, which is no measure of the pull
    frames = render(stretches([("right", {}, None)]), Camera(near_side="right"), Noise(pixel_sd=1.0, seed=1))
    held = [f for f in frames if 3.5 <= f.t_ms / 1000 <= 9.0]  # the hold: 4.0-9.0 s
    for frame in held:
        for name in ("left_hip", "left_knee", "left_ankle"):
            frame.landmarks[index(name), 3] = 0.1
    exercise = create("piriformis_stretch", RIGHT)
    run_rules(exercise, frames)
    summary = exercise.summary()
    assert reps_per_side(summary) == {"right": 1}
    assert summary["records"][0]["supporting_hip_flexion_deg"] is None and summary["faults"] == []
