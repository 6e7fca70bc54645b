"""Accuracy of formcheck against the labelled sample videos (figures, not a test).

    python benchmarks/accuracy.py [CLIP.json ...]

For every clip in sample_videos/ with a ground-truth JSON (docs/ground_truth.md)
it runs the whole pipeline (the real pose model) and prints, per clip and
overall: rep count error per side, hold duration error, fault precision and
recall (a fault matches a true one with the same id whose interval overlaps
it, within 0.5 s), and the 2D joint-angle error of the model's landmarks
against the true keypoints. It then runs the same rules on the true
keypoints ("perfect landmarks"): where a goal is missed, the two runs tell a
pose-model error from a rule error.

Clips render holds shorter than the real target (ground truth ``targets``);
the run's target hold is then set to the clip's scripted hold, as a user
would set ``--target-hold``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from formcheck import geometry
from formcheck.exercises import create
from formcheck.exercises.base import Profile
from formcheck.exercises.body import JOINTS
from formcheck.landmarks import N_LANDMARKS, PoseFrame, index
from formcheck.pipeline import Options, analyze_video
from formcheck.pose.track import read_track
from formcheck.rules import run_rules
from formcheck.video import VideoFileSource

REPO = Path(__file__).resolve().parents[1]
TOLERANCE_S = 0.5
GOALS = "goals: exact rep counts, holds within 0.5 s, fault precision and recall >= 0.9, median angle error <= 5 deg"


def profile_for(truth: dict) -> Profile:
    holds = [h["duration_s"] for h in truth["holds"]]
    target = truth.get("targets", {}).get("hold_s")
    clip_target = None
    if holds and target and target > max(holds):  # the clip shortens the holds
        clip_target = round(max(holds), 1)
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
        lm[:, 2] = (in_cam[:, 2] - in_cam[hips, 2].mean()) * truth["camera"]["intrinsics"]["fx"] / (
            in_cam[hips, 2].mean() * w)  # fmt: skip
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
        best = max(ex["records"], key=lambda r: overlap(r["start_s"], r["end_s"], hold["start_s"], hold["end_s"]),
                   default=None)  # fmt: skip
        if best and best["hold_s"] is not None and overlap(best["start_s"], best["end_s"], hold["start_s"],
                                                           hold["end_s"]) > 0:  # fmt: skip
            s.hold_errors.append(abs(best["hold_s"] - hold["duration_s"]))
        else:
            s.hold_errors.append(hold["duration_s"])  # missed: the whole hold is the error
    pred = ex["faults"]
    s.fault_pred, s.fault_true = len(pred), len(truth["faults"])

    def matches(p, t):
        end = p["end_s"] if p["end_s"] is not None else p["start_s"]
        return p["id"] == t["id"] and overlap(p["start_s"], end, t["start_s"], t["end_s"], TOLERANCE_S) >= 0

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


def fmt_ratio(num: int, den: int) -> str:
    return f"{num / den:.2f}" if den else "  - "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("clips", nargs="*", type=Path)
    args = parser.parse_args()
    clips = args.clips or sorted((REPO / "sample_videos").glob("*.json"))
    rows, totals = [], {"model": [], "truth": []}
    all_angles: list[float] = []
    for gt_path in clips:
        truth = json.loads(gt_path.read_text())
        video = gt_path.with_suffix(".mp4")
        profile = profile_for(truth)
        with tempfile.TemporaryDirectory() as tmp:
            summary = analyze_video(VideoFileSource(video), Path(tmp),
                                    Options(exercise=truth["exercise"], profile=profile, write_video=False),
                                    progress=False)  # fmt: skip
            frames = list(read_track(Path(tmp) / "track.jsonl")[1])
        exercise = create(truth["exercise"], profile)
        run_rules(exercise, truth_frames(truth))
        perfect = {"exercises": [exercise.summary()]}
        model_score, truth_score = score(summary, truth), score(perfect, truth)
        totals["model"].append(model_score)
        totals["truth"].append(truth_score)
        errors = angle_errors(frames, truth)
        all_angles += errors
        rows.append((video.name, model_score, truth_score, statistics.median(errors) if errors else float("nan")))

    print(GOALS)
    header = f"{'clip':34s} {'rep error/side':22s} {'hold err s':>10s} {'fault P':>7s} {'fault R':>7s} " \
             f"{'angle err':>9s} | {'on true keypoints: reps':24s} {'P':>5s} {'R':>5s}"
    print(header)
    print("-" * len(header))
    for name, m, t, angle in rows:
        reps = ", ".join(f"{k} {v:+d}" for k, v in m.rep_errors.items())
        treps = ", ".join(f"{k} {v:+d}" for k, v in t.rep_errors.items())
        hold = f"{max(m.hold_errors):.2f}" if m.hold_errors else "-"
        print(f"{name:34s} {reps:22s} {hold:>10s} {fmt_ratio(m.fault_tp_pred, m.fault_pred):>7s} "
              f"{fmt_ratio(m.fault_tp_true, m.fault_true):>7s} {angle:9.1f} | {treps:24s} "
              f"{fmt_ratio(t.fault_tp_pred, t.fault_pred):>5s} {fmt_ratio(t.fault_tp_true, t.fault_true):>5s}")
    for label, scores in (("model", totals["model"]), ("true keypoints", totals["truth"])):
        exact = sum(all(v == 0 for v in s.rep_errors.values()) for s in scores)
        within = sum(all(abs(v) <= 1 for v in s.rep_errors.values()) for s in scores)
        holds = [e for s in scores for e in s.hold_errors]
        tp_p, n_p = sum(s.fault_tp_pred for s in scores), sum(s.fault_pred for s in scores)
        tp_t, n_t = sum(s.fault_tp_true for s in scores), sum(s.fault_true for s in scores)
        print(f"overall ({label}): exact reps {exact}/{len(scores)} clips, within one rep {within}/{len(scores)}, "
              f"holds within 0.5 s {sum(e <= 0.5 for e in holds)}/{len(holds)}"
              f" (max error {max(holds) if holds else 0:.2f} s), fault precision {fmt_ratio(tp_p, n_p)} "
              f"({tp_p}/{n_p}), recall {fmt_ratio(tp_t, n_t)} ({tp_t}/{n_t})")
    if all_angles:
        print(f"2D angle error of the model's landmarks: median {statistics.median(all_angles):.1f} deg, "
              f"90th percentile {np.percentile(all_angles, 90):.1f} deg over {len(all_angles)} joint angles")


if __name__ == "__main__":
    main()
