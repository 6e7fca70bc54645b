"""Real clip through the real model: jogging in place, a close (higher-impact) variant of the aerobic march.

jog-in-place_3quarter_shutterstock_03.mp4 (25 fps, 23 s): a woman in a living room, seen from the front
and a little to the side, stands, then jogs in place from about 0.9 s to 21 s with small knee lifts and
her heels kicking back, then slows to a stop. Watched frame by frame (every 0.08 s, crops of the feet):
the feet take turns, one foot clearly off the floor about every 0.37 s, 55 clear foot lifts from the
first (0.96-1.12 s) to the last (20.80-20.96 s). She then slows down with 3 small steps in place, each
knee brought forward with its heel up but the foot barely off the floor (about 21.4, 21.9 and 22.3 s):
alternating knee lifts, which is what the exercise counts; one more as she starts (about 0.7 s, a knee
forward with its heel up). 59 in all, of which a person counting only feet clearly off the floor counts 55.
As a jog it has short moments with both feet in the air; whether each of those is caught is not asserted.

aerobic_march_good.mp4 (rendered, ground truth in its .json; camera on the right, lens at 1.0 m, 2 m away):
12 alternating knee lifts, right first, about 100 steps a minute, never both feet off the floor. From that
camera the far (left) foot standing looks about as high as the near one half lifted.
"""

import json

import pytest
from conftest import SAMPLE_VIDEOS, shared_clip

from formcheck.exercises import create
from formcheck.rules import run_rules

CLIP = "jog-in-place_3quarter_shutterstock_03.mp4"


def test_jogging_steps_counted_alternating_as_a_person_counts(real_track):
    exercise = create("aerobic_march")
    run_rules(exercise, real_track(shared_clip(CLIP)))
    summary = exercise.summary()
    sides = [r["side"] for r in summary["records"]]
    assert 57 <= len(sides) <= 59
    assert all(a != b for a, b in zip(sides, sides[1:]))  # the feet alternate: no step missed or doubled
    # the first counted step is the small one as she starts (from 0.6 s) or the first clear lift (0.96 s)
    assert 0.6 <= summary["records"][0]["start_s"] <= 1.2 and 22.0 <= summary["records"][-1]["start_s"] <= 22.5
    assert len(summary["bouts"]) == 1 and 150 <= summary["cadence_spm"] <= 175


def test_squats_are_no_steps(real_track):
    """fallback_airsquat_front-then-side_fitbod.mp4: air squats from the front (0-8.5 s) and the side: no step."""
    exercise = create("aerobic_march")
    run_rules(exercise, real_track(shared_clip("fallback_airsquat_front-then-side_fitbod.mp4"), stride=2))
    summary = exercise.summary()
    assert summary["steps"] == 0 and summary["faults"] == []


def test_rendered_sample_matches_its_ground_truth(real_track):
    path = SAMPLE_VIDEOS / "aerobic_march_good.mp4"
    if not path.is_file() or not path.with_suffix(".json").is_file():
        pytest.skip("rendered sample clip not available")
    truth = json.loads(path.with_suffix(".json").read_text())
    exercise = create("aerobic_march")
    run_rules(exercise, real_track(path))
    summary = exercise.summary()
    assert [r["side"] for r in summary["records"]] == [r["side"] for r in truth["reps"]]
    for mine, true in zip(summary["records"], truth["reps"]):
        assert true["start_s"] - 0.1 <= mine["start_s"] <= true["end_s"]  # each step inside its labelled step
    assert summary["faults"] == [] and 95 <= summary["cadence_spm"] <= 105


def test_walking_across_the_room_counts_each_landing_on_its_foot(real_track):
    """walking_side_gaitlab_01.mp4 (30 fps, 8 s): a man walks left to right across the picture, side-on, a
    quarter of the frame's height; watched every 0.067 s, a foot lands about every 0.5 s from 0.8 s (entering)
    to a closing step at about 7 s: 13. The first landing is on the frame the walker is first found, and the
    closing step (the back foot lifted up beside the front one) has no stride of its own: 11 can be told. The
    stride's hump that the foot lift had already counted was skipped until the feet came together; they pass
    each other between two frames, and the next foot's step (1.6-2.2 s) was lost with it."""
    exercise = create("aerobic_march")
    run_rules(exercise, real_track(shared_clip("walking_side_gaitlab_01.mp4")))
    sides = [r["side"] for r in exercise.summary()["records"]]
    assert 11 <= len(sides) <= 13
    assert all(a != b for a, b in zip(sides, sides[1:]))
