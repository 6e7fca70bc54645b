"""Which angle(s) a report plots for each exercise, and the target band shaded behind them.

Bands come from the exercise's own thresholds (after the user's overrides),
so the plot shows exactly what the rules judged against. ``None`` as a bound
means open-ended. An exercise not listed gets its rep signal with the zone
past the rep threshold, or its first angle without a band.
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.exercises.base import Exercise


@dataclass(frozen=True)
class KeyAngle:
    column: str  # a frames.csv column: "angle_<name>" or "signal"
    label: str
    bands: tuple[tuple[float | None, float | None], ...]  # target zones
    unit: str = "°"


def key_angles(exercise: Exercise, angle_names: list[str]) -> list[KeyAngle]:
    th, ex = exercise.th, exercise.info.id
    table = {  # exercise id -> a function of its thresholds (only that exercise's exist)
        "bird_dog": lambda: [
            KeyAngle("angle_arm", "Reaching arm elevation", ((th.low_elevation, None),)),
            KeyAngle("angle_leg", "Reaching leg elevation", ((th.low_elevation, th.leg_high_elevation),)),
        ],
        "lumbar_extension": lambda: [KeyAngle("angle_trunk", "Trunk angle (press-up)", ((th.raised, None),))],
        "nerve_floss": lambda: [
            KeyAngle("angle_ankle", "Ankle angle (pulled / pointed)", ((None, th.pulled_max), (th.pointed_min, None)))
        ],
        "nerve_glide": lambda: [
            KeyAngle("angle_knee", "Knee angle of the held leg", ((th.extended, None),)),
            KeyAngle("angle_hip", "Thigh (hip flexion)", ((90 - th.thigh_tolerance, 90 + th.thigh_tolerance),)),
        ],
        "nerve_tension": lambda: [
            KeyAngle("angle_raise", "Leg raise angle", ((th.raised, None),)),
            KeyAngle("angle_knee", "Knee of the raised leg", ((th.knee_straight_min, None),)),
        ],
        "piriformis_stretch": lambda: [
            KeyAngle("angle_thigh", "Supporting thigh (hip flexion)", ((th.pull_target, None),))
        ],
        "knee_to_shoulder": lambda: [
            KeyAngle("angle_hip", "Pulled thigh (hip flexion)", ((th.pulled_min, None),)),
            KeyAngle("angle_knee", "Knee of the pulled leg", ((None, th.knee_bent_max),)),
        ],
        "hamstring_stretch": lambda: [
            KeyAngle(
                "angle_knee",
                "Raised knee",
                ((th.knee_soft_min if exercise.profile.knee_hyperextends else th.knee_straight_min, None),),
            ),
            KeyAngle("angle_lean", "Forward hinge of the trunk", ((th.hinge_min, None),)),
        ],
        "aerobic_march": lambda: [KeyAngle("signal", "Foot lift (torso lengths)", ((th.step_on, None),), unit="")],
    }
    if ex in table:
        return [k for k in table[ex]() if k.column == "signal" or k.column[len("angle_") :] in angle_names]
    if exercise.info.kind == "reps":
        try:
            on, off = exercise.rep_thresholds()
        except NotImplementedError:  # a custom counter: no single threshold to draw
            on, off = None, None
        if on is None:
            return [KeyAngle(f"angle_{angle_names[0]}", angle_names[0], ())] if angle_names else []
        return [KeyAngle("signal", exercise.info.signal, ((on, None),) if on > off else ((None, on),))]
    return [KeyAngle(f"angle_{angle_names[0]}", angle_names[0], ())] if angle_names else []
