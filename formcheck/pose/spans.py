"""A long recording's poses from two model processes at once, stitched into one stream in time order.

One model process bounds ``analyze`` at what one core can infer. Where two
cores or more are free, a recording of :data:`MIN_SECONDS` or more is cut at
a seam: the usual :class:`~formcheck.pose.process.PoseProcess` finds the
poses before it, on frames this process decodes, while a second process
decodes the rest of the file itself, from :data:`OVERLAP_S` before the seam,
and infers it on a core of its own. Its pose tracker starts afresh there, so
its first poses are not used: by the seam it has followed the body for the
whole overlap and settled. Its poses go to a log file in the output folder
(hidden, removed at the end; a killed run's by the next run there), so
memory stays flat however far ahead it runs.

This process still reads every frame in order, for the annotated video and
for its own record of the file (damage included): past the seam it keeps
the frames the second process analysed and hands each on with its pose. The
rules run once, in order, over the stitched stream, exactly as over a single
process's; only the poses past the seam come from the other tracker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import struct
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

import cv2

from formcheck.landmarks import PoseFrame
from formcheck.pose.process import PoseProcess, PoseProcessError, _segment_name, model_core, reclaim_stale_segments
from formcheck.signals import ignored_in_children
from formcheck.video import Frame, Thinning, VideoFileSource

MIN_SECONDS = 20.0  # shorter recordings are not worth a second model's start-up (about a second) and overlap
# The second tracker follows the body this long before its poses are used. Restarted part-way through a sample
# clip, the model's body landmarks differ from an unbroken run's by up to 0.011 of the picture at once, and by
# 0.001-0.002 (about a pixel, under the model's own jitter) from 0.4-0.6 s on: settled, with room to spare.
OVERLAP_S = 1.5
SPLIT = 0.5  # where the seam falls, as a share of the recording
LOG_PREFIX = ".formcheck_"  # + the process id + a random part: a killed run's log is removed by the next one
_HEADER = struct.Struct("<I")  # a log record: its length, then a pickled PoseFrame (None: the span is done)
_POLL_S = 0.002


def free_cores() -> int:
    """Cores this process may run on (Linux); 1 where that cannot be told."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def seam_ms(source, processes: int | None = None) -> float | None:
    """Where a second model process should take over ``source`` (ms), or None for one process.

    ``processes`` None decides: two for a video file of :data:`MIN_SECONDS` or
    more when two cores or more are free; 1 or 2 force it (tests, benchmarks).
    """
    if processes == 1 or not isinstance(source, VideoFileSource) or source.realtime:
        return None
    if not (source.frame_count and source.fps):
        return None
    duration_ms = 1000.0 * source.frame_count / source.fps
    if processes is None and (free_cores() < 2 or duration_ms < 1000.0 * MIN_SECONDS):
        return None
    seam = SPLIT * duration_ms
    return seam if seam > 1000.0 * OVERLAP_S else None


def _serve_span(conn: Connection, log_path: str, video: dict, seam: float, model_path: str) -> None:
    """The second process: decode the file from the overlap's start, infer each kept frame, log the poses."""
    from formcheck.pose.landmarker import PoseLandmarker, become_model_process

    become_model_process()  # why it may be online is said once, by the first model process
    parent = os.getppid()
    try:
        with model_core(-2), open(log_path, "ab", buffering=0) as log:  # the core before the first model's
            source = VideoFileSource(**video, start_ms=max(0.0, seam - 1000.0 * OVERLAP_S))
            with PoseLandmarker(Path(model_path)) as landmarker:
                first = True
                for frame in source:
                    if os.getppid() != parent:
                        return  # the parent was killed outright: nobody will read on
                    if first:  # a seek that landed past the overlap would leave the tracker unsettled
                        conn.send(("ready", frame.t_ms))
                        first = False
                    pose = landmarker.detect(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB), frame.t_ms)
                    if frame.t_ms >= seam - 500.0 / (source.fps or 30.0):  # from the seam on
                        data = pickle.dumps(pose, protocol=pickle.HIGHEST_PROTOCOL)
                        log.write(_HEADER.pack(len(data)) + data)
            data = pickle.dumps(None)
            log.write(_HEADER.pack(len(data)) + data)
            source.close()
    except (EOFError, BrokenPipeError):
        pass  # the parent is gone
    except Exception as exc:
        with contextlib.suppress(OSError):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class SpanProcess:
    """The poses of a video file from a seam on, found by a model process of its own; a context manager.

    Frames past the seam are asked about in order (:meth:`has`), and the one
    matched is taken with :meth:`take`.
    """

    def __init__(self, source: VideoFileSource, seam: float, model_path: Path, log_dir: Path):
        self.seam = seam
        self._half = 500.0 / (source.fps or 30.0)  # a frame matches a pose this close in time
        reclaim_stale_segments(Path(log_dir), LOG_PREFIX)
        self._path = Path(log_dir) / _segment_name(LOG_PREFIX)
        self._fd = os.open(self._path, os.O_RDONLY | os.O_CREAT, 0o600)
        self._offset = 0
        self._next: PoseFrame | None = None  # the next pose in the log, read but not yet taken
        self.done = False  # the log has ended
        self.started_ms: float | None = None  # the second process's first frame (the overlap's start)
        self.used: bool | None = None  # were its poses used (None: the seam has not been reached)
        video = {"path": str(source.path), "max_side": source.max_side, "max_fps": source.max_fps}
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._child = context.Process(
            target=_serve_span,
            name="formcheck-pose-span",
            daemon=True,
            args=(child_conn, str(self._path), video, seam, str(model_path)),
        )
        try:
            with ignored_in_children():  # the parent stops it, after saving what was recorded
                self._child.start()
            child_conn.close()
        except BaseException:
            self.close()
            raise

    def settled(self) -> bool:
        """Wait until the second process has started; True when it began early enough to have settled."""
        while self.started_ms is None:
            self._message(wait=True)
        return self.started_ms <= self.seam - 1000.0 * OVERLAP_S / 2

    def _message(self, wait: bool) -> None:
        """Take one message from the second process, if there is one (or wait for it)."""
        try:
            if not (wait or self._conn.poll()):
                return
            kind, value = self._conn.recv()
        except (EOFError, ConnectionError):
            raise self._stopped() from None
        if kind == "error":
            first = (str(value).strip().splitlines() or ["unknown error"])[0]
            raise PoseProcessError(f"the second pose model process failed: {first[:200]}")
        self.started_ms = value

    def _stopped(self) -> PoseProcessError:
        self._child.join(timeout=5)
        return PoseProcessError(
            f"the second pose model process stopped unexpectedly (exit code {self._child.exitcode})"
        )

    def _read(self) -> PoseFrame | None:
        """The next pose in the log, waiting for the second process to write it; None at the log's end."""
        while True:
            head = os.pread(self._fd, _HEADER.size, self._offset)
            if len(head) == _HEADER.size:
                (size,) = _HEADER.unpack(head)
                data = os.pread(self._fd, size, self._offset + _HEADER.size)
                if len(data) == size:
                    self._offset += _HEADER.size + size
                    return pickle.loads(data)
            self._message(wait=False)
            if not self._child.is_alive() and not self._conn.poll():
                if len(os.pread(self._fd, 1, self._offset)) == 0:  # nothing more will come
                    raise self._stopped()
                continue  # written just before it ended
            time.sleep(_POLL_S)

    def has(self, t_ms: float) -> bool:
        """Did the second process analyse the frame at ``t_ms``? (Asked of each frame past the seam, in order.)"""
        while not self.done:
            if self._next is None:
                self._next = self._read()
                if self._next is None:
                    self.done = True
                    break
            if self._next.t_ms < t_ms - self._half:
                self._next = None  # a frame this process does not have: passed over
                continue
            return self._next.t_ms <= t_ms + self._half
        return False

    def take(self) -> PoseFrame:
        """The pose :meth:`has` just matched."""
        pose, self._next = self._next, None
        return pose

    def close(self) -> None:
        """Stop the second process at once and remove the log."""
        if self._child.pid is not None and self._child.is_alive():
            self._child.kill()  # it ignores SIGTERM
        if self._child.pid is not None:
            self._child.join()
        self._conn.close()
        os.close(self._fd)
        with contextlib.suppress(OSError):
            self._path.unlink()

    def __enter__(self) -> SpanProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def stitched(source: VideoFileSource, poses: PoseProcess, span: SpanProcess) -> Iterator[tuple[Frame, PoseFrame]]:
    """Every kept frame of ``source`` with its pose: from ``poses`` before the seam, from ``span`` after it.

    Should the second process turn out not to have settled (its seek landed
    late) or end before the file does, ``poses`` carries on alone.
    """
    before, alone = Thinning(source.step, source.fps), Thinning(source.step, source.fps)
    from_span = [False]  # the frame kept last has its pose in the span's log

    def keep(t_ms: float) -> bool:
        if t_ms < span.seam:
            return before.keep(t_ms)
        if span.used is None:  # the first frame past the seam
            span.used = span.settled()
        from_span[0] = span.used and span.has(t_ms)
        return from_span[0] or ((not span.used or span.done) and alone.keep(t_ms))

    frames = source.frames(keep)
    past: list[Frame] = []

    def head() -> Iterator[Frame]:
        for frame in frames:
            if frame.t_ms >= span.seam:
                past.append(frame)
                return
            yield frame

    yield from poses.detect(head())
    for frame in _chain(past, frames):
        if from_span[0]:
            yield frame, span.take()
        else:
            poses.submit(frame)
            yield frame, poses.receive()


def _chain(first: list[Frame], rest: Iterator[Frame]) -> Iterator[Frame]:
    yield from first
    yield from rest
