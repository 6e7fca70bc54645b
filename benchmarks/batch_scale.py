#!/usr/bin/env python3
"""Batch throughput on this machine: local process pool against Ray, and against the number of workers.

    python benchmarks/batch_scale.py [--clips 50] [--frames 60] [--workers 1 2] [--engines local ray]

Makes ``--clips`` short clips (the first ``--frames`` frames of the sample
videos, in turn), then runs the same batch through each engine and worker
count into a fresh folder and prints: recordings per hour, frames per second
in total and per worker, the ratio to N x the one-worker figure, and the peak
memory of a worker (its process and its pose process, from each recording's
batch.json). A benchmark: it prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[1]


def make_clips(folder: Path, clips: int, frames: int) -> list[Path]:
    samples = sorted((REPO / "sample_videos").glob("*.mp4"))
    made = []
    for i in range(clips):
        src = samples[i % len(samples)]
        dst = folder / f"clip{i:03d}-{src.stem}.mp4"
        cap = cv2.VideoCapture(str(src))
        fps = cap.get(cv2.CAP_PROP_FPS)
        writer = None
        for _ in range(frames):
            ok, image = cap.read()
            if not ok:
                break
            if writer is None:
                writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, image.shape[1::-1])
            writer.write(image)
        writer.release()
        cap.release()
        made.append(dst)
    return made


def run(engine_name: str, workers: int, clips: list[Path], out: Path, model: Path) -> dict:
    from formcheck.batch.inputs import Recording
    from formcheck.batch.job import Settings
    from formcheck.batch.runner import MARKER, run_batch

    recordings = [Recording(p.resolve(), p.stem.split("-", 1)[1].rsplit("_", 1)[0]) for p in clips]
    if engine_name == "ray":
        from formcheck.batch.ray_engine import RayEngine

        engine = RayEngine(workers)
    else:
        from formcheck.batch.local import LocalEngine

        engine = LocalEngine(workers)
    settings = Settings(pin_core=engine_name == "ray" or workers > 1)  # as formcheck batch does on 2 cores
    t0 = time.monotonic()
    outcome = run_batch(recordings, out, engine, settings, model, progress=False)
    wall = time.monotonic() - t0
    markers = [json.loads((out / r.key / MARKER).read_text()) for r in recordings]
    frames = sum(m["figures"]["frames"] for m in markers)
    return {
        "engine": engine_name,
        "workers": workers,
        "done": outcome.done,
        "failed": len(outcome.failed),
        "wall_s": wall,
        "recordings_per_h": len(recordings) / wall * 3600,
        "fps": frames / wall,
        "fps_per_worker": frames / wall / workers,
        "video_s_per_s": sum(m["figures"]["video_s"] for m in markers) / wall,
        "job_s_median": statistics.median(m["figures"]["wall_s"] for m in markers),
        "peak_mb": max(m["figures"]["peak_rss_mb"] for m in markers),
        "frames": frames,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clips", type=int, default=50)
    p.add_argument("--frames", type=int, default=60)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--engines", nargs="+", default=["local", "ray"], choices=("local", "ray"))
    args = p.parse_args()
    from formcheck.pose.models import ensure_model

    model = ensure_model("full")
    with tempfile.TemporaryDirectory() as tmp:
        clips = make_clips(Path(tmp), args.clips, args.frames)
        rows = []
        for engine in args.engines:
            for workers in args.workers:
                rows.append(run(engine, workers, clips, Path(tmp) / f"out-{engine}-{workers}", model))
                r = rows[-1]
                print(f"  ... {engine} x{workers}: {r['wall_s']:.0f} s", file=sys.stderr, flush=True)
    single = {r["engine"]: r["fps"] for r in rows if r["workers"] == 1}
    print(f"{args.clips} clips of {args.frames} frames (640x480, 15 fps), outputs as 'formcheck analyze' writes them")
    print(
        f"{'engine':6s} {'workers':>7s} {'rec/h':>7s} {'frames/s':>8s} {'per worker':>10s} "
        f"{'vs N x 1':>8s} {'video s/s':>9s} {'job s':>6s} {'peak MB':>8s} {'failed':>6s}"
    )
    for r in rows:
        base = single.get(r["engine"])
        ratio = f"{r['fps'] / (r['workers'] * base):.2f}" if base else "-"
        print(
            f"{r['engine']:6s} {r['workers']:7d} {r['recordings_per_h']:7.0f} {r['fps']:8.1f} "
            f"{r['fps_per_worker']:10.1f} {ratio:>8s} {r['video_s_per_s']:9.2f} {r['job_s_median']:6.1f} "
            f"{r['peak_mb']:8.0f} {r['failed']:6d}"
        )


if __name__ == "__main__":
    main()
