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


def stored_track(path: Path, model_sha256: str) -> Path | None:
    """The stored model track of a sample clip (sample_videos/tracks, made by tools/sample_tracks.py), if it was
    made with this model."""
    from formcheck.pose.track import read_track

    stored = SAMPLE_VIDEOS / "tracks" / f"{Path(path).stem}.jsonl.gz"
    if Path(path).parent != SAMPLE_VIDEOS or not stored.is_file():
        return None
    return stored if read_track(stored)[0].extra.get("model_sha256") == model_sha256 else None


@pytest.fixture(scope="session")
def real_track(model_path, request):
    """``real_track(path, stride=1, start_s=0, end_s=None, max_side=640, here=False) -> list[PoseFrame]`` (raw
    model output).

    A whole sample clip comes from its stored track when that was made with this model; anything else is run
    through the model once and cached. ``here``: run through the model in this test session, stored or cached
    tracks aside, for a test that compares with another run of the model here (the model's output differs in
    the second or third decimal from one CPU to another: a track made on another machine is no reference).
    """
    from formcheck.pose.models import sha256_of
    from formcheck.pose.track import TrackHeader, TrackWriter, read_track
    from formcheck.testing.tracks import model_track

    cache_dir = Path(request.config.cache.mkdir("formcheck-tracks"))
    model_sha = sha256_of(model_path.read_bytes())
    memo: dict[tuple, list[PoseFrame]] = {}

    def load(
        path: Path,
        stride: int = 1,
        start_s: float = 0.0,
        end_s: float | None = None,
        max_side: int = 640,
        here: bool = False,
    ) -> list[PoseFrame]:
        key = (str(path), stride, start_s, end_s, max_side, here)
        if key in memo:
            return memo[key]
        if here:
            memo[key] = list(
                model_track(path, model_path, stride=stride, start_s=start_s, end_s=end_s, max_side=max_side)[1]
            )
            return memo[key]
        whole = (stride, start_s, end_s, max_side) == (1, 0.0, None, 640)
        cached = stored_track(path, model_sha) if whole else None
        if cached is None:
            cached = cache_dir / f"{Path(path).stem}-s{stride}-{start_s:g}-{end_s}-{max_side}-{model_sha[:10]}.jsonl"
        if cached.is_file():
            memo[key] = list(read_track(cached)[1])
            return memo[key]
        source, frames = model_track(path, model_path, stride=stride, start_s=start_s, end_s=end_s, max_side=max_side)
        tmp = cached.with_suffix(f".{os.getpid()}.part")  # test workers running side by side write their own
        with TrackWriter(tmp, TrackHeader(str(path), source.size[0], source.size[1], source.fps)) as writer:
            for frame in frames:
                writer.write(frame)
        tmp.replace(cached)
        memo[key] = frames
        return frames

    return load
