"""Judging the scenario corpus: run each scenario's frames through the rules, score it, sum up the figures.

Shared by the accuracy benchmark (``--corpus``) and the CI floors (tests/test_corpus.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.exercises import create
from formcheck.rules import Interpreter
from formcheck.testing.evaluation import TOLERANCE_S, Score, score
from formcheck.testing.scenarios import Scenario


@dataclass(frozen=True)
class Outcome:
    exercise: str
    seed: int
    split: str
    params: dict
    score: Score
    frames_with_person: int
    refused: int  # of those, frames the view check would not judge
    summary: dict

    @property
    def exact(self) -> bool:
        return all(v == 0 for v in self.score.rep_errors.values())

    @property
    def within_one(self) -> bool:
        return all(abs(v) <= 1 for v in self.score.rep_errors.values())

    @property
    def holds_ok(self) -> bool:
        return all(e <= TOLERANCE_S for e in self.score.hold_errors)

    @property
    def faults_ok(self) -> bool:
        s = self.score
        return s.fault_tp_pred == s.fault_pred and s.fault_tp_true == s.fault_true

    @property
    def passed(self) -> bool:
        return self.exact and self.holds_ok and self.faults_ok


def judge(sc: Scenario) -> Outcome:
    """The rules' verdict on one scenario, as a user's run would give it (the scenario's profile)."""
    exercise = create(sc.exercise, sc.profile)
    run = Interpreter(exercise)
    seen = refused = 0
    for frame in sc.frames:
        judged = run(frame)
        if frame.has_person:
            seen += 1
            refused += not judged.status.view.ok
    run.finish()
    summary = exercise.summary()
    return Outcome(
        sc.exercise, sc.seed, sc.split, sc.params, score({"exercises": [summary]}, sc.truth), seen, refused, summary
    )


@dataclass(frozen=True)
class Figures:
    """The benchmark's figures over a set of outcomes (shares of scenarios, or of holds, faults, frames)."""

    scenarios: int
    exact: float
    within_one: float
    holds: float | None  # share of true holds timed within 0.5 s
    precision: float | None
    recall: float | None
    refused: float  # share of frames with a person the view check refused

    @classmethod
    def of(cls, outcomes: list[Outcome]) -> Figures:
        n = len(outcomes)
        hold_errors = [e for o in outcomes for e in o.score.hold_errors]
        tp_p, pred = sum(o.score.fault_tp_pred for o in outcomes), sum(o.score.fault_pred for o in outcomes)
        tp_t, true = sum(o.score.fault_tp_true for o in outcomes), sum(o.score.fault_true for o in outcomes)
        seen = sum(o.frames_with_person for o in outcomes)
        return cls(
            n,
            sum(o.exact for o in outcomes) / n if n else 0.0,
            sum(o.within_one for o in outcomes) / n if n else 0.0,
            sum(e <= TOLERANCE_S for e in hold_errors) / len(hold_errors) if hold_errors else None,
            tp_p / pred if pred else None,
            tp_t / true if true else None,
            sum(o.refused for o in outcomes) / seen if seen else 0.0,
        )


def _pct(value: float | None) -> str:
    return "   -" if value is None else f"{100 * value:4.0f}"


HEADER = (
    f"{'exercise':20s} {'split':5s} {'n':>4s} {'exact%':>6s} {'±1%':>5s} {'hold%':>5s} {'P%':>4s} {'R%':>4s} "
    f"{'refused%':>8s}"
)


def row(name: str, split: str, f: Figures) -> str:
    return (
        f"{name:20s} {split:5s} {f.scenarios:4d} {_pct(f.exact):>6s} {_pct(f.within_one):>5s} {_pct(f.holds):>5s} "
        f"{_pct(f.precision):>4s} {_pct(f.recall):>4s} {_pct(f.refused):>8s}"
    )


def table(outcomes: list[Outcome]) -> str:
    """Per exercise and overall, per split."""
    lines = [HEADER, "-" * len(HEADER)]
    splits = sorted({o.split for o in outcomes})
    for name in sorted({o.exercise for o in outcomes}) + ["overall"]:
        for split in splits:
            chosen = [o for o in outcomes if o.split == split and name in ("overall", o.exercise)]
            if chosen:
                lines.append(row(name, split, Figures.of(chosen)))
    return "\n".join(lines)


def failure(o: Outcome) -> str:
    """One failing scenario: what went wrong and the drawn parameters, to reproduce and to see patterns."""
    s = o.score
    reps = ", ".join(f"{k} {v:+d}" for k, v in s.rep_errors.items() if v)
    holds = ", ".join(f"{e:.1f}" for e in s.hold_errors if e > TOLERANCE_S)
    found = sorted(f["id"] for f in o.summary["faults"])
    what = [
        f"reps {reps}" if reps else "",
        f"hold errors {holds} s" if holds else "",
        f"faults P {s.fault_tp_pred}/{s.fault_pred} R {s.fault_tp_true}/{s.fault_true} found {found}"
        if not o.faults_ok
        else "",
        f"refused {o.refused}/{o.frames_with_person}" if o.refused else "",
    ]
    params = " ".join(f"{k}={v}" for k, v in o.params.items())
    return f"{o.exercise} seed {o.seed} ({o.split}): {'; '.join(w for w in what if w)}\n    {params}"
