"""Two pose model processes on one recording: the stitched stream is the single process's, seam included."""

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from conftest import SAMPLE_VIDEOS

from formcheck.exercises import create
from formcheck.pipeline import Options, analyze_video
from formcheck.pose import spans
from formcheck.pose.process import PoseProcessError
from formcheck.pose.track import read_track
from formcheck.rules import run_rules
from formcheck.testing.rates import differences
from formcheck.video import VideoFileSource

CLIP = SAMPLE_VIDEOS / "bird_dog_good.mp4"  # 26 s, 394 frames at 15 fps


def test_a_recording_on_two_model_processes_gets_the_single_process_verdict(tmp_path, real_track, capfd):
    single = list(real_track(CLIP, here=True))  # the model in one process, every frame in order, on this machine
    alone = create("bird_dog")
    run_rules(alone, single)
    out = tmp_path / "out"
    summary = analyze_video(
        VideoFileSource(CLIP), out, Options(exercise="bird_dog", model_processes=2, write_video=False), progress=False
    )
    seam = summary["analysis"]["seams_s"][0]
    assert summary["analysis"]["model_processes"] == 2 and 12.0 < seam < 14.0
    assert differences(alone.summary(), summary["exercises"][0]) == []
    assert [r["hold_s"] for r in summary["exercises"][0]["records"]] == [
        r["hold_s"] for r in alone.summary()["records"]
    ]
    # every frame once, in order, across the seam; before it, the very poses of one process
    frames = list(read_track(out / "track.jsonl")[1])
    assert [f.t_ms for f in frames] == pytest.approx([f.t_ms for f in single], abs=1e-3)
    before = [k for k, f in enumerate(frames) if f.t_ms < seam * 1000]
    for k in before:
        np.testing.assert_allclose(frames[k].landmarks, single[k].landmarks, atol=1e-4)
    after = frames[len(before)]  # the first pose of the second process: settled on the same body
    assert np.abs(after.landmarks[11:29, :2] - single[len(before)].landmarks[11:29, :2]).max() < 0.01
    assert not multiprocessing.active_children()
    assert not [n for n in os.listdir(out) if n.startswith(spans.LOG_PREFIX)]  # the pose log is gone
    assert json.loads((out / "summary.json").read_text())["analysis"]["seams_s"] == [seam]
    assert capfd.readouterr().err == ""  # no native log lines from either model process


def test_two_processes_only_where_they_pay(monkeypatch, tmp_path):
    clip = VideoFileSource(CLIP)
    assert spans.seam_ms(clip, 1) is None and spans.seam_ms(clip, 2) == pytest.approx(394 / 15 * 500, abs=1)
    monkeypatch.setattr(spans, "free_cores", lambda: 2)
    assert spans.seam_ms(clip) == spans.seam_ms(clip, 2)  # 26 s, two cores
    monkeypatch.setattr(spans, "MIN_SECONDS", 30.0)
    assert spans.seam_ms(clip) is None  # too short
    monkeypatch.setattr(spans, "MIN_SECONDS", 20.0)
    monkeypatch.setattr(spans, "free_cores", lambda: 1)
    assert spans.seam_ms(clip) is None  # one core
    assert spans.seam_ms(VideoFileSource(CLIP, realtime=True), 2) is None  # live: one frame at a time
    clip.close()


def test_a_killed_runs_pose_log_is_removed_by_the_next(tmp_path):
    stale = tmp_path / f"{spans.LOG_PREFIX}999999999_0a0b0c0d"
    stale.write_bytes(b"x")
    mine = tmp_path / f"{spans.LOG_PREFIX}{os.getpid()}_0a0b0c0d"
    mine.write_bytes(b"x")
    from formcheck.pose.process import reclaim_stale_segments

    assert reclaim_stale_segments(tmp_path, spans.LOG_PREFIX) == [stale.name] and mine.exists()


class KillsTheSecondProcess(VideoFileSource):
    """The clip, with the second model process killed as the first frame is read, as a crash would."""

    def frames(self, keep):
        for frame in super().frames(keep):
            for child in multiprocessing.active_children():
                if child.name == "formcheck-pose-span":
                    os.kill(child.pid, signal.SIGKILL)
                    child.join()
            yield frame


def test_a_crashed_second_process_ends_the_run_and_keeps_what_was_recorded(tmp_path):
    out = tmp_path / "out"
    options = Options(exercise="bird_dog", model_processes=2, write_video=False)
    with pytest.raises(PoseProcessError, match="second pose model process"):
        analyze_video(KillsTheSecondProcess(CLIP), out, options, progress=False)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ended"] == "error" and 150 < summary["pose"]["frames"] < 394  # up to the seam
    assert not multiprocessing.active_children()
    assert not [n for n in os.listdir(out) if n.startswith(spans.LOG_PREFIX)]


RUN = """
import sys
from pathlib import Path
from formcheck.pipeline import Options, analyze_video
from formcheck.video import VideoFileSource
if __name__ == "__main__":
    options = Options(exercise="bird_dog", model_processes=2, write_video=False)
    analyze_video(VideoFileSource(sys.argv[1]), Path(sys.argv[2]), options, progress=False)
"""


def model_processes(pid: int) -> set[int]:
    """The pose model processes a run started (its children made by multiprocessing's spawn)."""
    found = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found |= {int(c) for c in f.read().split()}
    return {p for p in found if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()}


def alive(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_the_second_process_stops_when_the_run_is_killed_outright(tmp_path):
    long = tmp_path / "long.mp4"  # 4 minutes: the second process would take minutes to finish on its own
    (tmp_path / "list.txt").write_text(f"file '{CLIP}'\n" * 10)
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    subprocess.run([ffmpeg, "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", tmp_path / "list.txt",
                    "-c", "copy", long], check=True)  # fmt: skip
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", RUN, str(long), str(out)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    track = out / "track.jsonl"
    while time.monotonic() < deadline and (not track.exists() or len(track.read_bytes().splitlines()) < 60):
        time.sleep(0.2)  # both well under way
    children = model_processes(proc.pid)
    assert len(children) == 2, "both model processes run"
    os.kill(proc.pid, signal.SIGKILL)  # the run alone, as the out-of-memory killer would
    proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(alive(p) for p in children):
        time.sleep(0.2)
    assert not any(alive(p) for p in children)
