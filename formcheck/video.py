"""Frame sources (video files, cameras) and the annotated-video writer: the OpenCV I/O."""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from formcheck.errors import InputError

# OpenCV's and FFmpeg's own log lines ("moov atom not found", "can't open camera by index") would
# print beside formcheck's one-line errors, which already say what went wrong.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)


DEFAULT_MAX_FPS = 30.0  # analyze keeps at most this many frames a second unless told otherwise (--fps)
MAX_FAILED_READS = 64  # reads in a row that may fail on damage before the file counts as ended
MIN_VIDEO_S = 1.0  # shorter videos are refused: no exercise can be judged in them
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


def _image_kind(path: Path) -> str | None:
    """The kind of still image a file holds, whatever its name says (None for anything else)."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    return next((kind for magic, kind in _IMAGE_MAGIC if head.startswith(magic)), None)


@dataclass(frozen=True)
class Frame:
    """One decoded image (BGR), the time it was taken in ms from the start, and when it was read.

    ``read_at`` is the ``time.monotonic()`` moment the frame left the camera
    or file: live mode measures camera-to-display latency from it.
    """

    image: np.ndarray
    t_ms: float
    index: int
    read_at: float = 0.0


def _fit(image: np.ndarray, max_side: int | None) -> np.ndarray:
    if not max_side:
        return image
    h, w = image.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1:
        return image
    return cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)


def frame_step(fps: float | None, max_fps: float | None) -> int:
    """How many source frames go by for each one analysed at no more than ``max_fps`` (1: every frame).

    A source up to 10% over the limit keeps every frame: a phone's "30 fps"
    averages 30.3 now and then, and halving it for that would be absurd.
    """
    if not max_fps or not fps or fps <= max_fps:
        return 1
    return max(1, math.ceil(fps / max_fps - 0.1))


class Thinning:
    """Keeps every ``step``-th frame by time: one at least ``step`` intervals, less half of one, after the last kept.

    The half-interval slack keeps the timing jitter of a variable-rate file
    from moving the choice, and measuring from the last kept frame (not from
    a fixed grid) keeps a frame rate the container states a little wrong
    (59.886 for 60) from drifting onto other frames as the file goes on.
    """

    def __init__(self, step: int, fps: float | None):
        interval = 1000.0 / (fps or 30.0)
        self.step, self.gap = step, (step - 0.5) * interval
        self._last: float | None = None

    def keep(self, t_ms: float) -> bool:
        if self.step > 1 and self._last is not None and t_ms < self._last + self.gap:
            return False
        self._last = t_ms
        return True


class VideoFileSource:
    """Frames of a video file with their real timestamps (variable frame rates kept).

    Phone rotation metadata is applied. With ``realtime`` the frames are
    delivered no faster than they were recorded, so a file can stand in for a
    camera in live mode. With ``max_fps`` a faster file is thinned to every
    ``step``-th frame (:class:`Thinning`): the frames between are grabbed but
    never converted to images, and the kept ones keep their real times. With
    ``start_ms`` it starts at the first frame at or after that time (a span
    of a long recording, formcheck.pose.spans).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        max_side: int | None = None,
        realtime: bool = False,
        max_fps: float | None = None,
        start_ms: float = 0.0,
    ):
        self.path = Path(path)
        self.max_side, self.realtime, self.max_fps = max_side, realtime, max_fps
        if not self.path.exists():
            raise InputError(f"video file not found: {self.path}")
        if self.path.is_dir():
            raise InputError(f"{self.path} is a folder, not a video file")
        image_kind = _image_kind(self.path)
        if image_kind:
            raise InputError(
                f"{self.path} is a {image_kind} image, not a video: formcheck needs a recording of the exercise"
            )
        self._cap = cv2.VideoCapture(str(self.path))
        self._cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        if start_ms > 0 and self._cap.isOpened():  # from the first frame at or after it
            self._cap.set(cv2.CAP_PROP_POS_MSEC, start_ms)
        ok, first = self._cap.read() if self._cap.isOpened() else (False, None)
        if not ok or first is None:
            self._cap.release()
            raise InputError(f"cannot decode {self.path}: not a video file, or the file is damaged")
        self._first = first
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS)) or None
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count = count if count > 0 else None
        self.size = _fit(first, max_side).shape[1::-1]  # (width, height)
        self.name = str(self.path)
        self.step = frame_step(self.fps, max_fps)
        self.frames_decoded = 0  # every frame read from the file, thinned out or not
        self.gaps: list[dict] = []  # stretches the decoder had to skip: start_s, end_s, frames
        self.exhausted = False  # read to its end (a run that stopped early cannot tell a cut file)
        self._last_t: float | None = None

    @property
    def analysis_fps(self) -> float | None:
        """The rate frames are delivered at: the file's, or a ``step``-th of it."""
        return self.fps / self.step if self.fps else None

    @property
    def analysis_count(self) -> int | None:
        """How many frames iterating will deliver, as far as the container says."""
        return -(-self.frame_count // self.step) if self.frame_count else None

    def check_long_enough(self, min_s: float = MIN_VIDEO_S) -> None:
        """Refuse a video too short to judge an exercise in (one frame, under a second)."""
        if self.frame_count is None:
            return
        seconds = self.frame_count / (self.fps or 30.0)
        if self.frame_count < 2 or seconds < min_s:
            raise InputError(
                f"{self.path} is too short to analyse ({self.frame_count} frame(s), {seconds:.2f} s): "
                f"film at least {min_s:g} s of the exercise"
            )

    def damage(self) -> dict | None:
        """What could not be decoded, for the summary's ``input`` section; None for a file decoded whole.

        Call after iterating. Damage inside the file shows as reads that failed
        before decoding went on (``gaps``); a cut file as fewer frames than its
        container announces, the rest of its announced length missing at the end.
        """
        fps = self.fps or 30.0
        expected = self.frame_count
        gaps = list(self.gaps)
        missing_tail = 0
        if self.exhausted and expected and self.frames_decoded < expected - max(2, 0.02 * expected):
            inside = sum(g["frames"] for g in gaps)
            missing_tail = max(0, expected - self.frames_decoded - inside)
            if missing_tail:
                start = (self._last_t or 0.0) / 1000.0 + 1.0 / fps
                gaps.append(
                    {"start_s": round(start, 2), "end_s": round(start + missing_tail / fps, 2), "frames": missing_tail}
                )
        if not gaps:
            return None
        missing_s = round(sum(g["end_s"] - g["start_s"] for g in gaps), 2)
        where = ", ".join(f"{g['start_s']:.1f}-{g['end_s']:.1f} s" for g in gaps[:3]) + (
            " ..." if len(gaps) > 3 else ""
        )
        return {
            "damaged": True,
            "frames_expected": expected,
            "frames_decoded": self.frames_decoded,
            "missing_s": missing_s,
            "gaps": gaps,
            "note": f"the video is damaged: {self.frames_decoded} of {expected or '?'} frames decoded, "
            f"{missing_s:.1f} s missing ({where}); the analysis covers the rest",
        }

    def _timestamp(self, previous: float | None) -> float:
        """The time of the frame just read; made up from the frame rate where the container has none."""
        t = float(self._cap.get(cv2.CAP_PROP_POS_MSEC))
        if previous is None:
            return max(t, 0.0)
        return t if t > previous else previous + 1000.0 / (self.fps or 30.0)

    def _grab_on(self) -> int | None:
        """Move to the next frame the decoder can give, past damaged stretches, without converting it.

        Returns how many grabs failed before it, or None at the end of the file.
        """
        failed = 0
        while failed <= MAX_FAILED_READS:
            if self._cap.grab():
                return failed
            failed += 1
        return None

    def __iter__(self) -> Iterator[Frame]:
        return self.frames(Thinning(self.step, self.fps).keep)

    def frames(self, keep: Callable[[float], bool]) -> Iterator[Frame]:
        """The frames whose times ``keep`` says yes to (asked of every frame in turn); the others are skipped
        unconverted. Iterating the source keeps every ``step``-th."""
        index, t_prev, first = 0, None, True
        start = time.monotonic()
        fps = self.fps or 30.0
        while True:
            t = self._timestamp(t_prev)
            self.frames_decoded += 1
            self._last_t = t
            if keep(t):
                image = self._first if first else self._cap.retrieve()[1]
                if image is not None:
                    if self.realtime:
                        delay = t / 1000.0 - (time.monotonic() - start)
                        if delay > 0:
                            time.sleep(delay)
                    yield Frame(_fit(image, self.max_side), t, index, time.monotonic())
            first = False
            failed = self._grab_on()
            if failed is None:
                break
            if failed:  # decoding went on past damage: each failed read, a frame lost
                self.gaps.append(
                    {
                        "start_s": round(t / 1000.0 + 1.0 / fps, 2),
                        "end_s": round(t / 1000.0 + (failed + 1) / fps, 2),
                        "frames": failed,
                    }
                )
                # the decoder's clock is unsure just after damage: the frame comes no sooner than the loss says
                t = max(self._timestamp(t), t + (failed + 1) * 1000.0 / fps) - 1000.0 / fps
            index, t_prev = index + 1, t
        self.exhausted = True

    def close(self) -> None:
        self._cap.release()


class CameraSource:
    """Frames from a webcam, timestamped on arrival; optionally mirrored like a mirror."""

    def __init__(
        self,
        index: int = 0,
        *,
        width: int = 640,
        height: int = 480,
        mirror: bool = True,
        max_side: int | None = None,
        warmup_s: float = 3.0,
    ):
        self.mirror, self.max_side = mirror, max_side
        self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            raise InputError(f"no camera at index {index}: check it is connected and not used by another program")
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # newest frame, not a backlog
        deadline = time.monotonic() + warmup_s
        ok, first = self._cap.read()
        while not ok and time.monotonic() < deadline:
            time.sleep(0.05)
            ok, first = self._cap.read()
        if not ok:
            self._cap.release()
            raise InputError(f"camera {index} opened but delivers no frames")
        self._first = first
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS)) or None
        self.frame_count = None
        self.size = _fit(first, max_side).shape[1::-1]
        self.name = f"camera:{index}"

    def __iter__(self) -> Iterator[Frame]:
        start = time.monotonic()
        index, image = 0, self._first
        while image is not None:
            now = time.monotonic()
            image = cv2.flip(image, 1) if self.mirror else image
            yield Frame(_fit(image, self.max_side), (now - start) * 1000.0, index, now)
            ok, image = self._cap.read()
            image = image if ok else None  # a camera that stops delivering ends the session
            index += 1

    def close(self) -> None:
        self._cap.release()


def open_source(spec: str | int | Path, **kwargs) -> VideoFileSource | CameraSource:
    """A camera for an integer (or digit string), otherwise a video file."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        camera_kwargs = {k: v for k, v in kwargs.items() if k in ("width", "height", "mirror", "max_side")}
        return CameraSource(int(spec), **camera_kwargs)
    file_kwargs = {k: v for k, v in kwargs.items() if k in ("max_side", "realtime")}
    return VideoFileSource(spec, **file_kwargs)


def _ffmpeg() -> str | None:
    """The ffmpeg binary that the imageio-ffmpeg package ships, or None."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError, OSError):
        return None


class VideoWriter:
    """Writes BGR frames to an MP4 file (MPEG-4 part 2) that stays playable however the run ends.

    The bundled ffmpeg (imageio-ffmpeg) writes a fragmented MP4: a fragment
    per keyframe, each one decodable on its own, so a run killed outright
    (SIGKILL, power loss) keeps a video of everything up to its last
    keyframe (half a second). ffmpeg runs in its own session: a Ctrl-C or
    SIGTERM to the terminal's group leaves it to finish the file when
    formcheck closes its input, and it finishes it too when formcheck is
    killed. Encoding in that process costs the analysis about as much time
    as OpenCV's encoder in this one (measured: 960x540, 300 frames, 4.1 s
    against 4.6 s wall time; this process's CPU 0.2 s against 3.1 s).
    Without that package, OpenCV's writer is used (a plain MP4, which a
    killed run leaves unplayable).
    """

    def __init__(self, path: Path, size: tuple[int, int], fps: float):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.size = size
        self._proc = self._writer = None
        self.error: str | None = None
        exe = _ffmpeg()
        if exe is not None:
            width, height = size
            command = [
                exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width}x{height}", "-r", f"{fps:.6g}", "-i", "pipe:0",
                "-an", "-c:v", "mpeg4", "-q:v", "4", "-pix_fmt", "yuv420p", "-g", str(max(1, round(fps / 2))),
                "-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", str(self.path),
            ]  # fmt: skip
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            return
        self._writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
        if not self._writer.isOpened():
            raise InputError(f"cannot write video to {self.path}")

    def _failed(self) -> OSError:
        with contextlib.suppress(BrokenPipeError):
            self._proc.stdin.close()
        self._proc.wait()
        said = self._proc.stderr.read().decode(errors="replace").strip().splitlines()
        reason = said[-1][:200] if said else f"ffmpeg stopped with code {self._proc.returncode}"
        return OSError(f"the annotated video {self.path.name} stopped being written: {reason}")

    def write(self, image: np.ndarray) -> None:
        if image.shape[1::-1] != self.size:
            image = cv2.resize(image, self.size)
        if self._proc is None:
            self._writer.write(image)
            return
        try:
            self._proc.stdin.write(np.ascontiguousarray(image).data)
        except (BrokenPipeError, ValueError):
            raise self._failed() from None

    def close(self) -> None:
        """Finish the file (idempotent). Never raises: a run's ending must still write its summary.

        What ffmpeg could not write (a full disk) is in ``error``.
        """
        if self._proc is None:
            if self._writer is not None:
                self._writer.release()
            return
        if self._proc.stdin.closed:
            return
        with contextlib.suppress(BrokenPipeError):
            self._proc.stdin.close()
        if self._proc.wait() != 0:
            self.error = str(self._failed())
