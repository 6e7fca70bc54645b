"""Live-mode frames/s and frame-to-display latency, per pose model variant (figures, not a test).

    python benchmarks/live_latency.py [VIDEO] [--exercise ID]

A video file stands in for the camera, delivered at its own frame rate as a
camera would; latency runs from the moment a frame is read to the moment its
overlay is ready to show (camera-internal delay is not included). Variants
whose bundle cannot be obtained here are reported as such.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.live import LiveConfig, run_live
from formcheck.pipeline import Options
from formcheck.plans import Plan, PlanItem
from formcheck.pose.models import VARIANTS, ensure_model
from formcheck.video import VideoFileSource

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("video", nargs="?", type=Path, default=REPO / "sample_videos" / "bird_dog_good.mp4")
    parser.add_argument("--exercise", default="bird_dog")
    args = parser.parse_args()
    print(f"clip: {args.video.name}, played in real time as a camera")
    for variant in VARIANTS:
        try:
            ensure_model(variant, report=lambda msg: None)
        except FormcheckError as exc:
            print(f"{variant:6s}: not available here ({exc})")
            continue
        with tempfile.TemporaryDirectory() as out:
            summary = run_live(
                VideoFileSource(args.video, realtime=True),
                Path(out),
                Options(exercise=args.exercise, model_variant=variant),
                Plan(args.exercise, (PlanItem(args.exercise, rest_s=0),)),
                LiveConfig(window=False, mute=True, countdown_s=0, every_frame=False),
            )
        live = summary["live"]
        print(
            f"{variant:6s}: {live['fps']:5.1f} frames/s shown, latency mean {live['latency_ms_mean']:.0f} ms, "
            f"95th percentile {live['latency_ms_p95']:.0f} ms ({live['frames_shown']} frames shown)"
        )


if __name__ == "__main__":
    main()
