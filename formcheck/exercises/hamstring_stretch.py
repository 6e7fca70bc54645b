"""Standing hamstring stretch: heel on a knee-height surface, leg straight, hinge forward, hips down; 20 s a side.

The hold runs while one foot rests still on a raised surface (its ankle out
in front of the hips, above the other one and not moving) and the other leg
stands. Form is judged only while that foot rests, so lifting the leg on and
off the surface, often with a bent knee, is not a fault. The hip-hike rule
compares the two hips' heights against how they lined up while you stood
still on both feet just before, which cancels the camera's perspective and
the pose model's bias (and is taken afresh when you turn around).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck import geometry
from formcheck.exercises import base
from formcheck.exercises.base import ExerciseInfo, FaultInfo, Observation, Targets
from formcheck.exercises.body import Body, test
from formcheck.exercises.mechanics import RecentValues
from formcheck.exercises.records import RepRecord
from formcheck.landmarks import SIDES, PoseFrame, other_side

INFO = ExerciseInfo(
    id="hamstring_stretch",
    title="Standing hamstring stretch",
    source="4 sciatica exercises, #3",
    camera="Side view: camera at hip height, 2-3 m to your side, your whole body and the chair or step in frame. "
    "Best with the raised leg nearer the camera (turn around when you switch legs).",
    start_position="Standing tall in front of a chair, step or table about as high as your knees.",
    posture="standing",
    signal="The raised foot: its ankle out in front of the hips, above the other ankle and resting still; "
    "the trunk's forward lean.",
    completes="One hold: the heel rests on the surface with the leg straight for 20 s; then the other leg.",
    kind="holds",
    faults=(
        FaultInfo("knee_bent", "Straighten the raised leg"),
        FaultInfo("foot_too_low", "Use a higher surface, about knee height"),
        FaultInfo("foot_too_high", "Use a lower surface, about knee height"),
        FaultInfo("hips_lift", "Keep your hips down: don't let the raised leg's hip lift"),
        FaultInfo("standing_leg_bent", "Stand tall on a straight standing leg"),
        FaultInfo("not_hinging", "Lean forward from your hips toward your foot"),
        FaultInfo("hold_too_short", "Hold the stretch until the time is up"),
    ),
    targets=Targets(hold_s=20.0, holds=1, per_side=True),
    needs=("shoulder", "hip", "knee", "ankle"),
    safety="Stretch gently: stop if you feel pain, or numbness or tingling down the leg.",
    cannot_check=(
        "Whether the back stays long or rounds: only the shoulder-hip line is seen, so a forward lean "
        "from a rounded back counts as hinging.",
        "A hip hike is judged from the two hips' heights; from the side the far hip is partly hidden, "
        "so a small hike can be missed.",
        "Toes pulled back (flexed) toward you: the foot on the surface is too small to judge reliably.",
        "How deep the stretch feels: lean only as far as is comfortable.",
    ),
)


@dataclass(frozen=True)
class Thresholds(base.Thresholds):
    reach_min: float = 0.6  # raised ankle at least this far (torso lengths) in front of the hips
    raised_min: float = 0.15  # ... and this much higher than the other ankle: the foot is up on something
    under_hips_max: float = 0.35  # both ankles closer than this to below the hips: standing on both feet
    still_ms: float = 500.0  # the raised foot must stay put this long to count as resting on the surface
    still_max: float = 0.08  # ... moving less than this (torso lengths) within that time
    hang_min: float = 0.55  # standing knee at least this far (torso lengths) below its hip: standing, not sitting
    trunk_min: float = 30.0  # trunk elevation (degrees) above this: upright or hinged, not lying down
    knee_straight_min: float = 160.0  # raised knee angle below this: bent
    knee_soft_min: float = 145.0  # ... when the profile says the knee hyperextends (a slight bend is allowed)
    standing_knee_min: float = 155.0  # standing knee angle below this: not standing tall
    foot_low: float = -0.3  # raised ankle this far (torso lengths) below the standing knee: surface too low
    foot_high: float = 0.5  # ... this far above it: surface too high (the hip is about 0.85 above it)
    # raised-side hip up by more than this (torso lengths) against the standing line-up; flexing the hip to
    # put the heel up already raises the hip's surface keypoint by up to 0.074 (true keypoints of the rendered
    # sample done well), so the limit sits clear of that
    hip_lift_max: float = 0.1
    level_tau_ms: float = 500.0  # how quickly the standing line-up of the hips follows (time constant)
    hinge_min: float = 12.0  # forward lean of the trunk (degrees from vertical) a hold should reach


class HamstringStretch(base.Exercise):
    info = INFO
    Thresholds = Thresholds

    def __init__(self, profile=None):
        super().__init__(profile)
        self._ankles = RecentValues(self.th.still_ms)
        self._hip_level = math.nan  # left minus right hip height while standing still on both feet
        self._level_t: float | None = None
        self._max_lean = math.nan  # the deepest forward lean of the current hold

    def key_angles(self) -> tuple[base.KeyAngle, ...]:
        th = self.th
        knee_min = th.knee_soft_min if self.profile.knee_hyperextends else th.knee_straight_min
        return (
            base.KeyAngle("angle_knee", "Raised knee", ((knee_min, None),)),
            base.KeyAngle("angle_lean", "Forward hinge of the trunk", ((th.hinge_min, None),)),
        )

    def observe(self, frame: PoseFrame, near: str) -> Observation:
        th, b, t = self.th, Body(frame), frame.t_ms
        ankles = np.array([b.p(f"{s}_ankle") for s in SIDES])
        self._ankles.add(t, ankles)
        hips = geometry.mean_point(b.px, "left_hip", "right_hip")  # or the one that is seen
        # The raised foot is the one out in front of the hips (a camera above the floor sees the far foot
        # higher than the near one, so heights alone cannot tell a raised foot from the far one standing).
        reach = {s: abs(b.rel(ankles[i, 0] - hips[0])) for i, s in enumerate(SIDES)}
        if not all(math.isfinite(v) for v in reach.values()):
            return Observation()
        raised = max(SIDES, key=reach.get)
        stand = other_side(raised)
        trunk = b.trunk_elevation()
        # standing, not sitting: a knee well below the hips (from the side one leg may be hidden: one will do)
        hang = max((h for s in SIDES if math.isfinite(h := b.rel(b.p(f"{s}_knee")[1] - hips[1]))), default=math.nan)
        standing = test(hang, lambda v: v >= th.hang_min)
        up = test(trunk, lambda v: v >= th.trunk_min)
        rise = b.height_above(f"{raised}_ankle", f"{stand}_ankle")
        lifted = bool(reach[raised] >= th.reach_min and rise >= th.raised_min)
        hip_tilt = b.height_above("left_hip", "right_hip")  # left minus right
        under = bool(max(reach.values()) < th.under_hips_max) and standing and up
        if under and self._resting("left", b.scale) and self._resting("right", b.scale):
            self._follow_level(t, hip_tilt)  # standing still on both feet: learn how the hips line up
        placed = _all(lifted, standing, up)  # a foot up on something while standing on the other leg
        # ... and resting there; a foot up but not still (being placed, or shaking) neither starts nor ends a hold:
        # the body's stillness times it, and taking the foot down ends it
        in_position = (True if self._resting(raised, b.scale) else None) if placed else placed
        lean = self._lean(b, raised)
        if in_position:
            self._max_lean = lean if not math.isfinite(self._max_lean) else max(self._max_lean, lean)
        knee = b.angle(raised, "knee")
        knee_min = th.knee_soft_min if self.profile.knee_hyperextends else th.knee_straight_min
        foot = b.height_above(f"{raised}_ankle", f"{stand}_knee")
        hike = (hip_tilt - self._hip_level) * (1 if raised == "left" else -1)  # raised-side hip up since standing
        checks = {
            "knee_bent": test(knee, lambda v: v < knee_min),
            "foot_too_low": test(foot, lambda v: v < th.foot_low),
            "foot_too_high": test(foot, lambda v: v > th.foot_high),
            "hips_lift": test(hike, lambda v: v > th.hip_lift_max),
            "standing_leg_bent": test(b.angle(stand, "knee"), lambda v: v < th.standing_knee_min),
        }
        if in_position:
            faults = checks
        elif placed is False:
            faults = dict.fromkeys(checks, False)  # both feet down: out of the stretch
        else:
            faults = dict.fromkeys(checks)  # the foot is moving on or off the surface, or unseen: not judged now
        angles = [
            base.AngleReading(
                "knee", b.joint(f"{raised}_knee"), knee, test(knee, lambda v: v >= knee_min) if in_position else None
            ),
            base.AngleReading("lean", b.joint(f"{raised}_shoulder"), lean),
        ]
        bad = (b.joint(f"{raised}_knee"), b.joint(f"{raised}_hip"), b.joint(f"{raised}_ankle"))
        return Observation(
            ready=under and test(trunk, lambda v: v >= 90 - th.hinge_min),
            in_position=in_position,
            side=raised if lifted else None,
            faults=faults,
            angles=angles,
            bad_joints=bad,
        )

    def _resting(self, side: str, scale: float) -> bool | None:
        """The ankle of ``side`` has stayed put for ``still_ms`` (None until there is that much to go by)."""
        if not self._ankles.covers(0.8) or not math.isfinite(scale):
            return None
        span = np.asarray(self._ankles.span())[SIDES.index(side)]
        if not np.isfinite(span).all():
            return None
        return bool(span.max() / scale < self.th.still_max)

    def _follow_level(self, t: float, hip_tilt: float) -> None:
        """Follow how the hips line up while standing on both feet (time constant ``level_tau_ms``)."""
        if not math.isfinite(hip_tilt):
            return
        if not math.isfinite(self._hip_level) or self._level_t is None or t - self._level_t > 5 * self.th.level_tau_ms:
            self._hip_level = hip_tilt
        else:
            follow = 1.0 - math.exp(-(t - self._level_t) / self.th.level_tau_ms)
            self._hip_level += follow * (hip_tilt - self._hip_level)
        self._level_t = t

    @staticmethod
    def _lean(b: Body, raised: str) -> float:
        """Trunk lean from vertical toward the raised foot, degrees (negative: leaning back)."""
        hips = geometry.mean_point(b.px, "left_hip", "right_hip")
        shoulders = geometry.mean_point(b.px, "left_shoulder", "right_shoulder")
        toward = np.sign(b.p(f"{raised}_ankle")[0] - hips[0])
        if not (np.isfinite(hips).all() and np.isfinite(shoulders).all() and toward):
            return math.nan
        return math.degrees(math.atan2((shoulders[0] - hips[0]) * toward, hips[1] - shoulders[1]))

    def hold_begins(self) -> None:
        self._max_lean = math.nan

    def judge(self, record: RepRecord) -> list[str]:
        extra = super().judge(record)
        lean, self._max_lean = self._max_lean, math.nan
        record.measures["lean_deg"] = round(lean, 1) if math.isfinite(lean) else None
        if math.isfinite(lean) and lean < self.th.hinge_min:
            extra.append("not_hinging")
        return extra

    def side_label(self, side: str) -> str:
        return f"{side} leg raised"


def _all(*values: bool | None) -> bool | None:
    """True if all are true, False if any is false, else None (something could not be judged)."""
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True
