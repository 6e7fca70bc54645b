"""Speed and memory of formcheck's analysis, printed as figures (not a test).

    python benchmarks/speed.py [VIDEO] [--exercise ID] [--repeat-long 10] [--rounds 3]

Linux only (it reads /proc). Prints model-only throughput (pose inference on
frames decoded beforehand) and full ``formcheck analyze`` throughput (decode,
pose, rules, overlay, encoding, track; start-up included) on the clip played
ten times over, and their ratio, in a few rounds: this machine's speed drifts
by 10% from minute to minute, so each round times the model just before and
just after its analysis, and the median round is the figure. Also the peak
memory of ``analyze`` (its pose process included) on the clip and on the
ten-times clip, each run in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = REPO / "sample_videos" / "bird_dog_good.mp4"

# Run in a fresh process. Its memory is sampled from /proc by a thread: the proportional set size (PSS) of the
# process and of its children (the pose model runs in one), so pages they share (libraries, the frame ring) are
# counted once. ru_maxrss would count shared pages twice and what the benchmark itself held when it forked.
_CHILD = """
import json, os, sys, threading, time
from pathlib import Path
from formcheck.pipeline import Options, analyze_video
from formcheck.video import VideoFileSource
peak = [0]
def tree(pid):
    pids = [pid]
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []  # ended meanwhile
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                children = [int(c) for c in f.read().split()]
        except OSError:
            continue  # a thread that ended meanwhile
        pids += [p for child in children for p in tree(child)]
    return pids
def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0  # ended meanwhile
def sample():
    while True:
        peak[0] = max(peak[0], sum(pss_kb(pid) for pid in tree(os.getpid())) * 1024)
        time.sleep(0.05)
threading.Thread(target=sample, daemon=True).start()
video, exercise, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
source = VideoFileSource(video, max_side=960)
frames = source.frame_count
start = time.perf_counter()
analyze_video(source, out, Options(exercise=exercise), progress=False)
elapsed = time.perf_counter() - start
time.sleep(0.05)
print(json.dumps({"frames": frames, "seconds": elapsed, "peak_mb": peak[0] / 2**20}))
"""


def model_only(video: Path, frames_wanted: int) -> tuple[int, float]:
    """Pose inference alone on the clip's frames, decoded beforehand, looped to ``frames_wanted`` frames."""
    from formcheck.pose.landmarker import PoseLandmarker
    from formcheck.pose.models import ensure_model
    from formcheck.pose.process import model_core
    from formcheck.video import VideoFileSource

    source = VideoFileSource(video, max_side=960)
    frames = [cv2.cvtColor(f.image, cv2.COLOR_BGR2RGB) for f in source]
    source.close()
    step = 1000.0 / (source.fps or 30.0)
    # on the one core analyze's pose process keeps to, which is also where the model runs fastest alone
    with model_core(), PoseLandmarker(ensure_model("full")) as landmarker:
        landmarker.detect(frames[0], -1)  # warm-up, not timed
        start = time.perf_counter()
        for k in range(frames_wanted):
            landmarker.detect(frames[k % len(frames)], k * step)
        elapsed = time.perf_counter() - start
    return frames_wanted, elapsed


def analyze_in_child(video: Path, exercise: str, out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(video), exercise, str(out)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def repeated(video: Path, times: int, dest: Path) -> Path:
    """The clip played ``times`` times in a row, as one file."""
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    frames = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
    cap.release()
    writer = cv2.VideoWriter(str(dest), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for _ in range(times):
        for image in frames:
            writer.write(image)
    writer.release()
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--exercise", default="bird_dog")
    parser.add_argument("--repeat-long", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        long_clip = repeated(args.video, args.repeat_long, tmp / "long.mp4")
        short = analyze_in_child(args.video, args.exercise, tmp / "short")
        rounds = []
        for _ in range(args.rounds):
            # half the model-only frames before the analysis and half after, so a machine that speeds up or
            # slows down during the round tilts both sides alike
            half = short["frames"] * args.repeat_long // 2
            n1, s1 = model_only(args.video, half)
            long = analyze_in_child(long_clip, args.exercise, tmp / "long")
            n2, s2 = model_only(args.video, half)
            model_fps, long_fps = (n1 + n2) / (s1 + s2), long["frames"] / long["seconds"]
            rounds.append((model_fps, long_fps, long))
    short_fps = short["frames"] / short["seconds"]
    long = rounds[0][2]
    print(
        f"clip: {args.video.name} ({short['frames']} frames), and the same {args.repeat_long} times over "
        f"({long['frames']} frames)"
    )
    for k, (model_fps, long_fps, _) in enumerate(rounds, 1):
        print(
            f"round {k}: model only {model_fps:5.1f} frames/s ({1000 / model_fps:.1f} ms/frame), "
            f"analyze {long_fps:5.1f} frames/s ({1000 / long_fps:.1f} ms/frame): ratio {long_fps / model_fps:.2f}"
        )
    ratios = sorted(long_fps / model_fps for model_fps, long_fps, _ in rounds)
    print(
        f"ratio analyze/model: {statistics.median(ratios):.2f} median of {len(ratios)} rounds "
        f"(range {ratios[0]:.2f}-{ratios[-1]:.2f}; target >= 0.90)"
    )
    print(f"analyze on the short clip, start-up included: {short_fps:.1f} frames/s")
    print(f"peak memory, {short['frames']} frames: {short['peak_mb']:.0f} MB")
    print(
        f"peak memory, {long['frames']} frames: {long['peak_mb']:.0f} MB"
        f"  ({long['peak_mb'] / short['peak_mb']:.2f}x for {args.repeat_long}x the frames)"
    )


if __name__ == "__main__":
    main()
