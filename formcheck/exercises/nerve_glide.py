"""Sciatic nerve glide (progression): lying on the back, thigh held upright, straighten the knee toward the sky
with the toes pulled back, then bend it again."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.exercises import base
from formcheck.exercises.base import ExerciseInfo, FaultInfo, Observation, Targets
from formcheck.exercises.body import Body, any_true, test
from formcheck.exercises.mechanics import RecentValues
from formcheck.exercises.records import RepRecord
from formcheck.landmarks import PoseFrame, other_side

INFO = ExerciseInfo(
    id="nerve_glide",
    title="Sciatic nerve glide (knee extensions lying down)",
    source="5 exercises by a physiotherapist, #3",
    camera="Side view: camera at floor level, 2-3 m to your side, your whole body and the raised foot in frame.",
    start_position="Lying on your back, both legs straight; then hold the symptomatic leg with both hands "
    "behind the thigh, thigh upright (hip at about 90 degrees), knee bent.",
    posture="supine",
    signal="Knee angle of the held leg (180 = straight) while its thigh is up; the knee-ankle-toe angle at the top.",
    completes="The knee straightened toward the sky (past 135 degrees) with the toes pulled toward you, then bent "
    "again (below 115 degrees); about 20 reps with the symptomatic leg.",
    kind="reps",
    faults=(
        FaultInfo("thigh_not_vertical", "Keep your thigh upright, hip at 90 degrees"),
        FaultInfo("toes_not_pulled", "Pull your toes toward you as you straighten"),
        FaultInfo("hands_not_on_thigh", "Hold your leg behind the thigh"),
        FaultInfo("other_leg_lifted", "Keep your other leg straight on the floor"),
        FaultInfo("wrong_leg", "Work your symptomatic leg", wrong_side=True),
    ),
    targets=Targets(reps=20),
    needs=("shoulder", "hip", "knee", "ankle"),
    safety="Stop if you feel a stabbing pain, or if numbness or tingling appear. Straighten only to tolerance: "
    "this is a gentle glide, not a stretch to the limit. See a professional if there is no improvement.",
    warning="Stop if you feel stabbing pain, numbness or tingling.",
    cannot_check=(
        "How far to straighten is up to your tolerance: the knee angle reached is reported per rep, not judged.",
        "Toe position needs the foot landmarks, which the model places roughly: only a foot that is not pulled "
        "back past neutral at the top is flagged; no foot landmarks, no judgement. Where the foot at the top reads "
        "another shape than in the start position (the model misplacing the toes), the toes are not judged in that "
        "glide (the summary says in how many).",
        "Only the near hand is checked against the back of the thigh; the far hand is hidden.",
        "Pain, numbness or tingling cannot be seen: stop and note them yourself.",
    ),
)


@dataclass(frozen=True)
class Thresholds(base.LyingThresholds):
    extended: float = 135.0  # knee angle (180 = straight) that starts a rep: straightened toward the sky
    # ... and back below this ends it. A bent knee reads 82-94 from the side and up to 121 from a camera 1.2 m up
    # and 35 degrees round (rendered dev variants); a knee back there has bent again
    returned: float = 125.0
    thigh_up_min: float = 40.0  # hip flexion of a held-up thigh; below it the leg is down: a rep in progress is
    # dropped (lowering the leg at the end straightens the knee too, and is no glide)
    side_margin: float = 30.0  # the held thigh is flexed this much more than the other one
    start_knee_max: float = 115.0  # start position: knee bent below this with the thigh up
    thigh_tolerance: float = 25.0  # hip flexion this far from 90 degrees: the thigh is not upright
    toes_pulled_max: float = 125.0  # knee-ankle-toe angle at the top above this: toes not pulled back past neutral.
    # With the model's landmarks a foot square to the shin reads about 125 (the toe tip sits below the ankle),
    # pulled back 20 degrees about 105. On the rendered dev variants pulled feet read 91-121 (the highest from
    # 1.25 m up), feet left unpulled 131-138
    top_margin: float = 10.0  # "the top" = frames within this of the rep's largest knee angle
    # The foot is rigid: its heel-ankle-toe angle in the picture reads the same whatever the ankle does (92-99
    # at the median in the start position on every rendered variant, any view). At the top the model sometimes
    # misplaces the toe along the shin, which reads as a foot not pulled back while the foot's own angle
    # collapses: pulled feet read 28-63 there on the rendered dev variants (31-70 below their start), where feet
    # read right, pulled or pointed, stay within 23 of it. A foot read this far from its start shape is not judged.
    foot_shape_tolerance: float = 25.0
    hand_reach_max: float = 0.6  # near wrist farther than this (torso lengths) from the knee half of the thigh
    # (holding behind the thigh the wrist is ~0.3 from its axis) ...
    hand_height_min: float = 0.15  # ... or less than this above the hips (hands resting on the floor): not holding
    straight_min: float = 150.0  # knee angle of the other leg: straight
    other_thigh_max: float = 25.0  # hip flexion of the other leg above this: its knee is up off the floor
    leg_lift_max: float = 15.0  # hips->ankle line of the other leg rising more than this: its foot is off the floor


class NerveGlide(base.Exercise):
    info = INFO
    Thresholds = Thresholds

    def __init__(self, profile=None):
        super().__init__(profile)
        # (knee angle, knee-ankle-toe angle, heel-ankle-toe angle) through the current rep
        self._top: list[tuple[float, float, float]] = []
        self._foot_shape = RecentValues(math.inf)  # the heel-ankle-toe angle in the start position
        self._toes_unjudged = 0  # glides whose foot read misshapen at the top
        self._work: str | None = None  # the leg held up, while it stays up

    def rep_thresholds(self) -> tuple[float, float]:
        return self.th.extended, self.th.returned

    def key_angles(self) -> tuple[base.KeyAngle, ...]:
        th = self.th
        return (
            base.KeyAngle("angle_knee", "Knee angle of the held leg", ((th.extended, None),)),
            base.KeyAngle("angle_hip", "Thigh (hip flexion)", ((90 - th.thigh_tolerance, 90 + th.thigh_tolerance),)),
        )

    def observe(self, frame: PoseFrame, near: str) -> Observation:
        th, b = self.th, Body(frame)
        work = self._held_leg(b)
        if not self.in_rep:
            self._top.clear()
        names = ("thigh_not_vertical", "hands_not_on_thigh", "other_leg_lifted")
        faults: dict[str, bool | None] = dict.fromkeys(names, False)
        lying = b.lying(th.lying_max)
        if not lying:  # sitting up (or cannot tell): no start position, no glide
            return Observation(ready=lying, signal=0.0 if lying is False else None, faults=faults)
        if work is None:
            flex = [b.hip_flexion(s) for s in ("left", "right")]
            legs_down = all(math.isfinite(f) and f < th.thigh_up_min for f in flex)
            if legs_down and self.in_rep:  # the leg was put down mid-rep: that was no glide
                self.cancel_rep()
            # no leg held up: a returned knee; a hidden leg might be the held one: cannot see
            return Observation(ready=False if legs_down else None, signal=0.0 if legs_down else None, faults=faults)
        other = other_side(work)
        flex, knee = b.hip_flexion(work), b.angle(work, "knee")
        ankle = b.angle(work, "ankle")
        reach = b.distance_to_segment(f"{near}_wrist", f"{work}_hip", f"{work}_knee", 0.5, 1.0)
        upright = test(abs(flex - 90.0), lambda v: v <= th.thigh_tolerance)
        foot = b.angle(work, "foot")  # the foot's own shape (heel-ankle-toe)
        if not self.in_rep and test(knee, lambda v: v <= th.start_knee_max):  # its shape at the start
            self._foot_shape.add(frame.t_ms, foot)
        if self.in_rep or test(knee, lambda v: v >= th.extended):  # judged through the reps
            self._top.append((knee, ankle, foot))
            faults["thigh_not_vertical"] = None if upright is None else not upright
            faults["hands_not_on_thigh"] = any_true(
                (
                    test(reach, lambda v: v > th.hand_reach_max),
                    test(b.height_above(f"{near}_wrist", f"{work}_hip"), lambda v: v < th.hand_height_min),
                )
            )
            faults["other_leg_lifted"] = any_true(
                (
                    test(b.angle(other, "knee"), lambda v: v < th.straight_min),
                    test(b.hip_flexion(other), lambda v: v > th.other_thigh_max),
                    test(b.leg_elevation(other, from_trunk=True), lambda v: v > th.leg_lift_max),
                )
            )
        return Observation(
            ready=None if upright is None else upright and test(knee, lambda v: v <= th.start_knee_max),
            signal=knee,
            side=work,
            faults=faults,
            angles=[
                base.AngleReading("knee", b.joint(f"{work}_knee"), knee),
                base.AngleReading(
                    "hip", b.joint(f"{work}_hip"), flex, test(abs(flex - 90.0), lambda v: v <= th.thigh_tolerance)
                ),
                base.AngleReading("ankle", b.joint(f"{work}_ankle"), ankle),
            ],
            bad_joints=(b.joint(f"{work}_hip"), b.joint(f"{work}_ankle"), b.joint(f"{other}_knee")),
        )

    def _held_leg(self, b: Body) -> str | None:
        """The leg held up: the one clearly more flexed (:meth:`Body.raised_leg`); once known, it stays the held
        one while it is up and the more flexed of the two, so the other knee drawn up as well (a fault of its
        own) does not lose the glides it makes."""
        th = self.th
        work = b.raised_leg(th.thigh_up_min, th.side_margin)
        if work is None and self._work is not None:
            held, other = b.hip_flexion(self._work), b.hip_flexion(other_side(self._work))
            if held >= th.thigh_up_min and (held > other or not math.isfinite(other)):
                work = self._work
        self._work = work
        return work

    def judge(self, record: RepRecord) -> list[str]:
        extra = []
        top = self._top_ankle()
        self._top.clear()
        if top is not None and top > self.th.toes_pulled_max:
            extra.append("toes_not_pulled")
        return extra

    def _top_ankle(self) -> float | None:
        """Median knee-ankle-toe angle over the frames near the rep's largest knee angle. None: the foot unseen,
        or read in another shape than in the start position (``foot_shape_tolerance``; counted as unjudged)."""
        rows = np.array(self._top, dtype=float).reshape(-1, 3)
        if not np.isfinite(rows[:, 0]).any():
            return None
        top = rows[rows[:, 0] >= np.nanmax(rows[:, 0]) - self.th.top_margin]
        ankle, shape = (np.nanmedian(col) if np.isfinite(col).any() else math.nan for col in top[:, 1:].T)
        if not math.isfinite(ankle):
            return None
        if abs(shape - self._foot_shape.median()) > self.th.foot_shape_tolerance:
            self._toes_unjudged += 1
            return None
        return float(ankle)

    def notes(self) -> list[str]:
        if not self._toes_unjudged:
            return []
        return [
            f"Could not read your foot at the top in {self._toes_unjudged} of {len(self.records)} glides: "
            "whether the toes were pulled back was not checked there."
        ]
