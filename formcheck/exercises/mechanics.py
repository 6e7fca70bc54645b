"""Shared mechanics every exercise is built from: hysteresis, rep counting, hold timing, fault debouncing.

Each is a small state machine fed one value per frame with its timestamp. A
value of ``None`` (or NaN) means "cannot see": it never starts or ends
anything on its own, so a landmark dropout cannot create or break a rep, a
hold or a fault.
"""

from __future__ import annotations

import math
import warnings
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def unknown(value: float | bool | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class Hysteresis:
    """A boolean with separate switch-on and switch-off thresholds.

    With ``rising`` the state turns on at ``value >= on`` and off at
    ``value <= off`` (so ``off < on``); otherwise the other way round. Values
    between the two thresholds keep the state, which stops flicker at a
    threshold from producing extra transitions.
    """

    def __init__(self, on: float, off: float, *, rising: bool = True):
        if (off >= on) if rising else (off <= on):
            raise ValueError(f"off threshold {off} must be on the far side of on threshold {on}")
        self.on, self.off, self.rising = on, off, rising
        self.state = False

    def update(self, value: float | None, on: float | None = None) -> bool:
        """The state after ``value``; ``on``, if given, replaces the switch-on threshold for this value only."""
        if unknown(value):
            return self.state
        on = self.on if on is None else on
        if self.rising:
            self.state = value >= on if not self.state else value > self.off
        else:
            self.state = value <= on if not self.state else value < self.off
        return self.state


@dataclass(frozen=True)
class RepWindow:
    """A completed rep: when it left the rest position and when it came back."""

    start_ms: float
    end_ms: float
    peak: float  # the signal's extreme value during the rep


class RepCounter:
    """Counts excursions of a signal: rest -> active (past ``on``) -> rest (back past ``off``).

    A rep counts only if it lasted at least ``min_rep_ms`` and began at least
    ``refractory_ms`` after the previous counted one ended; shorter flickers are
    swings or noise, not reps. The counter must be ``armed`` (the exercise has
    seen its start position) before an excursion ends, so movements made while
    getting into position count nothing; one already under way when it is armed
    (a knee up as the recording starts) counts from where it began.
    """

    def __init__(
        self, on: float, off: float, *, rising: bool = True, min_rep_ms: float = 400.0, refractory_ms: float = 250.0
    ):
        self._state = Hysteresis(on, off, rising=rising)
        self.rising = rising
        self.min_rep_ms, self.refractory_ms = min_rep_ms, refractory_ms
        self.started_ms: float | None = None
        self._peak = math.nan
        self._last_end_ms = -math.inf
        self._start_at: float | None = None
        self._unarmed: tuple[float, float] | None = None  # (t_ms, value) an excursion began at before arming

    @property
    def in_rep(self) -> bool:
        return self.started_ms is not None

    def start_at(self, on: float) -> None:
        """Let the next value start a rep from ``on``, a switch-on threshold short of the usual one, for that value
        only: the exercise has seen a start the usual threshold would miss (a low step lifted quickly)."""
        self._start_at = on

    def update(self, t_ms: float, value: float | None, *, armed: bool = True) -> RepWindow | None:
        was = self._state.state
        now = self._state.update(value, self._start_at)
        self._start_at = None
        if not now:
            self._unarmed = None
        if now and not was:
            if armed and t_ms - self._last_end_ms >= self.refractory_ms:
                self.started_ms, self._peak = t_ms, value
            elif not armed:
                self._unarmed = (t_ms, value)
            return None  # otherwise this excursion is void: it ends without counting
        if now and armed and self._unarmed is not None:
            # Armed while already past the switch-on threshold (a foot up as the recording starts): the movement
            # began before counting did, and counts from there.
            self.started_ms, self._peak = self._unarmed
            self._unarmed = None
        if now and self.in_rep and not unknown(value):
            self._peak = max(self._peak, value) if self.rising else min(self._peak, value)
        if was and not now and self.in_rep:
            start, peak = self.started_ms, self._peak
            self.started_ms = None
            if t_ms - start >= self.min_rep_ms:
                self._last_end_ms = t_ms
                return RepWindow(start, t_ms, peak)
        return None

    def close(self, t_ms: float) -> RepWindow | None:
        """The recording ends (at ``t_ms``) in the middle of a rep: one that has lasted ``min_rep_ms`` counts,
        as a person watching counts a press-up held up to the end of the clip."""
        start, self.started_ms = self.started_ms, None
        if start is None or t_ms - start < self.min_rep_ms:
            return None
        return RepWindow(start, t_ms, self._peak)

    def cancel(self) -> None:
        """Drop a rep in progress (the view was lost, the person left); the signal must return to rest."""
        self.started_ms = self._unarmed = None


class MovementStart:
    """Reps made before counting started, kept in case they are the set: counting follows the movement.

    Counting starts on the start position, so that moves made while getting into place count nothing. But a
    camera's angle can misread a good start position (a thigh held upright, seen from above, reads 60 degrees
    instead of 90), and a set begun from it must not be refused. Fed the rep signal while counting has not
    started, this counts its excursions as the rep counter would; ``needed`` of them in a row, each beginning at
    most ``max_gap_ms`` after the one before ended, are unmistakably the exercise and are handed back, with the
    side each showed most, to be counted.
    """

    def __init__(self, counter: RepCounter, needed: int, max_gap_ms: float):
        self._counter = counter
        self.needed, self.max_gap_ms = needed, max_gap_ms
        self._reps: list[tuple[RepWindow, str | None]] = []
        self._votes = SideVote()

    def update(self, t_ms: float, value: float | None, side: str | None) -> list[tuple[RepWindow, str | None]]:
        """One frame's signal and side; the reps to count now (empty until the movement is unmistakable)."""
        was = self._counter.in_rep
        window = self._counter.update(t_ms, value)
        if self._counter.in_rep:
            if not was:
                self._votes.reset()
            self._votes.add(side)
        if window is None:
            return []
        if self._reps and window.start_ms - self._reps[-1][0].end_ms > self.max_gap_ms:
            self._reps.clear()
        self._reps.append((window, self._votes.winner()))
        if len(self._reps) < self.needed:
            return []
        done, self._reps = self._reps, []
        return done

    def reset(self) -> None:
        """Forget the reps kept so far (the person left the view)."""
        self._reps.clear()
        self._counter.cancel()


@dataclass
class _Extreme:
    """The lowest or highest point of a signal since its last swing (see :class:`AlternationCounter`)."""

    value: float
    near_ms: float  # the last moment the signal was near it
    reached_value: float  # the value when it was last reached (moved only by a new extreme beyond jitter)
    arrived_ms: float  # the last moment the signal came to it: reached so, or back after swinging away
    visits: int = 1  # how many times it came to it
    away: bool = False  # the signal is a whole swing away from it now

    @classmethod
    def at(cls, t_ms: float, value: float) -> _Extreme:
        return cls(value, t_ms, value, t_ms)


class AlternationCounter:
    """Counts swings of a signal back and forth: each swing the other way, wide enough, is a rep.

    Counting follows the movement, not fixed levels: a camera's angle and a
    body's shape shift the value read for every position (a foot's angle by
    10-30 degrees), so a swing is told by how far the signal travelled, turning
    point to turning point, not by where it went. It counts when it arrives
    (the signal stops going that way: it turns back by a quarter of
    ``min_swing``, or makes no new extreme for ``settle_ms``), if it spanned
    ``min_swing`` and, once swings both ways have been seen, it went ``share``
    of the way from where swings usually turn at one end to where they usually
    turn at the other (the medians of the last few turning points): a swing to
    the middle, such as relaxing after the last one, is none. The first
    movement after arming counts too, either way. Where it started tells one
    end before both have been seen: outside the ``neutral`` band (a start in
    position) it is where swings turn at that end; inside it (a start at
    rest), a swing back counts once it passes that rest by half of
    ``min_swing``, so that relaxing back straight after the first swing is not
    a second one. A rest is only a guess: a neutral band sits where the camera
    puts it, and a person may start in position inside it. So a swing back
    that keeps turning at the same place, a second time after swinging away,
    counts there, and that place is taken as the end. It
    follows the median of the last three values: a lone frame far off is a
    landmark's jump, not a turning point.

    A set begun from rest, between the ends, begins with half a swing: from
    the rest to one end, then on past the rest to the other. Where the signal
    sat still for ``rest_ms`` as it was armed, went half of ``min_swing`` one
    way and then came back past that rest by as much, heading for the other
    end, that half swing was the first rep (the rest is then known).

    The interface is :class:`RepCounter`'s. ``zone`` says which way the last
    counted swing went: "low" (down) or "high" (up). The window runs from the
    last moment the signal was at the turning point it left to the moment it
    reached the one it arrived at (known a moment later, at the count); it
    counts only if it lasted ``min_rep_ms`` and began ``refractory_ms`` after
    the previous counted one ended. A swing too short to count still turns the
    counter, so one jerk neither counts nor makes the next real swing miss.
    ``peak`` is the value it arrived at.
    """

    def __init__(
        self,
        min_swing: float,
        *,
        share: float = 0.7,
        typical_of: int = 3,
        settle_ms: float = 150.0,
        neutral: tuple[float, float] | None = None,
        min_rep_ms: float = 250.0,
        refractory_ms: float = 0.0,
        rest_ms: float = 500.0,
    ):
        if min_swing <= 0:
            raise ValueError(f"the smallest swing must be positive, not {min_swing}")
        self.min_swing, self.share, self.settle_ms, self.neutral = min_swing, share, settle_ms, neutral
        self.rest_ms = rest_ms
        self._origin: _Extreme | None = None  # where the signal was as it was armed, and until when it stayed there
        self._rest: float | None = None  # where the first swing started, when that was in the neutral band
        self.min_rep_ms, self.refractory_ms = min_rep_ms, refractory_ms
        self.zone: str | None = None  # "low" / "high": which way the last swing went (None before the first)
        self.started_ms: float | None = None  # set while the signal is away from the turning point it left
        # The lowest and the highest point since the last swing; None until armed.
        self._low: _Extreme | None = None
        self._high: _Extreme | None = None
        # Where the last few counted swings arrived, each way: where this person's swings usually turn.
        self._turns: dict[str, deque[float]] = {way: deque(maxlen=typical_of) for way in ("low", "high")}
        self._last3: deque[float] = deque(maxlen=3)
        self._last_end_ms = -math.inf

    @property
    def in_rep(self) -> bool:
        """Armed and away from the last turning point: swinging."""
        return self.started_ms is not None

    def _track(self, t_ms: float, value: float) -> None:
        """Follow the extremes since the last swing. A value near one (a quarter of the smallest swing) renews
        its last moment, so a pause at a turning point ends when the signal leaves it; the moment it was
        reached moves only with a new extreme beyond an eighth of that, not with jitter during the pause."""
        near = self.min_swing / 4
        for point, lower in ((self._low, True), (self._high, False)):
            if (value < point.value) if lower else (value > point.value):
                point.value = value
                if abs(value - point.reached_value) > near / 2:
                    point.arrived_ms, point.reached_value = t_ms, value
            if abs(value - point.value) <= near:
                point.near_ms = t_ms
                if point.away:
                    point.visits, point.away, point.arrived_ms = point.visits + 1, False, t_ms
            elif abs(value - point.value) >= self.min_swing:
                point.away = True

    def _far_enough(self, way: str, value: float) -> bool:
        """Did a swing arriving at ``value`` go ``share`` of the usual way (True until both ends are known)?"""
        ends = {w: float(np.median(turns)) for w, turns in self._turns.items() if turns}
        if len(ends) == 1 and self._rest is not None and way not in ends:  # that end unseen: past the rest
            margin = self.min_swing / 2
            return value <= self._rest - margin if way == "low" else value >= self._rest + margin
        if len(ends) < 2:
            return True
        low, high = ends["low"], ends["high"]
        past = high - (high - low) * self.share if way == "low" else low + (high - low) * self.share
        return value <= past if way == "low" else value >= past

    def update(self, t_ms: float, value: float | None, *, armed: bool = True) -> RepWindow | None:
        if not armed:
            self.cancel()
            return None
        if unknown(value):
            return None
        self._last3.append(value)
        value = float(np.median(self._last3))  # a lone frame far off is a landmark's jump, not a turning point
        if self._low is None or self._high is None:  # the first value armed: the signal starts here
            self._low, self._high = _Extreme.at(t_ms, value), _Extreme.at(t_ms, value)
            self._origin = _Extreme.at(t_ms, value)
            return None
        self._track(t_ms, value)
        self.started_ms = None
        half = self._half_swing_from_rest(t_ms, value)
        if half is not None:
            return half
        for way, (start, end) in (("high", (self._low, self._high)), ("low", (self._high, self._low))):
            width = abs(end.value - start.value)
            if self.zone == way or start.arrived_ms > end.arrived_ms or width <= self.min_swing / 4:
                continue  # the last swing went this way, or the signal has not gone from start to end
            if start.near_ms > end.arrived_ms:
                continue  # it came back to the start short of a swing (the start crept by jitter since): none
            self.started_ms = start.near_ms
            arrived = abs(value - end.value) > self.min_swing / 4 or t_ms - end.arrived_ms >= self.settle_ms
            if not arrived or width < self.min_swing:
                continue
            if not self._far_enough(way, end.value) and not (self._rest is not None and end.visits > 1):
                continue
            if not (self._turns["low"] or self._turns["high"]):  # the first swing: what its start tells
                if self.neutral and self.neutral[0] < start.value < self.neutral[1]:
                    # where it sat still before setting off, if it did (the lowest or highest value since it was
                    # armed may be a moment of settling into that rest)
                    origin = self._origin
                    self._rest = origin.value if origin is not None and origin.away else start.value
                else:
                    self._turns["low" if way == "high" else "high"].append(start.value)
            elif not self._turns[way]:  # the other end is seen: no more guessing
                self._rest = None
            self._turns[way].append(end.value)
            self.zone, self.started_ms = way, None
            begun, reached, peak = start.near_ms, end.arrived_ms, end.value
            if way == "high":  # the next swing starts from where this one arrived
                self._low = _Extreme.at(t_ms, value)
            else:
                self._high = _Extreme.at(t_ms, value)
            if reached - begun >= self.min_rep_ms and begun - self._last_end_ms >= self.refractory_ms:
                self._last_end_ms = reached
                return RepWindow(begun, reached, peak)
            return None
        return None

    def _half_swing_from_rest(self, t_ms: float, value: float) -> RepWindow | None:
        """The first rep of a set begun from rest, counted as the signal comes back past the rest (see the class
        docstring); None otherwise."""
        origin = self._origin
        if origin is None or self._turns["low"] or self._turns["high"]:
            return None
        if not origin.away and abs(value - origin.value) <= self.min_swing / 4:
            origin.near_ms = t_ms
            return None
        if not origin.away and origin.near_ms - origin.arrived_ms < self.rest_ms:
            self._origin = _Extreme.at(t_ms, value)  # not still there for long: still settling, perhaps here
            return None
        origin.away = True  # it left the rest: a half swing from it, or none
        margin = self.min_swing / 2
        for way, end, back in (
            ("low", self._low, value >= origin.value + margin),
            ("high", self._high, value <= origin.value - margin),
        ):
            if not (back and abs(end.value - origin.value) >= margin and end.arrived_ms > origin.near_ms):
                continue
            self._origin = None
            self._rest, self.zone = origin.value, way
            self._turns[way].append(end.value)
            if way == "low":  # the next swing starts from where this one arrived
                self._high = _Extreme.at(t_ms, value)
            else:
                self._low = _Extreme.at(t_ms, value)
            if end.arrived_ms - origin.near_ms >= self.min_rep_ms:
                self._last_end_ms = end.arrived_ms
                return RepWindow(origin.near_ms, end.arrived_ms, end.value)
            return None
        return None

    def cancel(self) -> None:
        """Drop the swing in progress and the last turn (the view was lost): counting restarts once re-armed.
        Where the swings turned stays: the person's swing has not changed."""
        self.started_ms, self.zone, self._low, self._high, self._origin = None, None, None, None, None
        self._last3.clear()

    def forget(self) -> None:
        """Drop where the swings turned too: the signal now reads another way (counting restarts afresh)."""
        self.cancel()
        self._rest = None
        for turns in self._turns.values():
            turns.clear()


class PairedAlternation:
    """Two signals that make the same swings, each followed by its own :class:`AlternationCounter`: every swing
    of the lead (``lead``: 0 or 1, the first signal at first) is a rep, and a swing of the other is one when the
    lead stayed put through it (it is within ``still_by`` of where it was as the swing began, and made no
    counted swing meanwhile). A rep begins no earlier than the one before it ended: a limb that drifted while the
    other made a counted swing started its own swing after that one.

    For a movement done by two limbs at once, such as a nerve floss's two feet (the far one mirrored): one may
    move while the other stays put (both feet pulled after one pulled is one foot's swing alone). The lead is
    the limb seen better; the other's swings while the lead also moves are not counted again, so a limb that
    the model reads lagging or jumping adds nothing then. ``update`` takes the pair of values (either may be
    unknown). ``by`` says whose swing counted last (0 or 1) and ``zone`` which way it went. A signal unseen for
    ``lost_ms`` starts afresh when it comes back, so that no swing is measured from where it was last seen.
    """

    def __init__(self, make: Callable[[], AlternationCounter], *, still_by: float, lost_ms: float, memory_ms: float):
        self._counters = (make(), make())
        self.still_by, self.lost_ms = still_by, lost_ms
        self._lead = RecentValues(memory_ms)  # the lead's values lately, to tell whether it stayed put
        self._seen_ms = [-math.inf, -math.inf]
        self._lead_swing: RepWindow | None = None  # the lead's last counted swing
        self._last_end_ms = -math.inf  # where the last counted rep (either signal's) ended
        self._switched_ms = -math.inf  # ... as the lead last changed
        self.lead = 0
        self.by: int | None = None

    @property
    def zone(self) -> str | None:
        return None if self.by is None else self._counters[self.by].zone

    @property
    def in_rep(self) -> bool:
        return any(c.in_rep for c in self._counters)

    def _lead_stayed(self, window: RepWindow, t_ms: float) -> bool:
        """Did the lead stay put from the swing's start until now (the swing is counted a moment after it
        arrived, by when a lead that was only slower to start is seen on its way)?"""
        if self._lead_swing is not None and self._lead_swing.end_ms > window.start_ms:
            return False
        moved = self._lead.last_before(t_ms, self.lost_ms) - self._lead.last_before(window.start_ms, self.lost_ms)
        return abs(moved) < self.still_by  # False when the lead was unseen then

    def lead_by(self, lead: int) -> None:
        """Make signal ``lead`` the lead. A swing the new lead has under way still counts, unless it began before
        the last counted rep ended (then it is that rep, seen on the other signal)."""
        if lead != self.lead:
            self.lead = lead
            self._lead.clear()
            self._lead_swing = None
            self._switched_ms = self._last_end_ms

    def update(self, t_ms: float, value: tuple[float | None, float | None], *, armed: bool = True) -> RepWindow | None:
        self._lead.add(t_ms, value[self.lead] if armed else None)
        windows = []
        for k, (counter, v) in enumerate(zip(self._counters, value)):
            if armed and not unknown(v):
                if t_ms - self._seen_ms[k] > self.lost_ms:
                    counter.cancel()
                self._seen_ms[k] = t_ms
            windows.append(counter.update(t_ms, v, armed=armed))
        # A swing that arrived before the last counted rep ended is that rep, seen late on the other signal.
        windows = [w if w is not None and w.end_ms > self._last_end_ms else None for w in windows]
        other, lead = 1 - self.lead, windows[self.lead]
        if lead is not None and lead.start_ms >= self._switched_ms:
            self.by, self._lead_swing = self.lead, lead
        elif windows[other] is not None and self._lead_stayed(windows[other], t_ms):
            self.by = other
        else:
            return None
        window = windows[self.by]
        window = RepWindow(max(window.start_ms, min(self._last_end_ms, window.end_ms)), window.end_ms, window.peak)
        self._last_end_ms = window.end_ms
        return window

    def cancel(self) -> None:
        for counter in self._counters:
            counter.cancel()

    def forget(self) -> None:
        for counter in self._counters:
            counter.forget()
        self._lead.clear()
        self._lead_swing = None


@dataclass(frozen=True)
class HoldWindow:
    start_ms: float
    end_ms: float

    @property
    def duration_s(self) -> float:
        return (self.end_ms - self.start_ms) / 1000.0


class HoldTimer:
    """Times how long a position is held.

    The hold starts when ``in_position`` turns true. It survives a dropout
    (``None``) or a brief lapse shorter than ``grace_ms``; it ends at the last
    moment the position was seen once the lapse lasts longer, and holds
    shorter than ``min_hold_ms`` are ignored as passing through the position.
    """

    def __init__(self, *, grace_ms: float = 600.0, min_hold_ms: float = 500.0):
        self.grace_ms, self.min_hold_ms = grace_ms, min_hold_ms
        self.started_ms: float | None = None
        self._last_seen_ms: float | None = None

    @property
    def holding(self) -> bool:
        return self.started_ms is not None

    def elapsed_s(self, t_ms: float) -> float:
        if self.started_ms is None:
            return 0.0
        return (t_ms - self.started_ms) / 1000.0

    def update(self, t_ms: float, in_position: bool | None) -> HoldWindow | None:
        if in_position:
            if self.started_ms is None:
                self.started_ms = t_ms
            self._last_seen_ms = t_ms
            return None
        if self.started_ms is None or self._last_seen_ms is None:
            return None
        if t_ms - self._last_seen_ms <= self.grace_ms:
            return None  # a lapse or a dropout shorter than the grace period
        return self.stop()

    def stop(self) -> HoldWindow | None:
        """End the current hold now (at the last moment it was seen)."""
        start, end = self.started_ms, self._last_seen_ms
        self.started_ms = self._last_seen_ms = None
        if start is None or end is None or end - start < self.min_hold_ms:
            return None
        return HoldWindow(start, end)


@dataclass(frozen=True)
class FaultChange:
    fault_id: str
    started: bool  # True: fault began (at t_ms); False: it ended
    t_ms: float


class FaultDebouncer:
    """Turns per-frame fault flags into fault start/end times.

    A fault starts once it has been seen continuously for ``debounce_ms`` (the
    start time is when it was first seen) and ends once it has been absent for
    ``debounce_ms``. ``None`` (cannot judge) neither starts nor ends a fault.
    """

    def __init__(self, debounce_ms: float = 400.0):
        self.debounce_ms = debounce_ms
        self.active: dict[str, float] = {}  # fault id -> start time
        self._seen_since: dict[str, float] = {}
        self._clear_since: dict[str, float] = {}

    def update(self, t_ms: float, flags: dict[str, bool | None]) -> list[FaultChange]:
        changes = []
        for fault_id, flag in flags.items():
            if flag is None:
                continue
            if flag:
                self._clear_since.pop(fault_id, None)
                first = self._seen_since.setdefault(fault_id, t_ms)
                if fault_id not in self.active and t_ms - first >= self.debounce_ms:
                    self.active[fault_id] = first
                    changes.append(FaultChange(fault_id, True, first))
            else:
                self._seen_since.pop(fault_id, None)
                if fault_id in self.active:
                    cleared = self._clear_since.setdefault(fault_id, t_ms)
                    if t_ms - cleared >= self.debounce_ms:
                        del self.active[fault_id]
                        del self._clear_since[fault_id]
                        changes.append(FaultChange(fault_id, False, cleared))
        return changes

    def close_all(self, t_ms: float) -> list[FaultChange]:
        """End every active fault (end of the exercise or of a rep)."""
        changes = [FaultChange(f, False, self._clear_since.get(f, t_ms)) for f in self.active]
        self.active.clear()
        self._seen_since.clear()
        self._clear_since.clear()
        return changes


class SideVote:
    """Picks the side a stretch of frames belongs to by majority, ignoring frames that could not tell."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def add(self, side: str | None) -> None:
        if side:
            self.counts[side] = self.counts.get(side, 0) + 1

    def winner(self) -> str | None:
        return max(self.counts, key=self.counts.get) if self.counts else None

    def reset(self) -> None:
        self.counts.clear()


class RecentValues:
    """The values seen over the last ``window_ms``: a rolling baseline or a stillness test.

    For example the floor level under a foot (the largest image-y of the last
    few seconds) or whether a resting foot has stayed put (a small
    :meth:`span`). Values are numbers or equal-shape arrays, taken
    elementwise; an unknown value (None or NaN) is not stored, so a dropout
    neither moves a baseline nor breaks stillness on its own.
    """

    def __init__(self, window_ms: float):
        self.window_ms = window_ms
        self._items: deque[tuple[float, np.ndarray]] = deque()

    def add(self, t_ms: float, value) -> None:
        """Store ``value`` seen at ``t_ms`` and forget values older than the window."""
        # A value exactly one window old stays, give or take a millisecond: at 15 fps a 600 ms window spans nine
        # frame intervals, and whether its oldest frame fell out would hang on float rounding (a run's times
        # against the same times read back from its track, stored to the microsecond).
        while self._items and self._items[0][0] < t_ms - self.window_ms - 1.0:
            self._items.popleft()
        if value is None:
            return
        arr = np.asarray(value, dtype=float)
        if np.all(np.isnan(arr)):
            return
        self._items.append((t_ms, arr))

    def covered_ms(self) -> float:
        """Time between the oldest and the newest stored value (0 with fewer than two)."""
        return self._items[-1][0] - self._items[0][0] if len(self._items) > 1 else 0.0

    def covers(self, share: float = 0.8) -> bool:
        """Do the stored values reach back over ``share`` of the window, give or take one frame interval?

        The oldest value kept lies anywhere up to one frame interval inside the window's edge: at 10 fps, or
        with frames lost on a loaded machine, a 500 ms window of frames that arrive every 100-300 ms can cover
        as little as 250 ms though the values go back as far as the window allows. The typical (median)
        interval between the stored values is added back.
        """
        n = len(self._items)
        if n < 2:
            return False
        times = np.array([t for t, _ in self._items])
        return self.covered_ms() + float(np.median(np.diff(times))) >= share * self.window_ms

    def values(self) -> np.ndarray:
        """The stored values stacked oldest first, shape ``(n, *value_shape)``; ``(0,)`` when nothing is stored.
        For what no elementwise reduction gives, e.g. the main direction of a set of vectors."""
        return np.stack([v for _, v in self._items]) if self._items else np.empty(0)

    def _reduce(self, fn):
        if not self._items:
            return math.nan
        values = np.stack([v for _, v in self._items])
        with warnings.catch_warnings():  # an element unknown throughout reads NaN, without a warning
            warnings.simplefilter("ignore", RuntimeWarning)
            return _plain(fn(values, axis=0))

    def max(self):
        """Elementwise largest stored value; NaN when nothing is stored."""
        return self._reduce(np.nanmax)

    def min(self):
        """Elementwise smallest stored value; NaN when nothing is stored."""
        return self._reduce(np.nanmin)

    def span(self, share: float = 1.0):
        """Elementwise max - min of the stored values: 0 for a single value, NaN when nothing is stored. With
        ``share`` below 1, the spread of the middle ``share`` of the values (0.8: the 10th to the 90th
        percentile), which a few frames far off (a landmark jump) do not widen."""
        lo, hi = 50 * (1 - share), 50 * (1 + share)
        return self._reduce(lambda v, axis: _nanpercentile(v, hi, axis) - _nanpercentile(v, lo, axis))

    def median(self):
        """Elementwise median of the stored values (a typical value, robust to brief outliers); NaN when empty."""
        return self._reduce(_nanmedian)

    def percentile(self, q: float):
        """Elementwise ``q``-th percentile of the stored values (a low or high level that a few frames far off do
        not move, as they move :meth:`min` and :meth:`max`); NaN when empty."""
        return self._reduce(lambda v, axis: _nanpercentile(v, q, axis))

    def drift_rate(self, robust: bool = False):
        """Elementwise speed of the values, per second: the mean of the newer half of the window minus the
        mean of the older half, over the time between the two halves' mean times.

        A movement shows as a drift; frame-to-frame jitter averages out, where
        :meth:`span` would grow with it. Dividing by the halves' time apart
        makes it the same at any frame rate (at 5 fps a 400 ms window holds
        three frames, whose halves lie farther apart than at 30 fps). With
        ``robust`` each half is summed up by its median instead of its mean, so
        one frame far off (a landmark jump) does not read as a movement. NaN
        with fewer than two values.
        """
        n = len(self._items)
        if n < 2:
            return math.nan
        times = np.array([t for t, _ in self._items])
        values = np.stack([v for _, v in self._items])
        apart_s = (times[n // 2 :].mean() - times[: n // 2].mean()) / 1000.0
        if apart_s <= 0:
            return math.nan
        centre = _nanmedian if robust else np.nanmean
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return _plain((centre(values[n // 2 :], axis=0) - centre(values[: n // 2], axis=0)) / apart_s)

    def lag_ms(self) -> float:
        """How long ago the middle of the stored values was: a verdict on the whole window (:meth:`drift_rate`)
        describes that moment, not the newest value. 0 with fewer than two values."""
        if len(self._items) < 2:
            return 0.0
        return float(self._items[-1][0] - np.mean([t for t, _ in self._items]))

    def clear(self) -> None:
        self._items.clear()

    def last_before(self, t_ms: float, within_ms: float) -> float:
        """The last value stored at or before ``t_ms``, if stored no more than ``within_ms`` before it; else NaN."""
        for t, value in reversed(self._items):
            if t <= t_ms:
                return _plain(value) if t >= t_ms - within_ms else math.nan
        return math.nan

    def during(self, start_ms: float, end_ms: float) -> RecentValues:
        """The stored values seen from ``start_ms`` to ``end_ms``, as values of their own."""
        part = RecentValues(self.window_ms)
        part._items.extend(item for item in self._items if start_ms <= item[0] <= end_ms)
        return part


def _plain(value):
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value


# NumPy's nan-aware median and percentile take a masked-array or per-column path that costs about 100x their plain
# counterparts on the few dozen values of a window (a third of the time judging a recorded track); these give the
# same numbers, bit for bit.
def _nanmedian(values: np.ndarray, axis: int = 0):
    if not np.isnan(values).any():
        return np.median(values, axis=axis)
    ordered = np.sort(values, axis=axis)  # NaN sorts last: each column's known values lead
    known = np.count_nonzero(~np.isnan(ordered), axis=axis)
    low, high = (
        np.take_along_axis(ordered, np.expand_dims(np.maximum(i, 0), axis), axis)
        for i in ((known - 1) // 2, known // 2)
    )
    return np.where(known > 0, np.squeeze((low + high) / 2.0, axis), np.nan)


def _nanpercentile(values: np.ndarray, q: float, axis: int = 0):
    return np.nanpercentile(values, q, axis=axis) if np.isnan(values).any() else np.percentile(values, q, axis=axis)


@dataclass(frozen=True)
class Episode:
    """A stretch of time spent in a position, and the side it was done on (None when never told)."""

    start_ms: float
    end_ms: float
    side: str | None

    @property
    def duration_s(self) -> float:
        return (self.end_ms - self.start_ms) / 1000.0


class Episodes:
    """Splits a stream of in-position flags into episodes: one reach, stretch or lift each.

    An episode begins when the position is taken and ends when it has been
    left for longer than ``release_ms`` (a dip shorter than that, or a
    dropout, is part of it), or when the working side changes for
    ``switch_ms`` (alternating reaches with hardly a pause between them are
    two). Episodes shorter than ``min_ms`` are passing through the position.
    Unlike :class:`HoldTimer` this ignores stillness: it counts that a reach
    happened, however briefly it was held.
    """

    def __init__(self, *, release_ms: float, min_ms: float, switch_ms: float = 150.0):
        self.release_ms, self.min_ms, self.switch_ms = release_ms, min_ms, switch_ms
        self.start_ms: float | None = None
        self._last_ms: float | None = None
        self._votes = SideVote()
        self._switch: tuple[str, float, float] | None = None  # (new side, first seen, last seen in the old side)

    @property
    def active(self) -> bool:
        return self.start_ms is not None

    def update(self, t_ms: float, in_position: bool | None, side: str | None = None) -> Episode | None:
        """Feed one frame; returns an episode that has just ended (long enough to count), else None."""
        if in_position is None:
            return None
        if not in_position:
            if self.start_ms is not None and t_ms - self._last_ms > self.release_ms:
                return self.close()
            return None
        ended = None
        if self.start_ms is not None and side is not None:
            ended = self._check_switch(t_ms, side)
        if self.start_ms is None:
            self.start_ms = t_ms
        self._last_ms = t_ms
        self._votes.add(side)
        return ended

    def _check_switch(self, t_ms: float, side: str) -> Episode | None:
        current = self._votes.winner()
        if current is None or side == current:
            self._switch = None
            return None
        if self._switch is None or self._switch[0] != side:
            self._switch = (side, t_ms, self._last_ms)
        new_side, since, old_last = self._switch
        if t_ms - since < self.switch_ms:
            return None
        self._last_ms = old_last
        ended = self.close()
        self.start_ms, self._last_ms = since, since
        self._votes.add(new_side)
        return ended

    def close(self) -> Episode | None:
        """End the current episode now (at the last moment it was in position)."""
        start, end, side = self.start_ms, self._last_ms, self._votes.winner()
        self.start_ms = self._last_ms = self._switch = None
        self._votes.reset()
        if start is None or end is None or end - start < self.min_ms:
            return None
        return Episode(start, end, side)
