"""The real model on real clips of people: landmarks land on the body, geometry follows the movement."""

import cv2
import numpy as np
from conftest import shared_clip

from formcheck import geometry
from formcheck.landmarks import index
from formcheck.video import VideoFileSource

BODY = [
    f"{side}_{part}" for side in ("left", "right") for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")
]


def test_landmarks_land_on_the_body(real_track):
    """Cobra clip on a white background: trusted body landmarks fall on non-background pixels."""
    path = shared_clip("cobra_side_viggleAI_02.mp4")
    frames = real_track(path, stride=3)
    source = VideoFileSource(path, max_side=640)
    images = [f.image for k, f in enumerate(source) if k % 3 == 0]
    source.close()
    assert len(images) == len(frames)
    assert sum(f.has_person for f in frames) == len(frames)
    inside = total = 0
    for pose, image in zip(frames, images):
        body = (image.min(axis=2) < 215).astype(np.uint8)  # the background is near-white
        body = cv2.dilate(body, np.ones((15, 15), np.uint8))
        for name in BODY:
            i = index(name)
            if pose.landmarks[i, 3] < 0.8:
                continue
            x, y = np.int32(pose.landmarks[i, :2] * [pose.width, pose.height])
            total += 1
            inside += bool(0 <= y < body.shape[0] and 0 <= x < body.shape[1] and body[y, x])
    assert total > 6 * len(frames)  # at least the near side (6 of these 12) is trusted in a side view
    assert inside / total > 0.95, f"{inside} of {total} trusted landmarks on the body"


def test_prone_side_view_is_recognised(real_track):
    frames = real_track(shared_clip("cobra_side_viggleAI_02.mp4"), stride=3)
    first = frames[0]
    assert geometry.posture(first.pixels()) == "prone"
    trunk = [geometry.trunk_elevation(f.pixels()) for f in frames]
    assert trunk[0] < 15 and max(trunk) > 30  # she lies flat, then presses up


def test_squat_knee_angle_follows_the_movement(real_track):
    """Side-view squat: the near knee is straight standing and deeply bent at the bottom."""
    frames = real_track(shared_clip("fallback_squat_side_shutterstock.mp4"), stride=2)
    knees = []
    for f in frames:
        side = geometry.near_side(f.landmarks)
        px = f.pixels()
        knees.append(
            geometry.joint_angle(px[index(f"{side}_hip")], px[index(f"{side}_knee")], px[index(f"{side}_ankle")])
        )
    knees = np.array(knees)
    assert geometry.posture(frames[0].pixels()) == "standing"
    assert np.nanmax(knees) > 165 and np.nanmin(knees) < 100
