"""Fixtures for tests that run the real pose model on real clips.

The clips live in ../shared/videos beside the repository (never copied into
it); tests that need them skip with a reason where that folder is absent.
Each clip is run through the model once per test session and the track is
cached on disk (pytest's cache folder), keyed by the model's checksum.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from formcheck.landmarks import PoseFrame

REPO = Path(__file__).resolve().parents[1]
SHARED_VIDEOS = Path(os.environ.get("FORMCHECK_SHARED_VIDEOS", REPO.parent / "shared" / "videos"))
SAMPLE_VIDEOS = REPO / "sample_videos"


@pytest.fixture(scope="session", autouse=True)
def _private_history_db(tmp_path_factory):
    """Runs made by the tests (formcheck analyze/live in subprocesses too) record into a throwaway history."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite3"
    old = os.environ.get("FORMCHECK_DB")
    os.environ["FORMCHECK_DB"] = str(path)
    yield path
    if old is None:
        os.environ.pop("FORMCHECK_DB", None)
    else:
        os.environ["FORMCHECK_DB"] = old


def shared_clip(name: str) -> Path:
    path = SHARED_VIDEOS / name
    if not path.is_file():
        pytest.skip(f"real clip {name} not available (expected in {SHARED_VIDEOS})")
    return path


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The full pose model, fetched (and verified) on first use."""
    from formcheck.pose.models import ensure_model

    return ensure_model("full")


@pytest.fixture(scope="session")
def real_track(model_path, request):
    """``real_track(path, stride=1, start_s=0, end_s=None, max_side=640) -> list[PoseFrame]`` (raw model output)."""
    from formcheck.pose.landmarker import PoseLandmarker
    from formcheck.pose.models import sha256_of
    from formcheck.pose.track import TrackHeader, TrackWriter, read_track
    from formcheck.video import VideoFileSource

    cache_dir = Path(request.config.cache.mkdir("formcheck-tracks"))
    model_tag = sha256_of(model_path.read_bytes())[:10]
    memo: dict[tuple, list[PoseFrame]] = {}

    def load(
        path: Path, stride: int = 1, start_s: float = 0.0, end_s: float | None = None, max_side: int = 640
    ) -> list[PoseFrame]:
        key = (str(path), stride, start_s, end_s, max_side)
        if key in memo:
            return memo[key]
        cached = cache_dir / f"{Path(path).stem}-s{stride}-{start_s:g}-{end_s}-{max_side}-{model_tag}.jsonl"
        if cached.is_file():
            memo[key] = list(read_track(cached)[1])
            return memo[key]
        source = VideoFileSource(path, max_side=max_side)
        frames = []
        tmp = cached.with_suffix(".part")
        try:
            with (
                PoseLandmarker(model_path) as landmarker,
                TrackWriter(tmp, TrackHeader(str(path), source.size[0], source.size[1], source.fps)) as writer,
            ):
                import cv2

                for frame in source:
                    t = frame.t_ms / 1000.0
                    if end_s is not None and t > end_s:
                        break
                    if t < start_s or frame.index % stride:
                        continue
                    pose = landmarker.detect(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB), frame.t_ms)
                    writer.write(pose)
                    frames.append(pose)
        finally:
            source.close()
        tmp.replace(cached)
        memo[key] = frames
        return frames

    return load
