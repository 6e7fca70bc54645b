"""How far the full model's 3D world landmarks are from the truth, on the rendered variants (docs/corpus.md).

    python tools/world_error.py [--work /work/renders]

Needs the renders' full truth (with per-frame keypoints), which
``tools/render_corpus.py`` leaves in WORK/out beside the videos; the model's
tracks are the ones stored in ``tests/data/renders``. Per render it prints:

- the rotation that best fits the model's world shoulders, hips, knees and
  ankles to the true ones in the camera's axes (Kabsch): its median over the
  clip, about the camera's x, y and z (degrees), and how far each frame's
  rotation strays from that median (50th and 90th percentile);
- the turn of the hips' and shoulders' left-right line off the nearest side or
  front view, true and modelled, and their ratio (the model's "squaring");
  the turn about y beyond it is the y tilt the corpus draws.

and, over all renders, the medians and spreads the corpus draws its
``world_*`` noise from (formcheck/testing/scenarios.py, ``draw_noise``).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from formcheck.landmarks import index
from formcheck.testing.renders import full_truths, with_truth
from formcheck.testing.synthetic import turn_off_view

FITTED = [index(f"{s}_{p}") for p in ("shoulder", "hip", "knee", "ankle") for s in ("left", "right")]
HIPS = [index("left_hip"), index("right_hip")]


def kabsch(moved: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """The rotation R with ``moved ≈ fixed @ R.T`` (least squares, no scaling)."""
    u, _, vt = np.linalg.svd(fixed.T @ moved)
    d = np.sign(np.linalg.det(vt.T @ u.T))
    return vt.T @ np.diag([1.0, 1.0, d]) @ u.T


def rotvec_deg(r: np.ndarray) -> np.ndarray:
    angle = math.acos(float(np.clip((np.trace(r) - 1.0) / 2.0, -1.0, 1.0)))
    if angle < 1e-9:
        return np.zeros(3)
    axis = np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]]) / (2.0 * math.sin(angle))
    return np.degrees(axis * angle)


def measure(name: str, truth: dict) -> dict | None:
    to_camera = np.array(truth["camera"]["world_to_camera"], float)
    rotations, true_turn, model_turn = [], [], []
    for frame, true_frame in with_truth(name, truth):
        world = frame.world_points()
        if world is None or not np.isfinite(world[FITTED]).all():
            continue
        true = np.array(true_frame["keypoints_3d"], float) @ to_camera[:, :3].T + to_camera[:, 3]
        true -= true[HIPS].mean(axis=0)
        rotations.append(rotvec_deg(kabsch(world[FITTED], true[FITTED])))
        true_turn.append(turn_off_view(true))
        model_turn.append(turn_off_view(world))
    if len(rotations) < 5:
        return None
    rotations = np.array(rotations)
    median = np.median(rotations, axis=0)
    stray = np.linalg.norm(rotations - median, axis=1)
    true_med, model_med = float(np.median(true_turn)), float(np.median(model_turn))
    return {
        "tilt": median,
        "stray": np.percentile(stray, [50, 90]),
        "turn": (true_med, model_med),
        "squaring": model_med / true_med if abs(true_med) >= 10.0 else math.nan,
        # the turn about the vertical that the squaring does not explain
        "tilt_y_beyond": float(median[1] - (model_med - true_med)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/work/renders"), help="render_corpus.py's WORK")
    args = parser.parse_args()
    results = []
    for name, truth in full_truths(args.work / "out"):
        m = measure(name, truth)
        if m is None:
            continue
        results.append(m)
        print(
            f"{name:28s} tilt x y z {np.round(m['tilt'], 1)}  stray p50 p90 {np.round(m['stray'], 1)}"
            f"  turn true {m['turn'][0]:6.1f} model {m['turn'][1]:6.1f}  squaring {m['squaring']:.2f}"
        )
    if not results:
        raise SystemExit(f"no rendered truth with keypoints in {args.work / 'out'}: run tools/render_corpus.py")
    tilts = np.array([m["tilt"] for m in results])
    strays = np.array([m["stray"] for m in results])
    squaring = np.array([m["squaring"] for m in results])
    squaring = squaring[np.isfinite(squaring)]
    print(f"{len(results)} renders")
    print(f"tilt about x, y, z: mean {np.round(tilts.mean(axis=0), 1)}, sd {np.round(tilts.std(axis=0), 1)}")
    beyond = np.array([m["tilt_y_beyond"] for m in results])
    print(f"tilt about y beyond the squaring: mean {beyond.mean():.1f}, sd {beyond.std():.1f}")
    print(f"stray within a clip: median p50 {np.median(strays[:, 0]):.1f}, median p90 {np.median(strays[:, 1]):.1f}")
    print(
        f"squaring (turns of 10 degrees or more): median {np.median(squaring):.2f},"
        f" range {squaring.min():.2f}-{squaring.max():.2f}"
    )


if __name__ == "__main__":
    main()
