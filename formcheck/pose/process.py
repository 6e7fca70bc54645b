"""The pose landmarker in a process of its own, for analysing files and for live runs.

Inference is the slowest stage, and in one process the rules, drawing and
track writing (Python code) hold the interpreter lock that inference needs
between its native calls, so each slows the other. Here a child process
runs nothing but the model: frames reach it through shared memory (a ring
of a few slots, so nothing is copied through a pipe and memory stays
bounded), landmarks come back through a pipe, and the parent decodes,
judges, draws and encodes the frames that are already done while the next
ones are inferred (live mode keeps one frame ahead: see formcheck.live).

On Linux the child keeps to one CPU core: MediaPipe runs the model on one
core at a time on desktop machines anyway, but left free the scheduler moves
its threads between cores as the parent's work comes and goes, and each move
costs the model its warm cache (measured here: 10-20% slower per frame).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import secrets
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.shared_memory import SharedMemory
from pathlib import Path

import cv2
import numpy as np

from formcheck.errors import FormcheckError, ModelError
from formcheck.landmarks import PoseFrame
from formcheck.signals import ignored_in_children
from formcheck.video import Frame

_warned_online: list[str] = []  # once a run: why the model process could not be cut off the network
SLOTS = 4  # frames in flight: enough to keep the model busy while the parent works on a done one


class PoseProcessError(FormcheckError):
    """The pose process stopped in the middle of a video."""

    exit_code = 1


@contextlib.contextmanager
def model_core(which: int = -1) -> Iterator[int | None]:
    """Keep the calling thread, and the threads it starts, on one CPU core (Linux, two cores or more).

    The core is the ``which``-th of those this process may use, in order (the
    last by default; a second model process takes the one before); the
    thread's former set is restored afterwards. Yields the core, or ``None``
    where it cannot choose.
    """
    allowed = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else set()
    if len(allowed) < max(2, -which if which < 0 else which + 1):
        yield None
        return
    core = sorted(allowed)[which]
    os.sched_setaffinity(0, {core})
    try:
        yield core
    finally:
        os.sched_setaffinity(0, allowed)


def _serve(
    conn: Connection, shm_name: str, shape: tuple[int, ...], model_path: str, check: bool = False, core: int = -1
) -> None:
    """The child: load the model, then turn (slot, t_ms) requests into PoseFrames until told to stop."""
    from formcheck.pose.landmarker import PoseLandmarker, become_model_process, check_on_known_image

    online = become_model_process()
    shm = SharedMemory(name=shm_name)
    ring = np.ndarray(shape, dtype=np.uint8, buffer=shm.buf)
    try:
        with model_core(core):  # before the model starts its threads, which inherit the core
            try:
                if check:  # a user's model: tried on a known image before any video is blamed
                    check_on_known_image(Path(model_path))
                landmarker = PoseLandmarker(Path(model_path))
            except FormcheckError as exc:
                conn.send(("error", str(exc)))
                return
            conn.send(("ready", online))
            with landmarker:
                while (request := conn.recv()) is not None:
                    slot, t_ms = request
                    conn.send(("pose", landmarker.detect(ring[slot], t_ms)))
    except (EOFError, BrokenPipeError):
        pass  # the parent is gone
    except Exception as exc:
        with contextlib.suppress(OSError):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        del ring
        shm.close()


SHM_PREFIX = "formcheck_"  # + the creating process's id + a random part: see reclaim_stale_segments
SHM_FOLDER = Path("/dev/shm")


def _segment_name(prefix: str = SHM_PREFIX) -> str:
    return f"{prefix}{os.getpid()}_{secrets.token_hex(4)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def reclaim_stale_segments(folder: Path = SHM_FOLDER, prefix: str = SHM_PREFIX) -> list[str]:
    """Remove the frame rings (or other files named so) left by formcheck runs that were killed.

    SIGKILL leaves them behind. A name carries the id of the process that
    made it; those whose process is gone are unlinked. Returns the names
    removed (Linux; elsewhere nothing).
    """
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        owner = name[len(prefix) :].split("_")[0]
        if not name.startswith(prefix) or not owner.isdigit() or _alive(int(owner)):
            continue
        with contextlib.suppress(OSError):
            (folder / name).unlink()
            removed.append(name)
    return removed


class PoseProcess:
    """Landmarks for a stream of frames of one size, computed in a child process; a context manager."""

    def __init__(
        self,
        model_path: Path,
        size: tuple[int, int],
        slots: int = SLOTS,
        *,
        check_model: bool = False,
        core: int = -1,
    ):
        width, height = size
        self.slots = slots
        reclaim_stale_segments()
        with ignored_in_children():  # the first SharedMemory starts Python's resource tracker, a child too
            self._shm = SharedMemory(name=_segment_name(), create=True, size=slots * height * width * 3)
        self._ring = np.ndarray((slots, height, width, 3), dtype=np.uint8, buffer=self._shm.buf)
        self._sent = 0
        self.segment = self._shm.name  # the shared-memory segment of the frame ring (in /dev/shm on Linux)
        context = multiprocessing.get_context("spawn")  # fork is unsafe in a process running threads
        self._conn, child_conn = context.Pipe()
        self._child = context.Process(
            target=_serve,
            name="formcheck-pose",
            daemon=True,
            args=(child_conn, self._shm.name, self._ring.shape, str(model_path), check_model, core),
        )
        try:
            with ignored_in_children():  # the parent stops it, after saving what was recorded
                self._child.start()
            child_conn.close()
            kind, message = self._receive()
            if kind == "error":
                raise ModelError(message)
            if message and not _warned_online:
                print(f"formcheck: warning: {message}", file=sys.stderr)
                _warned_online.append(message)
        except BaseException:
            self.close()
            raise

    def _receive(self):
        try:
            return self._conn.recv()
        except (EOFError, ConnectionError):
            raise self._stopped() from None

    def _send(self, message) -> None:
        try:
            self._conn.send(message)
        except ConnectionError:
            raise self._stopped() from None

    def _stopped(self) -> PoseProcessError:
        self._child.join(timeout=5)
        return PoseProcessError(f"the pose model process stopped unexpectedly (exit code {self._child.exitcode})")

    def _result(self) -> PoseFrame:
        kind, value = self._receive()
        if kind == "error":
            first = (str(value).strip().splitlines() or ["unknown error"])[0]
            raise PoseProcessError(f"the pose model failed: {first[:200]}")
        return value

    def submit(self, frame: Frame) -> None:
        """Send a frame to the model; :meth:`receive` gives its landmarks, in the order they were sent.

        The frame is converted to RGB straight into the next slot of the
        shared ring (one of another size is scaled to the ring's); at most
        ``slots`` frames may be waiting for their answer.
        """
        height, width = self._ring.shape[1:3]
        image = frame.image
        if image.shape[:2] != (height, width):
            image = cv2.resize(image, (width, height))
        slot = self._sent % self.slots  # free: the frame that used it last has been answered
        cv2.cvtColor(image, cv2.COLOR_BGR2RGB, dst=self._ring[slot])
        self._send((slot, frame.t_ms))
        self._sent += 1

    def receive(self) -> PoseFrame:
        """The landmarks of the oldest frame sent and not yet answered (waits for them)."""
        return self._result()

    def detect(self, frames: Iterable[Frame]) -> Iterator[tuple[Frame, PoseFrame]]:
        """Each frame with its landmarks, in order; up to ``slots`` frames are being inferred at a time.

        A frame of another size (a stream that changes size mid-way) is scaled to the first one's.
        """
        pending: deque[Frame] = deque()
        for frame in frames:
            if len(pending) == self.slots:
                yield pending.popleft(), self.receive()
            self.submit(frame)
            pending.append(frame)
        while pending:
            yield pending.popleft(), self.receive()

    def close(self) -> None:
        """Stop the child (at once if it is stuck) and free the shared memory."""
        if self._child.is_alive():
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._child.join(timeout=2)
            if self._child.is_alive():
                self._child.kill()  # it ignores SIGTERM
                self._child.join()
        self._conn.close()
        del self._ring
        self._shm.close()
        self._shm.unlink()

    def __enter__(self) -> PoseProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class PosePool:
    """Frames dealt in turn to ``processes`` pose model processes, each on a core of its own; their landmarks
    come back in the order the frames were sent. A context manager.

    Each process tracks the body on every ``processes``-th frame: at 30 frames a second in, two trackers see
    15 each, as the model tracks a recording of that rate. Which process gets a frame depends only on its
    place in the stream, so a video file gets the same poses however busy the machine is.
    """

    def __init__(
        self,
        model_path: Path,
        size: tuple[int, int],
        processes: int = 1,
        slots: int = SLOTS,
        *,
        check_model: bool = False,
    ):
        self.processes: list[PoseProcess] = []
        try:
            for k in range(processes):  # the first on the last core, the next on the one before
                self.processes.append(
                    PoseProcess(model_path, size, slots, check_model=check_model and k == 0, core=-1 - k)
                )
        except BaseException:
            self.close()
            raise
        self._sent = self._received = 0

    def submit(self, frame: Frame) -> None:
        """Send a frame to the next process in turn (each holds up to its ``slots`` frames)."""
        self.processes[self._sent % len(self.processes)].submit(frame)
        self._sent += 1

    def receive(self) -> PoseFrame:
        """The landmarks of the oldest frame sent and not yet answered (waits for them)."""
        pose = self.processes[self._received % len(self.processes)].receive()
        self._received += 1
        return pose

    def close(self) -> None:
        for process in self.processes:
            process.close()

    def __enter__(self) -> PosePool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
