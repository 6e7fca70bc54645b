"""What the exercise modules declare holds together: a renamed threshold, fault or exercise breaks here, not
while a report is made or a plan is run."""

from __future__ import annotations

import pytest

from formcheck.exercises import catalogue, create
from formcheck.exercises.base import Profile
from formcheck.history.program import PROGRAM
from formcheck.plans import PlanItem, builtin_plans


@pytest.mark.parametrize("exercise_id", sorted(catalogue()))
def test_key_angles_are_bands_of_the_exercises_own_thresholds(exercise_id):
    for profile in (Profile(), Profile(knee_hyperextends=True, thresholds={})):
        for key in create(exercise_id, profile).key_angles():
            assert key.column == "signal" or key.column.startswith("angle_")
            assert key.bands and all(lo is None or hi is None or lo < hi for lo, hi in key.bands)


def test_the_program_and_the_plans_name_catalogued_exercises():
    assert set(PROGRAM) <= set(catalogue())
    assert all(item.exercise in catalogue() for plan in builtin_plans().values() for item in plan.items)
    assert builtin_plans()[f"physio-day-{len(PROGRAM)}"].items == tuple(PlanItem(e) for e in PROGRAM)


def test_ground_truth_ids_name_no_other_fault_of_the_exercise():
    for exercise in catalogue().values():
        ids = {f.id for f in exercise.info.faults}
        truth_ids = [t for f in exercise.info.faults for t in f.truth_ids]
        assert not ids & set(truth_ids) and len(truth_ids) == len(set(truth_ids))


def test_the_nerve_exercises_warn_before_the_set():
    warned = {e for e, exercise in catalogue().items() if exercise.info.warning}
    assert warned == {"nerve_floss", "nerve_glide", "nerve_tension"}
