"""Shared helpers for the exercise tests: run an exercise on a synthetic clip and read the result."""

from __future__ import annotations

from collections import Counter

from formcheck.exercises import create
from formcheck.exercises.base import Profile
from formcheck.rules import run_rules
from formcheck.testing.synthetic import Camera, Clip, Noise, render

# Every side view: camera on the body's left or right, head toward either edge of the picture.
CAMERAS = [Camera(near_side=side, head_right=head) for side in ("left", "right") for head in (False, True)]
CAMERA_IDS = [f"{c.near_side}-side-head-{'right' if c.head_right else 'left'}" for c in CAMERAS]
REALISTIC = Noise(pixel_sd=1.5, dropout_every_s=2.5, dropout_frames=2, seed=3)


def analyse(
    exercise_id: str,
    clip: Clip,
    camera: Camera | None = None,
    noise: Noise | None = None,
    profile: Profile | None = None,
):
    """Run the rules on the rendered clip; returns (summary dict, events)."""
    exercise = create(exercise_id, profile)
    run = run_rules(exercise, render(clip, camera or Camera(), noise or Noise(pixel_sd=1.0, seed=1)))
    return exercise.summary(), run.events


def reps_per_side(summary: dict) -> dict:
    return dict(Counter(r["side"] for r in summary["records"]))


def faults_by_rep(summary: dict) -> dict[int, set[str]]:
    return {r["index"]: set(r["faults"]) for r in summary["records"] if r["faults"]}


def fault_ids(summary: dict) -> set[str]:
    return {f["id"] for f in summary["faults"]}


def bird_dog_reach(arm: str, leg: str, **extra) -> dict:
    """Synthetic joint angles of a bird-dog reach: ``arm`` forward, ``leg`` back, both straight."""
    pose = {f"{arm[0]}_shoulder": 180, f"{arm[0]}_elbow": 0}
    pose.update({f"{leg[0]}_hip": 0, f"{leg[0]}_knee": 0, f"{leg[0]}_ankle": -30})
    pose.update(extra)
    return pose
