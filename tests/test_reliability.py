"""Reliability: stopping signals, damaged inputs, output places, bad numbers and plans, a damaged history.

Real signals to real processes, real damaged files (cut, overwritten with
garbage), a real SQLite file; nothing of the failure is mocked. Waits are for
conditions (a track with enough lines), never for a fixed time.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import cv2
import imageio_ffmpeg
import jsonschema
import numpy as np
import pytest
from conftest import SAMPLE_VIDEOS

from formcheck.pose.track import read_track

CLIP = SAMPLE_VIDEOS / "bird_dog_good.mp4"
SCHEMAS = Path(__file__).resolve().parents[1] / "formcheck" / "schemas"
SUMMARY_SCHEMA = json.loads((SCHEMAS / "session_summary.schema.json").read_text())


def formcheck(*args, db: Path | None = None, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, **({"FORMCHECK_DB": str(db)} if db else {})}
    return subprocess.run(
        [sys.executable, "-m", "formcheck", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        **kwargs,
    )


def one_line_error(result: subprocess.CompletedProcess, code: int) -> str:
    """The run failed with ``code`` and said why in one short line on stderr."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, result.stderr
    assert len(lines) == 1 and lines[0].startswith("formcheck: error: "), result.stderr
    assert len(lines[0]) < 400
    return lines[0]


def decoded_frames(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def ffmpeg_frames(path: Path) -> int:
    """How many frames ffmpeg itself decodes from a file (its own error concealment)."""
    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"],
        capture_output=True,
        text=True,
    )
    counts = [
        int(part.split("=")[1].split()[0])
        for part in probe.stderr.replace("frame= ", "frame=").split()
        if part.startswith("frame=") and part[6:].split()[0].isdigit()
    ]
    return counts[-1] if counts else 0


# ---------------------------------------------------------------- 1. stopping signals


def _default_signals() -> None:
    """A terminal's defaults, whatever this test runner inherited (a background shell ignores SIGINT)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def start_analyze(out: Path, db: Path, *extra) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "formcheck", "analyze", str(CLIP), "-e", "bird_dog", "-o", str(out), "-q", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_default_signals,
        env={**os.environ, "FORMCHECK_DB": str(db)},
    )


def wait_for_frames(out: Path, proc: subprocess.Popen, n: int = 15, timeout: float = 180) -> None:
    """Until the run's track holds ``n`` frames (the model is working)."""
    deadline = time.monotonic() + timeout
    track = out / "track.jsonl"
    while time.monotonic() < deadline and proc.poll() is None:
        if track.exists() and track.read_text().count("\n") > n:
            return
        time.sleep(0.05)
    raise AssertionError(
        f"the run did not reach {n} frames: {proc.poll()} {proc.stderr.read() if proc.poll() is not None else ''}"
    )


def sessions_in(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT ended, out_dir FROM sessions").fetchall()


def assert_kept(out: Path, db: Path, ended: str) -> dict:
    summary = json.loads((out / "summary.json").read_text())
    jsonschema.validate(summary, SUMMARY_SCHEMA)
    assert summary["ended"] == ended
    frames = list(read_track(out / "track.jsonl")[1])
    assert summary["pose"]["frames"] == len(frames) > 10
    # the stop may fall between a frame's track line and its video frame
    assert len(frames) - 1 <= decoded_frames(out / "annotated.mp4") <= len(frames)
    return summary


@pytest.mark.model
@pytest.mark.parametrize(
    "signum, to_group, ended, code",
    [
        (signal.SIGTERM, True, "terminated", 143),  # a service manager stopping the group
        (signal.SIGTERM, False, "terminated", 143),  # docker stop: the main process only
        (signal.SIGHUP, True, "terminated", 129),  # the terminal closed
    ],
    ids=["sigterm-group", "sigterm-main", "sighup-group"],
)
def test_stopping_signals_keep_the_session(tmp_path, model_path, signum, to_group, ended, code):
    out, db = tmp_path / "out", tmp_path / "h.sqlite3"
    proc = start_analyze(out, db)
    wait_for_frames(out, proc)
    (os.killpg if to_group else os.kill)(proc.pid, signum)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    assert_kept(out, db, ended)
    assert (out / "report.html").is_file()
    assert sessions_in(db) == [(ended, str(out.resolve()))]


@pytest.mark.model
def test_a_second_ctrl_c_finishes_or_says_what_was_skipped(tmp_path, model_path):
    out, db = tmp_path / "out", tmp_path / "h.sqlite3"
    proc = start_analyze(out, db)
    wait_for_frames(out, proc)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.3)  # the scenario: an impatient second Ctrl-C
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert_kept(out, db, "interrupted")
    if not (out / "report.html").is_file():
        assert f"make it with: formcheck report {out}" in stderr
    if not sessions_in(db):
        assert f"record it with: formcheck report {out} --record" in stderr


@pytest.mark.model
def test_sigkill_leaves_a_playable_video_and_the_next_run_reclaims_shared_memory(tmp_path, model_path):
    out, db = tmp_path / "out", tmp_path / "h.sqlite3"
    proc = start_analyze(out, db, "--no-report", "--no-history")
    wait_for_frames(out, proc, n=40)
    rings = {name for name in os.listdir("/dev/shm") if name.startswith(f"formcheck_{proc.pid}_")}
    assert rings, "the run's frame ring is not named for its process"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert rings <= set(os.listdir("/dev/shm"))  # SIGKILL left it behind
    deadline = time.monotonic() + 30  # ffmpeg (its own session) finishes the file once its input closes
    track_frames = len(list(read_track(out / "track.jsonl")[1]))
    while time.monotonic() < deadline and decoded_frames(out / "annotated.mp4") < track_frames - 8:
        time.sleep(0.2)
    assert decoded_frames(out / "annotated.mp4") >= min(track_frames - 8, 30)
    from formcheck.pose.process import reclaim_stale_segments

    assert rings <= set(reclaim_stale_segments())
    assert not rings & set(os.listdir("/dev/shm"))


def test_a_video_cut_mid_write_still_decodes(tmp_path):
    """The writer's output is fragmented: killed together with ffmpeg, what was written plays."""
    from formcheck.video import VideoWriter

    writer = VideoWriter(tmp_path / "a.mp4", (320, 240), 30.0)
    rng = np.random.default_rng(1)
    for _ in range(90):
        writer.write(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8))
    writer._proc.stdin.flush()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (tmp_path / "a.mp4").stat().st_size < 500_000:
        time.sleep(0.05)
    writer._proc.kill()  # ffmpeg dies mid-file, as with a SIGKILL to everything
    writer._proc.wait()
    assert 30 <= decoded_frames(tmp_path / "a.mp4") <= 90
