"""Body's supine-leg readings on synthetic poses: thigh flexion, leg elevation, hand-to-limb distance."""

import math
from dataclasses import replace

import numpy as np
import pytest
from helpers import CAMERA_IDS, CAMERAS

from formcheck.exercises.body import Body
from formcheck.landmarks import index
from formcheck.testing.synthetic import SUPINE, Camera, Clip, render


def body(pose, camera, hide=()):
    frame = replace(render(Clip([(0.0, pose), (0.0, pose)]), camera)[0], min_visibility=0.5)
    for name in hide:
        frame.landmarks[index(name), 3] = 0.1
    return Body(frame)


@pytest.mark.parametrize("camera", CAMERAS, ids=CAMERA_IDS)
def test_supine_leg_readings_from_every_side_view(camera):
    # right knee pulled in, left leg bent with the foot on the floor, left hand on the right knee
    pose = replace(SUPINE, r_hip=120, r_knee=120, l_hip=45, l_knee=90, l_shoulder=25, l_elbow=60)
    b = body(pose, camera)
    assert b.hip_flexion("right") == pytest.approx(120, abs=2) and b.hip_flexion("left") == pytest.approx(45, abs=2)
    assert b.leg_elevation("right") > 45 and abs(b.leg_elevation("left")) < 5
    assert b.distance_to_segment("left_wrist", "right_hip", "right_knee") < 0.05
    assert b.distance_to_segment("left_wrist", "left_hip", "left_knee") > 0.3
    assert b.distance_to_segment("left_wrist", "right_hip", "right_knee", 0.0, 0.5) > 0.3  # the half at the hip


def test_hidden_far_hip_and_shoulder_still_give_the_flexion():
    pose = replace(SUPINE, r_hip=90, r_knee=90)
    far_hidden = body(pose, CAMERAS[0], hide=("right_hip", "right_shoulder"))
    assert far_hidden.hip_flexion("right") == pytest.approx(90, abs=3)
    assert np.all(np.isfinite(far_hidden.mid("hip")))
    no_knee = body(pose, CAMERAS[0], hide=("right_knee",))
    assert math.isnan(no_knee.hip_flexion("right")) and math.isnan(
        no_knee.distance_to_segment("left_wrist", "right_hip", "right_knee")
    )


@pytest.mark.parametrize("camera", CAMERAS, ids=CAMERA_IDS)
def test_signed_hip_flexion_is_negative_below_the_trunk_line(camera):
    b = body(replace(SUPINE, r_hip=60, l_hip=-10), camera)
    assert b.hip_flexion("right", signed=True) == pytest.approx(60, abs=2)
    assert b.hip_flexion("left", signed=True) == pytest.approx(-10, abs=2)
    assert b.hip_flexion("left") == pytest.approx(10, abs=2)  # unsigned by default
    assert b.hip_flexion("right", signed=True) == pytest.approx(
        body(replace(SUPINE, r_hip=120), camera).hip_flexion("right", signed=True) - 60, abs=3
    )  # past vertical


def test_limb_consistent_rejects_a_misplaced_far_limb():
    b = body(replace(SUPINE, l_ankle=20, r_ankle=-40), CAMERAS[0])
    assert b.limb_consistent("right", "left", ("knee", "ankle", "foot_index")) is True
    b.px = b.px.copy()  # a frame's pixels are shared and read-only: misplace the foot in a copy
    b.px[index("right_foot_index")] = b.px[index("right_ankle")] + 0.2 * (
        b.px[index("right_foot_index")] - b.px[index("right_ankle")]
    )
    assert b.limb_consistent("right", "left", ("knee", "ankle", "foot_index")) is False
    b.px[index("right_knee")] = float("nan")
    assert b.limb_consistent("right", "left", ("knee", "ankle", "foot_index")) is None


def test_raised_leg_is_the_thigh_drawn_up_and_a_hidden_thigh_is_not_guessed():
    camera = CAMERAS[0]  # near side left
    assert body(replace(SUPINE, r_hip=90, r_knee=90), camera).raised_leg(45, 30) == "right"
    assert body(replace(SUPINE, l_hip=90, r_hip=80), camera).raised_leg(45, 30) is None  # both up
    assert body(SUPINE, camera).raised_leg(45, 30) is None
    near_up = body(replace(SUPINE, l_hip=90, l_knee=90), camera, hide=("right_hip", "right_knee"))
    near_low = body(replace(SUPINE, l_hip=60, l_knee=90), camera, hide=("right_hip", "right_knee"))
    assert near_up.raised_leg(45, 30) == "left" and near_low.raised_leg(45, 30) is None


def test_any_true_says_unknown_only_when_nothing_was_seen_true():
    from formcheck.exercises.body import any_true

    assert any_true([False, None, True]) is True and any_true([False, None]) is None and any_true([False]) is False


@pytest.mark.parametrize("azimuth", [-30.0, 30.0])
def test_leg_elevation_from_the_trunk_ignores_the_cameras_tilt_of_the_floor(azimuth):
    # legs flat on the floor, filmed from 1.2 m up and 30 degrees off the side: the picture tilts the floor
    high = Camera(near_side="right", distance=2.4, height=1.2, azimuth_deg=azimuth, aim_height=0.1)
    flat = body(SUPINE, high)
    assert max(abs(flat.leg_elevation(s)) for s in ("left", "right")) > 8  # the picture's horizontal: tilted
    assert all(abs(flat.leg_elevation(s, from_trunk=True)) < 4 for s in ("left", "right"))
    raised = body(replace(SUPINE, l_hip=25.0), high)  # the left leg 25 degrees off the floor, knee straight
    assert raised.leg_elevation("left", from_trunk=True) > 15
