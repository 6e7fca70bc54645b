"""Reliability: stopping signals, damaged inputs, output places, bad numbers and plans, a damaged history.

Real signals to real processes, real damaged files (cut, overwritten with
garbage), a real SQLite file; nothing of the failure is mocked. Waits are for
conditions (a track with enough lines), never for a fixed time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
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

from formcheck.outpaths import SpaceReserve
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


def run_main(*args, db: Path | None = None) -> subprocess.CompletedProcess:
    """``formcheck ARGS`` in this process (for refusals that come before any model work: no start-up cost)."""
    import contextlib
    import io

    from formcheck.cli import main

    out, err = io.StringIO(), io.StringIO()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    old_db = os.environ.get("FORMCHECK_DB")
    if db:
        os.environ["FORMCHECK_DB"] = str(db)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in args])
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        if db:
            os.environ.pop("FORMCHECK_DB") if old_db is None else os.environ.update(FORMCHECK_DB=old_db)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


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
    counts = re.findall(r"frame=\s*(\d+)", probe.stderr)
    return int(counts[-1]) if counts else 0


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


# ---------------------------------------------------------------- 2. damaged input


def damaged_copy(tmp_path: Path, kind: str) -> Path:
    """The sample clip with three 8 KB blocks overwritten by garbage, or cut to a part of its length."""
    data = bytearray(CLIP.read_bytes())
    path = tmp_path / f"{kind}.mp4"
    if kind == "blocks":
        rng = np.random.default_rng(0)
        for share in (0.3, 0.5, 0.7):
            at = int(len(data) * share)
            data[at : at + 8192] = rng.integers(0, 256, 8192, dtype=np.uint8).tobytes()
    else:
        data = data[: int(len(data) * float(kind.split("-")[1]))]
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("kind", ["blocks", "cut-0.5", "cut-0.2"])
def test_decoding_goes_past_damage_as_far_as_ffmpeg_does(tmp_path, kind):
    from formcheck.video import VideoFileSource

    path = damaged_copy(tmp_path, kind)
    source = VideoFileSource(path)
    times = [frame.t_ms for frame in source]
    source.close()
    assert len(times) >= ffmpeg_frames(path) - 1  # ffmpeg's own count on the same file
    assert all(b > a for a, b in zip(times, times[1:]))
    damage = source.damage()
    assert damage["damaged"] and damage["frames_decoded"] == len(times) and damage["frames_expected"] == 394
    missing = sum(g["frames"] for g in damage["gaps"])
    assert missing == 394 - len(times)
    assert damage["missing_s"] == pytest.approx(missing / 15.0, abs=0.2)
    if kind == "blocks":
        assert len(times) > 300 and damage["gaps"][0]["start_s"] > 5.0  # decoded on after the damage


def test_a_whole_file_is_not_called_damaged():
    from formcheck.video import VideoFileSource

    source = VideoFileSource(CLIP)
    assert sum(1 for _ in source) == 394 and source.damage() is None


@pytest.fixture(scope="module")
def damaged_run(tmp_path_factory, model_path):
    """analyze on the clip cut at 20 %: the report, the history and the exit code of a damaged input."""
    tmp = tmp_path_factory.mktemp("damaged")
    path = damaged_copy(tmp, "cut-0.2")
    out, db = tmp / "out", tmp / "h.sqlite3"
    result = formcheck("analyze", path, "-e", "bird_dog", "-o", out, "--no-stills", "-q", db=db)
    return result, out, db


@pytest.mark.model
def test_a_damaged_video_is_analysed_and_said_to_be_damaged(damaged_run):
    result, out, db = damaged_run
    assert result.returncode == 7, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("formcheck: warning: the video is damaged")
    summary = json.loads((out / "summary.json").read_text())
    jsonschema.validate(summary, SUMMARY_SCHEMA)
    assert summary["input"]["damaged"] and summary["input"]["frames_decoded"] == summary["pose"]["frames"] < 394
    from formcheck.summary import format_text

    assert "the video is damaged" in format_text(summary)  # the printout at the end of a run
    assert "the video is damaged" in (out / "report.html").read_text()
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT summary_json FROM sessions").fetchone()
    assert json.loads(stored)["input"]["damaged"]


@pytest.mark.model
def test_live_on_a_file_damaged_in_the_middle_goes_on_and_says_so(tmp_path, model_path):
    data = bytearray(CLIP.read_bytes()[: int(CLIP.stat().st_size * 0.35)])
    at = int(len(data) * 0.4)
    data[at : at + 8192] = np.random.default_rng(2).integers(0, 256, 8192, dtype=np.uint8).tobytes()
    path = tmp_path / "mid.mp4"
    path.write_bytes(bytes(data))
    out = tmp_path / "out"
    result = formcheck(
        "live", "-e", "bird_dog", "--camera", path, "--no-window", "--mute", "--countdown", "0", "-o", out,
        "--no-report", "--no-history",
    )  # fmt: skip
    assert result.returncode == 7, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    gaps = summary["input"]["gaps"]
    assert summary["ended"] == "completed" and summary["input"]["damaged"]
    assert gaps[0]["end_s"] < summary["pose"]["duration_s"]  # frames after the damage were shown


# ---------------------------------------------------------------- 3. images and too-short videos


def still_and_short_files(tmp_path: Path) -> dict[str, Path]:
    image = np.full((120, 160, 3), 90, np.uint8)
    files = {}
    for name in ("still.png", "still.jpg"):
        cv2.imwrite(str(tmp_path / name), image)
        files[name] = tmp_path / name
    files["png-named.mp4"] = tmp_path / "png-named.mp4"
    files["png-named.mp4"].write_bytes((tmp_path / "still.png").read_bytes())
    for name, n in (("one-frame.mp4", 1), ("half-second.mp4", 7)):
        writer = cv2.VideoWriter(str(tmp_path / name), cv2.VideoWriter_fourcc(*"mp4v"), 15, (160, 120))
        for _ in range(n):
            writer.write(image)
        writer.release()
        files[name] = tmp_path / name
    return files


def test_images_and_too_short_videos_are_refused_with_one_line(tmp_path):
    db = tmp_path / "h.sqlite3"
    for name, path in still_and_short_files(tmp_path).items():
        result = run_main("analyze", path, "-o", tmp_path / f"out-{name}", db=db)
        line = one_line_error(result, 3)
        assert ("image, not a video" in line) if "still" in name or "png" in name else ("too short" in line), line
        assert "Warning" not in result.stderr
    assert not db.exists() or not sessions_in(db)


# ---------------------------------------------------------------- 4. output places


def test_output_places_are_checked_before_the_model_starts(tmp_path):
    (tmp_path / "a-file").write_text("x")
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    cases = {
        "at a file": tmp_path / "a-file",
        "below a file": tmp_path / "a-file" / "sub",
        "symlink loop": loop,
        "name over 255 bytes": tmp_path / ("n" * 256),
        "path over 4096": Path("/tmp/" + "p/" * 2100),
        "not creatable": Path("/proc/formcheck-out"),
    }
    for what, out in cases.items():
        started = time.monotonic()
        result = run_main("analyze", CLIP, "-e", "bird_dog", "-o", out)
        one_line_error(result, 6)
        assert time.monotonic() - started < 60, what
    assert not list(tmp_path.rglob("*.part"))


def test_a_long_video_name_gets_a_default_folder_that_fits(tmp_path):
    from formcheck.cli import _out_dir, build_parser

    args = build_parser().parse_args(["analyze", "x.mp4", "-e", "bird_dog"])
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        out = _out_dir(args, "ü" * 200)
    finally:
        os.chdir(cwd)
    assert len(os.fsencode(out.name)) <= 255 and out.name.endswith("-bird_dog") and (tmp_path / out).is_dir()


def test_export_and_progress_places(tmp_path):
    db = tmp_path / "h.sqlite3"
    one_line_error(run_main("history", "--export", tmp_path / "missing" / "x.csv", db=db), 6)
    one_line_error(run_main("progress", "-o", tmp_path, db=db), 6)
    assert not list(tmp_path.rglob("*.part"))
    result = formcheck("progress", "-o", tmp_path / "new" / "p.html", db=db)
    assert result.returncode == 0 and (tmp_path / "new" / "p.html").is_file()


def _limit_file_size() -> None:
    """A file-size limit as a full disk would be: writes past 300 KB fail (EFBIG) instead of killing the process."""
    import resource

    _default_signals()
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))


@pytest.mark.model
def test_a_write_failing_mid_run_keeps_and_says_what_was_written(tmp_path, model_path):
    out, db = tmp_path / "out", tmp_path / "h.sqlite3"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "formcheck",
            "analyze",
            str(CLIP),
            "-e",
            "bird_dog",
            "-o",
            str(out),
            "-q",
            "--max-side",
            "160",
        ],  # frames small enough for the model's frame ring to stay under the limit
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_file_size,
        env={**os.environ, "FORMCHECK_DB": str(db)},
    )
    line = one_line_error(result, 6)
    assert "kept in" in line and "track.jsonl (" in line and "summary.json" in line
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ended"] == "error"
    frames = list(read_track(out / "track.jsonl")[1])
    assert 10 < len(frames) < 394 and summary["pose"]["frames"] >= len(frames)


@pytest.mark.model
def test_a_full_disk_keeps_the_summary_and_says_what_was_written(tmp_path, model_path):
    """A real full disk: a 400 KB tmpfs, mounted in a mount namespace of the test's own (``unshare``)."""
    disk, kept = tmp_path / "disk", tmp_path / "kept"
    disk.mkdir()
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare here")
    script = (
        f"mount -t tmpfs -o size=400k tmpfs {disk} || exit 99; "
        f"{sys.executable} -m formcheck analyze {CLIP} -e bird_dog -o {disk}/out -q --max-side 160; rc=$?; "
        f"cp -r {disk}/out {kept}; exit $rc"
    )
    private = ["-m"] if os.geteuid() == 0 else ["-r", "-m"]  # root, or a user namespace of one's own
    result = subprocess.run(
        [unshare, *private, "--propagation", "private", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "FORMCHECK_DB": str(tmp_path / "h.sqlite3")},
    )
    if result.returncode == 99 or result.stderr.startswith("unshare:"):
        pytest.skip(f"no tmpfs can be mounted here: {result.stderr.strip()[:120]}")
    line = one_line_error(result, 6)
    assert "the disk is full" in line and "summary.json" in line
    summary = json.loads((kept / "summary.json").read_text())  # written in the space held back for it
    assert summary["ended"] == "error"
    assert not (kept / SpaceReserve.NAME).exists()
    frames = list(read_track(kept / "track.jsonl")[1])
    assert 5 < len(frames) < 394


# ---------------------------------------------------------------- 5. numbers and plans


@pytest.mark.parametrize(
    "flags",
    [
        ["--threshold", "hold_s=nan"],
        ["--threshold", "hold_s=inf"],
        ["--target-hold", "nan"],
        ["--target-hold", "-1"],
        ["--target-reps", "0"],
        ["--max-side", "-5"],
        ["--max-side", "0"],
    ],
    ids=lambda f: " ".join(f),
)
def test_numbers_that_are_not_valid_are_refused(tmp_path, flags):
    line = one_line_error(run_main("analyze", CLIP, "-e", "bird_dog", "-o", tmp_path / "out", *flags), 2)
    assert flags[0] in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "plan, field",
    [
        ({"items": [{"exercise": "bird_dog", "reps": "six"}]}, "items[0].reps"),
        ({"items": [{"exercise": "bird_dog", "reps": -3}]}, "items[0].reps"),
        ({"items": [{"exercise": None}]}, "items[0].exercise"),
        ({"items": [{"exercise": "bird_dog", "rest_s": 5, "sets": 2}]}, "'sets'"),
        ({"items": []}, "items"),
        ([1, 2], "the document"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"items": [{"exercise": "bird_dog", "hold_s": NaN}]}', "NaN"),
    ],
    ids=["reps-text", "reps-negative", "exercise-null", "unknown-field", "no-items", "a-list", "deep", "nan"],
)
def test_plans_are_validated_when_they_load(tmp_path, plan, field):
    path = tmp_path / "plan.json"
    path.write_text(plan if isinstance(plan, str) else json.dumps(plan))
    line = one_line_error(run_main("session", path, "--camera", CLIP, "--no-window", "--mute"), 2)
    assert field in line


@pytest.mark.model
def test_a_plan_name_never_leaves_the_output_folder(tmp_path, model_path):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"name": "../../../escaped", "items": [{"exercise": "bird_dog"}]}))
    result = formcheck(
        "session", plan, "--camera", CLIP, "--no-window", "--mute", "--countdown", "0", "--keys", "0.5:quit",
        "--no-report", "--no-history", cwd=work,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr  # the quit key ends a session as done
    written = [p for p in tmp_path.rglob("summary.json")]
    assert len(written) == 1 and written[0].parent.parent == work / "formcheck-out"
    assert not (tmp_path / "escaped").exists() and not (tmp_path.parent / "escaped").exists()


# ---------------------------------------------------------------- 6. the history database


def history_with_sessions(path: Path, n: int = 12) -> None:
    from datetime import date, timedelta

    from formcheck import history

    for day in range(n):
        history.record_checkin({"pain_before": day % 10}, db=path, day=(date(2026, 1, 1) + timedelta(day)).isoformat())
    with sqlite3.connect(path) as conn:  # everything into the main file, as after a clean close
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_damaged_history_is_detected_and_every_command_says_what_to_do(tmp_path):
    db = tmp_path / "h.sqlite3"
    history_with_sessions(db, 60)
    data = bytearray(db.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = (
        np.random.default_rng(3).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    )
    db.write_bytes(bytes(data))
    before = db.read_bytes()
    for command in (
        ["history"],
        ["history", "--export", tmp_path / "e.csv"],
        ["progress", "-o", tmp_path / "p.html"],
        ["checkin", "--pain-before", "2"],
    ):
        line = one_line_error(run_main(*command, "--db", db), 8)
        assert "damaged" in line and ".damaged" in line
    assert db.read_bytes() == before  # nothing written into it


@pytest.mark.model
def test_a_session_that_cannot_be_recorded_is_kept_with_the_command_to_record_it(tmp_path, damaged_run):
    _, out, _ = damaged_run
    db = tmp_path / "h.sqlite3"
    db.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)  # a header, then garbage
    result = formcheck("report", out, "--record", "--no-stills", "--db", db)
    line = one_line_error(result, 8)
    assert "damaged" in line
    from formcheck.after_run import after_run
    from formcheck.cli import build_parser

    args = build_parser().parse_args(["analyze", "x.mp4", "--db", str(db), "--no-report"])
    summary = json.loads((out / "summary.json").read_text())
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        after_run(args, out, summary, quiet=True)
    assert f"record it with: formcheck report {out} --record" in err.getvalue()
    assert "damaged" in err.getvalue() and len(err.getvalue().strip().splitlines()) == 1


def _read_only_folder(folder: Path):
    """Make ``folder`` read-only for real: chmod for a user; for root (who ignores modes) a read-only bind mount."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return lambda: folder.chmod(0o755)
    done = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("running as root without the right to mount: a folder cannot be made read-only")
    check = folder / "probe"
    try:
        check.write_text("x")
    except OSError:
        return lambda: subprocess.run(["umount", str(folder)], check=True)
    subprocess.run(["umount", str(folder)], check=True)
    pytest.skip("the bind mount did not make the folder read-only")


def test_a_history_in_a_read_only_folder_can_be_read_and_a_session_is_not_lost(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "h.sqlite3"
    history_with_sessions(db, 3)
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    undo = _read_only_folder(folder)
    try:
        result = formcheck("history", "--db", db)
        assert result.returncode == 0, result.stderr
        result = formcheck("progress", "--db", db, "-o", tmp_path / "p.html")
        assert result.returncode == 0, result.stderr
        line = one_line_error(formcheck("checkin", "--pain-before", "2", "--db", db), 2)
        assert "history database" in line
    finally:
        undo()


def test_values_are_validated_before_they_are_stored(tmp_path):
    db = tmp_path / "h.sqlite3"
    line = one_line_error(run_main("checkin", "--pain-before", "2", "--day", "notadate", "--db", db), 2)
    assert "YYYY-MM-DD" in line
    assert formcheck("progress", "--db", db, "-o", tmp_path / "p.html").returncode == 0
    from formcheck import history
    from formcheck.errors import FormcheckError

    base = {"format": "formcheck.session_summary", "version": 1, "ended": "completed", "started": "2026-01-02T10:00:00"}
    for change, field in (
        ({"started": "notadate"}, "started"),
        ({"pose": {"duration_s": float("nan")}}, "pose.duration_s"),
        ({"exercises": [{"exercise": "bird_dog", "reps": "six"}]}, "exercises[0].reps"),
    ):
        with pytest.raises(FormcheckError, match=re.escape(field)):
            history.record_session({**base, **change}, db=db)
    assert history.list_sessions(db=db) == []


def _open_new_history(path: str, barrier, results) -> None:
    from formcheck import history

    barrier.wait()
    try:
        history.record_checkin({"pain_before": 1}, db=path)
        results.put("ok")
    except Exception as exc:  # what the test looks for
        results.put(repr(exc))


def test_eight_processes_opening_a_new_history_at_once(tmp_path):
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    for round_ in range(1):
        barrier, results = context.Barrier(8), context.Queue()
        path = str(tmp_path / f"new-{round_}.sqlite3")
        procs = [context.Process(target=_open_new_history, args=(path, barrier, results)) for _ in range(8)]
        for p in procs:
            p.start()
        answers = [results.get(timeout=120) for _ in procs]
        for p in procs:
            p.join()
        assert answers == ["ok"] * 8
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 8


# ---------------------------------------------------------------- 7. live without a display


@pytest.mark.model
def test_live_without_a_display_carries_on_headless(tmp_path, model_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"  # a plugin the wheel may not ship: the worst case
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "formcheck", "live", "-e", "bird_dog", "--camera", str(CLIP), "--mute",
         "--countdown", "0", "--keys", "0.5:quit", "-o", str(out), "--no-report", "--no-history"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr  # quit by the scripted key, not killed by the GUI backend
    notes = [line for line in result.stderr.splitlines() if "display" in line]
    assert "Traceback" not in result.stderr
    if notes:  # no window could open here: one line said so, and the session went on without one
        assert len(notes) == 1 and "carrying on without a window" in notes[0]
    assert json.loads((out / "summary.json").read_text())["ended"] == "completed"


# ---------------------------------------------------------------- 8. damaged tracks and summaries


@pytest.fixture(scope="module")
def track_lines(tmp_path_factory) -> list[str]:
    """A real track: the sample clip's landmarks as a formcheck track (from its ground-truth-free JSON sidecar)."""
    from formcheck.landmarks import PoseFrame
    from formcheck.pose.track import TrackHeader, TrackWriter

    path = tmp_path_factory.mktemp("track") / "track.jsonl"
    rng = np.random.default_rng(4)
    with TrackWriter(path, TrackHeader(source="x.mp4", width=640, height=480, fps=15.0)) as writer:
        for i in range(45):
            marks = np.column_stack([rng.uniform(0.2, 0.8, (33, 3)), np.full((33, 2), 0.9)])
            writer.write(PoseFrame(t_ms=i * 66.667, width=640, height=480, landmarks=marks))
    return path.read_text().splitlines()


def test_rerun_prints_the_real_duration(tmp_path, track_lines):
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(track_lines) + "\n")
    result = formcheck("rerun", path, "-e", "bird_dog", "-o", tmp_path / "s.json")
    assert result.returncode == 0, result.stderr
    assert "2.9 s" in result.stdout
    jsonschema.validate(json.loads((tmp_path / "s.json").read_text()), SUMMARY_SCHEMA)


@pytest.mark.parametrize(
    "change, says",
    [
        (lambda h, f: ({**h, "version": "1"}, f), 'version "1"'),
        (lambda h, f: ([h], f), "not a formcheck pose track"),
        (lambda h, f: ("header", f), "not a formcheck pose track"),
        (lambda h, f: ({k: v for k, v in h.items() if k != "width"}, f), "width"),
        (lambda h, f: (h, [f[0], f[1].replace('"t_ms":66.667', '"t_ms":NaN')] + f[2:]), "line 3"),
        (lambda h, f: (h, [f[0], f[1].replace('"t_ms":66.667', '"t_ms":1e999')] + f[2:]), "line 3"),
        (lambda h, f: ({**h, "source": "s" * 20_000_000}, f), "width"),
    ],
    ids=["version-string", "header-list", "header-string", "no-width", "nan-t", "inf-t", "huge-value"],
)
def test_damaged_tracks_give_one_short_line(tmp_path, track_lines, change, says):
    head, frames = change(json.loads(track_lines[0]), track_lines[1:])
    if says == "width" and "width" in head:  # the huge value: drop width too, so the error names a field
        head.pop("width")
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join([json.dumps(head), *frames]) + "\n")
    line = one_line_error(run_main("rerun", path, "-e", "bird_dog"), 3)
    assert says in line


@pytest.mark.parametrize(
    "text, says",
    [
        (lambda s: s[: len(s) // 2], "cannot read"),
        (lambda s: "", "cannot read"),
        (lambda s: s.replace('"version": 1', '"version": 2', 1), "version 2"),
        (lambda s: json.dumps({**json.loads(s), "pose": {**json.loads(s)["pose"], "frames": "many"}}), "pose.frames"),
    ],
    ids=["cut", "empty", "version-2", "wrong-type"],
)
def test_damaged_summaries_give_one_short_line(tmp_path, track_lines, text, says):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "track.jsonl").write_text("\n".join(track_lines) + "\n")
    made = formcheck("rerun", folder / "track.jsonl", "-e", "bird_dog", "-o", folder / "summary.json")
    assert made.returncode == 0, made.stderr
    (folder / "summary.json").write_text(text((folder / "summary.json").read_text()))
    line = one_line_error(run_main("report", folder, "--no-stills"), 3)
    assert says in line


# ---------------------------------------------------------------- 9. model checks


@pytest.mark.model
def test_a_well_formed_but_wrong_model_is_blamed_on_the_model(tmp_path, model_path):
    import zipfile

    with zipfile.ZipFile(model_path) as bundle:
        members = {name: bundle.read(name) for name in bundle.namelist()}
    names = sorted(members)
    swapped = tmp_path / "swapped.task"
    with zipfile.ZipFile(swapped, "w") as bundle:  # the two models in each other's place
        bundle.writestr(names[0], members[names[1]])
        bundle.writestr(names[1], members[names[0]])
    result = formcheck("analyze", CLIP, "-e", "bird_dog", "--model", swapped, "-o", tmp_path / "out")
    line = one_line_error(result, 4)
    assert str(swapped) in line and "test image" in line
    assert "Exception ignored" not in result.stderr


def _shuffled_weights(tflite: bytes, seed: int = 1) -> bytes:
    """The model with its weights damaged but its structure whole: inside every long run of plausible float16
    weights (4096 or more), the values are shuffled. The flatbuffer still loads; the network computes nonsense."""
    raw = bytearray(tflite)
    halfs = np.frombuffer(bytes(raw[: len(raw) // 2 * 2]), dtype="<f2").copy()
    with np.errstate(all="ignore"):
        size = np.abs(halfs.astype(np.float32))
    plausible = np.isfinite(size) & (size < 20) & ((size > 1e-4) | (size == 0))
    edges = np.diff(np.concatenate([[0], plausible.astype(np.int8), [0]]))
    rng = np.random.default_rng(seed)
    runs = [(a, b) for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)) if b - a >= 4096]
    for a, b in runs:
        halfs[a + 64 : b - 64] = rng.permutation(halfs[a + 64 : b - 64])
    raw[: halfs.nbytes] = halfs.tobytes()
    assert len(runs) > 10  # the weights were found and damaged
    return bytes(raw)


@pytest.mark.model
def test_a_model_with_damaged_weights_is_blamed_on_the_model(tmp_path, model_path):
    import zipfile

    damaged = tmp_path / "damaged.task"
    with zipfile.ZipFile(model_path) as bundle, zipfile.ZipFile(damaged, "w") as out:
        for name in bundle.namelist():
            data = bundle.read(name)
            out.writestr(name, _shuffled_weights(data) if "landmarks" in name else data)
    result = formcheck("analyze", CLIP, "-e", "bird_dog", "--model", damaged, "-o", tmp_path / "out")
    line = one_line_error(result, 4)
    assert str(damaged) in line and "test image" in line and "wrong place" in line
    # the official model itself passes the same check
    ok = formcheck("analyze", CLIP, "-e", "bird_dog", "--model", model_path, "-o", tmp_path / "ok", "--no-video", "-q")
    assert ok.returncode == 0, ok.stderr


@pytest.mark.model
def test_live_under_sigterm_keeps_the_session(tmp_path, model_path):
    out, db = tmp_path / "out", tmp_path / "h.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "formcheck", "live", "-e", "bird_dog", "--camera", str(CLIP), "--no-window",
         "--mute", "--countdown", "0", "-o", str(out), "--no-stills"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=_default_signals, env={**os.environ, "FORMCHECK_DB": str(db)},
    )  # fmt: skip
    wait_for_frames(out, proc, n=15)
    os.kill(proc.pid, signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr
    summary = json.loads((out / "summary.json").read_text())
    jsonschema.validate(summary, SUMMARY_SCHEMA)
    assert summary["ended"] == "terminated" and summary["pose"]["frames"] >= 15
    assert (out / "report.html").is_file() and sessions_in(db) == [("terminated", str(out.resolve()))]
