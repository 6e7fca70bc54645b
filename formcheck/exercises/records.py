"""What an exercise keeps of a set, and how it reads in the session summary (docs/formats.md).

The rule flow (base.py) fills :class:`RepRecord` and :class:`FaultRecord`;
:func:`exercise_summary` turns them into the exercise's entry of summary.json.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from formcheck.exercises.base import ExerciseInfo, Targets


@dataclass
class FaultRecord:
    id: str
    cue: str
    start_ms: float
    end_ms: float | None = None
    rep: int | None = None  # index of the rep or hold it happened in
    side: str | None = None


@dataclass
class RepRecord:
    """A rep, or for hold exercises one hold."""

    index: int
    side: str | None
    start_ms: float
    end_ms: float
    faults: list[str] = field(default_factory=list)
    peak: float | None = None  # reps: the signal's extreme
    hold_s: float | None = None  # holds: how long it was held
    target_hold_s: float | None = None
    measures: dict[str, float | None] = field(default_factory=dict)  # what the exercise measured over it (e.g.
    # the deepest lean of a hold), added to its summary record
    target_reached: bool | None = None  # holds with a target: whether it lasted it (within the exercise's slack)

    @property
    def good(self) -> bool:
        return not self.faults


def attach(fault: FaultRecord, record: RepRecord) -> None:
    """File ``fault`` under ``record`` when their times overlap (touching is not overlapping); an open fault
    reaches to the record's end."""
    end = fault.end_ms if fault.end_ms is not None else record.end_ms
    if fault.start_ms < record.end_ms and end > record.start_ms:
        if fault.rep is None:
            fault.rep = record.index
        if fault.id not in record.faults:
            record.faults.append(fault.id)


def exercise_summary(
    info: ExerciseInfo,
    targets: Targets,
    records: list[RepRecord],
    faults: list[FaultRecord],
    segment_ms: tuple[float, float] | None,
    active_ms: float,
    good_form_ms: float,
) -> dict:
    """One exercise's entry of the session summary; ``segment_ms`` is its first and last frame's time."""
    sides: dict[str, dict] = {}
    for r in records:
        s = sides.setdefault(r.side or "unknown", {"reps": 0, "good": 0, "with_faults": 0, "hold_s": []})
        s["reps"] += 1
        s["good" if r.good else "with_faults"] += 1
        if r.hold_s is not None:
            s["hold_s"].append(r.hold_s)
    return {
        "exercise": info.id,
        "title": info.title,
        "kind": info.kind,
        "targets": dataclasses.asdict(targets),
        "reps": len(records),
        "good_reps": sum(r.good for r in records),
        "reps_with_faults": sum(not r.good for r in records),
        "per_side": sides,
        "records": [_rep(r) for r in records],
        "faults": [
            {"id": f.id, "cue": f.cue, "start_s": _s(f.start_ms), "end_s": _s(f.end_ms), "rep": f.rep, "side": f.side}
            for f in faults
        ],
        "segment_s": [_s(segment_ms[0]), _s(segment_ms[1])] if segment_ms is not None else None,
        "active_s": round(active_ms / 1000.0, 2),
        "good_form_s": round(good_form_ms / 1000.0, 2),
        "cannot_check": list(info.cannot_check),
        "safety": info.safety,
    }


def _rep(r: RepRecord) -> dict:
    return {
        "index": r.index,
        "side": r.side,
        "start_s": _s(r.start_ms),
        "end_s": _s(r.end_ms),
        "good": r.good,
        "faults": r.faults,
        "peak": _round(r.peak),
        "hold_s": r.hold_s,
        "target_hold_s": r.target_hold_s,
        "target_reached": r.target_reached,
        **r.measures,
    }


def _s(ms: float | None) -> float | None:
    return None if ms is None else round(ms / 1000.0, 3)


def _round(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 1)
