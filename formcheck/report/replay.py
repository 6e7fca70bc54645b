"""Per-frame signals and angles of a finished run, re-made from its saved pose track.

The exercise's rules are re-run on ``track.jsonl`` exactly as ``formcheck
rerun`` does (same conditioning, same profile), reading ``Exercise.status()``
after every frame: deterministic, and no change to the live pipeline.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.exercises import create
from formcheck.exercises.base import Exercise, Profile
from formcheck.pose.track import read_track
from formcheck.rules import RuleRun

BASE_COLUMNS = (
    "frame",
    "t_s",
    "exercise",
    "person",
    "view_ok",
    "view_message",
    "ready",
    "phase",
    "side",
    "reps_done",
    "hold_s",
    "signal",
)


@dataclass
class Replay:
    """One exercise re-run over the track: a row per frame, and the exercise (its summary, thresholds)."""

    exercise: Exercise
    rows: list[dict] = field(default_factory=list)
    angle_names: list[str] = field(default_factory=list)  # in order of first appearance

    def series(self, column: str) -> tuple[list[float], list[float]]:
        """(times, values) of one column, NaN where missing."""
        return (
            [r["t_s"] for r in self.rows],
            [math.nan if r.get(column) is None else float(r[column]) for r in self.rows],
        )


def profile_of(summary: dict) -> Profile:
    p = summary.get("profile") or {}
    return Profile(
        symptomatic_side=p.get("symptomatic_side"),
        knee_hyperextends=bool(p.get("knee_hyperextends")),
        target_reps=p.get("target_reps"),
        target_hold_s=p.get("target_hold_s"),
        thresholds=dict(p.get("thresholds") or {}),
    )


def replay(track_path: Path, exercise_id: str, profile: Profile, segment_s: list | None = None) -> Replay:
    """Feed the track through the exercise's rules, recording status after each frame.

    ``segment_s`` ([start, end] seconds of the track, from a multi-exercise session's entry) limits the
    replay to the frames of that exercise; by default the whole track is this exercise.
    """
    _, frames = read_track(track_path)
    if segment_s:
        lo, hi = segment_s[0] * 1000.0, (math.inf if segment_s[1] is None else segment_s[1] * 1000.0)
        frames = (f for f in frames if lo <= f.t_ms <= hi)
    exercise = create(exercise_id, profile)
    run = RuleRun(exercise)
    result = Replay(exercise)
    cue_to_id = {f.cue: f.id for f in exercise.info.faults}
    for number, raw in enumerate(frames):
        run.step(raw)
        status = exercise.status()
        signal = getattr(getattr(exercise, "_obs", None), "signal", None)  # the rep counter's input, if any
        row = {
            "frame": number,
            "t_s": round(raw.t_ms / 1000.0, 3),
            "exercise": exercise_id,
            "person": int(raw.has_person),
            "view_ok": int(status.view.ok),
            "view_message": status.view.message or "",
            "ready": int(status.ready),
            "phase": status.phase,
            "side": status.side or "",
            "reps_done": sum(c["good"] + c["faulty"] for c in status.counts.values()),
            "hold_s": None if status.hold_elapsed_s is None else round(status.hold_elapsed_s, 2),
            "signal": _num(signal),
            "faults": " ".join(cue_to_id.get(c, c) for c in status.active_faults),
        }
        for angle in status.angles:
            if angle.name not in result.angle_names:
                result.angle_names.append(angle.name)
            row[f"angle_{angle.name}"] = _num(angle.value)
            row[f"ok_{angle.name}"] = None if angle.ok is None else int(angle.ok)
        result.rows.append(row)
    run.finish()
    return result


def _num(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return round(value, 2) if math.isfinite(value) else None


def columns(replays: list[Replay]) -> list[str]:
    names: list[str] = []
    for r in replays:
        names += [n for n in r.angle_names if n not in names]
    return [*BASE_COLUMNS, *(f"angle_{n}" for n in names), *(f"ok_{n}" for n in names), "faults"]


def write_csv(replays: list[Replay], path: Path) -> Path:
    """frames.csv: one row per frame of the track (per exercise), columns as docs/formats.md."""
    cols = columns(replays)
    tmp = Path(path).with_suffix(".csv.part")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, cols, extrasaction="ignore")
        writer.writeheader()
        for r in replays:
            for row in r.rows:
                writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in cols})
    tmp.replace(path)
    return Path(path)
