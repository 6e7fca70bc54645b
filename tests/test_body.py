"""Body's supine-leg readings on synthetic poses: thigh flexion, leg elevation, hand-to-limb distance."""

import math
from dataclasses import replace

import numpy as np
import pytest
from helpers import CAMERA_IDS, CAMERAS

from formcheck.exercises.body import Body
from formcheck.landmarks import index
from formcheck.synthetic import SUPINE, Clip, render


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


def test_hidden_far_hip_and_shoulder_still_give_the_flexion():
    pose = replace(SUPINE, r_hip=90, r_knee=90)
    far_hidden = body(pose, CAMERAS[0], hide=("right_hip", "right_shoulder"))
    assert far_hidden.hip_flexion("right") == pytest.approx(90, abs=3)
    assert np.all(np.isfinite(far_hidden.mid("hip")))
    no_knee = body(pose, CAMERAS[0], hide=("right_knee",))
    assert math.isnan(no_knee.hip_flexion("right")) and math.isnan(no_knee.distance_to_segment(
        "left_wrist", "right_hip", "right_knee"))
