"""A frame's body, read the way the rules talk about it: joints by side, limb angles, segment slopes.

Every value is NaN when a landmark it needs is not trusted, so a rule can
tell "out of range" from "cannot see" (see :func:`test`).
"""

from __future__ import annotations

import math

import numpy as np

from formcheck import geometry
from formcheck.landmarks import PoseFrame, index

# The three landmarks that make each joint angle (the middle one is the joint).
JOINTS = {
    "knee": ("hip", "knee", "ankle"),
    "hip": ("shoulder", "hip", "knee"),
    "elbow": ("shoulder", "elbow", "wrist"),
    "shoulder": ("hip", "shoulder", "elbow"),
    "ankle": ("knee", "ankle", "foot_index"),
}


class Body:
    def __init__(self, frame: PoseFrame):
        self.frame = frame
        self.px = frame.pixels()
        self.scale = geometry.body_scale(self.px)

    def p(self, name: str) -> np.ndarray:
        """Pixel position of a landmark, e.g. ``p("left_knee")``."""
        return self.px[index(name)]

    def joint(self, name: str) -> int:
        return index(name)

    def angle(self, side: str, joint: str) -> float:
        """Joint angle in the image plane, 180 = straight (ankle: 90 = neutral foot)."""
        a, b, c = (self.p(f"{side}_{part}") for part in JOINTS[joint])
        return float(geometry.joint_angle(a, b, c))

    def elevation(self, a: str, b: str) -> float:
        """Elevation of segment a->b above horizontal (degrees, positive = b higher)."""
        return float(geometry.elevation(self.p(a), self.p(b)))

    def trunk_elevation(self) -> float:
        return geometry.trunk_elevation(self.px)

    def rel(self, value_px: float) -> float:
        """A pixel distance as a fraction of torso length."""
        return value_px / self.scale if self.scale and math.isfinite(self.scale) else math.nan

    def height_above(self, a: str, b: str) -> float:
        """How far ``a`` is above ``b``, in torso lengths (negative: below)."""
        return self.rel(self.p(b)[1] - self.p(a)[1])

    def forward_of(self, a: str, b: str, direction: int) -> float:
        """How far ``a`` is ahead of ``b`` along image-x ``direction`` (+1/-1), in torso lengths."""
        return self.rel((self.p(a)[0] - self.p(b)[0]) * direction)


def test(value: float, predicate) -> bool | None:
    """``predicate(value)`` as a bool, or None when the value is unknown (NaN): "cannot judge"."""
    if value is None or not math.isfinite(value):
        return None
    return bool(predicate(value))
