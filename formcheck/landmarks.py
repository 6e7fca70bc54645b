"""MediaPipe's 33 pose landmarks and the per-frame pose record every stage passes on.

Nothing here imports MediaPipe: a :class:`PoseFrame` is plain numpy, so rules,
tracks and tests work without the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NAMES = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
N_LANDMARKS = len(NAMES)

# Columns of PoseFrame.landmarks.
X, Y, Z, VISIBILITY, PRESENCE = range(5)
OUTSIDE_MARGIN = 0.05  # a landmark put farther than this (share of the image) outside the picture is not trusted

SKELETON = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"),
    ("left_heel", "left_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_ankle", "right_heel"),
    ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
    ("nose", "left_eye"),
    ("nose", "right_eye"),
    ("left_eye", "left_ear"),
    ("right_eye", "right_ear"),
)
SIDES = ("left", "right")


def other_side(side: str) -> str:
    return "right" if side == "left" else "left"


_INDEX = {name: i for i, name in enumerate(NAMES)}


def index(name: str) -> int:
    """Index of a landmark by its MediaPipe name, e.g. ``index("left_knee") == 25``."""
    return _INDEX[name]


@dataclass(frozen=True)
class PoseFrame:
    """One frame's pose.

    ``landmarks`` is ``(33, 5)``: x, y normalised to the image (0..1, y down;
    outside that range when off-screen), z (MediaPipe's relative depth,
    smaller is nearer the camera), visibility and presence. ``world`` is
    ``(33, 3)`` in metres around the hips (y down), or ``None``. Both are
    ``None`` when no person was found.

    ``min_visibility`` is the trust gate set by conditioning: the accessors
    :meth:`pixels` and :meth:`world_points` give NaN for a landmark below it,
    so rules see "unknown" instead of a guessed position, while the raw
    arrays keep MediaPipe's estimate (the view check needs it to tell which
    edge of the image a limb went past).
    """

    t_ms: float
    width: int
    height: int
    landmarks: np.ndarray | None = None
    world: np.ndarray | None = None
    min_visibility: float = 0.0

    @property
    def has_person(self) -> bool:
        return self.landmarks is not None

    def _hidden(self) -> np.ndarray:
        """Landmarks not to be trusted: the model is unsure of them, or it puts them well outside the picture
        (a guess at a body part out of view, not a reading of it)."""
        xy = self.landmarks[:, :2]
        outside = np.any((xy < -OUTSIDE_MARGIN) | (xy > 1.0 + OUTSIDE_MARGIN), axis=1)
        return (self.landmarks[:, VISIBILITY] < self.min_visibility) | outside

    def pixels(self) -> np.ndarray:
        """``(33, 2)`` image coordinates in pixels, NaN where unknown or untrusted.

        Computed once per frame (the view check, the rules and the overlay all ask) and read-only,
        since every caller shares the same array.
        """
        cached = self.__dict__.get("_pixels")
        if cached is not None:
            return cached
        if self.landmarks is None:
            xy = np.full((N_LANDMARKS, 2), np.nan)
        else:
            xy = self.landmarks[:, :2] * np.array([self.width, self.height], dtype=float)
            xy[self._hidden()] = np.nan
        xy.flags.writeable = False
        object.__setattr__(self, "_pixels", xy)  # a cache, not a field: equality and replace() ignore it
        return xy

    def world_points(self) -> np.ndarray:
        """``(33, 3)`` world coordinates in metres, NaN where unknown or untrusted; computed once per frame and
        read-only, as :meth:`pixels`."""
        cached = self.__dict__.get("_world_points")
        if cached is not None:
            return cached
        if self.world is None or self.landmarks is None:
            world = np.full((N_LANDMARKS, 3), np.nan)
        else:
            world = self.world.astype(float).copy()
            world[self._hidden()] = np.nan
        world.flags.writeable = False
        object.__setattr__(self, "_world_points", world)
        return world

    def visibility(self, name: str) -> float:
        if self.landmarks is None:
            return 0.0
        return float(self.landmarks[index(name), VISIBILITY])
