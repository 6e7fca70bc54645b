"""Pure geometry on landmark coordinates.

Conventions (documented in docs/angles.md): points are pixel coordinates with
y pointing down, or world coordinates in metres. Angles are in degrees. An
angle needing an unknown (NaN) point is NaN: "cannot judge", never a guess.
"""

from __future__ import annotations

import numpy as np

from formcheck.landmarks import VISIBILITY, Z, index


def joint_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray | float:
    """Angle ABC at ``b`` in degrees (0..180); 180 is a straight limb.

    Works on 2D or 3D points and on stacked arrays of them (last axis = coordinates).
    """
    ba = np.asarray(a, float) - np.asarray(b, float)
    bc = np.asarray(c, float) - np.asarray(b, float)
    norm = np.linalg.norm(ba, axis=-1) * np.linalg.norm(bc, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(ba * bc, axis=-1) / norm
    return _scalar(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def elevation(a: np.ndarray, b: np.ndarray) -> np.ndarray | float:
    """Angle of the segment a->b above the horizontal, in degrees (-90..90).

    Positive when ``b`` is higher on screen than ``a`` (image y points down);
    independent of whether the segment points left or right.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    dx = np.abs(b[..., 0] - a[..., 0])
    up = a[..., 1] - b[..., 1]
    with np.errstate(invalid="ignore"):
        return _scalar(np.degrees(np.arctan2(up, dx)))


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray | float:
    return _scalar(np.linalg.norm(np.asarray(a, float) - np.asarray(b, float), axis=-1))


def midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (np.asarray(a, float) + np.asarray(b, float)) / 2.0


def mean_point(pixels: np.ndarray, *names: str) -> np.ndarray:
    """Mean position of the named landmarks that are known; NaN when none is."""
    points = pixels[[index(n) for n in names]]
    known = np.isfinite(points).all(axis=-1)
    count = int(known.sum())
    if not count:
        return np.full(points.shape[-1], np.nan)
    return points[known].sum(axis=0) / count  # the mean, without np.mean's overhead on a few points


def lowest_point(pixels: np.ndarray, *names: str) -> np.ndarray:
    """The known named landmark lowest in the image (largest y); NaN when none is known."""
    points = pixels[[index(n) for n in names]]
    known = points[np.all(np.isfinite(points), axis=-1)]
    if not len(known):
        return np.full(points.shape[-1], np.nan)
    return known[np.argmax(known[:, 1])]


def body_scale(pixels: np.ndarray) -> float:
    """Torso length in pixels (mid-shoulder to mid-hip), using one side if the other is unknown.

    Distances divided by this are comparable across body sizes and camera distances.
    """
    pairs = [
        (
            midpoint(pixels[index("left_shoulder")], pixels[index("right_shoulder")]),
            midpoint(pixels[index("left_hip")], pixels[index("right_hip")]),
        ),
        (pixels[index("left_shoulder")], pixels[index("left_hip")]),
        (pixels[index("right_shoulder")], pixels[index("right_hip")]),
    ]
    for shoulder, hip in pairs:
        d = distance(shoulder, hip)
        if np.isfinite(d) and d > 0:
            return float(d)
    return float("nan")


def near_side(landmarks: np.ndarray) -> str | None:
    """Which body side faces the camera: ``"left"`` or ``"right"`` (None if unclear).

    Uses MediaPipe's relative depth (smaller z is nearer) of shoulders, hips and
    knees, backed by visibility: in a side view the far side is occluded.
    """
    names = ("shoulder", "hip", "knee")
    left = np.array([index(f"left_{n}") for n in names])
    right = np.array([index(f"right_{n}") for n in names])
    dz = np.nanmean(landmarks[right, Z] - landmarks[left, Z])  # > 0: left is nearer
    dv = np.nanmean(landmarks[left, VISIBILITY] - landmarks[right, VISIBILITY])
    score = np.tanh(dz * 10.0) + dv
    if not np.isfinite(score) or abs(score) < 0.05:
        return None
    return "left" if score > 0 else "right"


def trunk_elevation(pixels: np.ndarray) -> float:
    """Elevation of the hips->shoulders line (90 upright, 0 lying or level)."""
    shoulders = mean_point(pixels, "left_shoulder", "right_shoulder")
    hips = mean_point(pixels, "left_hip", "right_hip")
    return float(elevation(hips, shoulders))


def posture(pixels: np.ndarray) -> str:
    """Coarse body position: ``standing``, ``sitting``, ``quadruped``, ``supine``, ``prone`` or ``unknown``.

    Built from image-plane cues that survive a side view: trunk angle, whether
    the hips and shoulders are held up over the knees and hands, which way the
    face and the toes point.
    """

    scale = body_scale(pixels)
    if not np.isfinite(scale):
        return "unknown"
    shoulders = mean_point(pixels, "left_shoulder", "right_shoulder")
    hips = mean_point(pixels, "left_hip", "right_hip")
    knees = lowest_point(pixels, "left_knee", "right_knee")  # the standing leg's: the other may be up
    ankles = lowest_point(pixels, "left_ankle", "right_ankle")
    wrists = mean_point(pixels, "left_wrist", "right_wrist")
    trunk = abs(trunk_elevation(pixels))
    if trunk >= 55:
        hip_over_ankle = (ankles[1] - hips[1]) / scale
        knee_below_hip = (knees[1] - hips[1]) / scale
        if hip_over_ankle > 1.2 and knee_below_hip > 0.55:
            return "standing"
        return "sitting"
    if trunk > 40:
        return "unknown"
    hips_up = (knees[1] - hips[1]) / scale
    shoulders_up = (wrists[1] - shoulders[1]) / scale
    if hips_up > 0.45 and shoulders_up > 0.45:
        return "quadruped"
    # Lying: face up or down? The nose sits above the ears when supine; toes
    # point up when supine and the heels are above the toes when prone.
    votes = 0.0
    nose, ears = pixels[index("nose")], mean_point(pixels, "left_ear", "right_ear")
    if np.all(np.isfinite(nose)) and np.all(np.isfinite(ears)):
        votes += np.clip((ears[1] - nose[1]) / (0.15 * scale), -1, 1)
    heels = mean_point(pixels, "left_heel", "right_heel")
    toes = mean_point(pixels, "left_foot_index", "right_foot_index")
    if np.all(np.isfinite(heels)) and np.all(np.isfinite(toes)):
        votes += np.clip((heels[1] - toes[1]) / (0.1 * scale), -1, 1)
    if votes > 0.3:
        return "supine"
    if votes < -0.3:
        return "prone"
    return "unknown"


def _scalar(value):
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value
