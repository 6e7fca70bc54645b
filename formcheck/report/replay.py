"""Per-frame rows for an output folder written without frames.csv (an older formcheck, or ``rerun``).

The exercise's rules are re-run on ``track.jsonl`` as ``formcheck rerun``
does, with the conditioning and profile the summary recorded (the defaults
where an older summary has none). A run's own frames.csv is always preferred:
it is what the run showed, frame by frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from formcheck.exercises import create
from formcheck.exercises.base import Exercise, Profile
from formcheck.frames import ExerciseFrames
from formcheck.pose.filters import conditioning_from
from formcheck.pose.track import read_track
from formcheck.rules import run_rules


@dataclass
class Replay:
    """One exercise re-run over the track: the exercise (its summary) and its per-frame rows."""

    exercise: Exercise
    frames: ExerciseFrames


def profile_of(summary: dict) -> Profile:
    p = summary.get("profile") or {}
    return Profile(
        symptomatic_side=p.get("symptomatic_side"),
        knee_hyperextends=bool(p.get("knee_hyperextends")),
        target_reps=p.get("target_reps"),
        target_hold_s=p.get("target_hold_s"),
        thresholds=dict(p.get("thresholds") or {}),
    )


def replay(track_path: Path, exercise_id: str, summary: dict, segment_s: list | None = None) -> Replay:
    """Feed the track through the exercise's rules as the run described in ``summary`` did.

    ``segment_s`` ([start, end] seconds of the track, from a multi-exercise session's entry) limits the
    replay to the frames of that exercise; by default the whole track is this exercise.
    """
    _, frames = read_track(track_path)
    if segment_s:
        lo, hi = segment_s[0] * 1000.0, (math.inf if segment_s[1] is None else segment_s[1] * 1000.0)
        frames = (f for f in frames if lo <= f.t_ms <= hi)
    exercise = create(exercise_id, profile_of(summary))
    rows = ExerciseFrames(exercise_id)
    run_rules(exercise, frames, conditioning_from(summary.get("conditioning")), rows)
    return Replay(exercise, rows)
