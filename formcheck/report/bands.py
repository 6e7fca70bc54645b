"""Which angle(s) a report plots for an exercise, and the target band shaded behind them.

An exercise declares its key angles itself (:meth:`Exercise.key_angles`), with bands from its own thresholds
(after the user's overrides), so the plot shows exactly what the rules judged against. An exercise that
declares none gets its rep signal with the zone past the rep threshold, or its first angle without a band.
"""

from __future__ import annotations

from formcheck.exercises.base import Exercise
from formcheck.feedback import KeyAngle


def key_angles(exercise: Exercise, angle_names: list[str]) -> list[KeyAngle]:
    declared = exercise.key_angles()
    if declared:
        return [k for k in declared if k.column == "signal" or k.column[len("angle_") :] in angle_names]
    if exercise.info.kind == "reps":
        try:
            on, off = exercise.rep_thresholds()
        except NotImplementedError:  # a custom counter: no single threshold to draw
            on, off = None, None
        if on is None:
            return [KeyAngle(f"angle_{angle_names[0]}", angle_names[0], ())] if angle_names else []
        return [KeyAngle("signal", exercise.info.signal, ((on, None),) if on > off else ((None, on),))]
    return [KeyAngle(f"angle_{angle_names[0]}", angle_names[0], ())] if angle_names else []
