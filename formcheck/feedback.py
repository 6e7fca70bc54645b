"""What the rules tell their consumers (overlay, sound, pipeline, live, report): events, the per-frame
status, the view verdict and the angles shown.

Kept apart from the rule flow (formcheck/exercises/base.py) so that a consumer depends on these plain
records, not on the engine that makes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AngleReading:
    """An angle shown beside its joint: ``ok`` is None when no rule judges it."""

    name: str
    joint: int  # landmark index where the value is drawn
    value: float
    ok: bool | None = None


@dataclass(frozen=True)
class KeyAngle:
    """An angle a report plots, with the target zones the rules judge it against shaded behind it.

    An exercise declares its own (:meth:`formcheck.exercises.base.Exercise.key_angles`), with bounds taken
    from its thresholds; ``None`` as a bound means open-ended.
    """

    column: str  # a frames.csv column: "angle_<name>" or "signal"
    label: str
    bands: tuple[tuple[float | None, float | None], ...]  # target zones
    unit: str = "°"


@dataclass(frozen=True)
class Event:
    """Something consumers react to. ``kind`` is one of :data:`EVENT_KINDS`."""

    t_ms: float
    kind: str
    message: str = ""
    side: str | None = None
    data: dict = field(default_factory=dict)


EVENT_KINDS = ("view", "ready", "rep", "hold_start", "hold_target", "hold_end", "fault_start", "fault_end", "cue")


@dataclass(frozen=True)
class ViewStatus:
    ok: bool
    message: str | None = None  # what to change, when not ok
    near_side: str | None = None


@dataclass
class Status:
    """What the overlay and the sound show after a frame."""

    view: ViewStatus
    ready: bool
    phase: str  # "setup", "rest", "active" or "hold"
    counts: dict[str, dict[str, int]]  # side -> {"good": n, "faulty": n}
    hold_elapsed_s: float | None
    hold_target_s: float | None
    active_faults: list[str]
    angles: list[AngleReading]
    bad_joints: tuple[int, ...]
    side: str | None
    signal: float | None = None  # reps: the value the rep counter follows, this frame
    fault_ids: tuple[str, ...] = ()  # ids of the faults in active_faults, same order
