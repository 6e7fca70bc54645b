"""The shared exercise flow in formcheck/exercises/base.py, on a minimal exercise driven by a scripted signal."""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.exercises import base
from formcheck.exercises.base import ExerciseInfo, FaultInfo, Observation, Targets
from formcheck.rules import run_rules
from formcheck.testing.synthetic import STANDING, Builder, render

INFO = ExerciseInfo(
    id="scripted",
    title="Scripted",
    source="tests",
    camera="side",
    start_position="standing",
    posture="standing",
    signal="scripted",
    completes="scripted",
    kind="reps",
    faults=(FaultInfo("mid_rep", "Mind the middle of the rep"),),
    targets=Targets(reps=3),
    sided=False,
)


@dataclass(frozen=True)
class Script:
    """Signal and fault flag as functions of time (seconds)."""

    rep: tuple[float, float]  # the signal is up (a rep) over this interval
    fault: tuple[float, float]  # the fault shows over this interval


class Scripted(base.Exercise):
    info = INFO

    def __init__(self, script: Script):
        super().__init__()
        self.script = script

    def rep_thresholds(self) -> tuple[float, float]:
        return 10.0, 5.0

    def observe(self, frame, near) -> Observation:
        t = frame.t_ms / 1000.0
        up = self.script.rep[0] <= t < self.script.rep[1]
        shows = self.script.fault[0] <= t < self.script.fault[1]
        return Observation(ready=True, signal=20.0 if up else 0.0, faults={"mid_rep": shows})


def run(script: Script) -> dict:
    frames = render(Builder(STANDING).hold(4.0).clip())
    exercise = Scripted(script)
    run_rules(exercise, frames)
    return exercise.summary()


def test_a_fault_confirmed_after_its_rep_closed_belongs_to_that_rep():
    # Seen from 1.5 s, inside the rep (1.0-1.7 s); confirmed 0.4 s later, after the rep has closed.
    summary = run(Script(rep=(1.0, 1.7), fault=(1.5, 2.2)))
    (rep,) = summary["records"]
    (fault,) = summary["faults"]
    assert fault["rep"] == 0 and rep["faults"] == ["mid_rep"] and not rep["good"]


def test_a_fault_confirmed_as_its_rep_closes_belongs_to_that_rep():
    # Confirmed on the very frame the rep ends (1.0 + 0.4 debounce = 1.4 s).
    summary = run(Script(rep=(0.8, 1.4), fault=(1.0, 1.6)))
    (rep,) = summary["records"]
    assert summary["faults"][0]["rep"] == 0 and rep["faults"] == ["mid_rep"]


def test_a_fault_after_the_rep_is_not_attached_to_it():
    summary = run(Script(rep=(0.5, 1.2), fault=(2.0, 2.8)))
    (rep,) = summary["records"]
    assert rep["good"] and summary["faults"][0]["rep"] is None


def test_a_fault_seen_whole_after_its_rep_closed_belongs_to_that_rep():
    # A fault judged once it is over (a jump, on landing) that reaches back into a rep already filed.
    exercise = Scripted(Script(rep=(1.0, 1.7), fault=(9.0, 9.0)))
    events = [e for frame in render(Builder(STANDING).hold(4.0).clip()) for e in exercise.update(frame)]
    exercise.report_fault("mid_rep", 1500.0, 1900.0, None, events)
    exercise.report_fault("mid_rep", 2500.0, 2600.0, None, events)  # after it: nobody's
    events += exercise.finish()
    summary = exercise.summary()
    (rep,) = summary["records"]
    assert [f["rep"] for f in summary["faults"]] == [0, None] and rep["faults"] == ["mid_rep"] and not rep["good"]


def test_hooks_file_faults_and_inferred_reps_through_the_base_bookkeeping():
    exercise = Scripted(Script(rep=(1.0, 2.0), fault=(9.0, 9.0)))
    events = [e for frame in render(Builder(STANDING).hold(4.0).clip()) for e in exercise.update(frame)]
    exercise.report_fault("mid_rep", 100.0, 200.0, "left", events)  # seen whole, once over
    exercise.open_fault("mid_rep", 300.0, events)
    exercise.close_fault("mid_rep", 400.0, events)
    exercise.open_fault("mid_rep", 3000.0, events)  # still open at the end: withdrawn
    exercise.insert_record(base.RepRecord(0, None, 100.0, 200.0), events)  # inferred before the seen rep
    events += exercise.finish()
    summary = exercise.summary()
    assert [(f["start_s"], f["end_s"], f["side"]) for f in summary["faults"]] == [(0.1, 0.2, "left"), (0.3, 0.4, None)]
    assert [(r["index"], r["start_s"]) for r in summary["records"]] == [(0, 0.1), (1, summary["records"][1]["start_s"])]
    assert summary["records"][1]["start_s"] >= 1.0 and sum(e.kind == "rep" for e in events) == 2
    kinds = [e.kind for e in events if e.kind.startswith("fault")]
    assert kinds == ["fault_start", "fault_end", "fault_start", "fault_end", "fault_start"]
