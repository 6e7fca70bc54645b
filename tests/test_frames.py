"""frames.csv: written while a run goes, versioned, read back per exercise entry; the per-frame pixel cache."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.feedback import AngleReading, Status, ViewStatus
from formcheck.frames import FramesWriter, by_exercise, frame_row, read_csv
from formcheck.landmarks import PoseFrame


def status(angles, faults=(), signal=None) -> Status:
    return Status(
        view=ViewStatus(True),
        ready=True,
        phase="active",
        counts={"left": {"good": 1, "faulty": 1}},
        hold_elapsed_s=None,
        hold_target_s=None,
        active_faults=[],
        angles=angles,
        bad_joints=(),
        side="left",
        signal=signal,
        fault_ids=faults,
    )


def test_rows_of_two_exercises_make_one_versioned_csv_split_back_by_entry(tmp_path):
    path = tmp_path / "frames.csv"
    writer = FramesWriter(path)
    raw = PoseFrame(1000.0, 640, 480)
    writer.add(frame_row(0, "bird_dog", raw, status([AngleReading("arm", 13, 12.345, True)], ("back_sag",), 0.5)))
    writer.add(frame_row(1, "lumbar_extension", PoseFrame(5000.0, 640, 480), status([AngleReading("trunk", 23, 30.0)])))
    assert not path.exists()  # written at close, when every angle column is known
    writer.close()
    assert path.read_text().splitlines()[0] == "# formcheck.frames 1"
    assert not (tmp_path / "frames.csv.rows").exists()
    rows = read_csv(path)
    assert [r["exercise"] for r in rows] == ["bird_dog", "lumbar_extension"]
    assert rows[0]["angle_arm"] == "12.35" and rows[0]["ok_arm"] == "1" and rows[0]["angle_trunk"] == ""
    assert rows[0]["faults"] == "back_sag" and rows[0]["reps_done"] == "2" and rows[0]["signal"] == "0.5"
    entries = [
        {"exercise": "bird_dog", "segment_s": [0.0, 2.0]},
        {"exercise": "lumbar_extension", "segment_s": [4.0, 6.0]},
    ]
    bird, press = by_exercise(rows, entries)
    assert bird.angle_names == ["arm"] and press.angle_names == ["trunk"]
    assert press.series("angle_trunk") == ([5.0], [30.0])


def test_a_frames_csv_without_the_version_line_is_not_read(tmp_path):
    (tmp_path / "frames.csv").write_text("frame,t_s\n0,0.0\n")
    assert read_csv(tmp_path / "frames.csv") is None
    assert read_csv(tmp_path / "missing.csv") is None


def test_pixels_are_computed_once_per_frame_and_shared_read_only():
    landmarks = np.zeros((33, 5))
    landmarks[:, 3] = 1.0
    frame = PoseFrame(0.0, 640, 480, landmarks, min_visibility=0.5)
    first = frame.pixels()
    assert frame.pixels() is first
    with pytest.raises(ValueError):
        first[0, 0] = 1.0
    assert frame == PoseFrame(0.0, 640, 480, landmarks, min_visibility=0.5)  # the cache is not a field
