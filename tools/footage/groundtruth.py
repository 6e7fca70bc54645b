"""Ground truth: joint angles from keypoints, landmark ownership for the
occlusion test, and the JSON document (format formcheck.ground_truth v1)."""

from __future__ import annotations

import numpy as np

from .body import LANDMARK_NAMES

FORMAT = "formcheck.ground_truth"
VERSION = 1

IDX = {n: i for i, n in enumerate(LANDMARK_NAMES)}

# angle name -> (a, vertex, b): the angle at `vertex` between a and b, degrees
ANGLE_DEFS = {}
for _side in ("left", "right"):
    ANGLE_DEFS[f"{_side}_knee"] = (f"{_side}_hip", f"{_side}_knee", f"{_side}_ankle")
    ANGLE_DEFS[f"{_side}_hip"] = (f"{_side}_shoulder", f"{_side}_hip", f"{_side}_knee")
    ANGLE_DEFS[f"{_side}_elbow"] = (f"{_side}_shoulder", f"{_side}_elbow", f"{_side}_wrist")
    ANGLE_DEFS[f"{_side}_shoulder"] = (f"{_side}_hip", f"{_side}_shoulder", f"{_side}_elbow")
    ANGLE_DEFS[f"{_side}_ankle"] = (f"{_side}_knee", f"{_side}_ankle", f"{_side}_foot_index")
del _side
ANGLE_NAMES = list(ANGLE_DEFS) + ["trunk_inclination"]


def joint_angle(a, v, b):
    u = np.asarray(a, float) - v
    w = np.asarray(b, float) - v
    c = np.dot(u, w) / (np.linalg.norm(u) * np.linalg.norm(w) + 1e-12)
    return float(np.degrees(np.arccos(np.clip(c, -1, 1))))


def angles(points, dims: int) -> dict:
    """Angles from 33 landmarks, 3D (world, z up) or 2D (pixels, y down)."""
    P = np.asarray(points, float)
    out = {}
    for name, (a, v, b) in ANGLE_DEFS.items():
        out[name] = round(joint_angle(P[IDX[a]], P[IDX[v]], P[IDX[b]]), 2)
    hip = (P[IDX["left_hip"]] + P[IDX["right_hip"]]) / 2
    sh = (P[IDX["left_shoulder"]] + P[IDX["right_shoulder"]]) / 2
    d = sh - hip
    if dims == 3:
        inc = np.degrees(np.arctan2(d[2], np.hypot(d[0], d[1])))
    else:
        inc = np.degrees(np.arctan2(-d[1], abs(d[0])))
    out["trunk_inclination"] = round(float(inc), 2)
    return out


def own_groups():
    """Body parts that may lie in front of each landmark without hiding it."""
    out = []
    for n in LANDMARK_NAMES:
        side = "L" if n.startswith("left") else "R"
        if n in ("nose", "mouth_left", "mouth_right") or "eye" in n or "ear" in n:
            out.append((("head",), 0.04))
        elif n.endswith("shoulder"):
            out.append((("trunk", "arm." + side), 0.15))
        elif n.endswith("elbow"):
            out.append((("arm." + side,), 0.09))
        elif n.endswith("wrist"):
            out.append((("arm." + side, "hand." + side), 0.06))
        elif n.endswith(("pinky", "index", "thumb")):
            out.append((("hand." + side,), 0.04))
        elif n.endswith("hip"):
            out.append((("hip." + side, "leg." + side, "trunk"), 0.15))
        elif n.endswith("knee"):
            out.append((("leg." + side,), 0.09))
        else:  # ankle, heel, foot_index
            out.append((("leg." + side, "foot." + side), 0.07))
    return out
