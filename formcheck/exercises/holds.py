"""The hold flow of a hold exercise: timing the still part of each stay in the target position, counting every stay.

A stretch or reach is held still; the movement into and out of it is not
part of the hold. :class:`Stillness` says whether the body holds still, from
the recent drift of its landmarks, and :class:`HoldFlow` turns the
exercise's per-frame "in position" into holds: a wobble or re-grip in the
same pose is the same hold, settling into a stretch before a deeper pull is
not a hold of its own, and a stay too brief to time (a quick reach) is still
counted, as a short hold, so it is flagged rather than lost. The exercise
files each hold (:meth:`HoldOwner.file_hold`) and judges it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from formcheck import geometry
from formcheck.exercises.mechanics import Episode, Episodes, HoldTimer, HoldWindow, RecentValues, SideVote
from formcheck.exercises.records import RepRecord
from formcheck.feedback import Event
from formcheck.landmarks import index

BODY = slice(11, 33)  # shoulders to feet: the landmarks whose movement says whether a hold is still
_HIPS = [index("left_hip") - BODY.start, index("right_hip") - BODY.start]


class Stillness:
    """Whether the body holds still: the drift speed of its landmarks over a short window, in torso lengths a
    second (90th percentile of the coordinates, so one limb moving is enough to be moving)."""

    def __init__(self, window_ms: float, max_speed: float):
        self.window_ms = window_ms
        self.max_speed = max_speed
        self._recent = RecentValues(window_ms)
        self._verdict: tuple[int, bool | None] = (-1, None)  # still() for the window's version

    def add(self, t_ms: float, pixels: np.ndarray) -> None:
        """One judged frame's landmarks in pixels."""
        self._recent.add(t_ms, pixels[BODY] / geometry.body_scale(pixels))

    def still(self) -> bool | None:
        """None until enough recent frames are known. Read once a frame (asked again, the verdict is kept)."""
        if self._verdict[0] == self._recent.version:
            return self._verdict[1]
        still = None
        if self._recent.covered_ms() >= 0.6 * self.window_ms:
            speed = np.abs(np.asarray(self._recent.drift_rate(), dtype=float))
            known = speed[np.isfinite(speed)]
            still = None if known.size == 0 else bool(np.percentile(known, 90) <= self.max_speed)
        self._verdict = (self._recent.version, still)
        return still

    def pose(self) -> np.ndarray:
        """The body's landmarks of late (their median over the window) around the mid-hips, in torso lengths:
        comparable however the body sits in the picture."""
        pose = np.asarray(self._recent.median(), dtype=float)
        if pose.ndim != 2:
            return np.empty(0)
        return pose - np.nanmean(pose[_HIPS], axis=0)

    def same_pose(self, pose: np.ndarray, max_moved: float) -> bool:
        """Is the body where it was when ``pose`` was taken: three in four landmarks within ``max_moved``?"""
        now = self.pose()
        if now.shape != pose.shape:
            return False
        moved = np.linalg.norm(now - pose, axis=-1)
        moved = moved[np.isfinite(moved)]
        return moved.size > 0 and float(np.percentile(moved, 75)) <= max_moved


class HoldOwner(Protocol):
    """What the hold flow needs from its exercise."""

    records: list[RepRecord]

    def hold_target_s(self, side: str | None) -> float | None: ...

    def hold_begins(self) -> None: ...

    def file_hold(self, window: HoldWindow, side: str | None, events: list[Event]) -> None: ...


@dataclass(frozen=True)
class PendingHold:
    """A hold that ended in movement, kept aside in case the body settles again in the same position."""

    window: HoldWindow
    side: str | None
    votes: dict[str, int]
    announced: bool  # its target had been announced
    pose: np.ndarray  # the body's landmarks as it was last held (torso lengths), to tell a wobble from a new pose


class HoldFlow:
    """Turns a hold exercise's per-frame position into holds (see :meth:`step`); thresholds are the exercise's
    (:class:`formcheck.exercises.base.Thresholds`)."""

    def __init__(self, th, votes: SideVote, stillness: Stillness, owner: HoldOwner):
        self.th = th
        self._votes = votes  # the exercise's, shared: a hold's side is the side most of its frames showed
        self._stillness = stillness
        self._owner = owner
        self._timer = HoldTimer(grace_ms=th.hold_grace_ms, min_hold_ms=th.min_hold_ms)
        self._episodes = Episodes(release_ms=th.hold_grace_ms, min_ms=th.min_reach_ms)
        self._pending: PendingHold | None = None  # a hold that ended in movement, which may yet resume
        self._held_pose = np.empty(0)  # the body's landmarks as the last movement in a hold began
        self._moving_since: float | None = None
        self._placed_since: float | None = None  # in the target position, still, since (before arming)
        self._hold_from: float | None = None  # a hold that armed the counting started here
        self._target_announced = False

    @property
    def holding(self) -> bool:
        return self._timer.holding

    @property
    def busy(self) -> bool:
        """Holding, or in the target position without being still (a reach under way)."""
        return self._timer.holding or self._episodes.active

    def elapsed_s(self, t_ms: float) -> float:
        return self._timer.elapsed_s(t_ms)

    def placed(self, t: float, in_position: bool | None, armed: bool) -> bool:
        """Should counting arm now: the target position itself held still for ``placed_arm_ms``?

        The start position is there to keep moves made while getting into place from counting; a held
        stretch is no such move, so a hold is never lost for want of a recognised start.
        """
        if armed:
            self._placed_since = None
            return False
        if in_position is None:
            return False  # cannot see: neither starts nor ends the count
        placed = in_position and self._stillness.still() is not False
        self._placed_since = (self._placed_since if self._placed_since is not None else t) if placed else None
        if self._placed_since is not None and t - self._placed_since >= self.th.placed_arm_ms:
            self._hold_from, self._placed_since = self._placed_since, None
            return True
        return False

    def step(self, t: float, in_position: bool | None, side: str | None, armed: bool, events: list[Event]) -> None:
        """Time the still part of each stay in the target position; count every stay.

        A hold is timed while the body is in position and still. Moving in
        position for ``hold_moving_ms`` ends it at its last still moment,
        unless the body settles again within ``hold_merge_ms`` on the same
        side without leaving the position (a wobble, a re-grip, a landmark
        jump): then it is the same hold. A stay in position that is never
        still long enough to time (a quick reach) still counts, with its
        length in position as its hold time, so a short hold is flagged,
        not lost.
        """
        was = self._timer.holding
        held = in_position
        if held is not None:
            still = self._stillness.still()
            moving = bool(held) and still is False
            if moving and self._moving_since is None and self._timer.holding:
                self._held_pose = self._stillness.pose()  # the pose the hold was still in, as a movement begins
            self._moving_since = (self._moving_since or t) if moving else None
            held = bool(held and armed and still is not False)
        if self._moving_since is not None and t - self._moving_since >= self.th.hold_moving_ms:
            self._pend(self._timer.stop())
        elif held is not None:  # unknown neither starts nor ends a hold (losing the view for long does)
            self._close(self._timer.update(t, held), events)  # the position was left: over
        placed = None if in_position is None else bool(in_position and armed)
        episode = self._episodes.update(t, placed, side)
        if episode is not None:
            self._end_episode(episode, events)
        pending = self._pending
        if pending is not None and (in_position is False or t - pending.window.end_ms > self.th.hold_merge_ms):
            self._close_pending(events)
        if self._timer.holding and not was:
            self._begin(t, side, events)
        target = self._owner.hold_target_s(self._votes.winner() or side)
        if self._timer.holding and target and not self._target_announced and self._timer.elapsed_s(t) >= target:
            self._target_announced = True
            events.append(Event(t, "hold_target", f"{target:g} seconds: well held", self._votes.winner()))

    def end(self, events: list[Event]) -> None:
        """Close the hold, the hold set aside and the stay in position, whatever state they are in."""
        self._close(self._timer.stop(), events)
        self._close_pending(events)
        episode = self._episodes.close()
        if episode is not None:
            self._end_episode(episode, events)

    def _begin(self, t: float, side: str | None, events: list[Event]) -> None:
        """A still hold has begun: a new one, or the one set aside a moment ago resuming."""
        if self._hold_from is not None:  # the hold that armed the counting began before it
            self._timer.started_ms, self._hold_from = self._hold_from, None
        pending = self._pending
        same_side = pending is not None and (side is None or pending.side is None or side == pending.side)
        if same_side and self._stillness.same_pose(pending.pose, self.th.same_pose_max):
            self._timer.started_ms = pending.window.start_ms
            self._votes.counts = dict(pending.votes)
            self._target_announced, self._pending = pending.announced, None
            return
        if same_side and pending.window.end_ms - pending.window.start_ms < self.th.settle_max_ms:
            self._pending = None  # it was settling into this one
        self._close_pending(events)
        self._votes.reset()
        self._target_announced = False
        self._owner.hold_begins()
        events.append(Event(t, "hold_start", "Hold", side))

    def _pend(self, window: HoldWindow | None) -> None:
        """Set a hold that ended in movement aside: it resumes if the body settles again in position."""
        if window is not None:
            votes = self._votes
            self._pending = PendingHold(
                window, votes.winner(), dict(votes.counts), self._target_announced, self._held_pose
            )

    def _close_pending(self, events: list[Event]) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._close(pending.window, events, pending.side)

    def _end_episode(self, episode: Episode, events: list[Event]) -> None:
        """A stay in position is over (left, or the side changed): close its hold, or count it as a short one."""
        self._close(self._timer.stop(), events)
        self._close_pending(events)
        recent = self._owner.records[-3:]
        if not any(r.start_ms < episode.end_ms and r.end_ms > episode.start_ms for r in recent):
            self._close(HoldWindow(episode.start_ms, episode.end_ms), events, episode.side)

    def _close(self, window: HoldWindow | None, events: list[Event], side: str | None = None) -> None:
        if window is not None:
            self._owner.file_hold(window, side or self._votes.winner(), events)
