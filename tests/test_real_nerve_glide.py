"""Real model on the rendered sample clip nerve_glide_good.mp4 (ground truth in its .json): 6 glides of the right
(symptomatic) leg, thigh held upright, toes pulled back at the top, the left leg down. No clip of this exercise is
among the shared real videos; the knee-hug and straight-leg-raise clips, which must count no glide, are checked in
test_real_knee_to_shoulder.py."""

import json

import pytest
from conftest import SAMPLE_VIDEOS

from formcheck.exercises import create
from formcheck.exercises.base import Profile
from formcheck.rules import run_rules

CLIP = SAMPLE_VIDEOS / "nerve_glide_good.mp4"


def sample(real_track, profile):
    if not CLIP.with_suffix(".json").is_file():
        pytest.skip("rendered sample clip not available")
    exercise = create("nerve_glide", profile)
    run_rules(exercise, real_track(CLIP))
    return exercise.summary(), json.loads(CLIP.with_suffix(".json").read_text())


def test_every_glide_counted_inside_its_true_rep_without_faults(real_track):
    summary, truth = sample(real_track, Profile(symptomatic_side="right"))
    assert truth["settings"]["symptomatic_side"] == "right"
    assert [r["side"] for r in summary["records"]] == [r["side"] for r in truth["reps"]]
    for mine, true in zip(summary["records"], truth["reps"]):
        assert true["start_s"] <= mine["start_s"] < mine["end_s"] <= true["end_s"]
        assert mine["peak"] >= 145  # the model reads a straight knee a little bent (~155)
    assert summary["faults"] == []


def test_the_other_leg_as_symptomatic_side_flags_every_rep(real_track):
    summary, _ = sample(real_track, Profile(symptomatic_side="left"))
    assert [r["faults"] for r in summary["records"]] == [["wrong_leg"]] * 6
