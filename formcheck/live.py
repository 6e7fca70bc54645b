"""Live mode: the newest camera frame -> pose -> rules -> overlay on screen, with no growing queue.

A reader thread keeps only the latest frame, so the overlay shown is always
drawn from the frame it sits on and the delay never builds up, however slow
the model is. A video file can stand in for the camera (it is played at its
own speed), and the window can be replaced by PNG frames for headless runs.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import cv2

from formcheck import overlay
from formcheck import summary as summary_mod
from formcheck.exercises import create
from formcheck.pipeline import Interpreter, Options, resolve_model, run_summary
from formcheck.pose.track import TrackHeader, TrackWriter
from formcheck.video import Frame, VideoWriter

WINDOW = "formcheck"
CHECKPOINT_S = 10.0  # the summary is rewritten this often, so a crash loses little
QUIT_KEYS = {ord("q"), ord("Q"), 27}


class LatestFrame:
    """Reads a source on a thread and keeps only its newest frame."""

    def __init__(self, source):
        self._source = source
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._taken = -1
        self.finished = False
        self.error: BaseException | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        try:
            for frame in self._source:
                with self._cond:
                    if self._stop:
                        return
                    self._frame = frame
                    self._cond.notify()
        except BaseException as exc:
            self.error = exc
        finally:
            with self._cond:
                self.finished = True
                self._cond.notify()

    def next(self) -> Frame | None:
        """The newest frame not yet taken; None once the source has ended."""
        with self._cond:
            while not self.finished and (self._frame is None or self._frame.index == self._taken):
                self._cond.wait(0.5)
            if self._frame is None or self._frame.index == self._taken:
                return None
            self._taken = self._frame.index
            return self._frame

    def stop(self):
        with self._cond:
            self._stop = True


def run_live(source, out_dir: Path, options: Options, *, window: bool = True, frames_dir: Path | None = None) -> dict:
    """Run a live session until the source ends or the user quits; always writes the summary."""
    from formcheck.pose.landmarker import PoseLandmarker

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exercise = create(options.exercise, options.profile)
    model = resolve_model(options)
    if frames_dir:
        Path(frames_dir).mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc)
    outputs = {"summary": "summary.json", "track": "track.jsonl", "video": None}
    ended = "completed"
    video = None
    reader = None
    with PoseLandmarker(model) as landmarker, TrackWriter(out_dir / "track.jsonl", TrackHeader(
            source=source.name, width=source.size[0], height=source.size[1], fps=source.fps,
            model=options.model_variant, extra={"exercise": options.exercise, "mode": "live"})) as track:  # fmt: skip
        interpreter = Interpreter(exercise, options.conditioning, track)
        if options.write_video:
            video = VideoWriter(out_dir / "annotated.mp4", source.size, source.fps or 30.0)
            outputs["video"] = "annotated.mp4"
        if window:
            try:
                cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL)
            except cv2.error:
                window = False  # no display: carry on headless
        fps = None
        last_checkpoint = time.monotonic()
        reader = LatestFrame(source)
        try:
            while (frame := reader.next()) is not None:
                t0 = time.monotonic()
                item = interpreter(frame, landmarker.detect(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB), frame.t_ms))
                shown = overlay.render(frame.image, item.pose, item.status, exercise.info.title,
                                       exercise.side_label, fps)  # fmt: skip
                if video is not None:
                    video.write(shown)
                if frames_dir:
                    cv2.imwrite(str(Path(frames_dir) / f"frame_{frame.index:06d}.png"), shown)
                if window:
                    cv2.imshow(WINDOW, shown)
                    key = cv2.waitKey(1) & 0xFF
                    if key in QUIT_KEYS or cv2.getWindowProperty(WINDOW, cv2.WND_PROP_VISIBLE) < 1:
                        break
                dt = time.monotonic() - t0
                fps = 1.0 / dt if fps is None else 0.9 * fps + 0.1 / max(dt, 1e-6)
                if time.monotonic() - last_checkpoint > CHECKPOINT_S:
                    last_checkpoint = time.monotonic()
                    summary_mod.write(run_summary("live", source, model, options, interpreter, started, "running",
                                                  outputs), out_dir / "summary.json")  # fmt: skip
            if reader.error is not None:
                raise reader.error
        except KeyboardInterrupt:
            ended = "interrupted"
        except BaseException:
            ended = "error"
            raise
        finally:
            reader.stop()
            interpreter.finish()
            if video is not None:
                video.close()
            if window:
                cv2.destroyAllWindows()
            source.close()
            summary = run_summary("live", source, model, options, interpreter, started, ended, outputs)
            summary_mod.write(summary, out_dir / "summary.json")
    return summary
