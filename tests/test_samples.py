"""Every labelled sample video, end to end through the real model, against its ground truth.

Counts must be exact per side and every fault found in the right rep with
nothing else flagged (ground truth: docs/ground_truth.md). The same rules are
also checked on the true keypoints, which tells a rule error from a pose-model
error when a clip fails.
"""

import json

import pytest
from conftest import SAMPLE_VIDEOS

from formcheck.exercises import create
from formcheck.rules import run_rules
from formcheck.testing.evaluation import profile_for, score, truth_frames

CLIPS = sorted(SAMPLE_VIDEOS.glob("*.json"))

# Where the whole pipeline misses a goal on a clip, with what was measured and whose error it is (the same
# rules on the true keypoints tell). Strict: once it is right, the test fails until the entry is removed.
MISSES = {
    "hamstring_stretch_faults": "pose model: the hip that hitches is on the far side, hidden: the model reads the "
    "14 degree hitch as a 0.04 torso-length rise (true keypoints 0.13; limit 0.1, a correct stretch 0.07)",
    "piriformis_stretch_faults": "rule: the unpulled third hold (supporting foot left on the floor) has so little "
    "movement at its ends that stillness brackets it 0.4 s early and 0.3 s late (0.67 s off in all, on the true "
    "keypoints as on the model's)",
    "nerve_floss_faults": "pose model: in the swap after the two same-direction ones (11.0-12.2 s) the far foot, "
    "passing behind the near one, is read moving with it (134 -> 107 degrees while it truly stays pointed), so "
    "the swap, judged as the near foot arrives, reads as a third same-direction one (true keypoints: right)",
}


def model_cases() -> list:
    cases = []
    for clip in CLIPS:
        reason = MISSES.get(clip.stem)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        cases.append(pytest.param(clip, id=clip.stem, marks=marks))
    return cases


def judge(frames, truth):
    exercise = create(truth["exercise"], profile_for(truth))
    run_rules(exercise, frames)
    return score({"exercises": [exercise.summary()]}, truth), exercise.summary()


@pytest.mark.parametrize("truth_path", CLIPS, ids=[c.stem for c in CLIPS])
def test_rules_on_true_keypoints_match_the_ground_truth(truth_path):
    truth = json.loads(truth_path.read_text())
    s, summary = judge(truth_frames(truth), truth)
    assert all(v == 0 for v in s.rep_errors.values()), (s.rep_errors, summary["records"])
    assert s.fault_tp_true == s.fault_true and s.fault_tp_pred == s.fault_pred, summary["faults"]


@pytest.mark.parametrize("truth_path", model_cases())
def test_model_counts_and_faults_match_the_ground_truth(truth_path, real_track):
    truth = json.loads(truth_path.read_text())
    frames = real_track(truth_path.with_suffix(".mp4"))
    s, summary = judge(frames, truth)
    assert all(v == 0 for v in s.rep_errors.values()), (s.rep_errors, summary["records"])
    assert s.fault_tp_true == s.fault_true and s.fault_tp_pred == s.fault_pred, summary["faults"]
    assert all(e <= 0.5 for e in s.hold_errors), s.hold_errors
