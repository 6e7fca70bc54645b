"""The real pose model's landmarks of a clip, for tests and benchmarks that judge rules on real model output.

The model runs in this process, frame after frame, in video mode (its tracker
follows the person from frame to frame), on the clip scaled to ``max_side``;
``stride``, ``start_s`` and ``end_s`` keep part of the frames. The same
function makes the tracks stored beside the sample clips
(``tools/sample_tracks.py``) and the ones the tests cache, so the two agree.
"""

from __future__ import annotations

import gzip
from importlib.metadata import version
from pathlib import Path

import cv2

from formcheck.landmarks import PoseFrame
from formcheck.pose.landmarker import PoseLandmarker
from formcheck.pose.models import sha256_of
from formcheck.pose.track import TrackHeader, TrackWriter
from formcheck.video import VideoFileSource


def model_track(
    clip: Path,
    model: Path,
    *,
    stride: int = 1,
    start_s: float = 0.0,
    end_s: float | None = None,
    max_side: int = 640,
) -> tuple[VideoFileSource, list[PoseFrame]]:
    """The clip's source (closed, for its size and rate) and the model's raw output on the kept frames."""
    source = VideoFileSource(clip, max_side=max_side)
    frames: list[PoseFrame] = []
    try:
        with PoseLandmarker(model) as landmarker:
            for frame in source:
                t = frame.t_ms / 1000.0
                if end_s is not None and t > end_s:
                    break
                if t < start_s or frame.index % stride:
                    continue
                frames.append(landmarker.detect(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB), frame.t_ms))
    finally:
        source.close()
    return source, frames


def store_track(clip: Path, model: Path, out: Path) -> Path:
    """Write the model's track of the whole clip to ``out`` (``.jsonl.gz``, deterministic bytes).

    The header names the model's sha256 and the mediapipe version that made it, so that a reader can tell a
    track made with another model.
    """
    source, frames = model_track(clip, model)
    header = TrackHeader(
        clip.name,
        source.size[0],
        source.size[1],
        source.fps,
        "full",
        extra={"model_sha256": sha256_of(model.read_bytes()), "mediapipe": version("mediapipe")},
    )
    tmp = out.with_name(out.name.removesuffix(".gz") + ".part")
    with TrackWriter(tmp, header) as writer:
        for frame in frames:
            writer.write(frame)
    text = tmp.read_text(encoding="utf-8")
    tmp.unlink()
    out.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return out
