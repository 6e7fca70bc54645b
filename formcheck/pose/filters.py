"""Signal conditioning: One-Euro smoothing, visibility gating and short-gap bridging.

The Tasks API has no smoothing option, so landmarks jitter by a few pixels
frame to frame. The One-Euro filter (Casiez et al., CHI 2012) smooths hard
when a point is still and follows quickly when it moves, which is what live
feedback needs: low jitter during a hold, little lag during a rep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np

from formcheck.landmarks import PoseFrame


class OneEuroFilter:
    """One-Euro filter over an array of any shape, elementwise.

    A NaN input leaves that element's state alone; an element unseen for longer
    than ``stale_s`` restarts from its next value instead of gliding from an old one.
    """

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.05, d_cutoff: float = 1.0, stale_s: float = 0.25):
        self.min_cutoff, self.beta, self.d_cutoff, self.stale_s = min_cutoff, beta, d_cutoff, stale_s
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None
        self._seen: np.ndarray | None = None

    @staticmethod
    def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
        tau = 1.0 / (2.0 * math.pi * cutoff)
        return 1.0 / (1.0 + tau / dt)

    def reset(self) -> None:
        self._x = self._dx = self._t = self._seen = None

    def __call__(self, x: np.ndarray, t_s: float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        known = ~np.isnan(x)
        if self._x is None or self._t is None or self._seen is None:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t_s
            self._seen = np.where(known, t_s, -np.inf)
            return self._x.copy()
        if t_s <= self._t:  # same timestamp again: nothing to filter
            return self._x.copy()
        dt = t_s - self._t
        restart = known & ((t_s - self._seen) > self.stale_s)
        prev = np.where(restart | np.isnan(self._x), x, self._x)
        self._dx = np.where(restart, 0.0, self._dx)
        dx = np.where(known, (x - prev) / dt, 0.0)
        a_d = self._alpha(self.d_cutoff, dt)
        self._dx = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff + self.beta * np.abs(self._dx)
        a = self._alpha(cutoff, dt)
        self._x = np.where(known, a * x + (1 - a) * prev, self._x)
        self._seen = np.where(known, t_s, self._seen)
        self._t = t_s
        return self._x.copy()


@dataclass(frozen=True)
class ConditioningConfig:
    """Settings for :class:`PoseConditioner`; the defaults suit 640x480 at 15-60 fps."""

    smoothing: bool = True
    min_cutoff: float = 1.5  # Hz: lower = smoother when still
    beta: float = 2.0  # per normalised unit/s: higher = less lag when moving
    min_visibility: float = 0.5  # below this a landmark is hidden and its coordinates are NaN
    max_gap_ms: float = 300.0  # a missing person for up to this long keeps the last pose


def conditioning_from(recorded: dict | None) -> ConditioningConfig:
    """The settings a run recorded (summary or track header); the defaults where none were (older runs)."""
    known = {f.name for f in fields(ConditioningConfig)}
    return ConditioningConfig(**{k: v for k, v in (recorded or {}).items() if k in known})


class PoseConditioner:
    """Turns raw PoseFrames into smoothed, visibility-gated ones.

    * Landmarks with visibility below ``min_visibility`` read as NaN through
      :meth:`PoseFrame.pixels` (rules then say they cannot judge).
    * If the person is lost for up to ``max_gap_ms`` the last pose is carried
      forward, so a single dropped detection does not break a hold; after a
      longer gap the frame reports no person and the filter restarts.
    """

    def __init__(self, config: ConditioningConfig | None = None):
        self.config = config or ConditioningConfig()
        self._norm = OneEuroFilter(self.config.min_cutoff, self.config.beta)
        # World coordinates are in metres, roughly the same scale as normalised ones.
        self._world = OneEuroFilter(self.config.min_cutoff, self.config.beta)
        self._last: PoseFrame | None = None

    def __call__(self, frame: PoseFrame) -> PoseFrame:
        cfg = self.config
        if frame.landmarks is None:
            last = self._last
            if last is not None and frame.t_ms - last.t_ms <= cfg.max_gap_ms:
                return replace(last, t_ms=frame.t_ms, width=frame.width, height=frame.height)
            self._norm.reset()
            self._world.reset()
            self._last = None
            return frame
        lm = frame.landmarks.astype(float).copy()
        world = None if frame.world is None else frame.world.astype(float).copy()
        if cfg.smoothing:
            t_s = frame.t_ms / 1000.0
            lm[:, :3] = self._norm(lm[:, :3], t_s)
            if world is not None:
                world = self._world(world, t_s)
        out = replace(frame, landmarks=lm, world=world, min_visibility=cfg.min_visibility)
        self._last = out
        return out
