"""The physiotherapist's day-by-day program, read from the history.

Day 1 is exercise 1 alone; each following day adds the next exercise, all
five by day 5 (../shared/EXERCISES.md). Symptoms are reassessed after each
new exercise so a harmful one can be identified: a day on which an exercise
was done for the first time is flagged when pain was higher after the
session than before it, when tingling or numbness appeared, or when pain
after the session was higher than after the previous program day's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from formcheck.plans import PROGRAM


@dataclass
class ProgramDay:
    day: str  # YYYY-MM-DD
    done: list[str]  # program exercises done that day, in program order
    added: list[str]  # of those, the ones done for the first time
    pain_before: int | None = None  # earliest check-in's "before" that day
    pain_after: int | None = None  # latest check-in's "after" that day
    tingling_before: bool | None = None
    tingling_after: bool | None = None
    flags: list[str] = field(default_factory=list)  # why this day's symptoms are worth a look


@dataclass
class ProgramView:
    days: list[ProgramDay]
    introduced: list[str]  # program exercises done at least once, in program order
    program_day: int  # 0 (not started) .. 5: how many of the five exercises are in use
    next_to_add: str | None
    flagged: list[ProgramDay]
    advice: str


def _day_symptoms(checkins: list[dict]) -> dict:
    befores = [c for c in checkins if c.get("pain_before") is not None or c.get("tingling_before") is not None]
    afters = [c for c in checkins if c.get("pain_after") is not None or c.get("tingling_after") is not None]
    first, last = (befores[0] if befores else {}), (afters[-1] if afters else {})
    tb, ta = first.get("tingling_before"), last.get("tingling_after")
    return {
        "pain_before": first.get("pain_before"),
        "pain_after": last.get("pain_after"),
        "tingling_before": None if tb is None else bool(tb),
        "tingling_after": None if ta is None else bool(ta),
    }


def program_view(sessions: list[dict], checkins: list[dict]) -> ProgramView:
    """Where the user is in the program; ``sessions``/``checkins`` as from history.list_sessions/list_checkins."""
    by_day: dict[str, set[str]] = {}
    for s in sessions:
        done = {e["exercise"] for e in s["exercises"] if e["exercise"] in PROGRAM and e.get("reps", 0) > 0}
        if done:
            by_day.setdefault(s["day"], set()).update(done)
    checks: dict[str, list[dict]] = {}
    for c in checkins:
        checks.setdefault(c["day"], []).append(c)
    introduced: list[str] = []
    days: list[ProgramDay] = []
    previous: ProgramDay | None = None
    for day in sorted(by_day):
        done = [e for e in PROGRAM if e in by_day[day]]
        added = [e for e in done if e not in introduced]
        introduced.extend(added)
        entry = ProgramDay(day, done, added, **_day_symptoms(checks.get(day, [])))
        if added:
            entry.flags = _flags(entry, previous)
        days.append(entry)
        previous = entry
    introduced = [e for e in PROGRAM if e in introduced]
    next_to_add = next((e for e in PROGRAM if e not in introduced), None)
    flagged = [d for d in days if d.flags]
    return ProgramView(days, introduced, len(introduced), next_to_add, flagged, _advice(days, introduced, next_to_add))


def _flags(entry: ProgramDay, previous: ProgramDay | None) -> list[str]:
    flags = []
    new = " and ".join(entry.added)
    if entry.pain_before is not None and entry.pain_after is not None and entry.pain_after > entry.pain_before:
        flags.append(f"pain rose from {entry.pain_before} to {entry.pain_after} on the day {new} was added")
    if entry.tingling_after and entry.tingling_before is not True:
        flags.append(f"tingling or numbness after the session on the day {new} was added")
    if (
        previous
        and previous.pain_after is not None
        and entry.pain_after is not None
        and entry.pain_after > previous.pain_after
    ):
        flags.append(
            f"pain after the session was {entry.pain_after}, up from {previous.pain_after} the day "
            f"before, when {new} was added"
        )
    return flags


def _advice(days: list[ProgramDay], introduced: list[str], next_to_add: str | None) -> str:
    if not days:
        return f"Not started: day 1 is {PROGRAM[0]} alone. Record pain and tingling before and after."
    last_added = next((d for d in reversed(days) if d.added), None)
    if last_added and last_added.flags:
        return (
            f"Symptoms rose on {last_added.day}, when {' and '.join(last_added.added)} was added: do not add "
            f"the next exercise yet, and ask your physiotherapist whether to keep "
            f"{' and '.join(last_added.added)}."
        )
    if next_to_add is None:
        return "All five exercises are in the program. Keep recording pain and tingling before and after."
    return (
        f"Program day {len(introduced)}: next session add {next_to_add} (exercise {len(introduced) + 1} of "
        f"{len(PROGRAM)}), and record pain and tingling before and after it."
    )
