import json

import numpy as np
import pytest

from formcheck.errors import InputError
from formcheck.landmarks import PoseFrame, index
from formcheck.pose.filters import ConditioningConfig, OneEuroFilter, PoseConditioner
from formcheck.pose.track import TrackHeader, TrackWriter, read_track
from formcheck.testing import synthetic


def test_one_euro_smooths_jitter_when_still_and_follows_motion():
    """With the conditioner's defaults, on normalised coordinates (2 px of jitter on a 640 px frame)."""
    cfg = ConditioningConfig()
    rng = np.random.default_rng(0)
    f = OneEuroFilter(min_cutoff=cfg.min_cutoff, beta=cfg.beta)
    t = np.arange(0, 3, 1 / 30)
    still = 0.5 + rng.normal(0, 2 / 640, t.size)
    out = np.array([f(np.array([v]), ti)[0] for v, ti in zip(still, t)])
    assert np.std(out[30:]) < 0.5 * np.std(still[30:])
    f.reset()
    ramp = 0.3 * t  # a joint crossing a third of the frame per second
    out = np.array([f(np.array([v]), ti)[0] for v, ti in zip(ramp, t)])
    assert abs(out[-1] - ramp[-1]) < 0.3 * 0.1  # lags less than 0.1 s behind


def test_one_euro_holds_unknown_values_and_restarts_stale_ones():
    f = OneEuroFilter(stale_s=0.25)
    f(np.array([0.0, 0.0]), 0.0)
    out = f(np.array([np.nan, 1.0]), 0.1)
    assert out[0] == 0.0
    out = f(np.array([50.0, 1.0]), 1.0)  # first element unseen for 1 s: jumps, no glide
    assert out[0] == 50.0


def test_conditioner_gates_hidden_landmarks_and_bridges_short_gaps():
    pose = synthetic.QUADRUPED
    clip = synthetic.Clip([(0, pose), (1.0, pose)], fps=10)
    frames = synthetic.render(clip, noise=synthetic.Noise(far_visibility=0.3))
    cond = PoseConditioner(ConditioningConfig(max_gap_ms=250))
    a = cond(frames[0])
    assert np.isnan(a.pixels()[index("right_knee")]).all()  # far side, visibility 0.3
    assert np.isfinite(a.pixels()[index("left_knee")]).all()
    assert a.landmarks[index("right_knee"), 0] == frames[0].landmarks[index("right_knee"), 0]  # raw kept
    gap = PoseFrame(200.0, 640, 480)
    assert cond(gap).has_person  # 200 ms without a person: last pose carried
    assert not cond(PoseFrame(600.0, 640, 480)).has_person  # 600 ms: the person is gone


def test_track_round_trip_and_truncated_last_line(tmp_path):
    frames = synthetic.render(synthetic.Clip([(0, synthetic.SUPINE), (0.2, synthetic.SUPINE)], fps=10))
    frames.insert(1, PoseFrame(50.0, 640, 480))
    path = tmp_path / "t.jsonl"
    with TrackWriter(path, TrackHeader("clip.mp4", 640, 480, 10.0, "full")) as w:
        for f in frames:
            w.write(f)
    header, read = read_track(path)
    read = list(read)
    assert header.width == 640 and header.fps == 10.0 and len(read) == len(frames)
    assert not read[1].has_person
    np.testing.assert_allclose(read[0].landmarks, frames[0].landmarks, atol=1e-5)
    np.testing.assert_allclose(read[2].world, frames[2].world, atol=1e-5)
    with path.open("a") as fh:
        fh.write('{"t_ms": 999, "landm')  # killed mid-write
    assert len(list(read_track(path)[1])) == len(frames)


def test_track_rejects_other_files(tmp_path):
    other = tmp_path / "x.jsonl"
    other.write_text(json.dumps({"format": "something.else"}) + "\n")
    with pytest.raises(InputError):
        read_track(other)
    newer = tmp_path / "y.jsonl"
    newer.write_text(json.dumps({"format": "formcheck.pose_track", "version": 99}) + "\n")
    with pytest.raises(InputError, match="version 99"):
        read_track(newer)
