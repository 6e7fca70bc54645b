"""Running exercises' rules over a stream of poses, without any video or model.

The :class:`Interpreter` conditions each raw frame once, judges it with the
current exercise and hands the frame on to the pose track and the per-frame
record (frames.csv). analyze and live drive it frame by frame; ``formcheck
rerun``, the report's replay and the tests feed it a saved or synthetic track
(:func:`run_rules`): the same conditioning and rules in all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from formcheck.errors import ViewError
from formcheck.exercises.base import Exercise
from formcheck.feedback import Event, Status
from formcheck.frames import frame_row
from formcheck.landmarks import PoseFrame
from formcheck.pose.filters import ConditioningConfig, PoseConditioner
from formcheck.pose.track import as_stored


class RowSink(Protocol):
    """Where the per-frame rows go: frames.csv while a run goes (FramesWriter), or memory (ExerciseFrames)."""

    def add(self, row: dict) -> None: ...


@dataclass
class Judged:
    """One frame after conditioning and rules."""

    pose: PoseFrame  # conditioned
    status: Status | None  # None: no exercise is being judged
    events: list[Event]


class Interpreter:
    """Conditioning, rules and bookkeeping for one frame's pose at a time; also feeds the track and frames.csv.

    It runs one exercise at a time (``None``: pose only); a guided session
    moves on with :meth:`next_exercise`, and the summary lists every exercise done.
    """

    def __init__(
        self,
        exercise: Exercise | None,
        conditioning: ConditioningConfig | None = None,
        track=None,
        frames: RowSink | None = None,
    ):
        self.conditioning = conditioning or ConditioningConfig()
        self.track = track  # a TrackWriter, or None
        self.rows = frames
        self.done: list[Exercise] = []
        self.exercise: Exercise | None = None
        self.events: list[Event] = []
        self._conditioner = PoseConditioner(self.conditioning)
        self.frames = 0
        self.frames_with_person = 0
        self.first_ms: float | None = None
        self.last_ms = 0.0
        self.view_messages: dict[str, int] = {}
        self.usable_frames = 0
        self.next_exercise(exercise)

    def next_exercise(self, exercise: Exercise | None) -> None:
        """Finish the current exercise (if any) and judge the following frames with ``exercise``.

        A new exercise's frames are conditioned from a fresh start, so that re-running its segment of the
        track (``rerun``, the report's replay) gives the same poses.
        """
        self.finish()
        self.exercise = exercise
        if exercise is not None:
            self._conditioner = PoseConditioner(self.conditioning)

    def _keep(self, raw: PoseFrame) -> PoseFrame:
        """Count and save a frame; returns it as the track holds it."""
        raw = as_stored(raw)  # what the track holds is what is judged: a replay of it gives the same verdicts
        if self.track is not None:
            self.track.write(raw)
        self.frames += 1
        self.frames_with_person += raw.has_person
        self.first_ms = raw.t_ms if self.first_ms is None else self.first_ms
        self.last_ms = raw.t_ms
        return raw

    def record(self, raw: PoseFrame) -> PoseFrame:
        """Count and save a frame without judging it (setup, countdown, pause); returns it conditioned."""
        return self._conditioner(self._keep(raw))

    def __call__(self, raw: PoseFrame) -> Judged:
        return self._judge(self._keep(raw), self.frames - 1)

    def judge_recorded(self, raw: PoseFrame, index: int) -> Judged:
        """Judge a frame :meth:`record` saved earlier (the ``index``-th), as if it came now: live
        ``--exercise auto`` judges the frames seen while the exercise was being recognised. Its events are
        the exercise's as usual."""
        return self._judge(as_stored(raw), index)

    def _judge(self, raw: PoseFrame, index: int) -> Judged:
        pose = self._conditioner(raw)
        if self.exercise is None:
            return Judged(pose, None, [])
        events = self.exercise.update(pose)
        self.events.extend(events)
        status = self.exercise.status()
        if status.view.ok:
            self.usable_frames += 1
        elif status.view.message:
            self.view_messages[status.view.message] = self.view_messages.get(status.view.message, 0) + 1
        if self.rows is not None:
            self.rows.add(frame_row(index, self.exercise.info.id, raw, status))
        return Judged(pose, status, events)

    def finish(self) -> list[Event]:
        """Close the current exercise (open holds and faults) and file it with the done ones."""
        if self.exercise is None:
            return []
        events = self.exercise.finish()
        self.events.extend(events)
        self.done.append(self.exercise)
        self.exercise = None
        return events

    def summaries(self) -> list[dict]:
        """Summaries of the exercises done so far, the current one included."""
        current = [self.exercise] if self.exercise is not None else []
        return [e.summary() for e in self.done + current]

    def pose_stats(self) -> dict:
        duration = (self.last_ms - (self.first_ms or 0.0)) / 1000.0
        share = self.frames_with_person / self.frames if self.frames else 0.0
        return {
            "frames": self.frames,
            "frames_with_person": self.frames_with_person,
            "share_with_person": round(share, 3),
            "frames_judged": self.usable_frames,
            "duration_s": round(duration, 2),
        }

    def check_judged(self) -> None:
        """Raise :class:`ViewError` when the run never showed a person the rules could judge."""
        if self.frames and not self.frames_with_person:
            raise ViewError("no person was found in the video: film the whole body, well lit")
        judged = self.exercise is not None or self.done
        if judged and self.frames and not self.usable_frames:
            common = max(self.view_messages, key=self.view_messages.get) if self.view_messages else "unknown"
            raise ViewError(f"the exercise could not be judged in any frame ({common})")


def run_rules(
    exercise: Exercise,
    frames: Iterable[PoseFrame],
    conditioning: ConditioningConfig | None = None,
    rows: RowSink | None = None,
) -> Interpreter:
    """Feed every frame, then finish; the interpreter holds the events and counts, the exercise its summary."""
    interpreter = Interpreter(exercise, conditioning, frames=rows)
    for frame in frames:
        interpreter(frame)
    interpreter.finish()
    return interpreter
