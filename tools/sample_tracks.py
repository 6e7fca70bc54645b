"""Store the full pose model's track of every sample clip, so the tests judge them without running the model.

    python tools/sample_tracks.py [CLIP.mp4 ...] [--model models/pose_landmarker_full.task]

Writes ``sample_videos/tracks/<clip>.jsonl.gz``: formcheck's pose track
(docs/formats.md), gzip-compressed, from the model run in video mode on the
clip scaled to 640 px, every frame. The header names the model's sha256 and
the mediapipe version that made it: the tests use a stored track only when
its model is the one in use, and ``tests/test_pose_real.py`` checks that the
model still gives what is stored. Re-run this after changing the model, the
pinned mediapipe version or a sample clip.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck.pose.models import ensure_model
from formcheck.testing.tracks import store_track

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_videos"
TRACKS = SAMPLES / "tracks"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=Path, help="sample clips (default: every one with a ground truth)")
    parser.add_argument("--model", type=Path, help="the full pose model bundle (default: fetched as formcheck does)")
    args = parser.parse_args()
    model = args.model or ensure_model("full")
    clips = args.clips or sorted(p.with_suffix(".mp4") for p in SAMPLES.glob("*.json"))
    TRACKS.mkdir(exist_ok=True)
    for clip in clips:
        out = store_track(clip, model, TRACKS / f"{clip.stem}.jsonl.gz")
        print(f"{out.relative_to(REPO)}: {out.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
