"""Square windows of a wide frame, where a person too small for the whole frame is looked for.

The pose detector sees the whole frame shrunk to a small square: in a 16:9 frame a person a quarter of its
height tall (someone walking in at the far side of a room) is a few dozen pixels there, and is not found. In a
window as tall as the frame, but square, the same person is nearly twice as large: walking in at the edge of a
real 1280x720 gait clip, a person found on the whole frame only from 1.3 s is found in the window from 0.7 s.
Portrait and near-square frames have no windows: a square window there would cut a standing body in two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

WIDE_MIN = 1.6  # frames at least this much wider than tall are searched in windows (16:9 is 1.78, 4:3 is 1.33)


@dataclass(frozen=True)
class Window:
    """A square part of the frame, in pixels: its left and top edges and its side."""

    x0: int
    y0: int
    side: int

    def crop(self, rgb: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(rgb[self.y0 : self.y0 + self.side, self.x0 : self.x0 + self.side])

    def to_frame(self, landmarks: np.ndarray, width: int, height: int) -> np.ndarray:
        """Landmarks found in the window (x, y, z normalised to it, then visibility and presence) as the whole
        frame's: x and y in its width and height, z in its width, as the model gives them."""
        out = np.array(landmarks, dtype=float)
        out[:, 0] = (self.x0 + out[:, 0] * self.side) / width
        out[:, 1] = (self.y0 + out[:, 1] * self.side) / height
        out[:, 2] = out[:, 2] * self.side / width
        return out


def search_windows(width: int, height: int) -> tuple[Window, ...]:
    """The windows a wide frame is searched in, one per look: as tall as the frame, overlapping by at least a
    third, from its left edge to its right; none for a frame that is not wide."""
    if width < WIDE_MIN * height:
        return ()
    n = math.ceil(width / height) + 1
    step = (width - height) / (n - 1)
    return tuple(Window(round(i * step), 0, height) for i in range(n))


def around(landmarks: np.ndarray, width: int, height: int) -> Window:
    """The window, as tall as the frame, centred across on a person's landmarks (whole-frame coordinates): the
    person is followed in it from frame to frame."""
    x = landmarks[:, 0][np.isfinite(landmarks[:, 0])] * width
    centre = (float(x.min()) + float(x.max())) / 2.0 if x.size else width / 2.0
    return Window(int(round(min(max(centre - height / 2.0, 0.0), width - height))), 0, height)
