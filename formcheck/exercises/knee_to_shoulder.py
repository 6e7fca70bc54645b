"""Knee to opposite shoulder: lying on the back, pull one bent knee toward the other shoulder, hold 20 s;
repeat for 30 s, then switch."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.exercises import base
from formcheck.exercises.base import ExerciseInfo, FaultInfo, Observation, Targets
from formcheck.exercises.body import Body, any_true, test
from formcheck.exercises.mechanics import RecentValues
from formcheck.exercises.records import RepRecord
from formcheck.landmarks import SIDES, PoseFrame, index, other_side

INFO = ExerciseInfo(
    id="knee_to_shoulder",
    title="Knee to opposite shoulder",
    source="4 sciatica exercises, #4",
    camera="Side view: camera at floor level, 2-3 m to your side, your whole body from head to feet in frame.",
    start_position="Lying on your back, both legs straight on the floor, toes pointing to the ceiling.",
    posture="supine",
    signal="Hip flexion of the pulled leg (thigh against the trunk line); the other leg's knee angle and lift; "
    "the pulled knee's sideways position from the model's 3D landmarks.",
    completes="One knee bent and pulled toward the chest / opposite shoulder (hip flexed past 55 degrees, foot "
    "off the floor), held for 20 s, then released; the side is the pulled knee. Holds are repeated until the side "
    "has been held 30 s (the last one needs only what is left), then the other side.",
    kind="holds",
    faults=(
        FaultInfo("legs_not_straight", "Start with both legs straight on the floor", setup=True),
        FaultInfo("toes_not_up", "Point your toes up to the ceiling", setup=True),
        FaultInfo("knee_not_bent", "Bend your knee as you pull it in"),
        FaultInfo("knee_not_pulled", "Draw your knee in toward your chest"),
        FaultInfo("hands_not_on_leg", "Use your hands to pull your knee in"),
        FaultInfo("other_leg_bent", "Keep your other leg straight"),
        FaultInfo("other_leg_lifted", "Keep your other leg on the floor"),
        FaultInfo("knee_drifts_out", "Pull your knee toward your opposite shoulder"),
        FaultInfo("hold_too_short", "Hold the stretch for 20 seconds"),
    ),
    targets=Targets(hold_s=20.0, duration_s=30.0, per_side=True),
    needs=("shoulder", "hip", "knee", "ankle"),
    safety="Pull only as far as is comfortable; stop if the pain gets worse or spreads down your leg.",
    cannot_check=(
        "How far across the body the knee goes (toward the opposite shoulder) is out of the camera's plane: it is "
        "estimated from the model's 3D landmarks only, reported per hold, and only a knee clearly drifting out to "
        "its own side is flagged; no 3D landmarks, no judgement.",
        "How far to pull is your call: the hip flexion reached is reported per hold; only a knee never drawn past "
        "upright (the thigh short of vertical) is flagged, as not drawn in at all.",
        "Only the near hand is checked against the leg; what the far hand does is hidden.",
        "A far leg hidden behind the near one cannot be judged (its rules then say so).",
    ),
)


@dataclass(frozen=True)
class Thresholds(base.LyingThresholds):
    pulled_min: float = 55.0  # hip flexion (degrees) of the pulled thigh, its foot off the floor, that makes a
    # hold: low, since how far to pull is the user's call (the flexion reached is reported)
    drawn_in_min: float = 80.0  # a hold whose largest hip flexion stays below this: the knee was not drawn in
    side_margin: float = 30.0  # the pulled thigh is flexed this much more than the other one
    down_max: float = 30.0  # a thigh flexed less than this is lying down: it cannot be the pulled one
    # A thigh flexed past vertical holds its foot off the floor, however low the foot reads in the picture (a knee
    # drawn in and out toward the camera: the foot 7-11 degrees above the floor line, corpus dev seed 27)
    thigh_up_min: float = 95.0
    knee_bent_max: float = 110.0  # knee angle (180 = straight) of the pulled leg must be below this: well bent
    hold_knee_max: float = 140.0  # ... and a knee straighter than this is no knee pull at all (a straight leg raise)
    straight_min: float = 150.0  # knee angle of a straight leg
    leg_lift_max: float = 15.0  # hips->ankle line rising more than this (degrees): the foot is off the floor
    toes_pointed_max: float = 140.0  # knee-ankle-toe angle above this: toes pointed away. With the model's
    # landmarks a foot square to the shin reads about 125 (the toe tip sits below the ankle), a relaxed foot 150
    hand_reach_max: float = 0.4  # near wrist farther than this (torso lengths) from the knee end of the pulled
    # thigh and the knee end of its shin: the hands are not pulling
    far_wrist_seen: float = 0.5  # the far wrist is used only when the model gives it at least this visibility
    knee_out_max: float = 4.0  # knee's sideways offset from the midline, in half hip-widths (1 = over its own hip):
    # high, because the model's depth in a side view was off by up to 1.6 on a real knee-to-chest clip
    world_hip_min: float = 0.12  # 3D hip width (m) outside [min, max]: the 3D estimate is not trusted
    world_hip_max: float = 0.5
    still_ms: float = 1000.0  # the start position is judged once the legs have kept still this long
    still_span: float = 10.0  # ... moving less than this (degrees) meanwhile


class KneeToShoulder(base.Exercise):
    info = INFO
    Thresholds = Thresholds

    def __init__(self, profile=None):
        super().__init__(profile)
        self._flexion = RecentValues(math.inf)  # pulled thigh's flexion during the current hold
        self._offset = RecentValues(math.inf)  # pulled knee's sideways offset during the current hold
        self._legs = RecentValues(self.th.still_ms)  # thigh flexions and leg elevations: have the legs settled?

    def key_angles(self) -> tuple[base.KeyAngle, ...]:
        th = self.th
        return (
            base.KeyAngle("angle_hip", "Pulled thigh (hip flexion)", ((th.pulled_min, None),)),
            base.KeyAngle("angle_knee", "Knee of the pulled leg", ((None, th.knee_bent_max),)),
        )

    def observe(self, frame: PoseFrame, near: str) -> Observation:
        th, b = self.th, Body(frame)
        flex = {s: b.hip_flexion(s) for s in SIDES}
        work = b.raised_leg(th.down_max, th.side_margin)
        if work is None and not all(math.isfinite(f) for f in flex.values()):
            # a far thigh pulled in behind the near leg, its knee hidden: read as the model places it
            b = b.behind()
            flex = {s: b.hip_flexion(s) for s in SIDES}
            work = b.raised_leg(th.down_max, th.side_margin)
        faults: dict[str, bool | None] = dict.fromkeys(
            ("knee_not_bent", "hands_not_on_leg", "other_leg_bent", "other_leg_lifted", "knee_drifts_out"), False
        )
        angles, bad = [], []
        legs = ("left", "right")
        lifted = {s: b.leg_elevation(s) for s in legs}
        lying = b.lying(th.lying_max)
        if not lying:  # sitting up (or cannot tell): neither the start nor the stretch
            return Observation(ready=lying, in_position=lying, faults=faults)
        if work is not None:  # that thigh drawn up and its foot off the floor (not just a knee bent up)
            foot_up = test(lifted[work], lambda v: v > th.leg_lift_max)
            bent = test(b.angle(work, "knee"), lambda v: v <= th.hold_knee_max)
            in_position = (
                None
                if foot_up is None or bent is None
                else ((foot_up or flex[work] >= th.thigh_up_min) and bent and flex[work] >= th.pulled_min)
            )
        else:  # neither thigh drawn up, or both: no hold; a hidden thigh might be the pulled one
            in_position = False if all(math.isfinite(f) for f in flex.values()) else None
        # at rest: every foot it can see on the floor (the near one at least; a hidden far leg is not guessed)
        feet_down = {s: test(lifted[s], lambda v: v < th.leg_lift_max) for s in legs}
        resting = None if feet_down[near] is None else all(v is not False for v in feet_down.values())
        self._legs.add(frame.t_ms, [flex["left"], flex["right"], lifted["left"], lifted["right"]])
        span = np.atleast_1d(self._legs.span())
        span = span[np.isfinite(span)]
        still = self._legs.covers(0.8) and len(span) > 0 and span.max() <= th.still_span
        faults["legs_not_straight"] = faults["toes_not_up"] = False
        if resting and still:  # the start position is judged once the legs have settled, not in passing
            bent = [test(b.angle(s, "knee"), lambda v: v < th.straight_min) for s in legs]
            faults["legs_not_straight"] = any_true(bent)
            faults["toes_not_up"] = test(b.angle(near, "ankle"), lambda v: v > th.toes_pointed_max)
        if work is not None and in_position:
            other = other_side(work)
            knee = b.angle(work, "knee")
            # either hand on the leg will do: the near one, or the far one where the model sees it. One hand may
            # pull the far knee while the near one rests, and a near hand by its own side lies 0.3-0.4 torso
            # lengths off a far knee in the picture from 30-35 degrees round from the side (corpus dev)
            reach = _hand_reach(b, near, work)
            if frame.visibility(f"{other_side(near)}_wrist") >= th.far_wrist_seen:
                reach = float(np.fmin(reach, _hand_reach(b, other_side(near), work)))
            offset = self._knee_offset(frame, work)
            faults["knee_not_bent"] = test(knee, lambda v: v > th.knee_bent_max)
            # judged in the hold: on the way in and out the hands are still reaching for the knee, or letting go
            faults["hands_not_on_leg"] = test(reach, lambda v: v > th.hand_reach_max) if self.holding else False
            faults["other_leg_bent"] = test(b.angle(other, "knee"), lambda v: v < th.straight_min)
            # read from the trunk line: a camera above the floor and off the side sees a leg lying flat rising
            # by up to 20 degrees in the picture (corpus dev, 30 degrees off the side, lens 1.2 m high)
            off_floor = b.leg_elevation(other, from_trunk=True)
            faults["other_leg_lifted"] = test(off_floor, lambda v: v > th.leg_lift_max)
            faults["knee_drifts_out"] = test(offset, lambda v: v > th.knee_out_max)
            self._flexion.add(frame.t_ms, flex[work])
            self._offset.add(frame.t_ms, offset)
            angles = [
                base.AngleReading("hip", b.joint(f"{work}_hip"), flex[work]),
                base.AngleReading("knee", b.joint(f"{work}_knee"), knee, test(knee, lambda v: v <= th.knee_bent_max)),
            ]
            bad = [b.joint(f"{work}_knee"), b.joint(f"{other}_knee"), b.joint(f"{other}_ankle")]
        return Observation(
            ready=resting,
            in_position=in_position,
            side=work if in_position else None,
            faults=faults,
            angles=angles,
            bad_joints=tuple(bad),
        )

    def _knee_offset(self, frame: PoseFrame, side: str) -> float:
        """The pulled knee's sideways position from the 3D landmarks, in half hip-widths from the midline.

        1 = over its own hip, 0 = over the midline, negative = across toward the other side (the
        opposite shoulder), above 1 = out to its own side. NaN when the 3D landmarks are missing or
        implausible (the model's depth is its weakest estimate).
        """
        w = frame.world_points()
        hip, other, knee = w[index(f"{side}_hip")], w[index(f"{other_side(side)}_hip")], w[index(f"{side}_knee")]
        axis = hip - other
        width = float(np.linalg.norm(axis))
        if not (np.all(np.isfinite(knee)) and self.th.world_hip_min <= width <= self.th.world_hip_max):
            return math.nan
        return float(np.dot(knee - (hip + other) / 2, axis / width) / (width / 2))

    def hold_begins(self) -> None:
        self._flexion.clear()
        self._offset.clear()

    def judge(self, record: RepRecord) -> list[str]:
        record.measures.update(
            hip_flexion_deg=_round(self._flexion.max()), knee_offset_half_hips=_round(self._offset.median(), 2)
        )
        reached = self._flexion.max()
        self._flexion.clear()
        self._offset.clear()
        extra = super().judge(record)
        if math.isfinite(reached) and reached < self.th.drawn_in_min:
            extra.append("knee_not_pulled")
        return extra


def _hand_reach(b: Body, hand: str, work: str) -> float:
    """How far (torso lengths) ``hand``'s wrist is from the knee end of ``work``'s thigh and of its shin."""
    return float(
        np.fmin(
            b.distance_to_segment(f"{hand}_wrist", f"{work}_hip", f"{work}_knee", 0.5, 1.0),
            b.distance_to_segment(f"{hand}_wrist", f"{work}_knee", f"{work}_ankle", 0.0, 0.5),
        )
    )


def _round(value: float, digits: int = 0) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)
