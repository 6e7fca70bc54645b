"""Posture measures per frame and their statistics per time window (pure numpy).

Every measure comes from the world landmarks (metres, the camera's axes, y
down) and is one a camera's position does not change much: joint angles in
3-D, body segments' angles to the vertical (the camera is roughly level),
heights above the hips and distances in torso lengths, and which way the
face and the chest look (up or down). Left out, because the corpus's
skeleton and the pose model disagree about them more than the exercises
differ: the arms (the corpus holds them still; real people swing them
marching and rest them anywhere lying down) and the ankle's angle (the
model puts the toe landmark 40-50 degrees off the corpus's foot). Left and right are
folded into the lower and the higher of the two, so a mirror image or the
other working side gives the same measures; landmarks the model is unsure of
are unknown (NaN), and so is a measure that needs one.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from formcheck.landmarks import VISIBILITY, PoseFrame, index

MIN_VISIBILITY = 0.5
WINDOW_S, HOP_S = 4.0, 0.5

L = {n: index(n) for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "nose", "left_ear", "right_ear")}
SIDES = {
    side: {
        part: index(f"{side}_{part}") for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "foot_index")
    }
    for side in ("left", "right")
}
PAIRED = (
    "knee",
    "hip_flex",
    "thigh_down",
    "shank_down",
    "ankle_up",
    "ankle_knee",
    "knee_shoulder",
)
FRAME_FEATURES = (
    "trunk_up",
    "head_up",
    "face_up",
    "front_up",
    "feet_apart",
    *(f"{name}_{end}" for name in PAIRED for end in ("lo", "hi")),
)
STATS = ("mean", "std", "p10", "p90")
WINDOW_FEATURES = tuple(f"{f}.{s}" for f in FRAME_FEATURES for s in STATS) + ("person",)
DOWN = np.array([0.0, 1.0, 0.0])


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle between vectors (..., 3) in degrees, NaN where either is unknown."""
    na, nb = np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(a * b, axis=-1) / (na * nb)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return a / b


def _lo_hi(pair: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower and higher of the two sides per frame (``pair`` is (2, n)); one side known: that one."""
    lo = np.where(np.isnan(pair[0]), pair[1], np.fmin(pair[0], pair[1]))
    hi = np.where(np.isnan(pair[0]), pair[1], np.fmax(pair[0], pair[1]))
    return lo, hi


def features_of(world: np.ndarray, visibility: np.ndarray) -> np.ndarray:
    """The :data:`FRAME_FEATURES` of ``n`` frames: world landmarks ``(n, 33, 3)`` (NaN: no person), visibility
    ``(n, 33)``; returns ``(n, len(FRAME_FEATURES))``."""
    w = np.array(world, dtype=float)
    w[np.asarray(visibility) < MIN_VISIBILITY] = np.nan
    with warnings.catch_warnings():  # a frame without both shoulders (or hips) gives NaN, as meant
        warnings.simplefilter("ignore", RuntimeWarning)
        shoulders = np.nanmean(w[:, [L["left_shoulder"], L["right_shoulder"]]], axis=1) if len(w) else w[:, 0]
        hips = np.nanmean(w[:, [L["left_hip"], L["right_hip"]]], axis=1) if len(w) else w[:, 0]
    trunk = shoulders - hips
    torso = np.linalg.norm(trunk, axis=1)
    torso = np.where(torso > 1e-3, torso, np.nan)
    values = {
        "trunk_up": _angle(trunk, -DOWN),
        "head_up": _ratio(-(w[:, L["nose"]] - hips) @ DOWN, torso),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ears = np.nanmean(w[:, [L["left_ear"], L["right_ear"]]], axis=1) if len(w) else w[:, 0]
    face = w[:, L["nose"]] - ears  # which way the face looks: up lying on the back, down lying face down
    values["face_up"] = _ratio(-face @ DOWN, np.linalg.norm(face, axis=1))
    chest = np.cross(w[:, L["right_shoulder"]] - w[:, L["left_shoulder"]], trunk)  # the front's normal
    values["front_up"] = _ratio(chest @ DOWN, np.linalg.norm(chest, axis=1))  # 1: chest up; a mirror keeps it
    per_side: dict[str, list[np.ndarray]] = {name: [] for name in PAIRED}
    for side, j in SIDES.items():
        o = SIDES["right" if side == "left" else "left"]
        thigh, shank = w[:, j["knee"]] - w[:, j["hip"]], w[:, j["ankle"]] - w[:, j["knee"]]
        per_side["knee"].append(180.0 - _angle(thigh, shank))
        per_side["hip_flex"].append(_angle(thigh, -trunk))  # 0: thigh in line with the trunk
        per_side["thigh_down"].append(_angle(thigh, DOWN))
        per_side["shank_down"].append(_angle(shank, DOWN))
        per_side["ankle_up"].append(_ratio(-(w[:, j["ankle"]] - hips) @ DOWN, torso))
        per_side["ankle_knee"].append(_ratio(np.linalg.norm(w[:, j["ankle"]] - w[:, o["knee"]], axis=1), torso))
        per_side["knee_shoulder"].append(_ratio(np.linalg.norm(w[:, j["knee"]] - w[:, j["shoulder"]], axis=1), torso))
    left, right = SIDES["left"]["ankle"], SIDES["right"]["ankle"]
    values["feet_apart"] = _ratio(np.linalg.norm(w[:, left] - w[:, right], axis=1), torso)
    for name, pair in per_side.items():
        values[f"{name}_lo"], values[f"{name}_hi"] = _lo_hi(np.asarray(pair))
    out = np.column_stack([values[name] for name in FRAME_FEATURES]) if len(w) else np.zeros((0, len(FRAME_FEATURES)))
    out[~np.isfinite(torso)] = np.nan
    return out


def track_features(frames: Sequence[PoseFrame]) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame times (s) and features ``(n, len(FRAME_FEATURES))`` of a track."""
    n = len(frames)
    world = np.full((n, 33, 3), np.nan)
    visibility = np.zeros((n, 33))
    for i, f in enumerate(frames):
        if f.landmarks is not None and f.world is not None:
            world[i] = np.asarray(f.world, dtype=float)[:, :3]
            visibility[i] = np.asarray(f.landmarks, dtype=float)[:, VISIBILITY]
    times = np.array([f.t_ms / 1000.0 for f in frames], dtype=float)
    return times, features_of(world, visibility)


def nanpercentiles(x: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """``np.nanpercentile(x, qs, axis=0)`` (linear interpolation) for a 2-D ``x``, without its per-column
    Python loop: NaN sorts last, so each column's known values lead its sorted copy."""
    v = np.sort(x, axis=0)
    n = np.isfinite(v).sum(axis=0)
    pos = np.asarray(qs, dtype=float)[:, None] / 100.0 * np.maximum(n - 1, 0)[None, :]
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0)[None, :])
    cols = np.arange(x.shape[1])[None, :]
    out = v[lo, cols] + (pos - lo) * (v[hi, cols] - v[lo, cols])
    out[:, n == 0] = np.nan
    return out


def window_stats(feats: np.ndarray) -> np.ndarray:
    """The :data:`WINDOW_FEATURES` of the frames of one window (NaN where a measure was never known)."""
    out = np.full(len(WINDOW_FEATURES), np.nan)
    if len(feats):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a measure never known in the window: NaN
            p10, p90 = nanpercentiles(feats, [10, 90])
            stats = np.stack([np.nanmean(feats, axis=0), np.nanstd(feats, axis=0), p10, p90], axis=1)
        out[:-1] = stats.ravel()
        out[-1] = np.isfinite(feats[:, 0]).mean()
    else:
        out[-1] = 0.0
    return out


def windows(
    times: np.ndarray, feats: np.ndarray, window_s: float = WINDOW_S, hop_s: float = HOP_S
) -> tuple[np.ndarray, np.ndarray]:
    """Window centres (s) and window statistics, one window every ``hop_s`` (a short track: one window)."""
    if len(times) == 0:
        return np.zeros(0), np.zeros((0, len(WINDOW_FEATURES)))
    start, end = float(times[0]), float(times[-1])
    span = max(end - start, 0.0)
    starts = np.arange(start, max(start, end - window_s) + 1e-9, hop_s) if span > window_s else np.array([start])
    centres, rows = [], []
    for s in starts:
        sel = (times >= s) & (times < s + window_s)
        if sel.any():
            centres.append(s + min(window_s, span) / 2)
            rows.append(window_stats(feats[sel]))
    return np.array(centres), np.array(rows)
