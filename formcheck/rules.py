"""Running an exercise's rules over a stream of poses, without any video or model.

Used by the pipeline frame by frame, by ``formcheck rerun`` on a saved track,
and by the tests on synthetic tracks: the same conditioning and rules in all three.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from formcheck.exercises.base import Exercise
from formcheck.feedback import Event
from formcheck.landmarks import PoseFrame
from formcheck.pose.filters import ConditioningConfig, PoseConditioner


@dataclass
class RuleRun:
    """An exercise fed frame by frame through the conditioner; collects every event."""

    exercise: Exercise
    conditioning: ConditioningConfig = field(default_factory=ConditioningConfig)
    events: list[Event] = field(default_factory=list)

    def __post_init__(self):
        self._conditioner = PoseConditioner(self.conditioning)

    def step(self, raw: PoseFrame) -> tuple[PoseFrame, list[Event]]:
        frame = self._conditioner(raw)
        events = self.exercise.update(frame)
        self.events.extend(events)
        return frame, events

    def finish(self) -> list[Event]:
        events = self.exercise.finish()
        self.events.extend(events)
        return events


def run_rules(
    exercise: Exercise, frames: Iterable[PoseFrame], conditioning: ConditioningConfig | None = None
) -> RuleRun:
    """Feed every frame, then finish; the run holds the events and the exercise its summary."""
    run = RuleRun(exercise, conditioning or ConditioningConfig())
    for frame in frames:
        run.step(frame)
    run.finish()
    return run
