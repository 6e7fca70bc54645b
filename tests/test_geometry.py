import math

import numpy as np
import pytest

from formcheck import geometry
from formcheck.landmarks import index
from formcheck.testing import synthetic


def test_joint_angle_2d_3d_and_stacked():
    assert geometry.joint_angle([1, 0], [0, 0], [0, 1]) == pytest.approx(90)
    assert geometry.joint_angle([1, 0, 0], [0, 0, 0], [-1, 0, 0]) == pytest.approx(180)
    assert geometry.joint_angle([0, 0, 1], [0, 0, 0], [1, 0, 1]) == pytest.approx(45)
    stacked = geometry.joint_angle(np.array([[1, 0], [1, 1]]), np.zeros((2, 2)), np.array([[0, 1], [1, 0]]))
    assert stacked == pytest.approx([90, 45])


def test_unknown_points_give_nan_not_a_guess():
    assert math.isnan(geometry.joint_angle([np.nan, 0], [0, 0], [0, 1]))
    assert math.isnan(geometry.joint_angle([0, 0], [0, 0], [0, 1]))  # zero-length limb
    assert math.isnan(geometry.elevation([0, 0], [np.nan, 1]))


def test_elevation_uses_image_y_down():
    assert geometry.elevation([0, 100], [100, 0]) == pytest.approx(45)  # up and to the right
    assert geometry.elevation([100, 100], [0, 0]) == pytest.approx(45)  # up and to the left: same
    assert geometry.elevation([0, 0], [100, 100]) == pytest.approx(-45)


def test_body_scale_falls_back_to_one_side():
    px = np.full((33, 2), np.nan)
    px[index("left_shoulder")] = [100, 100]
    px[index("left_hip")] = [100, 250]
    assert geometry.body_scale(px) == pytest.approx(150)
    assert math.isnan(geometry.body_scale(np.full((33, 2), np.nan)))


@pytest.mark.parametrize(
    "pose, expected",
    [
        (synthetic.STANDING, "standing"),
        (synthetic.QUADRUPED, "quadruped"),
        (synthetic.SUPINE, "supine"),
        (synthetic.PRONE, "prone"),
        (synthetic.Pose(y=0.45, l_hip=90, r_hip=90, l_knee=90, r_knee=90), "sitting"),
    ],
)
@pytest.mark.parametrize("near", ["left", "right"])
@pytest.mark.parametrize("head_right", [False, True])
def test_posture_and_near_side_from_any_side_view(pose, expected, near, head_right):
    frame = synthetic.render(
        synthetic.Clip([(0, pose), (0.01, pose)]), synthetic.Camera(near_side=near, head_right=head_right)
    )[0]
    assert geometry.posture(frame.pixels()) == expected
    assert geometry.near_side(frame.landmarks) == near
