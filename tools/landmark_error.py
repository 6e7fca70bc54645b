"""How far the full model's leg landmarks are from the truth, by the visibility it gives them (docs/angles.md).

    python tools/landmark_error.py [--work /work/renders] [--exercise ID]

Needs the renders' full truth (with per-frame keypoints), which
``tools/render_corpus.py`` leaves in WORK/out beside the videos; the model's
tracks are the ones stored in ``tests/data/renders``. It prints, per band of
the model's visibility:

- how far the knees, ankles, heels and toes lie from their true place in the
  picture, in torso lengths (50th and 90th percentile);
- how far the ankle angle (knee-ankle-toe, in the picture) lies from the true
  one, for a leg whose least visible of those three landmarks is in the band.

The conditioning hides a landmark below visibility 0.5 (formcheck/pose/filters.py);
a rule may read a limb further down where these figures show it is still placed
well (the nerve floss's far foot).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from formcheck import geometry
from formcheck.landmarks import VISIBILITY, index
from formcheck.testing.renders import full_truths, with_truth

BANDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.9, 1.01)
LEG = ("knee", "ankle", "heel", "foot_index")
FOOT = ("knee", "ankle", "foot_index")


def measure(name: str, truth: dict) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(visibility, position error in torso lengths) per leg landmark, (least visibility, ankle angle error in
    degrees) per leg, over the frames of one render."""
    size = np.array([truth["image"]["width"], truth["image"]["height"]], float)
    points, angles = [], []
    for frame, true_frame in with_truth(name, truth):
        true = np.array(true_frame["keypoints_2d"], float)
        model = frame.landmarks[:, :2] * size
        torso = float(np.linalg.norm(true[index("left_shoulder")] - true[index("left_hip")]))
        if torso <= 0:
            continue
        for side in ("left", "right"):
            for part in LEG:
                i = index(f"{side}_{part}")
                points.append((frame.landmarks[i, VISIBILITY], float(np.linalg.norm(model[i] - true[i])) / torso))
            ids = [index(f"{side}_{part}") for part in FOOT]
            error = abs(float(geometry.joint_angle(*model[ids])) - float(geometry.joint_angle(*true[ids])))
            angles.append((float(frame.landmarks[ids, VISIBILITY].min()), error))
    return points, angles


def table(rows: list[tuple[float, float]], what: str, unit: str) -> None:
    values = np.array(rows, float).reshape(-1, 2)
    for lo, hi in zip(BANDS, BANDS[1:]):
        band = values[(values[:, 0] >= lo) & (values[:, 0] < hi), 1]
        band = band[np.isfinite(band)]
        if band.size:
            p50, p90 = np.percentile(band, [50, 90])
            band_name = f"{lo:.1f}-{min(hi, 1.0):.1f}"
            print(f"{what} visibility {band_name}: n {band.size:6d}  p50 {p50:6.2f}  p90 {p90:6.2f} {unit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/work/renders"), help="render_corpus.py's WORK")
    parser.add_argument("--exercise", help="only this exercise's renders")
    args = parser.parse_args()
    points, angles, renders = [], [], 0
    for name, truth in full_truths(args.work / "out", args.exercise):
        p, a = measure(name, truth)
        points += p
        angles += a
        renders += 1
    if not renders:
        raise SystemExit(f"no rendered truth with keypoints in {args.work / 'out'}: run tools/render_corpus.py")
    print(f"{renders} renders")
    table(points, "leg landmark", "torso lengths off")
    table(angles, "ankle angle ", "degrees off")


if __name__ == "__main__":
    main()
