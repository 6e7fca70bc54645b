"""Frames for live mode: read on a thread of their own, and a watch on whether the computer keeps up.

A camera does not wait: its reader keeps only the newest frame, so a slow
computer skips frames (the rules still get each judged frame's real time,
so counts and holds stay right) and the delay never builds up. A video file
standing in for the camera is played at its own pace but, unlike a camera,
never loses a frame: on a computer too slow for it, it plays slower than it
was recorded, and the run is the same however busy the machine is.
"""

from __future__ import annotations

import threading
from collections import deque

from formcheck.video import Frame

BUFFERED = 2  # a file's frames read ahead of the one being shown


class FrameReader:
    """Reads a source on a thread: its newest frame (a camera), or every frame in turn (``every_frame``)."""

    def __init__(self, source, every_frame: bool = False):
        self._source, self.every_frame = source, every_frame
        self._cond = threading.Condition()
        self._frames: deque[Frame] = deque()
        self.read = 0  # frames the source delivered
        self.finished = False
        self.error: BaseException | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for frame in self._source:
                with self._cond:
                    while self.every_frame and len(self._frames) >= BUFFERED and not self._stop:
                        self._cond.wait()
                    if self._stop:
                        return
                    if not self.every_frame:
                        self._frames.clear()  # an older frame nobody took: skipped
                    self._frames.append(frame)
                    self.read += 1
                    self._cond.notify_all()
        except BaseException as exc:
            self.error = exc
        finally:
            with self._cond:
                self.finished = True
                self._cond.notify_all()

    def next(self, wait: bool = True) -> Frame | None:
        """The next frame to show; None once the source has ended, or (``wait=False``) when none is ready."""
        with self._cond:
            while wait and not self._frames and not self.finished:
                self._cond.wait(0.5)
            if not self._frames:
                return None
            frame = self._frames.popleft()
            self._cond.notify_all()
            return frame

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop reading, and wait (up to ``timeout_s``: a camera that hangs) for the frame being read: the source
        may be closed only then. Releasing a capture while another thread reads it deadlocks inside FFmpeg's
        scaler (seen as a live session that never ended under a loaded CPU)."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout_s)


class Pace:
    """Tells, once, that frames are shown at under ``share`` of the rate they come at, over ``window_s``.

    The first ``grace_s`` are not judged: the model's first frames are slow.
    """

    def __init__(self, window_s: float = 5.0, grace_s: float = 3.0, share: float = 0.9):
        self.window_s, self.grace_s, self.share = window_s, grace_s, share
        self._samples: deque[tuple[float, int, float]] = deque()  # (time, frames shown, frames come)
        self._start: float | None = None
        self._rates = (0.0, 0.0)
        self.too_slow = False

    def update(self, now: float, shown: int, come: float) -> bool:
        """Note the counts at ``now``; True the one time the computer is found too slow."""
        if self._start is None:
            self._start = now
        if now - self._start < self.grace_s or self.too_slow:
            return False
        self._samples.append((now, shown, come))
        while now - self._samples[0][0] > self.window_s:
            self._samples.popleft()
        t0, shown0, come0 = self._samples[0]
        if now - t0 < 0.8 * self.window_s or come <= come0:
            return False
        self.too_slow = (shown - shown0) < self.share * (come - come0)
        self._rates = ((shown - shown0) / (now - t0), (come - come0) / (now - t0))
        return self.too_slow

    def rates(self) -> tuple[float, float]:
        """Frames shown and frames come per second over the last window judged."""
        return self._rates
