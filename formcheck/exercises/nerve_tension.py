"""Sciatic nerve tensioning: lying on the back, a strap round the foot, raise the straight leg and lower it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from formcheck.exercises import base
from formcheck.exercises.base import ExerciseInfo, FaultInfo, Observation, Targets
from formcheck.exercises.body import Body, test
from formcheck.exercises.mechanics import RecentValues
from formcheck.landmarks import PoseFrame, other_side

INFO = ExerciseInfo(
    id="nerve_tension",
    title="Sciatic nerve tensioning (straight leg raise with a strap)",
    source="5 exercises by a physiotherapist, #4",
    camera="Side view: camera at floor level, 2-3 m to your side, head to feet in frame, with room above "
    "your feet for the raised leg.",
    start_position="Lying on your back, both legs straight on the floor, a belt or towel round the foot of the "
    "symptomatic leg, its ends in your hands.",
    posture="supine",
    signal="Split between the thighs (hip-knee lines, measured from the trunk line): the raised leg against the "
    "other; each rep also reports the raised thigh's angle above its resting angle (raise_deg).",
    completes="The straight leg pulled up with the strap and lowered back to the floor.",
    kind="reps",
    faults=(
        FaultInfo("knee_bent", "Keep the raised leg straight"),
        FaultInfo("other_leg_lifted", "Keep the other leg flat on the floor"),
        FaultInfo("wrong_leg", "Raise your symptomatic leg (the one set in your profile)", wrong_side=True),
    ),
    targets=Targets(reps=15),
    needs=("shoulder", "hip", "knee"),  # the raise is the thighs': a raised foot may leave the picture
    safety="Stop if you feel a stabbing pain, or if numbness or tingling appear. "
    "See a health professional if there is no improvement.",
    warning="Stop if you feel stabbing pain, numbness or tingling.",
    cannot_check=(
        "Whether a strap is used and the arms do the lifting: the model sees no strap.",
        "Pain, numbness and tingling: only you can tell; stop if they appear.",
        "A far leg hidden behind the near one is taken to be level with it: no raise counts until one leg "
        "shows above the other (a raised leg is in plain view).",
        "Sideways drift of the raised leg and pelvis rotation are not visible from the side.",
    ),
)


@dataclass(frozen=True)
class Thresholds(base.LyingThresholds):
    raised: float = 20.0  # raise angle (degrees, working thigh above the other) that starts a rep
    lowered: float = 10.0  # ... and back below this ends it
    # Propped up on the forearms counts as lying: the legs are what is judged, and a trunk raised 35-45 degrees
    # leaves them on the floor just the same.
    lying_max: float = 50.0
    legs_down_max: float = 20.0  # both hips->ankle lines within this of horizontal: the legs down (start)
    knee_straight_min: float = 155.0  # knee angle (180 = straight) the raised leg keeps during the raise
    other_lift_max: float = 15.0  # other thigh this far (degrees) above its resting angle: lifted off the floor
    rest_smoothing: float = 0.1  # weight of each still legs-down frame in the resting thigh angle (running average)
    still_max: float = 3.0  # legs moved less than this (degrees) over the last still_ms: at rest
    still_ms: float = 500.0
    # Alternating sides, the legs can pass each other quickly (real clip: raises of 0.45 s past the thresholds,
    # 0.2 s between them); a strap raise is slower, and noise never holds a 20 degree split for 0.3 s.
    min_rep_ms: float = 300.0
    refractory_ms: float = 100.0


class NerveTension(base.Exercise):
    info = INFO
    Thresholds = Thresholds

    def __init__(self, profile=None):
        super().__init__(profile)
        self._rest: float | None = None  # resting thigh angle (signed hip flexion) with the legs on the floor
        self._recent = RecentValues(self.th.still_ms)  # the mean thigh angle lately: are the legs still?
        self._raise_peak = math.nan  # highest raise above the resting angle in the current rep

    def rep_thresholds(self) -> tuple[float, float]:
        return self.th.raised, self.th.lowered

    def key_angles(self) -> tuple[base.KeyAngle, ...]:
        th = self.th
        return (
            base.KeyAngle("angle_raise", "Leg raise angle", ((th.raised, None),)),
            base.KeyAngle("angle_knee", "Knee of the raised leg", ((th.knee_straight_min, None),)),
        )

    def observe(self, frame: PoseFrame, near: str) -> Observation:
        th, b = self.th, Body(frame)
        far = other_side(near)
        flex = {s: b.hip_flexion(s, signed=True) for s in (near, far)}
        known = {s: v for s, v in flex.items() if math.isfinite(v)}
        if len(known) == 2:
            work = max(known, key=known.get)
            lift = known[work] - known[other_side(work)]
        elif near in known:  # the far leg unseen (hidden behind the near one, or the model unsure of it): the
            # near leg's own rise off the floor is the raise; a far leg resting behind it reads about 0
            elevation = b.leg_elevation(near)
            work, lift = near, max(0.0, elevation) if math.isfinite(elevation) else math.nan
        else:
            work, lift = None, math.nan
        lying = b.lying(th.lying_max)
        # on the floor whatever the trunk does (the thigh's angle to the trunk line grows as the trunk props up)
        legs_down = bool(known) and all(
            test(b.leg_elevation(s), lambda v: v <= th.legs_down_max) is not False for s in known
        )
        down = bool(lying and legs_down and lift < th.lowered)
        level = sum(known.values()) / 2 if len(known) == 2 else math.nan
        self._recent.add(frame.t_ms, level)
        still = self._recent.covers(0.8) and self._recent.span() < th.still_max
        if down and still and math.isfinite(level) and not self.in_rep:
            self._rest = level if self._rest is None else self._rest + th.rest_smoothing * (level - self._rest)
        rest = self._rest if self._rest is not None else 0.0
        raised = work is not None and lift >= th.raised
        if self.in_rep and work is not None:
            self._raise_peak = (
                max(self._raise_peak, known[work] - rest) if math.isfinite(self._raise_peak) else (known[work] - rest)
            )
        elif not self.in_rep:
            self._raise_peak = math.nan
        faults: dict[str, bool | None] = {"knee_bent": False, "other_leg_lifted": False}
        knee = math.nan
        if raised:
            other = other_side(work)
            knee = b.angle(work, "knee")
            trusted = work == near or b.limb_consistent(work, near, ("hip", "knee", "ankle"))
            faults["knee_bent"] = test(knee, lambda v: v < th.knee_straight_min) if trusted else None
            faults["other_leg_lifted"] = test(flex[other] - rest, lambda v: v > th.other_lift_max)
        angles = []
        if work is not None:
            angles.append(base.AngleReading("raise", b.joint(f"{work}_hip"), lift))
            if raised:
                angles.append(
                    base.AngleReading(
                        "knee", b.joint(f"{work}_knee"), knee, test(knee, lambda v: v >= th.knee_straight_min)
                    )
                )
        return Observation(
            ready=down if lying is not None and known else None,
            signal=lift,
            side=work if work is not None and lift >= th.lowered else None,
            faults=faults,
            angles=angles,
            bad_joints=(b.joint(f"{work}_knee"), b.joint(f"{other_side(work)}_knee")) if raised else (),
        )

    def judge(self, record: base.RepRecord) -> list[str]:
        """Notes the rep's raise angle above the resting leg (``raise_deg``; ``peak`` is the split between the
        legs, the same while the other leg stays down)."""
        angle = self._raise_peak
        record.measures["raise_deg"] = round(angle, 1) if math.isfinite(angle) else None
        return super().judge(record)

    def summary(self) -> dict:
        """Adds the symptomatic side the reps were judged against."""
        out = super().summary()
        out["symptomatic_side"] = self.profile.symptomatic_side
        return out
