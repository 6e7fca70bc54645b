"""The pose model in its own process: same landmarks as in-process, clear errors, nothing left behind."""

import json
import multiprocessing
import os
import signal
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import SAMPLE_VIDEOS

from formcheck.errors import ModelError
from formcheck.pipeline import Options, analyze_video
from formcheck.pose.landmarker import PoseLandmarker
from formcheck.pose.process import PosePool, PoseProcess, PoseProcessError, model_core
from formcheck.pose.track import read_track
from formcheck.video import Frame, VideoFileSource

CLIP = SAMPLE_VIDEOS / "bird_dog_good.mp4"


def first_frames(n: int) -> list[Frame]:
    source = VideoFileSource(CLIP)
    frames = [f for f, _ in zip(source, range(n))]
    source.close()
    return frames


def shared_segments() -> set[str]:
    return set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()


def test_same_landmarks_as_the_model_run_in_process(model_path):
    frames = first_frames(30)
    with PoseProcess(model_path, frames[0].image.shape[1::-1]) as poses:
        assert poses.segment.lstrip("/") in shared_segments()
        remote = list(poses.detect(frames))
    with PoseLandmarker(model_path) as landmarker:
        local = [landmarker.detect(cv2.cvtColor(f.image, cv2.COLOR_BGR2RGB), f.t_ms) for f in frames]
    assert [f.index for f, _ in remote] == list(range(30))
    assert all(pose.has_person for _, pose in remote)
    for (_, a), b in zip(remote, local):
        assert a.t_ms == b.t_ms and (a.width, a.height) == (b.width, b.height)
        np.testing.assert_array_equal(a.landmarks, b.landmarks)
        np.testing.assert_array_equal(a.world, b.world)
    assert not multiprocessing.active_children()
    assert poses.segment.lstrip("/") not in shared_segments()  # the frame ring is gone (others' may come and go)


def test_a_pool_deals_frames_in_turn_and_answers_in_order(model_path):
    # Two trackers, each on every other frame: the answers come back in the order sent, each process has a core
    # of its own, and each process's poses are those of one model fed that process's frames alone
    frames = first_frames(24)
    with PosePool(model_path, frames[0].image.shape[1::-1], processes=2, slots=2) as pool:
        cores = {p._child.pid: os.sched_getaffinity(p._child.pid) for p in pool.processes}
        poses = []
        for k, frame in enumerate(frames):
            pool.submit(frame)
            if k % 3 == 2:  # answers taken in batches, as a busy caller does
                poses += [pool.receive() for _ in range(3)]
    assert [p.t_ms for p in poses] == [f.t_ms for f in frames]
    assert all(p.has_person for p in poses)
    if len(os.sched_getaffinity(0)) >= 2:
        assert len({frozenset(c) for c in cores.values()}) == 2 and all(len(c) == 1 for c in cores.values())
    with PoseLandmarker(model_path) as landmarker:
        odd = [landmarker.detect(cv2.cvtColor(f.image, cv2.COLOR_BGR2RGB), f.t_ms) for f in frames[1::2]]
    for a, b in zip(poses[1::2], odd):
        np.testing.assert_array_equal(a.landmarks, b.landmarks)
    assert not multiprocessing.active_children()


def test_a_frame_of_another_size_is_scaled_to_the_first(model_path):
    frames = first_frames(12)
    small = [Frame(cv2.resize(f.image, None, fx=0.5, fy=0.5), f.t_ms, f.index) for f in frames[6:]]
    with PoseProcess(model_path, frames[0].image.shape[1::-1]) as poses:
        results = [pose for _, pose in poses.detect(frames[:6] + small)]
    assert all(p.has_person and (p.width, p.height) == (640, 480) for p in results)
    drift = np.abs(results[6].landmarks[11:29, :2] - results[5].landmarks[11:29, :2])
    assert drift.max() < 0.03  # the same body, one frame on


def test_a_wrong_model_file_is_a_model_error(tmp_path):
    bad = tmp_path / "pose_landmarker_full.task"
    bad.write_bytes(b"not a model" * 100)
    with pytest.raises(ModelError) as raised:
        PoseProcess(bad, (64, 48))
    assert str(bad) in str(raised.value) and "\n" not in str(raised.value)
    assert not multiprocessing.active_children()


class KillsThePoseProcess:
    """A video source that kills the pose process after ``after`` frames, as a crash would."""

    def __init__(self, path: Path, after: int):
        self._source, self._after = VideoFileSource(path), after
        self.fps, self.size, self.name = self._source.fps, self._source.size, self._source.name
        self.frame_count = self._source.frame_count

    def __iter__(self):
        for frame in self._source:
            if frame.index == self._after:
                for child in multiprocessing.active_children():
                    os.kill(child.pid, signal.SIGKILL)
            yield frame

    def close(self):
        self._source.close()


def test_a_crashed_pose_process_ends_the_run_and_keeps_what_was_recorded(tmp_path, model_path):
    out = tmp_path / "out"
    with pytest.raises(PoseProcessError, match="stopped unexpectedly"):
        analyze_video(KillsThePoseProcess(CLIP, after=40), out, Options(exercise="bird_dog"), progress=False)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ended"] == "error"
    frames = list(read_track(out / "track.jsonl")[1])
    assert 30 <= len(frames) <= 40 and summary["pose"]["frames"] == len(frames)
    assert cv2.VideoCapture(str(out / "annotated.mp4")).get(cv2.CAP_PROP_FRAME_COUNT) == len(frames)
    assert not multiprocessing.active_children()


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is a Linux feature")
def test_model_core_keeps_to_one_core_and_restores_the_set():
    allowed = os.sched_getaffinity(0)
    with model_core() as core:
        if len(allowed) >= 2:
            assert core == max(allowed) and os.sched_getaffinity(0) == {core}
        else:
            assert core is None and os.sched_getaffinity(0) == allowed
    assert os.sched_getaffinity(0) == allowed
