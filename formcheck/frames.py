"""The per-frame record of a run and ``frames.csv`` (docs/formats.md): what the rules said about each frame.

The run writes it as it judges (:class:`FramesWriter`), so the report plots
what the run produced instead of judging the frames again. The file starts
with a version line (``# formcheck.frames 1``); a ``frames.csv`` without one
was made by an older formcheck and is not read back.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.atomic import write_text_atomic
from formcheck.feedback import Status
from formcheck.landmarks import PoseFrame

FORMAT = "formcheck.frames"
VERSION = 1
VERSION_LINE = f"# {FORMAT} {VERSION}"
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


def frame_row(number: int, exercise_id: str, raw: PoseFrame, status: Status) -> dict:
    """One frames.csv row: the frame's number in the run, the raw pose's presence and the status after it."""
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
        "signal": _num(status.signal),
        "faults": " ".join(status.fault_ids),
    }
    for angle in status.angles:
        row[f"angle_{angle.name}"] = _num(angle.value)
        row[f"ok_{angle.name}"] = None if angle.ok is None else int(angle.ok)
    return row


def angle_names(row: dict) -> list[str]:
    return [c[len("angle_") :] for c in row if c.startswith("angle_")]


@dataclass
class ExerciseFrames:
    """The rows of one exercise entry of the summary, and its angle names in order of first appearance."""

    exercise_id: str
    rows: list[dict] = field(default_factory=list)
    angle_names: list[str] = field(default_factory=list)

    def add(self, row: dict) -> None:
        self.rows.append(row)
        self.angle_names += [n for n in angle_names(row) if n not in self.angle_names]

    def series(self, column: str) -> tuple[list[float], list[float]]:
        """(times, values) of one column, NaN where missing."""
        return (
            [float(r["t_s"]) for r in self.rows],
            [math.nan if r.get(column) in (None, "") else float(r[column]) for r in self.rows],
        )


class FramesWriter:
    """Collects a run's rows in a side file while it runs (memory stays flat) and writes frames.csv at close.

    The angle columns are only known once every exercise has been seen, so the CSV is written at the
    end, atomically; a run killed outright leaves the side file (``frames.csv.rows``) and no frames.csv.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._spill_path = self.path.with_name(self.path.name + ".rows")
        self._spill = self._spill_path.open("w", encoding="utf-8")
        self._angles: list[str] = []

    def add(self, row: dict) -> None:
        self._angles += [n for n in angle_names(row) if n not in self._angles]
        self._spill.write(json.dumps(row, separators=(",", ":")) + "\n")

    def close(self) -> Path:
        if self._spill.closed:
            return self.path
        self._spill.close()
        with self._spill_path.open(encoding="utf-8") as f:
            write_csv((json.loads(line) for line in f), self._angles, self.path)
        self._spill_path.unlink()
        return self.path


def columns(names: list[str]) -> list[str]:
    return [*BASE_COLUMNS, *(f"angle_{n}" for n in names), *(f"ok_{n}" for n in names), "faults"]


def write_csv(rows: Iterable[dict], names: list[str], path: Path) -> Path:
    """frames.csv: the version line, the header, then one row per judged frame."""
    cols = columns(names)
    buffer = io.StringIO(newline="")
    buffer.write(VERSION_LINE + "\n")
    writer = csv.DictWriter(buffer, cols, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in cols})
    return write_text_atomic(path, buffer.getvalue())


def read_csv(path: Path) -> list[dict] | None:
    """The rows of a versioned frames.csv (values as text); None when missing or written by an older formcheck."""
    try:
        with Path(path).open(encoding="utf-8", newline="") as f:
            if f.readline().strip() != VERSION_LINE:
                return None
            return list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def by_exercise(rows: list[dict], exercises: list[dict]) -> list[ExerciseFrames]:
    """Split rows among the summary's exercise entries: by exercise id and, within it, ``segment_s``."""
    out = [ExerciseFrames(ex["exercise"]) for ex in exercises]
    for row in rows:
        t = float(row["t_s"])
        for ex, frames in zip(exercises, out):
            seg = ex.get("segment_s") or [None, None]
            lo = -math.inf if seg[0] is None else seg[0]
            hi = math.inf if seg[1] is None else seg[1]
            if row["exercise"] == ex["exercise"] and lo <= t <= hi:
                frames.add({k: v for k, v in row.items() if v != ""})
                break
    return out


def _num(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return round(value, 2) if math.isfinite(value) else None
