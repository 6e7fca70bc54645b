"""Guided-session plans: which exercises, with what targets, rests and reminders.

A plan is a JSON file, or one of the built-in plans: the physiotherapist's
day-by-day progression (day 1 the first exercise alone, each next day one
more, all five by day 5, so a harmful exercise can be told apart; the order is
:data:`PROGRAM`, which the history's program view reads too) and the four-exercise routine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from formcheck import validate
from formcheck.errors import FormcheckError
from formcheck.exercises import catalogue
from formcheck.outpaths import short

# The physiotherapist's order, kept here only: the physio-day plans and formcheck.history.program read it.
PROGRAM = ("lumbar_extension", "nerve_floss", "nerve_glide", "nerve_tension", "piriformis_stretch")
FOUR_EXERCISES = ("bird_dog", "aerobic_march", "hamstring_stretch", "knee_to_shoulder")


@dataclass(frozen=True)
class PlanItem:
    exercise: str
    reps: int | None = None  # override of the exercise's target
    hold_s: float | None = None
    rest_s: float = 30.0  # rest after this exercise


@dataclass(frozen=True)
class Plan:
    name: str
    items: tuple[PlanItem, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


def builtin_plans() -> dict[str, Plan]:
    plans = {}
    for day in range(1, len(PROGRAM) + 1):
        new = PROGRAM[day - 1]
        plans[f"physio-day-{day}"] = Plan(
            name=f"physio-day-{day}",
            items=tuple(PlanItem(e) for e in PROGRAM[:day]),
            notes=(
                f"Day {day} of the physiotherapist's progression: {new.replace('_', ' ')} is new today.",
                "Note your pain and tingling before and after, so a new exercise that makes them worse can be spotted.",
            ),
        )
    plans["four-exercises"] = Plan("four-exercises", tuple(PlanItem(e) for e in FOUR_EXERCISES))
    return plans


def load_plan(spec: str) -> Plan:
    """A built-in plan by name, or a JSON file: {"name": ..., "items": [{"exercise": id, "reps": n, ...}]}."""
    plans = builtin_plans()
    if spec in plans:
        return plans[spec]
    path = Path(spec)
    if not path.is_file():
        raise FormcheckError(f"no plan {short(spec)!r}: give a JSON plan file or one of {', '.join(plans)}")
    try:
        raw = validate.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise FormcheckError(f"{short(path)} is not a valid plan: {short(exc, 100)}") from None
    wrong = validate.problem(raw, validate.schema("plan"))
    if wrong:
        raise FormcheckError(f"{short(path)} is not a valid plan: {wrong}")
    unknown = [item["exercise"] for item in raw["items"] if item["exercise"] not in catalogue()]
    if unknown:
        raise FormcheckError(f"{short(path)}: unknown exercise(s) {short(', '.join(unknown))}")
    items = tuple(PlanItem(**item) for item in raw["items"])
    return Plan(raw.get("name", path.stem), items, tuple(raw.get("notes", ())))
