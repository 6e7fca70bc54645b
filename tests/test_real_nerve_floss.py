"""The rendered sample through the real model: nerve flossing as the camera sees it.

nerve_floss_good.mp4 (rendered, ground truth in its .json; camera on the right, lens 0.4 m high, 2.25 m away):
lying on the back, legs straight, 12 swaps, left foot pulled first, each swap 0.9 s with 0.3 s in position.
Watched: the near (right) foot points while the far one stands up pulled, then the other way round; the far
foot shows above the near one in most positions. No real clip of this exercise exists in ../shared/videos.
"""

import json

import pytest
from conftest import SAMPLE_VIDEOS, shared_clip

from formcheck.exercises import create
from formcheck.rules import run_rules


def test_rendered_sample_matches_its_ground_truth(real_track):
    path = SAMPLE_VIDEOS / "nerve_floss_good.mp4"
    truth_path = path.with_suffix(".json")
    if not truth_path.is_file():
        pytest.skip("rendered sample clip not available")
    truth = json.loads(truth_path.read_text())
    assert truth["settings"]["rep_side_is"] == "dorsiflexed_foot"  # as formcheck names a swap: the foot that pulls
    exercise = create("nerve_floss")
    run_rules(exercise, real_track(path))
    summary = exercise.summary()
    assert [r["side"] for r in summary["records"]] == [r["side"] for r in truth["reps"]]
    for mine, true in zip(summary["records"], truth["reps"]):  # a swap counts as the near foot arrives
        assert true["start_s"] <= mine["end_s"] <= true["end_s"]
    assert summary["faults"] == []
    assert summary["same_direction_judged"]["swaps"] >= 10  # the far foot is in view in most swaps


def test_floss_and_straight_leg_raises_are_told_apart(real_track):
    """Ankle swaps with the legs down are no leg raises; leg raises (band clip, side view) are no swaps."""
    floss = real_track(SAMPLE_VIDEOS / "nerve_floss_good.mp4")
    raises = real_track(
        shared_clip("slr_band-alternating_oblique-then-side_fitbod_01.mp4"), stride=2, start_s=9.8, end_s=19.7
    )
    for frames, exercise_id in ((floss, "nerve_tension"), (raises, "nerve_floss")):
        exercise = create(exercise_id)
        run_rules(exercise, frames)
        assert exercise.summary()["reps"] == 0, exercise_id
