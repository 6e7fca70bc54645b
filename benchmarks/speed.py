"""Speed and memory of formcheck's analysis, printed as figures (not a test).

    python benchmarks/speed.py [VIDEO] [--exercise ID] [--repeat-long 10]

Linux only (it reads /proc). Prints model-only throughput (pose inference on
frames decoded beforehand), full ``formcheck analyze`` throughput (decode,
pose, rules, overlay, encoding, track) on the clip played ten times over, so
start-up weighs as little as for a real recording, their ratio, and the peak
memory of ``analyze`` on the clip and on the ten-times clip, each in a fresh
process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = REPO / "sample_videos" / "bird_dog_good.mp4"

# Run in a fresh process; its peak memory is sampled from /proc by a thread, because ru_maxrss would
# also count what the parent held when it forked.
_CHILD = """
import json, os, sys, threading, time
from pathlib import Path
from formcheck.pipeline import Options, analyze_video
from formcheck.video import VideoFileSource
peak = [0]
def sample():
    page = os.sysconf("SC_PAGE_SIZE")
    while True:
        with open("/proc/self/statm") as f:
            peak[0] = max(peak[0], int(f.read().split()[1]) * page)
        time.sleep(0.02)
threading.Thread(target=sample, daemon=True).start()
video, exercise, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
source = VideoFileSource(video, max_side=960)
frames = source.frame_count
start = time.perf_counter()
analyze_video(source, out, Options(exercise=exercise), progress=False)
elapsed = time.perf_counter() - start
time.sleep(0.05)
print(json.dumps({"frames": frames, "seconds": elapsed, "peak_rss_mb": peak[0] / 2**20}))
"""


def model_only(video: Path, repeat: int) -> tuple[int, float]:
    """Pose inference alone on the clip's frames, decoded beforehand, ``repeat`` times over."""
    from formcheck.pose.landmarker import PoseLandmarker
    from formcheck.pose.models import ensure_model
    from formcheck.video import VideoFileSource

    source = VideoFileSource(video, max_side=960)
    frames = [cv2.cvtColor(f.image, cv2.COLOR_BGR2RGB) for f in source]
    source.close()
    step = 1000.0 / (source.fps or 30.0)
    with PoseLandmarker(ensure_model("full")) as landmarker:
        landmarker.detect(frames[0], -1)  # warm-up, not timed
        start = time.perf_counter()
        for k in range(repeat * len(frames)):
            landmarker.detect(frames[k % len(frames)], k * step)
        elapsed = time.perf_counter() - start
    return repeat * len(frames), elapsed


def analyze_in_child(video: Path, exercise: str, out: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(video), exercise, str(out)], capture_output=True,
                          text=True, check=True)  # fmt: skip
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
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        long_clip = repeated(args.video, args.repeat_long, tmp / "long.mp4")
        # model-only runs before and after the analyses, so a machine that speeds up or slows down
        # during the run does not tilt the ratio
        n1, s1 = model_only(args.video, args.repeat_long)
        short = analyze_in_child(args.video, args.exercise, tmp / "short")
        long = analyze_in_child(long_clip, args.exercise, tmp / "long")
        n2, s2 = model_only(args.video, args.repeat_long)
    model_fps = (n1 + n2) / (s1 + s2)
    short_fps = short["frames"] / short["seconds"]
    long_fps = long["frames"] / long["seconds"]
    print(f"clip: {args.video.name} ({short['frames']} frames), and the same {args.repeat_long} times over "
          f"({long['frames']} frames)")
    print(f"model only         : {model_fps:6.1f} frames/s ({1000 / model_fps:.1f} ms/frame; "
          f"{n1 / s1:.1f} before, {n2 / s2:.1f} after the analyses)")
    print(f"formcheck analyze  : {long_fps:6.1f} frames/s ({1000 / long_fps:.1f} ms/frame) on the long clip; "
          f"{short_fps:.1f} on the short one, start-up included")
    print(f"ratio analyze/model: {long_fps / model_fps:.2f}  (target >= 0.90)")
    print(f"peak memory, {short['frames']} frames: {short['peak_rss_mb']:.0f} MB")
    print(f"peak memory, {long['frames']} frames: {long['peak_rss_mb']:.0f} MB"
          f"  ({long['peak_rss_mb'] / short['peak_rss_mb']:.2f}x for {args.repeat_long}x the frames)")


if __name__ == "__main__":
    main()
