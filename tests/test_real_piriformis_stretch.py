"""Real model on the rendered sample clip piriformis_stretch_good.mp4 (ground truth in its .json): 3 figure-4 holds
of the right (symptomatic) leg, crossed over the left knee, the left thigh pulled in, seen from the left: the
crossed leg is the far one, whose ankle the model misplaces (about a torso length from the knee it rests on), so
the ankle rule must say it cannot judge rather than flag. No clip of this exercise is among the shared real
videos; a knee hug and straight-leg raises, which must count no hold, are checked in test_real_knee_to_shoulder.py."""

import json

import pytest
from conftest import SAMPLE_VIDEOS

from formcheck.exercises import create
from formcheck.exercises.base import Profile
from formcheck.rules import run_rules

CLIP = SAMPLE_VIDEOS / "piriformis_stretch_good.mp4"


def test_three_holds_of_the_crossed_far_leg_without_faults(real_track):
    truth_path = CLIP.with_suffix(".json")
    if not truth_path.is_file():
        pytest.skip("rendered sample clip not available")
    truth = json.loads(truth_path.read_text())
    exercise = create("piriformis_stretch", Profile(symptomatic_side="right", target_hold_s=3.0))
    run_rules(exercise, real_track(CLIP))
    summary = exercise.summary()
    assert [r["side"] for r in summary["records"]] == [h["side"] for h in truth["holds"]]
    for mine, true in zip(summary["records"], truth["holds"]):
        # holds are timed while still, the pulled-in part as the ground truth has it; a pause after crossing the
        # leg and the pull that follows may be included (one hold, not two)
        assert -1.5 <= mine["start_s"] - true["start_s"] <= 0.6 and abs(mine["end_s"] - true["end_s"]) <= 0.6
        assert mine["supporting_hip_flexion_deg"] >= 90
    assert summary["faults"] == []
