"""The pose backend: MediaPipe Tasks PoseLandmarker, and the only module that imports MediaPipe.

VIDEO mode is used for files and for the camera alike: it is synchronous, so
the overlay drawn for a frame is always drawn from that frame's landmarks
(LIVE_STREAM mode returns results later, on another thread, and drops frames
on its own schedule).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from importlib import resources
from pathlib import Path

import numpy as np

from formcheck.errors import ModelError
from formcheck.landmarks import N_LANDMARKS, PoseFrame

os.environ.setdefault("GLOG_minloglevel", "2")  # silence the C library's info logging

from mediapipe import Image, ImageFormat
from mediapipe.tasks.python.core.base_options import BaseOptions
from mediapipe.tasks.python.vision import pose_landmarker as mp_pose
from mediapipe.tasks.python.vision.core.vision_task_running_mode import VisionTaskRunningMode

from formcheck.pose.models import verify_bundle
from formcheck.pose.offline import forbid_network
from formcheck.pose.windows import Window, around, search_windows


def become_model_process() -> str | None:
    """Set up a process that exists only to run the model; call first thing in it.

    File descriptor 2 goes to the null device for good: such a process reports
    its errors through its pipe, so nothing it writes on stderr is for the user,
    whatever the library version logs. And the process is cut off the network
    (see :mod:`formcheck.pose.offline`). Returns why that could not be done, or
    ``None``.
    """
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
    return forbid_network()


@contextlib.contextmanager
def _quiet_native_stderr():
    """Hide what the C library prints on stderr (TFLite delegate notes, graph warnings).

    It writes to file descriptor 2 directly, below Python's sys.stderr, and
    says nothing a user can act on; errors still arrive as exceptions.
    """
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


# The second look (see PoseLandmarker): on every frame the usual landmarker finds no one in for this long after
# a person was last seen (a person just lost is most likely still there), then at most this often.
LOOK_ON_MS = 2000.0
LOOK_AGAIN_MS = 250.0


def equalized(rgb: np.ndarray) -> np.ndarray:
    """The frame with its brightness spread over the whole range (luma histogram equalised, colours kept).

    The person detector is the weak link in dim light: a dark-skinned body against a dark wall, plainly in
    view, was found on none of 183 frames of a render (its score stayed between 0.1 and 0.2), and on 44 of 46
    of them once equalised, landmarks within 1 % of the picture's height of the truth.
    """
    import cv2

    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    ycc[..., 0] = cv2.equalizeHist(ycc[..., 0])
    return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)


class PoseLandmarker:
    """Detects one person's 33 landmarks per frame; use as a context manager."""

    def __init__(
        self,
        model_path: Path,
        *,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        second_look: bool = True,
    ):
        self.model_path = Path(model_path)
        verify_bundle(self.model_path)
        # Where no one is found, a second landmarker looks at the frame equalised (see :func:`equalized`), with
        # the same thresholds, so it finds no one where nobody is (person-free parts of the real clips: none).
        # A person it finds it follows on the frames as they are, while the usual one still finds no one. It
        # looks on every such frame for LOOK_ON_MS after a person was last seen, then at most every
        # LOOK_AGAIN_MS (a look costs a frame's inference: with no one in view, a look at every frame doubled
        # the time a frame takes).
        self._options = (min_detection_confidence, min_presence_confidence, min_tracking_confidence)
        self._task = self._create()
        self._second_look = second_look
        self._second = None  # made on its first look
        self._second_follows = False
        # Where neither finds anyone in a wide frame, a third landmarker looks in one of its square windows per
        # look (see :mod:`formcheck.pose.windows`), and follows a person it finds in a window that moves with them.
        self._windowed = None  # made on its first look
        self._window: Window | None = None  # the window a person is followed in
        self._looks = 0
        self._last_look = self._last_seen = -math.inf
        self._last_ts = -1
        self._quieted: set[int] = set()  # the tasks that have run once (the graph logs warnings on its first frame)

    def _create(self):
        """A video-mode task with this landmarker's thresholds."""
        detection, presence, tracking = self._options
        options = mp_pose.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=VisionTaskRunningMode.VIDEO,
            num_poses=1,
            min_pose_detection_confidence=detection,
            min_pose_presence_confidence=presence,
            min_tracking_confidence=tracking,
        )
        try:
            with _quiet_native_stderr():
                return mp_pose.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"{self.model_path} could not be loaded as a pose model ({first})") from None

    def detect(self, rgb: np.ndarray, t_ms: float) -> PoseFrame:
        """Landmarks for one RGB frame taken at ``t_ms``.

        The Tasks API needs strictly increasing integer timestamps; repeated or
        out-of-order source times are nudged forward by a millisecond.
        """
        ts = max(int(round(t_ms)), self._last_ts + 1)
        self._last_ts = ts
        height, width = rgb.shape[:2]
        rgb = np.ascontiguousarray(rgb)
        image = Image(image_format=ImageFormat.SRGB, data=rgb)
        result = self._run(self._task, image, ts)
        window = None
        if result.pose_landmarks:  # the usual landmarker has the person again: the others stop following
            self._second_follows, self._window = False, None
        elif self._second_look and self._looks_again(ts):
            result, window = self._look_again(rgb, ts)
        if result.pose_landmarks:
            self._last_seen = ts
        pose = self._frame(result, t_ms, width, height, window)
        if window is not None:  # looked for, or followed, in a window: next, one round where the person now is
            self._window = around(pose.landmarks, width, height) if pose.has_person else None
        return pose

    def _look_again(self, rgb: np.ndarray, ts: int):
        """The second landmarker's result, or the windowed one's where that finds no one; and the window."""
        height, width = rgb.shape[:2]
        if self._window is None:
            if self._second is None:
                self._second = self._create()
            # finding: the frame equalised; following: the frame as it is
            image = Image(image_format=ImageFormat.SRGB, data=rgb if self._second_follows else equalized(rgb))
            result = self._run(self._second, image, ts)
            self._second_follows = bool(result.pose_landmarks)
            self._last_look = ts
            windows = search_windows(width, height)
            if result.pose_landmarks or not windows:
                return result, None
            window = windows[self._looks % len(windows)]
            self._looks += 1
        else:
            window = self._window
        if self._windowed is None:
            self._windowed = self._create()
        result = self._run(self._windowed, Image(image_format=ImageFormat.SRGB, data=window.crop(rgb)), ts)
        return result, window

    def _looks_again(self, ts: int) -> bool:
        following = self._second_follows or self._window is not None
        return following or ts - self._last_seen <= LOOK_ON_MS or ts - self._last_look >= LOOK_AGAIN_MS

    def _run(self, task, image: Image, ts: int):
        """One task on one frame; on its first, the C library's stderr is hidden (its one-time warnings)."""
        if id(task) in self._quieted:
            return task.detect_for_video(image, ts)
        self._quieted.add(id(task))
        with _quiet_native_stderr():
            return task.detect_for_video(image, ts)

    @staticmethod
    def _frame(result, t_ms: float, width: int, height: int, window: Window | None = None) -> PoseFrame:
        """The frame's pose from a task's result; found in ``window``, mapped to the whole frame."""
        if not result.pose_landmarks:
            return PoseFrame(t_ms=t_ms, width=width, height=height)
        landmarks = np.array(
            [[p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0] for p in result.pose_landmarks[0]],
            dtype=float,
        )
        if window is not None:
            landmarks = window.to_frame(landmarks, width, height)
        world = None
        if result.pose_world_landmarks:
            world = np.array([[p.x, p.y, p.z] for p in result.pose_world_landmarks[0]], dtype=float)
        assert landmarks.shape == (N_LANDMARKS, 5)
        return PoseFrame(t_ms=t_ms, width=width, height=height, landmarks=landmarks, world=world)

    def close(self) -> None:
        with _quiet_native_stderr():  # the accelerators log their destruction
            for task in (self._task, self._second, self._windowed):
                if task is not None:
                    task.close()

    def __enter__(self) -> PoseLandmarker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


KNOWN_IMAGE = "data/known_pose.jpg"  # a frame of sample_videos/aerobic_march_good.mp4: one whole person, standing
# The official full model's landmarks on it (x, y as shares of the picture; tools/known_pose.py writes them). A
# working model puts the body where that one does; damaged weights that still load put it elsewhere (the nose
# and the ankles 10-17 % of the picture off) or nowhere.
KNOWN_POSE = "data/known_pose.json"
KNOWN_POSE_OFF_MAX = 0.05  # median landmark distance from KNOWN_POSE, as a share of the picture
PATH_SHOWN = 240  # a model path in an error is the user's way to the file: shown whole unless absurdly long


def check_on_known_image(model_path: Path) -> None:
    """Raise :class:`ModelError` unless the model finds the person in formcheck's own test image.

    For a user-supplied ``--model``: a bundle that is well formed but wrong (its
    two models swapped) or has damaged weights would otherwise be blamed on the
    video ("no person was found").
    """
    import cv2

    from formcheck.outpaths import short

    data = np.frombuffer(resources.files("formcheck").joinpath(KNOWN_IMAGE).read_bytes(), np.uint8)
    rgb = cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    try:
        with PoseLandmarker(model_path) as landmarker, _quiet_native_stderr():
            pose = landmarker.detect(rgb, 0.0)
    except (RuntimeError, ValueError) as exc:
        first = " ".join(str(exc).split()) or type(exc).__name__
        raise ModelError(
            f"{short(model_path, PATH_SHOWN)} fails on formcheck's test image ({short(first, 100)}): "
            "not a working pose landmarker bundle"
        ) from None
    if not pose.has_person:
        raise ModelError(
            f"{short(model_path, PATH_SHOWN)} finds no person in formcheck's test image: the model is damaged or not a "
            "pose landmarker bundle"
        )
    off = known_pose_error(pose)
    if not off <= KNOWN_POSE_OFF_MAX:
        raise ModelError(
            f"{short(model_path, PATH_SHOWN)} puts the person in formcheck's test image in the wrong place "
            f"({off:.0%} of the picture off): the model is damaged or not a pose landmarker bundle"
        )


def known_pose_error(pose: PoseFrame) -> float:
    """Median distance of ``pose``'s landmarks from the official model's on the known image (share of the
    picture; NaN where it gives none)."""
    reference = np.array(json.loads(resources.files("formcheck").joinpath(KNOWN_POSE).read_text())["landmarks"])
    if pose.landmarks is None:
        return math.nan
    with np.errstate(invalid="ignore", over="ignore"):
        return float(np.nanmedian(np.linalg.norm(pose.landmarks[:, :2] - reference, axis=1)))
