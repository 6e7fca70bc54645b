"""Comparing formcheck's results with ground truth (sample_videos/*.json, docs/ground_truth.md).

Shared by the accuracy benchmark and the sample-video tests: which profile a
clip implies, the true keypoints as pose frames, and the scores (rep count
error per side, hold duration error, fault matches by interval overlap,
2D joint-angle error).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from formcheck import geometry
from formcheck.exercises import catalogue
from formcheck.exercises.base import Profile
from formcheck.exercises.body import JOINTS
from formcheck.landmarks import N_LANDMARKS, PoseFrame, index

TOLERANCE_S = 0.5  # a fault matches a true one of the same id whose interval overlaps it within this


def profile_for(truth: dict) -> Profile:
    holds = [h["duration_s"] for h in truth["holds"]]
    target = truth.get("targets", {}).get("hold_s")
    clip_target = None
    if holds and target and target > max(holds):  # the clip shortens the holds
        clip_target = round(max(holds) - 0.5, 1)  # less the timing tolerance the goals allow
    return Profile(symptomatic_side=truth.get("settings", {}).get("symptomatic_side"), target_hold_s=clip_target)


def truth_frames(truth: dict) -> list[PoseFrame]:
    """The true keypoints as MediaPipe-like frames (relative depth from the camera, world in camera axes)."""
    w, h = truth["image"]["width"], truth["image"]["height"]
    cam = np.array(truth["camera"]["world_to_camera"], float)
    hips = [index("left_hip"), index("right_hip")]
    frames = []
    for f in truth["frames"]:
        kp = np.array(f["keypoints_2d"], float)
        p3 = np.array(f["keypoints_3d"], float)
        in_cam = p3 @ cam[:, :3].T + cam[:, 3]
        lm = np.zeros((N_LANDMARKS, 5))
        lm[:, 0], lm[:, 1] = kp[:, 0] / w, kp[:, 1] / h
        lm[:, 2] = (
            (in_cam[:, 2] - in_cam[hips, 2].mean()) * truth["camera"]["intrinsics"]["fx"] / (in_cam[hips, 2].mean() * w)
        )
        # A perfect landmarker: every in-frame point at its true place; hidden ones a little less visible,
        # so the side facing the camera is still told apart.
        lm[:, 3] = np.where(np.array(f["out_of_frame"]), 0.05, np.where(np.array(f["occluded"]), 0.7, 0.99))
        lm[:, 4] = 0.99
        frames.append(PoseFrame(f["t_ms"], w, h, lm, in_cam - in_cam[hips].mean(axis=0)))
    return frames


def overlap(a0, a1, b0, b1, slack=0.0) -> float:
    return min(a1, b1) + slack - max(a0, b0)


@dataclass
class Score:
    rep_errors: dict = field(default_factory=dict)
    hold_errors: list = field(default_factory=list)
    fault_tp_pred: int = 0
    fault_pred: int = 0
    fault_tp_true: int = 0
    fault_true: int = 0


def score(summary: dict, truth: dict) -> Score:
    ex = summary["exercises"][0]
    s = Score()
    ours = {side: v["reps"] for side, v in ex["per_side"].items()}
    true = {("unknown" if side in ("none", None) else side): n for side, n in truth["reps_per_side"].items()}
    s.rep_errors = {side: ours.get(side, 0) - true.get(side, 0) for side in sorted(set(ours) | set(true))}
    for hold in truth["holds"]:
        best = max(
            ex["records"], key=lambda r: overlap(r["start_s"], r["end_s"], hold["start_s"], hold["end_s"]), default=None
        )
        if (
            best
            and best["hold_s"] is not None
            and overlap(best["start_s"], best["end_s"], hold["start_s"], hold["end_s"]) > 0
        ):
            s.hold_errors.append(abs(best["hold_s"] - hold["duration_s"]))
        else:
            s.hold_errors.append(hold["duration_s"])  # missed: the whole hold is the error
    # faults the clip's truth cannot tell (a render's hands do not grip: whether they touch the leg is unknown)
    unscored = set(truth.get("unscored_faults", ()))
    pred = [f for f in ex["faults"] if f["id"] not in unscored]
    truth = {**truth, "faults": [f for f in truth["faults"] if f["id"] not in unscored]}
    # a true fault that formcheck reports under another id: the fault that declares the true id (FaultInfo.truth_ids)
    ours_for = {t: f.id for f in catalogue()[truth["exercise"]].info.faults for t in f.truth_ids}
    s.fault_pred, s.fault_true = len(pred), len(truth["faults"])

    def matches(p, t):
        end = p["end_s"] if p["end_s"] is not None else p["start_s"]
        wanted = ours_for.get(t["id"], t["id"])
        return p["id"] == wanted and overlap(p["start_s"], end, t["start_s"], t["end_s"], TOLERANCE_S) >= 0

    s.fault_tp_pred = sum(any(matches(p, t) for t in truth["faults"]) for p in pred)
    s.fault_tp_true = sum(any(matches(p, t) for p in pred) for t in truth["faults"])
    return s


def angle_errors(frames: list[PoseFrame], truth: dict) -> list[float]:
    """|model angle - true angle| for every trusted, unoccluded joint angle in every frame (2D, degrees)."""
    names = [n for n in truth["angle_names"] if n.split("_", 1)[-1] in JOINTS]
    errors = []
    for pose, f in zip(frames, truth["frames"]):
        if pose.landmarks is None:
            continue
        px = PoseFrame(pose.t_ms, pose.width, pose.height, pose.landmarks, min_visibility=0.5).pixels()
        true_angles = dict(f["angles_2d"])
        hidden = np.array(f["occluded"]) | np.array(f["out_of_frame"])
        for name in names:
            side, joint = name.split("_", 1)
            parts = [index(f"{side}_{p}") for p in JOINTS[joint]]
            if hidden[parts].any() or true_angles.get(name) is None:
                continue
            value = geometry.joint_angle(*(px[i] for i in parts))
            if np.isfinite(value):
                errors.append(abs(value - true_angles[name]))
    return errors
