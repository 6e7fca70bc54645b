"""Speed and memory of formcheck, printed as figures (not a test): each as a ratio to real time.

    python benchmarks/speed.py [--rounds 3] [--repeat-long 10] [--exercise bird_dog] [VIDEO]

Linux only (it reads /proc). From the 15 fps sample clip (default
``sample_videos/bird_dog_good.mp4``) it makes, in a temporary folder, the
same clip upscaled to 1920x1080 at 60 fps (ffmpeg: scaled, padded to 16:9,
frames blended up to 60 fps, light sensor-like noise, H.264 as phones
record), at 30 fps for the camera, and ten times over. Then, in rounds (this
machine's speed drifts from minute to minute; the median round is the
figure, with the range):

- model only: pose inference on frames decoded beforehand, one process on one core;
- ``analyze`` (a fresh process each, start-up included) on the 15 fps clip,
  and on the 1080p60 clip at full rate (``--fps source``) and at the default
  analysis rate (at most 30 frames a second);
- one against two pose model processes on the ten-times clip;
- live mode with the 30 fps clip played as a camera (frames shown a second,
  latency from reading a frame to its overlay being ready), with the model
  processes it chooses (two where two cores are free) and with one;
- the naive loop many trainers use, the reference to beat: decode, infer,
  judge, draw and encode in one thread, every frame at full size;
- the peak memory of ``analyze`` on the clip and the ten-times clip.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = REPO / "sample_videos" / "bird_dog_good.mp4"

# Each measurement runs in a fresh process. Memory is sampled from /proc by a thread: the proportional set size
# (PSS) of the process and of its children (the pose model runs in one or two), so pages they share (libraries,
# the frame ring) are counted once; ru_maxrss would count shared pages twice. CPU time is counted too (the
# process's and its children's): on a shared machine it says what a run costs, where wall time says how busy
# the machine was.
_CHILD = """
import json, os, sys, threading, time
from pathlib import Path
peak = [0]
def tree(pid):
    pids = [pid]
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                children = [int(c) for c in f.read().split()]
        except OSError:
            continue
        pids += [p for child in children for p in tree(child)]
    return pids
def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0
def sample():
    while True:
        peak[0] = max(peak[0], sum(pss_kb(pid) for pid in tree(os.getpid())) * 1024)
        time.sleep(0.05)
def cpu_s():
    import resource
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)
if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])
    import speed
    threading.Thread(target=sample, daemon=True).start()
    job = json.loads(sys.argv[2])
    start, cpu = time.perf_counter(), cpu_s()
    result = getattr(speed, job.pop("run"))(**job)
    result["seconds"] = time.perf_counter() - start
    result["cpu_s"] = cpu_s() - cpu  # this process's and its finished children's (model processes, ffmpeg)
    time.sleep(0.05)
    result["peak_mb"] = peak[0] / 2**20
    print(json.dumps(result))
"""


def in_child(run: str, **job) -> dict:
    """``run(**job)`` (a function of this module) in a fresh process: its result, wall seconds and peak memory."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(Path(__file__).parent), json.dumps({"run": run, **job})],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"{run} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def clip_seconds(video: str) -> float:
    cap = cv2.VideoCapture(video)
    seconds = cap.get(cv2.CAP_PROP_FRAME_COUNT) / (cap.get(cv2.CAP_PROP_FPS) or 30.0)
    cap.release()
    return seconds


# --- what runs in the children ----------------------------------------------------------------------------


def analyze(video: str, exercise: str, out: str, max_fps: float | None, processes: int | None = None) -> dict:
    from formcheck.pipeline import Options, analyze_video
    from formcheck.video import VideoFileSource

    source = VideoFileSource(video, max_side=960, max_fps=max_fps)
    summary = analyze_video(source, Path(out), Options(exercise=exercise, model_processes=processes), progress=False)
    return {
        "frames": summary["pose"]["frames"],
        "video_s": clip_seconds(video),
        "processes": summary["analysis"]["model_processes"],
        "reps": summary["exercises"][0]["reps"],
        "holds": [r["hold_s"] for r in summary["exercises"][0]["records"]],
    }


def model_only(video: str, frames_wanted: int) -> dict:
    """Pose inference alone on the clip's frames, decoded beforehand, looped to ``frames_wanted`` frames."""
    import time

    from formcheck.pose.landmarker import PoseLandmarker
    from formcheck.pose.models import ensure_model
    from formcheck.pose.process import model_core
    from formcheck.video import VideoFileSource

    source = VideoFileSource(video, max_side=960)
    frames = [cv2.cvtColor(f.image, cv2.COLOR_BGR2RGB) for f in source]
    source.close()
    step = 1000.0 / (source.fps or 30.0)
    # on the one core analyze's pose process keeps to, where the model runs fastest alone
    with model_core(), PoseLandmarker(ensure_model("full")) as landmarker:
        landmarker.detect(frames[0], -1)  # warm-up, not timed
        start, cpu = time.perf_counter(), time.process_time()
        for k in range(frames_wanted):
            landmarker.detect(frames[k % len(frames)], k * step)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"fps": frames_wanted / elapsed, "cpu_ms": 1000.0 * cpu / frames_wanted}


def naive(video: str, exercise: str, out: str) -> dict:
    """The loop many trainers use: every frame decoded, inferred, judged, drawn and encoded in turn, full size."""
    from formcheck import overlay
    from formcheck.exercises import create
    from formcheck.pose.landmarker import PoseLandmarker
    from formcheck.pose.models import ensure_model
    from formcheck.rules import Interpreter

    cap = cv2.VideoCapture(video)
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    Path(out).mkdir(parents=True)
    writer = cv2.VideoWriter(str(Path(out) / "naive.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    assert writer.isOpened()
    exercise_ = create(exercise)
    rules = Interpreter(exercise_)
    frames = 0
    with PoseLandmarker(ensure_model("full")) as landmarker:
        while True:
            ok, image = cap.read()
            if not ok:
                break
            t_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
            judged = rules(landmarker.detect(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), t_ms))
            writer.write(overlay.render(image, judged.pose, judged.status, exercise_.info.title))
            frames += 1
    rules.finish()
    writer.release()
    return {"frames": frames, "video_s": frames / fps, "reps": exercise_.summary()["reps"]}


def live(video: str, exercise: str, out: str, processes: int | None = None) -> dict:
    from formcheck.live import LiveConfig, run_live
    from formcheck.pipeline import Options
    from formcheck.plans import Plan, PlanItem
    from formcheck.video import VideoFileSource

    summary = run_live(
        VideoFileSource(video, realtime=True),
        Path(out),
        Options(exercise=exercise),
        Plan(exercise, (PlanItem(exercise, rest_s=0),)),
        # a camera: late frames skipped
        LiveConfig(window=False, mute=True, countdown_s=0, every_frame=False, model_processes=processes),
    )
    return {**summary["live"], "reps": summary["exercises"][0]["reps"]}


# --- making the clips -------------------------------------------------------------------------------------


def ffmpeg(*args) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", *map(str, args)], check=True)


H264 = ("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p")


def phone_clip(video: Path, dest: Path) -> Path:
    """The clip as a phone would record it: 1920x1080 (the 4:3 picture padded), 60 fps, H.264 with sensor noise."""
    scale = "scale=1440:1080:flags=bicubic,pad=1920:1080:240:0,framerate=fps=60,noise=alls=5:allf=t"
    ffmpeg("-i", video, "-vf", scale, *H264, "-crf", 20, dest)
    return dest


def camera_clip(video: Path, dest: Path) -> Path:
    """The clip at 30 fps (frames blended up), as a webcam delivers."""
    ffmpeg("-i", video, "-vf", "framerate=fps=30", *H264, dest)
    return dest


def repeated(video: Path, times: int, dest: Path) -> Path:
    """The clip played ``times`` times in a row, as one file."""
    listing = dest.with_suffix(".txt")
    listing.write_text(f"file '{video.resolve()}'\n" * times)
    ffmpeg("-f", "concat", "-safe", 0, "-i", listing, "-c", "copy", dest)
    return dest


# --- the printout -----------------------------------------------------------------------------------------


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """The median, and the range when there is more than one value."""
    mid = fmt.format(statistics.median(values))
    return mid if len(values) < 2 else f"{mid} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--exercise", default="bird_dog")
    parser.add_argument("--repeat-long", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores; load average at the start {os.getloadavg()[0]:.2f} (1 min), {args.rounds} rounds")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clip = str(args.video)
        hd = str(phone_clip(args.video, tmp / "phone1080p60.mp4"))
        cam = str(camera_clip(args.video, tmp / "camera30.mp4"))
        long = str(repeated(args.video, args.repeat_long, tmp / "long.mp4"))
        runs: dict[str, list[dict]] = {}

        def measure(name: str, run: str, **job) -> None:
            out = tmp / f"out-{len(runs.get(name, []))}-{name.replace(' ', '_')}"
            runs.setdefault(name, []).append(in_child(run, out=str(out), **job))

        for _ in range(args.rounds):
            runs.setdefault("model", []).append(in_child("model_only", video=clip, frames_wanted=600))
            measure("analyze 15", "analyze", video=clip, exercise=args.exercise, max_fps=None)
            measure("analyze hd source", "analyze", video=hd, exercise=args.exercise, max_fps=None)
            measure("analyze hd 30", "analyze", video=hd, exercise=args.exercise, max_fps=30.0)
            measure("long 1", "analyze", video=long, exercise=args.exercise, max_fps=30.0, processes=1)
            measure("long 2", "analyze", video=long, exercise=args.exercise, max_fps=30.0, processes=2)
            measure("live 30", "live", video=cam, exercise=args.exercise)
            measure("live 30 one", "live", video=cam, exercise=args.exercise, processes=1)
            measure("naive 15", "naive", video=clip, exercise=args.exercise)
            measure("naive hd", "naive", video=hd, exercise=args.exercise)
    report(args, runs, clip_seconds(clip), cores)


def report(args, runs: dict[str, list[dict]], clip_s: float, cores: int) -> None:
    def fps(name):
        return [r["frames"] / r["seconds"] for r in runs[name]]

    def real_time(name):
        return [r["video_s"] / r["seconds"] for r in runs[name]]

    def cpu_ms(name):  # per frame analysed, start-up included
        return [r["cpu_ms"] if "cpu_ms" in r else 1000.0 * r["cpu_s"] / r["frames"] for r in runs[name]]

    model = [r["fps"] for r in runs["model"]]
    model_ms = 1000.0 / statistics.median(model)
    print(
        f"clip: {args.video.name} (640x480, 15 fps, {clip_s:.1f} s); the same as a phone records it (1920x1080, "
        f"60 fps); at 30 fps as a camera; and {args.repeat_long} times over"
    )
    print("figures: median of the rounds (range); 'x real time' is seconds of video analysed per second")
    print(f"{'':52s} {'frames/s':>22s} {'x real time':>22s} {'CPU ms a frame':>16s}")
    print(
        f"{'model only (one process on one core)':52s} {spread(model, '{:.1f}'):>22s}   "
        f"at 15 fps {statistics.median(model) / 15:.2f}, 30 fps {statistics.median(model) / 30:.2f}, "
        f"60 fps {statistics.median(model) / 60:.2f} ({spread(cpu_ms('model'), '{:.1f}')} ms CPU a frame)"
    )
    rows = [
        ("analyze, 640x480 15 fps (every frame)", "analyze 15"),
        ("analyze, 1080p60 --fps source (60 a second)", "analyze hd source"),
        ("analyze, 1080p60 default (at most 30 a second)", "analyze hd 30"),
        ("naive loop, 640x480 15 fps", "naive 15"),
        ("naive loop, 1080p60 (every frame, full size)", "naive hd"),
        (f"analyze, {args.repeat_long}x clip, one model process", "long 1"),
        (f"analyze, {args.repeat_long}x clip, two model processes", "long 2"),
    ]
    for label, name in rows:
        print(
            f"{label:52s} {spread(fps(name), '{:.1f}'):>22s} {spread(real_time(name)):>22s} "
            f"{spread(cpu_ms(name), '{:.1f}'):>16s}"
        )
    counts = {name: sorted({r["reps"] for r in runs[name]}) for _, name in rows}
    print(f"reps counted (each run): {', '.join(f'{n}: {c}' for n, c in counts.items())}")
    holds = {name: runs[name][0]["holds"] for name in ("analyze 15", "analyze hd source", "analyze hd 30")}
    print(f"hold lengths (s), first round: {holds}")
    two = [b["frames"] / b["seconds"] / (a["frames"] / a["seconds"]) for a, b in zip(runs["long 1"], runs["long 2"])]
    against_model = [f / m for f, m in zip(fps("long 2"), model)]
    bound = [2000.0 / c / m for c, m in zip(cpu_ms("long 2"), model)]
    print(
        f"two model processes against one: {spread(two)} x; against the model alone: {spread(against_model)} x "
        f"(target >= 1.6; {cores} cores, processes used: {sorted({r['processes'] for r in runs['long 2']})}); "
        f"at its CPU cost a frame, two free cores would allow {spread(bound)} x the model alone"
    )
    for name in ("live 30", "live 30 one"):
        lv = runs[name]
        print(
            f"live, 30 fps clip as a camera, {'/'.join(str(p) for p in sorted({r['model_processes'] for r in lv}))} "
            f"model process(es): {spread([r['fps'] for r in lv], '{:.1f}')} frames/s shown (target >= 29), "
            f"latency mean {spread([r['latency_ms_mean'] for r in lv], '{:.0f}')} ms, 95th percentile "
            f"{spread([r['latency_ms_p95'] for r in lv], '{:.0f}')} ms (target <= model + one frame = "
            f"{model_ms + 1000 / 30:.0f} ms), {sorted({r['frames_shown'] for r in lv})} of "
            f"{sorted({r['frames_read'] for r in lv})} frames shown, reps {sorted({r['reps'] for r in lv})}"
        )
    short, ten = runs["analyze 15"], runs["long 2"]
    growth = [b["peak_mb"] / a["peak_mb"] for a, b in zip(short, ten)]
    print(
        f"peak memory (PSS, analyze and its model processes): {spread([r['peak_mb'] for r in short], '{:.0f}')} MB "
        f"on {short[0]['frames']} frames, {spread([r['peak_mb'] for r in ten], '{:.0f}')} MB on {ten[0]['frames']} "
        f"frames ({spread(growth)} x for {args.repeat_long} x the frames)"
    )
    print(f"load average at the end {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
