"""Lumbar extension (McKenzie press-up): lying on the stomach, raise the trunk on the elbows or hands, hips down."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.exercises import base
from formcheck.exercises.base import ExerciseInfo, FaultInfo, Observation, Targets
from formcheck.exercises.body import Body, test
from formcheck.exercises.mechanics import RecentValues
from formcheck.exercises.records import RepRecord
from formcheck.landmarks import PoseFrame

INFO = ExerciseInfo(
    id="lumbar_extension",
    title="Lumbar extension (press-up)",
    source="5 exercises by a physiotherapist, #1",
    camera="Side view: camera at floor level, 2-3 m to your side, head to feet in frame.",
    start_position="Lying on your stomach, hands or forearms on the floor beside your shoulders.",
    posture="prone",
    signal="Trunk angle: the hip-shoulder line against the floor.",
    completes="The trunk raised (on the elbows or hands) and lowered again.",
    kind="reps",
    faults=(
        FaultInfo("hips_lift", "Keep your hips on the floor"),
        FaultInfo("elbows_not_under_shoulders", "Bring your elbows under your shoulders"),
        FaultInfo("arms_not_straight", "On your hands: push up until your arms are straight, if comfortable"),
    ),
    targets=Targets(reps=10),
    needs=("shoulder", "hip", "knee", "elbow"),
    safety="Stop if the pain spreads further down your leg.",
    sided=False,
    cannot_check=(
        "Whether the movement eases or worsens symptoms: the app asks, it cannot see it.",
        "Sagging or twisting across the body is not visible from the side.",
    ),
)


@dataclass(frozen=True)
class Thresholds(base.Thresholds):
    raised: float = 7.0  # trunk angle (degrees) that starts a rep: lying -2 to 0; elbows 8-18 (elbows far
    # forward as little as 8 on the pose model), hands 35-40
    lowered: float = 3.5  # ... and back below this ends it
    hip_lift_max: float = 18.0  # knee->hip line rising more steeply than this: hips off the floor
    forearm_flat_max: float = 32.0  # forearm (wrist->elbow) rising less steeply than this (degrees): propped on
    # the forearms (0-25 on the elbows, elbows forward included; 40 and more on the hands, arms bent or not)
    # The elbow this far ahead of or behind the shoulder (torso lengths, about 15 cm): further than a placement
    # varies within good form (the +-15 cm of the corpus). Upper arms square to a trunk raised 20-28 degrees (the
    # corpus's good press-ups) put the elbows 0.12-0.31 ahead (0.25 flagged 7 of 36 dev scenarios); forearms
    # reaching far forward (the corpus's fault) 0.57-0.63; the renders' subtler reach 0.20-0.43 (0.28 is missed).
    elbow_offset_max: float = 0.3
    straight_arm_min: float = 150.0
    top_share: float = 0.8  # "near the top" of a rep: the trunk within this share of the rep's highest angle
    # The trunk angle is measured from where it lay in the last seconds, not from the picture's horizontal: a
    # camera above or off the side sees a body lying flat at -15 to +10 degrees (a real oblique clip: -12).
    rest_window_ms: float = 6000.0
    # ... up to this above the floor's slant in the picture: a body lying flat reads 4-6 degrees more than its
    # legs from a side view at floor level (the chest lifts the shoulder: an animated clip lying before its
    # press-up), within 1 of them in the corpus and on a render from 1.3 m up (where both read 18-19).
    flat_max: float = 10.0
    # The floor's slant in the picture is the legs' line (ankles -> hips) while the body lies flat along it: a
    # camera above or off the side tilts a body lying flat by -15 to +20 degrees in the picture, legs and trunk
    # alike. Lying flat is the trunk under `lowered` from there once the floor is known; before that, the trunk at
    # its lowest of late and within flat_max of the legs. Hips lifting only raise the legs' line, so the floor is
    # at the low end of its readings (floor_percentile: a landmark's jump does not move it). Legs steeper than
    # floor_max are not lying (kneeling, walking in).
    floor_percentile: float = 10.0
    floor_max: float = 30.0
    cut_speed: float = 90.0  # the trunk angle changing faster than this (degrees a second; a brisk press-up is
    # 30-60) is a cut to another camera angle: where the body lies flat is learned afresh, from the angles seen
    cut_settle_ms: float = 300.0  # ... this long after it (the landmarks take a moment to settle)


class _Lately:
    """An angle's readings of the last ``window_ms``, started afresh at a cut: the angle changing faster than
    ``cut_speed`` (degrees a second), and for ``settle_ms`` after it."""

    def __init__(self, window_ms: float, cut_speed: float, settle_ms: float):
        self.values = RecentValues(window_ms)
        self._cut_speed, self._settle_ms = cut_speed, settle_ms
        self._last: tuple[float, float] | None = None  # (t_ms, angle) of the last reading
        self._cut_ms = -math.inf

    def add(self, t_ms: float, angle: float) -> None:
        """Add a reading (NaN: none this frame, but older ones still fall out of the window)."""
        if not math.isfinite(angle):
            self.values.add(t_ms, None)
            return
        if self._last is not None and t_ms > self._last[0]:
            if abs(angle - self._last[1]) / (t_ms - self._last[0]) * 1000.0 > self._cut_speed:
                self._cut_ms = t_ms
            if t_ms - self._cut_ms <= self._settle_ms:
                self.values.clear()
        self._last = (t_ms, angle)
        self.values.add(t_ms, angle)


class LumbarExtension(base.Exercise):
    info = INFO
    Thresholds = Thresholds

    def __init__(self, profile=None):
        super().__init__(profile)
        # (trunk angle, propped on the forearms?, elbow angle, elbow offset) of each frame of the current rep
        self._samples: list[tuple[float, bool | None, float, float]] = []
        th = self.th
        self._trunk = _Lately(th.rest_window_ms, th.cut_speed, th.cut_settle_ms)  # its lowest is lying flat
        self._legs = _Lately(th.rest_window_ms, th.cut_speed, th.cut_settle_ms)  # lying flat: the floor's slant

    def rep_thresholds(self) -> tuple[float, float]:
        return self.th.raised, self.th.lowered

    def key_angles(self) -> tuple[base.KeyAngle, ...]:
        return (base.KeyAngle("angle_trunk", "Trunk angle (press-up)", ((self.th.raised, None),)),)

    def observe(self, frame: PoseFrame, near: str) -> Observation:
        th, b = self.th, Body(frame)
        lean, legs = b.trunk_elevation(), b.legs_elevation()
        self._trunk.add(frame.t_ms, lean)
        lowest = self._trunk.values.min()
        # The rise from lying flat: from the lowest angle of late, up to the highest a body lying flat reads
        # above the floor's slant (a recording that starts raised higher is measured from there).
        floor = self._legs.values.percentile(th.floor_percentile)
        known = math.isfinite(floor)
        floor = floor if known else 0.0
        trunk = lean - min(lowest, th.flat_max + floor)
        lying_flat = trunk < th.lowered if known else lean - lowest <= th.lowered
        lying_flat = lying_flat and abs(lean - legs) <= th.flat_max and abs(legs) <= th.floor_max
        self._legs.add(frame.t_ms, legs if lying_flat else math.nan)
        thigh = b.elevation(f"{near}_knee", f"{near}_hip") - floor
        raised = test(trunk, lambda v: v >= th.lowered)
        if not self.in_rep:
            self._samples = []
        elif math.isfinite(trunk):
            on_elbows = test(b.elevation(f"{near}_wrist", f"{near}_elbow"), lambda v: v < th.forearm_flat_max)
            offset = b.horizontal_gap(f"{near}_elbow", f"{near}_shoulder")
            self._samples.append((trunk, on_elbows, b.angle(near, "elbow"), offset))
        faults: dict[str, bool | None] = {
            "hips_lift": test(thigh, lambda v: v > th.hip_lift_max) if raised else False,
        }
        return Observation(
            ready=test(trunk, lambda v: v < th.lowered),
            signal=trunk,
            faults=faults,
            angles=[
                base.AngleReading("trunk", b.joint(f"{near}_shoulder"), trunk),
                base.AngleReading("hips", b.joint(f"{near}_hip"), thigh, test(thigh, lambda v: v <= th.hip_lift_max)),
            ],
            bad_joints=(b.joint(f"{near}_hip"), b.joint(f"{near}_elbow")),
        )

    def judge(self, record: RepRecord) -> list[str]:
        """The arms, judged over the top of the rep (the frames within ``top_share`` of its highest trunk angle):
        on the way up and down the forearm passes through every angle."""
        if not self._samples:
            return []
        top = max(s[0] for s in self._samples)
        near_top = [s for s in self._samples if s[0] >= self.th.top_share * top]
        stages = [s[1] for s in near_top if s[1] is not None]
        if not stages:
            return []
        on_elbows = sum(stages) >= len(stages) / 2
        if on_elbows:
            offsets = [s[3] for s in near_top if math.isfinite(s[3])]
            far = offsets and float(np.median(offsets)) > self.th.elbow_offset_max
            return ["elbows_not_under_shoulders"] if far else []
        elbows = [s[2] for s in near_top if math.isfinite(s[2])]
        bent = elbows and max(elbows) < self.th.straight_arm_min
        return ["arms_not_straight"] if bent else []
