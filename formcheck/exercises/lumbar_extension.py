"""Lumbar extension (McKenzie press-up): lying on the stomach, raise the trunk on the elbows or hands, hips down."""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.exercises import base
from formcheck.exercises.base import ExerciseInfo, FaultInfo, Observation, RepRecord, Targets
from formcheck.exercises.body import Body, test
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
    raised: float = 14.0  # trunk angle (degrees) that starts a rep
    lowered: float = 7.0  # ... and back below this ends it
    hip_lift_max: float = 18.0  # knee->hip line rising more steeply than this: hips off the floor
    forearm_flat_max: float = 0.15  # elbow no higher than this above the wrist (torso lengths): on the forearms
    elbow_offset_max: float = 0.3  # elbow this far ahead of/behind the shoulder (torso lengths)
    straight_arm_min: float = 150.0


class LumbarExtension(base.Exercise):
    info = INFO
    Thresholds = Thresholds

    def __init__(self, profile=None):
        super().__init__(profile)
        self._max_elbow = float("nan")
        self._hands_stage = False

    def rep_thresholds(self) -> tuple[float, float]:
        return self.th.raised, self.th.lowered

    def observe(self, frame: PoseFrame, near: str) -> Observation:
        th, b = self.th, Body(frame)
        trunk = b.trunk_elevation()
        thigh = b.elevation(f"{near}_knee", f"{near}_hip")
        elbow = b.angle(near, "elbow")
        heading = 1 if b.p(f"{near}_shoulder")[0] > b.p(f"{near}_hip")[0] else -1
        raised = test(trunk, lambda v: v >= th.lowered)
        on_elbows = test(b.height_above(f"{near}_elbow", f"{near}_wrist"), lambda v: v < th.forearm_flat_max)
        if self.in_rep and elbow == elbow:
            self._max_elbow = elbow if self._max_elbow != self._max_elbow else max(self._max_elbow, elbow)
            self._hands_stage = self._hands_stage or on_elbows is False
        elif not self.in_rep:
            self._max_elbow, self._hands_stage = float("nan"), False
        faults: dict[str, bool | None] = {
            "hips_lift": test(thigh, lambda v: v > th.hip_lift_max) if raised else False,
            "elbows_not_under_shoulders": (
                test(abs(b.forward_of(f"{near}_elbow", f"{near}_shoulder", heading)),
                     lambda v: v > th.elbow_offset_max) if raised and on_elbows else False
            ),  # fmt: skip
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
        straight = self._max_elbow >= self.th.straight_arm_min
        return ["arms_not_straight"] if self._hands_stage and not straight else []
