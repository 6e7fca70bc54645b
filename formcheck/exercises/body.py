"""A frame's body, read the way the rules talk about it: joints by side, limb angles, segment slopes.

Every value is NaN when a landmark it needs is not trusted, so a rule can
tell "out of range" from "cannot see" (see :func:`test`).
"""

from __future__ import annotations

import math
from dataclasses import replace

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
    "foot": ("heel", "ankle", "foot_index"),  # the foot's own shape: rigid, whatever the ankle does
}

# Leg landmarks at visibility 0.3-0.5 lie about as near their true place as at 0.5-0.7 (the 27 renders with full
# truth, tools/landmark_error.py: median 0.21-0.23 against 0.18 torso lengths; the ankle angle 10 degrees off
# against 14), below 0.3 far off (0.33-0.53; 32 degrees). The far leg behind the near one reads there.
HIDDEN_MIN_VISIBILITY = 0.3


class Body:
    def __init__(self, frame: PoseFrame):
        self.frame = frame
        self.px = frame.pixels()
        self.scale = geometry.body_scale(self.px)
        self._mids: dict[str, np.ndarray] = {}

    def behind(self) -> Body:
        """The same frame read down to ``HIDDEN_MIN_VISIBILITY``: with the landmarks the near limbs hide, which
        the model places well but is unsure of. For a rule that needs the far leg and has no other reading."""
        return Body(replace(self.frame, min_visibility=min(self.frame.min_visibility, HIDDEN_MIN_VISIBILITY)))

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

    def legs_elevation(self) -> float:
        """Elevation of the mid-ankles -> mid-hips line, built as the trunk's is: lying, the two run along one line
        that the camera's height and angle tilt alike in the picture."""
        return float(geometry.elevation(self.mid("ankle"), self.mid("hip")))

    def lying(self, max_deg: float) -> bool | None:
        """Is the trunk within ``max_deg`` of horizontal (lying, not sitting up)? None when unseen."""
        return test(abs(self.trunk_elevation()), lambda v: v <= max_deg)

    def rel(self, value_px: float) -> float:
        """A pixel distance as a fraction of torso length."""
        return value_px / self.scale if self.scale and math.isfinite(self.scale) else math.nan

    def height_above(self, a: str, b: str) -> float:
        """How far ``a`` is above ``b``, in torso lengths (negative: below)."""
        return self.rel(self.p(b)[1] - self.p(a)[1])

    def horizontal_gap(self, a: str, b: str) -> float:
        """How far ``a`` and ``b`` are apart along the image's x (either way), in torso lengths: e.g. a wrist
        not stacked under its shoulder, whichever way the body faces."""
        return self.rel(abs(self.p(a)[0] - self.p(b)[0]))

    def mid(self, part: str) -> np.ndarray:
        """Midpoint of the left and right ``part`` (e.g. ``"hip"``), or the one side that is known."""
        if part not in self._mids:
            self._mids[part] = geometry.mean_point(self.px, f"left_{part}", f"right_{part}")
        return self._mids[part]

    def hip_flexion(self, side: str, signed: bool = False) -> float:
        """Flexion of one thigh from the trunk line in the image (degrees): 0 in line with the trunk, 90 at
        right angles to it. The trunk runs from the mid-shoulders to the mid-hips, so a hidden far shoulder
        or hip does not matter (in a side view the two nearly coincide). With ``signed`` it is negative
        while the knee is below the trunk line in the image (lying on the back: a thigh resting a little
        below the line reads -10, not 10, so a lift from there is not mistaken for a drop)."""
        trunk = self.mid("hip") - self.mid("shoulder")
        thigh = self.p(f"{side}_knee") - self.p(f"{side}_hip")
        if not np.all(np.isfinite(thigh)):
            thigh = self.p(f"{side}_knee") - self.mid("hip")
        angle = float(geometry.joint_angle(trunk, np.zeros(2), thigh))
        if signed and (trunk[0] * thigh[1] - trunk[1] * thigh[0]) * np.sign(trunk[0]) > 0:
            return -angle
        return angle

    def raised_leg(self, min_flexion: float, margin: float) -> str | None:
        """Lying on the back: the leg whose thigh is drawn up, from :meth:`hip_flexion`.

        That thigh is flexed at least ``min_flexion`` and ``margin`` more than the other. None when
        neither or both are up, or when one thigh is hidden and the visible one is not clearly up (at least
        ``min_flexion + margin``): the hidden one might be the raised leg.
        """
        flex = {s: self.hip_flexion(s) for s in ("left", "right")}
        known = {s: f for s, f in flex.items() if math.isfinite(f)}
        if len(known) == 2:
            hi, lo = sorted(known, key=known.get, reverse=True)
            return hi if known[hi] >= min_flexion and known[hi] - known[lo] >= margin else None
        if len(known) == 1:
            ((side, f),) = known.items()
            return side if f >= min_flexion + margin else None
        return None

    def leg_elevation(self, side: str, *, from_trunk: bool = False) -> float:
        """Elevation of one leg, hip to ankle, in the image (degrees, positive = ankle higher).

        Lying on the back it is about 0 while that foot rests on the floor, whether the knee is straight
        or bent, and grows as the foot leaves the floor. It is read from the picture's horizontal, from the
        mid-hips; ``from_trunk`` reads it from the trunk line instead, from the leg's own hip (the mid-hips
        when that is hidden), for a body whose shoulders stay on the floor: a leg and a trunk lying there run
        along one line, which a camera above the floor or off the side tilts in the picture (by up to 20
        degrees in the corpus) but tilts alike. (Propped on the forearms, the trunk is no floor line.)
        """
        if not from_trunk:
            return float(geometry.elevation(self.mid("hip"), self.p(f"{side}_ankle")))
        hip = self.p(f"{side}_hip")
        if not np.all(np.isfinite(hip)):
            hip = self.mid("hip")
        trunk = geometry.elevation(self.mid("shoulder"), self.mid("hip"))
        return float(geometry.elevation(hip, self.p(f"{side}_ankle")) - trunk)

    def distance_to_segment(self, point: str, a: str, b: str, start: float = 0.0, end: float = 1.0) -> float:
        """Distance from landmark ``point`` to the segment between landmarks ``a`` and ``b``, in torso lengths.

        ``start``/``end`` keep only part of it, as fractions from ``a`` (e.g. 0.5, 1.0: the half next to ``b``).
        """
        a_, b_ = self.p(a), self.p(b)
        p, a_, b_ = self.p(point), a_ + start * (b_ - a_), a_ + end * (b_ - a_)
        ab = b_ - a_
        length2 = float(np.dot(ab, ab))
        if not np.isfinite(length2) or not np.all(np.isfinite(p)):
            return math.nan
        u = 0.0 if length2 == 0 else float(np.clip(np.dot(p - a_, ab) / length2, 0.0, 1.0))
        return self.rel(float(np.linalg.norm(p - (a_ + u * ab))))

    def limb_consistent(
        self, side: str, reference: str, parts: tuple[str, ...], tolerance: float = 0.35
    ) -> bool | None:
        """Are the segments of ``side`` along ``parts`` (e.g. ``("knee", "ankle", "foot_index")``) about as long
        as ``reference``'s, each within ``tolerance`` as a fraction? None when a landmark is unknown.

        A far-side limb the model has misplaced (an ankle collapsed onto its knee, a foot folded back)
        usually fails this: treat its angles as unknown rather than judging them (docs/angles.md).
        """
        for a, b in zip(parts, parts[1:]):
            mine = float(np.linalg.norm(self.p(f"{side}_{b}") - self.p(f"{side}_{a}")))
            ref = float(np.linalg.norm(self.p(f"{reference}_{b}") - self.p(f"{reference}_{a}")))
            if not (math.isfinite(mine) and math.isfinite(ref)) or ref == 0:
                return None
            if abs(mine / ref - 1.0) > tolerance:
                return False
        return True


def test(value: float, predicate) -> bool | None:
    """``predicate(value)`` as a bool, or None when the value is unknown (NaN): "cannot judge"."""
    if value is None or not math.isfinite(value):
        return None
    return bool(predicate(value))


def any_true(flags) -> bool | None:
    """Several :func:`test` results together: True if any is True, else None if any is unknown, else False."""
    flags = list(flags)
    return True if True in flags else None if None in flags else False
