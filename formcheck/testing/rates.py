"""The rules at the rates they get: the same recording judged at a high frame rate and thinned to lower ones.

``analyze`` keeps at most 30 frames a second by default (``--fps``), and
every frame it keeps is one the file had, at its real time: the frames
between are simply not there for the rules. So a recording is judged here at
its own rate and again with the frames :class:`~formcheck.video.Thinning`
would keep at each lower rate, and the verdicts are compared: counts per
side, each hold's length, and the faults found (id and rep). Shared by the
accuracy benchmark (``--rates``) and tests/test_rates.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from formcheck.exercises import create
from formcheck.exercises.base import Profile
from formcheck.landmarks import PoseFrame
from formcheck.rules import run_rules
from formcheck.video import Thinning, frame_step

HOLD_SLACK_S = 0.25  # hold lengths agree within this (at 15 fps a hold's ends can each move by a frame, 67 ms)


def thinned(frames: list[PoseFrame], fps: float, rate: float) -> list[PoseFrame]:
    """The frames analyze would keep from a recording at ``fps`` when asked for at most ``rate`` a second."""
    thinning = Thinning(frame_step(fps, rate), fps)
    return [f for f in frames if thinning.keep(f.t_ms)]


def resampled(frames: list[PoseFrame], fps: float) -> list[PoseFrame]:
    """The track at ``fps``, its landmarks interpolated in time (for keypoints known at a lower rate only).

    Between two frames with a person the landmarks move linearly; next to a
    frame without one, the nearer frame is repeated. Visibility and presence
    are the nearer frame's.
    """
    times = np.array([f.t_ms for f in frames])
    out = []
    for t in np.arange(times[0], times[-1] + 1e-6, 1000.0 / fps):
        k = int(np.searchsorted(times, t, side="right")) - 1
        a, b = frames[k], frames[min(k + 1, len(frames) - 1)]
        u = 0.0 if b.t_ms == a.t_ms else (t - a.t_ms) / (b.t_ms - a.t_ms)
        if a.landmarks is None or b.landmarks is None:
            out.append(replace(a if u < 0.5 else b, t_ms=float(t)))
            continue
        near = a if u < 0.5 else b
        landmarks = near.landmarks.copy()
        landmarks[:, :3] = (1 - u) * a.landmarks[:, :3] + u * b.landmarks[:, :3]
        world = None
        if a.world is not None and b.world is not None:
            world = (1 - u) * a.world + u * b.world
        out.append(replace(near, t_ms=float(t), landmarks=landmarks, world=world))
    return out


def verdict(exercise_id: str, profile: Profile, frames: list[PoseFrame]) -> dict:
    """The exercise summary the rules give for these frames."""
    exercise = create(exercise_id, profile)
    run_rules(exercise, frames)
    return exercise.summary()


def differences(base: dict, other: dict) -> list[str]:
    """How ``other`` differs from ``base`` in counts per side, hold lengths and faults (empty: they agree)."""
    found = []
    counts = {s: v["reps"] for s, v in base["per_side"].items()}
    others = {s: v["reps"] for s, v in other["per_side"].items()}
    for side in sorted(set(counts) | set(others)):
        if counts.get(side, 0) != others.get(side, 0):
            found.append(f"{side} reps {counts.get(side, 0)} -> {others.get(side, 0)}")
    holds = [(r["side"], r["hold_s"]) for r in base["records"] if r["hold_s"] is not None]
    other_holds = [(r["side"], r["hold_s"]) for r in other["records"] if r["hold_s"] is not None]
    if len(holds) != len(other_holds):
        found.append(f"{len(holds)} holds -> {len(other_holds)}")
    else:
        for (side, a), (_, b) in zip(holds, other_holds):
            if abs(a - b) > HOLD_SLACK_S:
                found.append(f"{side} hold {a:.2f} s -> {b:.2f} s")
    faults = sorted((f["id"], -1 if f["rep"] is None else f["rep"]) for f in base["faults"])
    other_faults = sorted((f["id"], -1 if f["rep"] is None else f["rep"]) for f in other["faults"])
    if faults != other_faults:
        found.append(f"faults {_named(faults)} -> {_named(other_faults)}")
    return found


def _named(faults: list[tuple[str, int]]) -> str:
    return "[" + ", ".join(f"{i}@{'-' if r < 0 else r}" for i, r in faults) + "]"


@dataclass(frozen=True)
class RateCheck:
    """One recording judged at its own rate (``base``) and thinned to each lower rate."""

    name: str
    fps: float
    base: dict
    at: dict  # rate -> summary
    diffs: dict  # rate -> differences from base

    def agrees(self, rate: float) -> bool:
        return not self.diffs[rate]


def check(
    name: str, exercise_id: str, profile: Profile, frames: list[PoseFrame], fps: float, rates=(30, 15)
) -> RateCheck:
    base = verdict(exercise_id, profile, frames)
    at = {rate: verdict(exercise_id, profile, thinned(frames, fps, rate)) for rate in rates}
    return RateCheck(name, fps, base, at, {rate: differences(base, s) for rate, s in at.items()})
