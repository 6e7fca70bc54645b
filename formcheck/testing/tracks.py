"""The real pose model's landmarks of a clip, for tests and benchmarks that judge rules on real model output.

The model runs in this process, frame after frame, in video mode (its tracker
follows the person from frame to frame), on the clip scaled to ``max_side``;
``stride``, ``start_s`` and ``end_s`` keep part of the frames. The same
function makes the tracks stored beside the sample clips
(``tools/sample_tracks.py``) and the ones the tests cache, so the two agree.
"""

from __future__ import annotations

from pathlib import Path

import cv2

from formcheck.landmarks import PoseFrame
from formcheck.pose.landmarker import PoseLandmarker
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
