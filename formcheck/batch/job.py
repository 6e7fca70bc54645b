"""One recording's job: the same function runs in a local worker process and in a Ray task.

``run_job`` analyses one video into its own output folder (``summary.json``,
``track.jsonl``, ``frames.csv``, ``report.html``, ``annotated.mp4``, as
``formcheck analyze`` writes them) and returns a :class:`Result`. It never
raises for a bad recording: a :class:`~formcheck.errors.FormcheckError` (a
damaged file, no person in view) becomes a failed result with its exit code,
and any other exception one with exit code 1 and the traceback kept in the
folder's ``error.txt``, so one bad file never ends the batch.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import platform
import resource
import shutil
import signal
import socket
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from formcheck import __version__
from formcheck.batch.inputs import Recording
from formcheck.errors import FormcheckError, ModelError
from formcheck.recognition import AUTO


@dataclass(frozen=True)
class Settings:
    """How every recording of the batch is analysed."""

    max_side: int = 960
    max_fps: float | None = 30.0  # None: every frame (--fps source)
    write_video: bool = True
    stills: bool = True
    target_reps: int | None = None
    target_hold_s: float | None = None
    pin_core: bool = False  # keep each worker (and its pose process) on a core of its own
    crash_once: str | None = None  # test hook: a file naming a recording key; its first attempt kills its worker

    def fingerprint(self) -> dict:
        """What changes a recording's outputs (so a finished one analysed differently is redone)."""
        return {
            "max_side": self.max_side,
            "max_fps": self.max_fps,
            "write_video": self.write_video,
            "stills": self.stills,
            "target_reps": self.target_reps,
            "target_hold_s": self.target_hold_s,
        }


@dataclass(frozen=True)
class Job:
    """Everything one recording's analysis needs; picklable, so it travels to a worker process or node."""

    recording: Recording
    out_dir: str  # the folder the job writes (emptied first)
    model_path: str
    model_sha256: str  # the bundle is checked against it before use
    settings: Settings = field(default_factory=Settings)
    attempt: int = 1
    source_name: str | None = None  # the name the summary gives the video (a Ray task reads a scratch copy)


@dataclass
class Result:
    """What a job reports back to the batch."""

    key: str
    status: str  # "done", "failed" or "interrupted"
    exit_code: int = 0
    error: str | None = None
    summary: dict | None = None
    frames: int = 0
    video_s: float = 0.0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0  # the worker's and its pose process's peaks
    warnings: list[str] = field(default_factory=list)
    worker: dict = field(default_factory=dict)
    attempt: int | None = 1  # None: retried by Ray, which does not say how often
    recognition: dict | None = None


def versions() -> dict:
    """Where and with what a job ran (recorded with each recording)."""
    import cv2
    import mediapipe
    import numpy

    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "python": platform.python_version(),
        "formcheck": __version__,
        "mediapipe": mediapipe.__version__,
        "opencv": cv2.__version__,
        "numpy": numpy.__version__,
    }


_verified: dict[str, str] = {}  # model path -> sha256, per worker process
_core_lock = None  # the open lock file of the core this worker holds, kept for the process's life


def check_model(path: str, sha256: str) -> None:
    """Raise :class:`ModelError` unless the bundle at ``path`` has the batch's checksum."""
    if _verified.get(path) == sha256:
        return
    from formcheck.pose.models import sha256_of

    try:
        actual = sha256_of(Path(path).read_bytes())
    except OSError as exc:
        raise ModelError(f"model bundle not readable on {socket.gethostname()}: {exc}") from None
    if actual != sha256:
        raise ModelError(f"model bundle {path} has checksum {actual[:12]}, the batch's is {sha256[:12]}")
    _verified[path] = sha256


def claim_core() -> int | None:
    """Keep this process on one CPU core no other formcheck batch worker on the machine holds.

    Each worker takes the first free core's lock (``flock``, released when the process dies), so N
    workers on N cores each get one, with their pose process (which inherits the single-core set).
    """
    global _core_lock
    if _core_lock is not None or not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    for core in allowed:
        f = open(Path(tempfile.gettempdir()) / f"formcheck-batch-core-{core}.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            continue
        _core_lock = f
        os.sched_setaffinity(0, {core})
        return core
    return None


def crash_if_asked(job: Job) -> None:
    marker = job.settings.crash_once
    if marker and Path(marker).is_file() and Path(marker).read_text().strip() == job.recording.key:
        Path(marker).unlink()
        os.kill(os.getpid(), signal.SIGKILL)


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0  # Linux: kB


def _cpu_s() -> float:
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def run_job(job: Job) -> Result:
    """Analyse one recording into ``job.out_dir``; see the module's docstring."""
    crash_if_asked(job)
    if job.settings.pin_core:
        claim_core()
    started, cpu0 = time.monotonic(), _cpu_s()
    rec = job.recording
    out = Path(job.out_dir)
    result = Result(key=rec.key, status="failed", exit_code=1, worker=versions(), attempt=job.attempt)
    try:
        if out.exists():
            shutil.rmtree(out)  # an interrupted attempt's leftovers
        out.mkdir(parents=True)
        check_model(job.model_path, job.model_sha256)
        summary = _analyze(job, out, result)
        result.summary = summary
        result.frames = int(summary["pose"]["frames"])
        result.video_s = float(summary["pose"].get("duration_s") or 0.0)
        if summary["ended"] == "completed":
            result.status, result.exit_code = "done", 0
        else:
            result.status, result.exit_code, result.error = "interrupted", 130, f"analysis {summary['ended']}"
    except FormcheckError as exc:
        result.error, result.exit_code = str(exc), exc.exit_code
    except KeyboardInterrupt:
        result.status, result.error, result.exit_code = "interrupted", "interrupted", 130
    except Exception as exc:  # a bug: the batch goes on, the traceback is kept beside the outputs
        result.error = f"internal error: {type(exc).__name__}: {exc} (see error.txt)"
        with contextlib.suppress(OSError):
            (out / "error.txt").write_text(traceback.format_exc())
    result.wall_s = time.monotonic() - started
    result.cpu_s = _cpu_s() - cpu0
    result.peak_rss_mb = _peak_rss_mb()
    return result


def _analyze(job: Job, out: Path, result: Result) -> dict:
    from formcheck.exercises.base import Profile
    from formcheck.pipeline import Options, analyze_video
    from formcheck.video import VideoFileSource

    rec, settings = job.recording, job.settings
    profile = Profile(
        symptomatic_side=rec.symptomatic_side,
        target_reps=settings.target_reps,
        target_hold_s=settings.target_hold_s,
    )
    exercise = rec.exercise
    if exercise == AUTO:
        from formcheck.recognition.run import analyze_auto

        summary, result.recognition = analyze_auto(
            rec.path,
            out,
            profile,
            Path(job.model_path),
            settings.max_side,
            settings.write_video,
            max_fps=settings.max_fps,
        )
        result.recognition = {"segments": result.recognition["segments"]}
    else:
        options = Options(
            exercise=exercise, profile=profile, model_path=Path(job.model_path), write_video=settings.write_video
        )
        source = VideoFileSource(rec.path, max_side=settings.max_side, max_fps=settings.max_fps)
        summary = analyze_video(source, out, options, progress=False)
    if job.source_name:
        from formcheck import summary as summary_mod

        summary["source"]["name"] = job.source_name
        summary_mod.write(summary, out / "summary.json")
    if summary["ended"] == "completed":
        _report(out, settings, result)
    return summary


def _report(out: Path, settings: Settings, result: Result) -> None:
    from formcheck.report import make_report

    try:
        make_report(out, with_stills=settings.stills)
    except (FormcheckError, OSError, ValueError) as exc:
        result.warnings.append(f"report not written: {exc}")
