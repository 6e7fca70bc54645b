"""The rules at the rates analyze gives them: the same movement judged at 60 fps and thinned to 30 and 15.

``analyze`` keeps at most 30 frames a second by default; these check, on
true keypoints (no model, nothing timed), that a recording's counts per
side, hold lengths and faults do not change with the rate it is judged at.
``python benchmarks/accuracy.py --rates N`` prints the same on the whole
corpus, with model-like noise too, and on every sample clip.
"""

import json

import pytest
from conftest import SAMPLE_VIDEOS

from formcheck.testing import rates
from formcheck.testing.evaluation import profile_for, truth_frames
from formcheck.testing.scenarios import scenario


@pytest.mark.parametrize("clip", ["lumbar_extension_faults", "piriformis_stretch_good"])
def test_sample_clips_get_the_same_verdict_at_60_30_and_15_fps(clip):
    truth = json.loads((SAMPLE_VIDEOS / f"{clip}.json").read_text())
    frames = rates.resampled(truth_frames(truth), 60.0)  # the clips are rendered at 15 fps
    assert len(frames) > 3.9 * len(truth["frames"])
    check = rates.check(clip, truth["exercise"], profile_for(truth), frames, 60.0)
    assert check.diffs == {30: [], 15: []}
    assert check.base["reps"] == sum(truth["reps_per_side"].values())


def test_a_corpus_march_gets_the_same_steps_at_60_30_and_15_fps():
    sc = scenario("aerobic_march", 1, fps=60, model_noise=False)
    check = rates.check("march", sc.exercise, sc.profile, sc.frames, 60.0)
    assert check.diffs == {30: [], 15: []} and check.base["reps"] > 8


def test_thinning_keeps_the_frames_analyze_keeps():
    sc = scenario("nerve_glide", 0, fps=60, model_noise=False)
    kept = rates.thinned(sc.frames, 60.0, 30)
    assert [f.t_ms for f in kept] == [f.t_ms for f in sc.frames[::2]]
    assert len(rates.thinned(sc.frames, 60.0, 15)) == len(sc.frames[::4])
