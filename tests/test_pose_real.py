"""The real model on real clips of people: landmarks land on the body, geometry follows the movement."""

import json
from pathlib import Path

import cv2
import numpy as np
from conftest import shared_clip

from formcheck import geometry
from formcheck.landmarks import index
from formcheck.pose.landmarker import PoseLandmarker
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


def test_the_model_still_gives_the_stored_sample_tracks(model_path):
    """The tests judge the sample clips on their stored tracks (sample_videos/tracks): the model in use must
    still produce them, here on the first seconds of two clips (a kneeling and a lying body)."""
    from conftest import SAMPLE_VIDEOS, stored_track

    from formcheck.pose.models import sha256_of
    from formcheck.pose.track import read_track
    from formcheck.testing.tracks import model_track

    for name in ("bird_dog_good", "nerve_tension_faults"):
        stored = stored_track(SAMPLE_VIDEOS / f"{name}.mp4", sha256_of(model_path.read_bytes()))
        assert stored is not None, f"no stored track of {name} for this model: run tools/sample_tracks.py"
        _, frames = model_track(SAMPLE_VIDEOS / f"{name}.mp4", model_path, end_s=2.5)
        kept = list(read_track(stored)[1])[: len(frames)]
        assert len(frames) > 30 and [f.t_ms for f in kept] == [round(f.t_ms, 3) for f in frames]
        now = np.array([f.landmarks[:, :2] for f in frames])
        then = np.array([f.landmarks[:, :2] for f in kept])
        moved = np.abs(now - then)
        assert np.median(moved) < 0.002 and moved.max() < 0.02, (np.median(moved), moved.max())


def test_a_dim_dark_skinned_body_is_found_on_a_second_look(model_path):
    """A rendered frame the person detector misses (dark skin against a dark wall): the landmarker looks again at
    it equalised and puts the body where it is; without that look it finds no one."""
    data = Path(__file__).parent / "data"
    rgb = cv2.cvtColor(cv2.imread(str(data / "dim_person.jpg")), cv2.COLOR_BGR2RGB)
    truth = np.array(json.loads((data / "dim_person.json").read_text())["keypoints"])
    with PoseLandmarker(model_path, second_look=False) as landmarker:
        assert not landmarker.detect(rgb, 0.0).has_person
    with PoseLandmarker(model_path) as landmarker:
        poses = [landmarker.detect(rgb, t) for t in (0.0, 40.0, 80.0)]  # then followed on the frame itself
    assert all(p.has_person for p in poses)
    for pose in poses:
        off = np.median(np.linalg.norm(pose.landmarks[:, :2] - truth, axis=1))
        assert off < 0.02, f"landmarks {off:.1%} of the picture from the body"
