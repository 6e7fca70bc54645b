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

import math
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
    second (90th percentile of the coordinates, so one limb moving is enough to be moving), and the turning
    speed of the trunk, in degrees a second.

    The trunk is watched on its own because a slow hinge at the hips moves few landmarks (the shoulders and the
    head; the hanging arms hardly) and those slowly: a 15-35 degree lean toward the foot over 1-3 s turns the
    trunk at 8-30 degrees a second at its fastest, while its landmarks' 90th percentile stays at the level of a
    body holding still.
    """

    def __init__(self, window_ms: float, max_speed: float, max_turn: float = math.inf):
        self.window_ms = window_ms
        self.max_speed = max_speed
        self.max_turn = max_turn
        self._recent = RecentValues(window_ms)
        self._trunk = RecentValues(window_ms)  # the trunk's direction in the picture (a unit vector)
        self._verdict: tuple[bool, bool | None] = (False, None)  # (judged since the last frame came, verdict)

    def add(self, t_ms: float, pixels: np.ndarray) -> None:
        """One judged frame's landmarks in pixels."""
        self._recent.add(t_ms, pixels[BODY] / geometry.body_scale(pixels))
        trunk = geometry.mean_point(pixels, "left_shoulder", "right_shoulder") - geometry.mean_point(
            pixels, "left_hip", "right_hip"
        )
        length = float(np.linalg.norm(trunk))
        self._trunk.add(t_ms, trunk / length if np.isfinite(length) and length > 0 else None)
        self._verdict = (False, None)

    def still(self) -> bool | None:
        """None until enough recent frames are known. Judged once a frame (asked again, the verdict is kept)."""
        if not self._verdict[0]:
            self._verdict = (True, self._judge())
        return self._verdict[1]

    def _judge(self) -> bool | None:
        if not self._recent.covers(0.6):
            return None
        speed = np.abs(np.asarray(self._recent.drift_rate(robust=True), dtype=float))
        known = speed[np.isfinite(speed)]
        if known.size == 0:
            return None
        if np.percentile(known, 90) > self.max_speed:
            return False
        turn = np.asarray(self._trunk.drift_rate(robust=True), dtype=float)  # radians a second, about
        return not (turn.ndim == 1 and np.all(np.isfinite(turn)) and math.degrees(np.linalg.norm(turn)) > self.max_turn)

    def lag_ms(self) -> float:
        """How far behind the newest frame the moment a verdict of :meth:`still` describes lies: the middle of
        its window (about half of it). A hold begins and ends that much before the verdict changes."""
        return self._recent.lag_ms()

    def pose(self) -> Pose:
        """The body's landmarks of late (their median over the window) around the mid-hips, in torso lengths,
        comparable however the body sits in the picture, and the trunk's direction."""
        points = np.asarray(self._recent.median(), dtype=float)
        if points.ndim != 2:
            return Pose(np.empty(0), np.full(2, np.nan))
        trunk = np.atleast_1d(np.asarray(self._trunk.median(), dtype=float))
        return Pose(points - np.nanmean(points[_HIPS], axis=0), trunk if trunk.shape == (2,) else np.full(2, np.nan))

    def same_pose(self, pose: Pose, max_moved: float, max_turn: float) -> bool:
        """Is the body where it was when ``pose`` was taken: three in four landmarks within ``max_moved`` and the
        trunk turned by at most ``max_turn`` degrees (a hinge at the hips moves few landmarks)?"""
        now = self.pose()
        if now.points.shape != pose.points.shape:
            return False
        moved = np.linalg.norm(now.points - pose.points, axis=-1)
        moved = moved[np.isfinite(moved)]
        if moved.size == 0 or float(np.percentile(moved, 75)) > max_moved:
            return False
        turn = _angle_deg(now.trunk, pose.trunk)
        return not (math.isfinite(turn) and turn > max_turn)


@dataclass(frozen=True)
class Pose:
    """A held pose: the body's landmarks around the mid-hips in torso lengths, and the trunk's direction."""

    points: np.ndarray
    trunk: np.ndarray  # unit vector from the mid-hips to the mid-shoulders in the picture (NaN: unseen)


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    """Angle between two directions in degrees (NaN when one is unknown)."""
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    if not (math.isfinite(norm) and norm > 0):
        return math.nan
    return math.degrees(math.acos(float(np.clip(np.dot(a, b) / norm, -1.0, 1.0))))


class HoldOwner(Protocol):
    """What the hold flow needs from its exercise."""

    records: list[RepRecord]

    def hold_target_s(self, side: str | None) -> float | None: ...

    def hold_begins(self) -> None: ...

    def setting_up(self, window: HoldWindow, next_from_ms: float) -> bool | None: ...

    def file_hold(self, window: HoldWindow, side: str | None, events: list[Event]) -> None: ...


@dataclass(frozen=True)
class PendingHold:
    """A hold that ended in movement, kept aside in case the body settles again in the same position."""

    window: HoldWindow
    side: str | None
    votes: dict[str, int]
    announced: bool  # its target had been announced
    pose: Pose  # the body as it was last held, to tell a wobble from a new pose


class HoldFlow:
    """Turns a hold exercise's per-frame position into holds (see :meth:`step`); thresholds are the exercise's
    (:class:`formcheck.exercises.base.Thresholds`)."""

    def __init__(self, th, votes: SideVote, stillness: Stillness, owner: HoldOwner):
        self.th = th
        self._votes = votes  # the exercise's, shared: a hold's side is the side most of its frames showed
        self._stillness = stillness
        self._owner = owner
        # Still stretches of any length are kept (min_hold_ms applies when a hold is filed): at a low frame
        # rate or with a jittery model the stillness verdict flickers, and the short still stretches between
        # flickers are one hold, merged as it resumes, not passing moments to drop.
        self._timer = HoldTimer(grace_ms=th.hold_grace_ms, min_hold_ms=0.0)
        self._still_t: float | None = None  # the moment the last stillness verdict describes (see step)
        self._episodes = Episodes(release_ms=th.hold_grace_ms, min_ms=th.min_reach_ms)
        self._pending: PendingHold | None = None  # a hold that ended in movement, which may yet resume
        self._held_pose = Pose(np.empty(0), np.full(2, np.nan))  # the body as the last movement in a hold began
        self._moving_since: float | None = None
        self._placed_since: float | None = None  # in the target position, still, since (before arming)
        self._hold_from: float | None = None  # a hold that armed the counting started here
        self._target_announced = False
        self._stay_sides: set[str | None] = set()  # the sides a hold was filed on during the current stay in position

    @property
    def holding(self) -> bool:
        return self._timer.holding

    @property
    def busy(self) -> bool:
        """Holding, or in the target position without being still (a reach under way)."""
        return self._timer.holding or self._episodes.active

    def elapsed_s(self, t_ms: float) -> float:
        return self._timer.elapsed_s(self._still_t if self._still_t is not None else t_ms)

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
        side in the same pose without leaving the position (a wobble, a
        re-grip, a landmark jump): then it is the same hold. A still moment
        shorter than ``settle_max_ms`` followed, without leaving the
        position, by a new pose on the same side was settling into it (a
        leg crossed before the pull, standing tall before the hinge), however
        slowly the body moved on; the exercise may know better
        (:meth:`HoldOwner.setting_up`): a leg crossed but not yet pulled in,
        as between two pulls, is a set-up of any length, and a pull let go to
        that rest is a hold however short. A stay in position that is never still
        long enough to time (a quick reach) still counts, with its length in
        position as its hold time, so a short hold is flagged, not lost.
        """
        was = self._timer.holding
        held = in_position
        # The timer runs on the moment the stillness verdict describes, the middle of its window, not on the
        # newest frame: the verdict turns "still" about half a window after the body stopped, and "moving"
        # about as long after it set off, so the hold is dated where it happened. Never earlier than the
        # stay in position it belongs to began.
        still_t = t - self._stillness.lag_ms()
        if self._episodes.start_ms is not None:
            still_t = max(still_t, self._episodes.start_ms)
        if self._still_t is not None:  # and never earlier than the last frame's (the window's lag varies)
            still_t = max(still_t, self._still_t)
        self._still_t = still_t
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
            self._close(self._timer.update(still_t, held), events)  # the position was left: over
        placed = None if in_position is None else bool(in_position and armed)
        episode = self._episodes.update(t, placed, side)
        if episode is not None:
            self._end_episode(episode, events)
        if self._timer.holding and not was:
            self._begin(t, side, events)
        target = self._owner.hold_target_s(self._votes.winner() or side)
        if self._timer.holding and target and not self._target_announced and self.elapsed_s(t) >= target:
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
        soon = pending is not None and self._timer.started_ms - pending.window.end_ms <= self.th.hold_merge_ms
        if same_side and soon and self._stillness.same_pose(pending.pose, self.th.same_pose_max, self.th.same_turn_max):
            self._timer.started_ms = pending.window.start_ms
            self._votes.counts = dict(pending.votes)
            self._target_announced, self._pending = pending.announced, None
            return
        settling = own = False
        if pending is not None:
            verdict = self._owner.setting_up(pending.window, self._timer.started_ms)
            own = verdict is False  # the exercise knows it for a hold of its own, however short
            settling = (
                verdict
                if verdict is not None
                else (pending.window.end_ms - pending.window.start_ms < self.th.settle_max_ms)
            )
        if same_side and settling:
            self._pending = None  # it was settling into this one
        self._close_pending(events, own=own)
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

    def _close_pending(self, events: list[Event], *, own: bool = False) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._close(pending.window, events, pending.side, own=own)

    def _end_episode(self, episode: Episode, events: list[Event]) -> None:
        """A stay in position is over (left, or the side changed): close its hold, or count it as a short one."""
        self._close(self._timer.stop(), events)
        self._close_pending(events)
        recent = self._owner.records[-3:]
        if not any(r.start_ms < episode.end_ms and r.end_ms > episode.start_ms for r in recent):
            self._close(HoldWindow(episode.start_ms, episode.end_ms), events, episode.side)
        self._stay_sides.clear()

    def _close(
        self, window: HoldWindow | None, events: list[Event], side: str | None = None, *, own: bool = False
    ) -> None:
        """File a hold that is over; one shorter than ``min_hold_ms`` was passing through the position, and a still
        moment shorter than ``settle_max_ms`` after a hold on the same side, without leaving the position, was on
        the way out of it (a foot lifted off the step pauses before it comes down), unless the exercise knows it
        for a hold of its own (``own``: :meth:`HoldOwner.setting_up` said so)."""
        if window is None or window.end_ms - window.start_ms < self.th.min_hold_ms:
            return
        side = side or self._votes.winner()
        if window.end_ms - window.start_ms < self.th.settle_max_ms and side in self._stay_sides and not own:
            return
        self._stay_sides.add(side)
        self._owner.file_hold(window, side, events)
