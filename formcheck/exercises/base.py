"""The exercise interface: what every rule module declares, and the shared flow that runs it.

An exercise module subclasses :class:`Exercise`, declares its :class:`ExerciseInfo`
and a :class:`Thresholds` dataclass, and implements :meth:`Exercise.observe`,
which turns one conditioned :class:`PoseFrame` into an :class:`Observation`:
the signal it tracks, whether the start position is held, which side is
working and which faults are present (``None`` when it cannot see). The base
class runs everything shared: the view check, arming, rep counting, per-side
counts, targets, events and the summary; hold timing lives in
:mod:`formcheck.exercises.holds` and the fault bookkeeping in
:mod:`formcheck.exercises.fault_log`.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from formcheck import geometry
from formcheck.exercises.fault_log import FaultLog
from formcheck.exercises.holds import HoldFlow, Stillness
from formcheck.exercises.mechanics import (
    AlternationCounter,
    HoldWindow,
    MovementStart,
    PairedAlternation,
    RepCounter,
    RepWindow,
    SideVote,
)
from formcheck.exercises.records import FaultRecord, RepRecord, exercise_summary
from formcheck.feedback import AngleReading, Event, KeyAngle, Status, ViewStatus
from formcheck.landmarks import SIDES, VISIBILITY, PoseFrame, index, other_side

Counter = RepCounter | AlternationCounter | PairedAlternation

# A torso shorter than this share of the picture's long side is too small to judge: 0.035 of a 1280 px wide
# picture is 45 px, a person about a quarter of a 720 px high picture tall (a walker crossing a room).
MIN_TORSO_SHARE = 0.035
POSTURE_HINTS = {
    "standing": "Stand up",
    "quadruped": "Get on your hands and knees",
    "supine": "Lie on your back",
    "prone": "Lie on your stomach",
    "sitting": "Sit down",
}


@dataclass(frozen=True)
class FaultInfo:
    """A form rule: its id and the short cue a person can act on."""

    id: str
    cue: str
    setup: bool = False  # a start-position rule: judged before the first rep too
    # A side rule: a rep or hold on the side other than the profile's symptomatic side has this fault.
    wrong_side: bool = False
    truth_ids: tuple[str, ...] = ()  # other ids the ground truth (docs/ground_truth.md) gives this fault


@dataclass(frozen=True)
class Targets:
    """What a set aims for. ``per_side`` targets apply to each side separately.

    For holds, ``duration_s`` with ``per_side`` is the time to spend holding
    on each side before switching ("hold 20 s; repeat for 30 s, then the
    other side"): the last hold of a side then only needs what is left of it.
    """

    reps: int | None = None
    hold_s: float | None = None
    holds: int | None = None
    duration_s: float | None = None
    per_side: bool = False


@dataclass(frozen=True)
class ExerciseInfo:
    id: str
    title: str
    source: str
    camera: str  # where to put the camera, in words a user can follow
    start_position: str
    posture: str  # coarse posture the exercise is done in (see geometry.posture)
    signal: str  # what is tracked
    completes: str  # what completes one rep or hold
    kind: str  # "reps" or "holds"
    faults: tuple[FaultInfo, ...]
    targets: Targets
    # Landmarks (without the left_/right_ prefix) that must be in frame on the side facing the camera.
    needs: tuple[str, ...] = ("shoulder", "hip", "knee", "ankle")
    safety: str | None = None
    warning: str | None = None  # one sentence said and shown before the set starts (e.g. when to stop)
    cannot_check: tuple[str, ...] = ()  # what this camera view cannot judge
    sided: bool = True  # reps belong to a side (False: counted as one series)

    def fault(self, fault_id: str) -> FaultInfo:
        return next(f for f in self.faults if f.id == fault_id)


@dataclass(frozen=True)
class Thresholds:
    """Base for an exercise's thresholds; subclasses add fields with defaults."""

    min_rep_ms: float = 600.0
    refractory_ms: float = 300.0
    hold_grace_ms: float = 700.0
    min_hold_ms: float = 500.0  # a hold shorter than this is passing through the position, not a hold
    fault_debounce_ms: float = 400.0
    view_lost_ms: float = 1500.0  # longer than this without a usable view ends a rep or hold
    view_settle_ms: float = 500.0  # a new view verdict must last this long before it is announced
    ready_settle_ms: float = 200.0  # the start position must hold this long before counting starts (the
    # model's first detections, and a body passing through the position, are not a start)
    placed_arm_ms: float = 1000.0  # holds: the target position itself, held still this long, also starts counting
    # (a recording that begins mid-hold, or a start position the rules do not recognise, loses no hold)
    movement_start_reps: int = 2  # reps: this many full reps in a row without a recognised start position ...
    movement_start_gap_ms: float = 8000.0  # ... each beginning within this of the one before: counting starts
    still_window_ms: float = 600.0  # holds: stillness is judged over this much time, as the drift speed of ...
    hold_still_speed: float = 0.3  # ... the body's landmarks (torso lengths a second, 90th percentile of the
    # coordinates: one limb moving is a fifth of them) staying below this. The drift between the medians of the
    # window's halves: the model's landmarks in the rendered samples' holds 0.01-0.03 a second (95 % below 0.1,
    # at most 0.13); reaching and releasing 0.4-2.25 a second
    # ... and not the trunk turning faster than this (degrees a second): the model's trunk line wobbles by at most
    # 1.2 deg/s in the rendered samples' holds (the corpus's holds: 95 % below 2, rare swaps up to 6), a hinge
    # toward the foot turns it at 8-30 deg/s at its fastest
    hold_still_turn: float = 4.0
    hold_moving_ms: float = 400.0  # moving this long, even in position, ends a hold (the way out has begun) ...
    hold_merge_ms: float = 2500.0  # ... unless still again within this, in position and on the same side, and
    same_pose_max: float = 0.25  # ... with three in four landmarks within this (torso lengths) of where they were
    same_turn_max: float = 10.0  # ... and the trunk turned by at most this (degrees; a hinge toward the foot: 15-35)
    # (a wobble or a re-grip comes back; a pull drawn in further, or a deeper lean, is a new hold)
    settle_max_ms: float = 3000.0  # a still moment this short, followed by a new pose on the same side without
    # leaving the position, was settling into the stretch (a leg crossed before the pull), not a hold of its own
    min_reach_ms: float = 400.0  # a stay in the target position shorter than this is passing through it
    # A hold reaches its target within a slack: 5 % of the target, at least 0.25 s (a frame or two at low frame
    # rates) and at most 1 s. Nobody counts the last second of a 30 s stretch aloud exactly.
    hold_slack_share: float = 0.05
    hold_slack_min_s: float = 0.25
    hold_slack_max_s: float = 1.0


@dataclass(frozen=True)
class LyingThresholds(Thresholds):
    """Thresholds of an exercise done lying down (see :meth:`formcheck.exercises.body.Body.lying`)."""

    lying_max: float = 35.0  # trunk within this of horizontal (degrees): lying down, not sitting up


@dataclass
class Profile:
    """What a user can tell formcheck about themselves and their programme."""

    symptomatic_side: str | None = None  # "left" / "right"
    knee_hyperextends: bool = False
    target_reps: int | None = None
    target_hold_s: float | None = None
    thresholds: dict[str, float] = field(default_factory=dict)


@dataclass
class Observation:
    """What an exercise reads from one frame."""

    ready: bool | None = None  # start position recognised
    signal: float | None = None  # reps: the value the rep counter follows
    partner: float | None = None  # ... and a second one making the same swings, for a PairedAlternation
    in_position: bool | None = None  # holds: the target position is held
    side: str | None = None  # working side in this frame
    faults: dict[str, bool | None] = field(default_factory=dict)
    angles: list[AngleReading] = field(default_factory=list)
    bad_joints: tuple[int, ...] = ()  # landmarks a current fault is about (drawn red)


class Exercise(ABC):
    """Shared flow; subclasses declare ``info`` and ``Thresholds`` and implement :meth:`observe`."""

    info: ClassVar[ExerciseInfo]
    Thresholds: ClassVar[type[Thresholds]] = Thresholds

    def __init__(self, profile: Profile | None = None):
        self.profile = profile or Profile()
        self.th = self._thresholds(self.profile.thresholds)
        self.targets = self._targets()
        self._side_vote = SideVote()
        self._stillness = Stillness(self.th.still_window_ms, self.th.hold_still_speed, self.th.hold_still_turn)
        self._reps: Counter | None = self.rep_counter() if self.info.kind == "reps" else None
        self._holds = HoldFlow(self.th, self._side_vote, self._stillness, self) if self.info.kind == "holds" else None
        self._fault_log = FaultLog(self.info, self.th.fault_debounce_ms, self._say)
        self.records: list[RepRecord] = []
        self._armed = False
        self._from_movement = False  # counting started from the movement, the start position never recognised
        self._movement = self._movement_start()
        self._ready_since: float | None = None
        self._sides_done: set[str] = set()
        self._last_usable_ms: float | None = None
        self._view = ViewStatus(False, "Waiting for the camera")
        self._view_since: float | None = None
        self._view_pending: tuple | None = None
        self._obs = Observation()
        self._t_ms = 0.0
        self._first_ms: float | None = None
        self._good_form_ms = 0.0
        self._active_ms = 0.0

    # --- what a module provides -------------------------------------------------

    @abstractmethod
    def observe(self, frame: PoseFrame, near: str) -> Observation:
        """Read the exercise's signal, start position, side and faults from one frame.

        ``near`` is the body side facing the camera; rules should judge with it
        and return ``None`` for a fault they cannot see.
        """

    def rep_thresholds(self) -> tuple[float, float]:
        """(on, off) thresholds of the rep signal; rep exercises override this."""
        raise NotImplementedError

    def rep_counter(self) -> Counter:
        """The counter that turns the signal into reps.

        By default a :class:`RepCounter` on :meth:`rep_thresholds` (rest ->
        past ``on`` -> back past ``off``); an exercise whose reps are swings
        between two extremes returns an :class:`AlternationCounter` instead, or a :class:`PairedAlternation`
        when two limbs make them (fed :attr:`Observation.partner` too).
        """
        on, off = self.rep_thresholds()
        return RepCounter(on, off, rising=on > off, min_rep_ms=self.th.min_rep_ms, refractory_ms=self.th.refractory_ms)

    def _movement_start(self) -> MovementStart | None:
        """Reps before counting started, kept in case they are the set (rep counters on levels only: a swing
        counter learns its levels from the movement anyway)."""
        if not isinstance(self._reps, RepCounter):
            return None
        counter = self.rep_counter()
        return MovementStart(counter, self.th.movement_start_reps, self.th.movement_start_gap_ms)

    def key_angles(self) -> tuple[KeyAngle, ...]:
        """The angles a report plots, with the target zones from this exercise's thresholds; none declared:
        the report plots the rep signal past its threshold, or the first angle."""
        return ()

    # --- configuration ------------------------------------------------------------

    def _thresholds(self, overrides: dict[str, float]) -> Thresholds:
        known = {f.name for f in dataclasses.fields(self.Thresholds)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(
                f"unknown threshold(s) for {self.info.id}: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        return self.Thresholds(**{k: float(v) for k, v in overrides.items()})

    def _targets(self) -> Targets:
        t = self.info.targets
        if self.info.kind == "holds":  # for a hold exercise, "reps" are holds
            return dataclasses.replace(
                t, holds=self.profile.target_reps or t.holds, hold_s=self.profile.target_hold_s or t.hold_s
            )
        return dataclasses.replace(
            t, reps=self.profile.target_reps or t.reps, hold_s=self.profile.target_hold_s or t.hold_s
        )

    # --- the shared flow ------------------------------------------------------------

    def check_view(self, frame: PoseFrame) -> ViewStatus:
        """Can this frame be judged? If not, say what the person should change."""
        if not frame.has_person:
            return ViewStatus(False, "No one found: step into the camera's view, head to toes, in good light")
        lm = frame.landmarks
        near = geometry.near_side(lm) or "left"
        pixels = frame.pixels()
        for part in self.info.needs:
            i = index(f"{near}_{part}")
            x, y = lm[i, 0], lm[i, 1]
            if not (-0.02 <= x <= 1.02 and -0.02 <= y <= 1.02):
                edge = "left" if x < 0 else "right" if x > 1 else "top" if y < 0 else "bottom"
                return ViewStatus(
                    False,
                    f"Your {part.replace('_', ' ')} is off the {edge} of the picture: move back or turn the camera",
                    near,
                )
            if lm[i, VISIBILITY] < frame.min_visibility:
                return ViewStatus(False, f"Your {part.replace('_', ' ')} is hidden: turn side-on to the camera", near)
        scale = geometry.body_scale(pixels)
        if not np.isfinite(scale) or scale < MIN_TORSO_SHARE * max(frame.width, frame.height):
            return ViewStatus(False, "You are too far away: move closer to the camera", near)
        if self._busy():  # mid-rep the body leaves its start posture by design
            return ViewStatus(True, None, near)
        found = geometry.posture(pixels)
        if found != "unknown" and found != self.info.posture and found in POSTURE_HINTS:
            wanted = POSTURE_HINTS.get(self.info.posture, self.info.start_position)
            return ViewStatus(True, f"{wanted} to start", near)
        return ViewStatus(True, None, near)

    def update(self, frame: PoseFrame) -> list[Event]:
        """Feed one conditioned frame; returns what happened."""
        t = frame.t_ms
        if self._first_ms is None:
            self._first_ms = t
        dt = max(0.0, t - self._t_ms) if self._t_ms else 0.0
        self._t_ms = t
        events: list[Event] = []
        seen = self.check_view(frame)
        view = self._settled_view(t, seen, events)
        if view.ok:
            obs = self.observe(frame, view.near_side or "left")
            self._last_usable_ms = t
            self._stillness.add(t, frame.pixels())
        else:
            obs = Observation()
            if self._last_usable_ms is not None and t - self._last_usable_ms > self.th.view_lost_ms:
                self._lose_track(t, events)
        self._obs = obs
        if obs.ready is not None:  # unknown keeps the count going; a clear "no" restarts it
            self._ready_since = (self._ready_since if self._ready_since is not None else t) if obs.ready else None
        settled = self._ready_since is not None and t - self._ready_since >= self.th.ready_settle_ms
        if settled and not self._armed and not self._busy():
            self._armed = True
            events.append(Event(t, "ready", "Start position recognised"))
        if self._holds is not None:
            if self._holds.placed(t, obs.in_position, self._armed):
                self._armed = True
                events.append(Event(t, "ready", "Hold recognised"))
            self._holds.step(t, obs.in_position, obs.side, self._armed, events)
        else:
            self._step_reps(t, obs, seen.ok and seen.message is None, events)
        self._fault_log.step(t, obs.faults, obs.side, self._armed, self.records, events)
        if self._busy():
            self._side_vote.add(obs.side)
            self._active_ms += dt
            if not self._fault_log.active:
                self._good_form_ms += dt
        self.after_update(t, events)
        return events

    def after_update(self, t: float, events: list[Event]) -> None:
        """Called at the end of every :meth:`update` with its events: an exercise that judges what no single
        frame shows (a jump, seen whole on landing; a pause between reps; a rep it could not see) does it here,
        through :meth:`report_fault`, :meth:`open_fault` / :meth:`close_fault` and :meth:`insert_record`."""
        return None

    def _settled_view(self, t: float, view: ViewStatus, events: list[Event]) -> ViewStatus:
        """Announce a changed view verdict only once it has lasted ``view_settle_ms``.

        The frame itself is judged on its own view (a frame without a usable
        view is never judged); only the message shown and spoken is settled,
        so it does not flicker.
        """
        key = (view.ok, view.message)
        if key == (self._view.ok, self._view.message):
            self._view_since = None
        else:
            if self._view_since is None or self._view_pending != key:
                self._view_since, self._view_pending = t, key
            if t - self._view_since >= self.th.view_settle_ms or self._first_ms == t:
                self._view, self._view_since = view, None
                if view.message:
                    events.append(Event(t, "view", view.message, data={"ok": view.ok}))
                    self._say(t, view.message, events)
        return view

    def _busy(self) -> bool:
        return self.in_rep or (self._holds is not None and self._holds.busy)

    @property
    def armed(self) -> bool:
        """Counting has started: the start position (or, for holds, the held target position) was seen."""
        return self._armed

    @property
    def counter(self) -> Counter | None:
        """The rep counter the base feeds (None for a hold exercise): a module reads it, never steps it."""
        return self._reps

    @property
    def observation(self) -> Observation:
        """What the last frame showed."""
        return self._obs

    @property
    def faults(self) -> list[FaultRecord]:
        return self._fault_log.records

    @property
    def in_rep(self) -> bool:
        return self._reps is not None and self._reps.in_rep

    @property
    def holding(self) -> bool:
        return self._holds is not None and self._holds.holding

    def _step_reps(self, t: float, obs: Observation, in_posture: bool, events: list[Event]) -> None:
        """Count reps; ``in_posture``: this frame was judged and shows the exercise's posture."""
        assert self._reps is not None
        was = self._reps.in_rep
        value = (obs.signal, obs.partner) if isinstance(self._reps, PairedAlternation) else obs.signal
        window = self._reps.update(t, value, armed=self._armed)
        if self._reps.in_rep and not was:
            self._side_vote.reset()
        self._close_rep(window, events)
        if self._movement is not None and not self._armed:
            if in_posture:
                self._count_from_movement(t, self._movement.update(t, obs.signal, obs.side), events)
            else:  # moves made standing for a lying exercise (walking into view) are no set
                self._movement.reset()

    def _count_from_movement(self, t: float, reps: list[tuple[RepWindow, str | None]], events: list[Event]) -> None:
        """Reps made without a recognised start position, now unmistakably a set: count them and start counting.
        Their form was not judged (the faults are watched from here on); the user is told to check the start
        position, which the camera may be misreading."""
        if not reps:
            return
        self._armed = self._from_movement = True
        events.append(Event(t, "ready", "Counting from your movement", data={"from_movement": True}))
        self._say(t, "Start position not recognised: check it, and the camera's view", events)
        for window, side in reps:
            record = RepRecord(len(self.records), side, window.start_ms, window.end_ms, peak=float(window.peak))
            self._file(record, events)

    def _close_rep(self, window: RepWindow | None, events: list[Event]) -> None:
        if window is not None:
            record = RepRecord(
                len(self.records), self.rep_side(window), window.start_ms, window.end_ms, peak=float(window.peak)
            )
            self._finish(record, events)

    def still(self) -> bool | None:
        """Is the body holding still? None until enough recent frames are known.

        A hold is the static part of a stretch or reach: timing it only while
        still leaves out the movement into and out of the position.
        """
        return self._stillness.still()

    def hold_begins(self) -> None:
        """A new hold has begun (not one resuming after a wobble): an exercise that measures something over
        each hold starts afresh here, and reads it in :meth:`judge` when the hold is over."""
        return None

    def setting_up(self, window: HoldWindow, next_from_ms: float) -> bool | None:
        """Was this still stretch, followed on the same side by a new pose (held since ``next_from_ms``) without
        leaving the position, only the set-up of the hold that follows? True: a set-up, whatever its length;
        False: a hold of its own, however short; None (the default): a short one (``settle_max_ms``) is."""
        return None

    def file_hold(self, window: HoldWindow, side: str | None, events: list[Event]) -> None:
        """File a hold that is over, as a record, and judge it."""
        record = RepRecord(
            len(self.records),
            side,
            window.start_ms,
            window.end_ms,
            hold_s=round(window.duration_s, 2),
            target_hold_s=self.hold_target_s(side),
        )
        self._finish(record, events)

    def held_s(self, side: str) -> float:
        """Time held so far on ``side``."""
        return sum(r.hold_s or 0.0 for r in self.records if r.side == side)

    def hold_target_s(self, side: str | None) -> float | None:
        """How long the hold on ``side`` should last: the set's hold time, or what is left of the side's
        holding time (``Targets.duration_s`` per side) where that is less."""
        t = self.targets
        if not (t.hold_s and t.duration_s and t.per_side and side):
            return t.hold_s
        left = t.duration_s - self.held_s(side)
        return round(left, 2) if 0 < left < t.hold_s else t.hold_s

    def report_fault(
        self, fault_id: str, start_ms: float, end_ms: float, side: str | None, events: list[Event]
    ) -> None:
        """File a fault seen whole once it is over, too brief to debounce (a jump, judged on landing), and cue it."""
        self._fault_log.report(fault_id, start_ms, end_ms, side, self.records, events)

    def open_fault(self, fault_id: str, start_ms: float, events: list[Event]) -> None:
        """File a fault the exercise judges itself, past the debouncer, that began at ``start_ms`` and is still
        going (a pause in a march), and cue it now. :meth:`close_fault` ends it; one still open when the
        exercise finishes never ended (the pause was the end of the set) and is withdrawn."""
        self._fault_log.open(fault_id, start_ms, self._t_ms, events)

    def close_fault(self, fault_id: str, end_ms: float, events: list[Event]) -> None:
        """End a fault opened with :meth:`open_fault` at ``end_ms`` (nothing when it is not open)."""
        self._fault_log.close(fault_id, end_ms, self._t_ms, events)

    def insert_record(self, record: RepRecord, events: list[Event]) -> None:
        """File a rep the exercise inferred rather than saw (a step of a foot hidden between two of the other's)
        at its ``index``, in time order: the records after it move up one. Reported, not judged."""
        for later in self.records[record.index :]:
            later.index += 1
        self.records.insert(record.index, record)
        events.append(self._record_event(record))

    def _finish(self, record: RepRecord, events: list[Event]) -> None:
        """Attach the faults that overlapped this rep or hold, then report it."""
        self._fault_log.attach_to(record)
        if record.hold_s is not None and record.target_hold_s:
            record.target_reached = self.reached(record.hold_s, record.target_hold_s)
        extra = self.judge(record) + self._side_faults(record)
        for fault_id in extra:
            self._fault_log.judged(fault_id, record, events)
        self._file(record, events)

    def _file(self, record: RepRecord, events: list[Event]) -> None:
        """Add a rep or hold, judged or not, to the records and report it."""
        self.records.append(record)
        events.append(self._record_event(record))
        self._after_record(record, events)

    def _record_event(self, record: RepRecord) -> Event:
        kind = "rep" if self.info.kind == "reps" else "hold_end"
        what = f"Rep {self.count(record.side)}" if kind == "rep" else f"Held {record.hold_s:.1f} s"
        data = {"index": record.index, "good": record.good, "faults": list(record.faults), "hold_s": record.hold_s}
        return Event(record.end_ms, kind, what, record.side, data)

    def judge(self, record: RepRecord) -> list[str]:
        """Faults of a whole rep or hold, judged once it is over.

        By default a hold shorter than its target is ``hold_too_short`` when
        the exercise declares that fault. An exercise may also note what it
        measured over the rep or hold in ``record.measures``.
        """
        short = record.hold_s is not None and not self.reached(record.hold_s, record.target_hold_s)
        declared = any(f.id == "hold_too_short" for f in self.info.faults)
        return ["hold_too_short"] if short and declared else []

    def _side_faults(self, record: RepRecord) -> list[str]:
        """The declared side rules (:attr:`FaultInfo.wrong_side`) a rep or hold on the side other than the
        profile's symptomatic side breaks."""
        wanted = self.profile.symptomatic_side
        if not (wanted and record.side and record.side != wanted):
            return []
        return [f.id for f in self.info.faults if f.wrong_side]

    def _after_record(self, record: RepRecord, events: list[Event]) -> None:
        """Prompt a side switch once a per-side target is met."""
        side = record.side
        if not (self.targets.per_side and side) or side in self._sides_done or not self._side_done(side):
            return
        self._sides_done.add(side)
        if other_side(side) not in self._sides_done:
            self._say(record.end_ms, "Switch sides", events)

    def reached(self, hold_s: float, target_s: float | None) -> bool:
        """Whether a hold of ``hold_s`` reaches ``target_s`` (no target: it does), within the slack."""
        if not target_s:
            return True
        th = self.th
        slack = min(th.hold_slack_max_s, max(th.hold_slack_min_s, th.hold_slack_share * target_s))
        return hold_s >= target_s - slack

    def _met(self, records: list[RepRecord]) -> list[RepRecord]:
        """The reps, and the holds that lasted their target."""
        return [r for r in records if r.hold_s is None or self.reached(r.hold_s, r.target_hold_s)]

    def _side_done(self, side: str) -> bool:
        t = self.targets
        if self.info.kind == "holds" and t.duration_s:
            return self.held_s(side) >= t.duration_s
        goal = (t.reps if self.info.kind == "reps" else t.holds) or 1
        return len(self._met([r for r in self.records if r.side == side])) >= goal

    def targets_met(self) -> bool:
        """Whether the set is done: reps (or target-length holds, or holding time) per side or in all, or
        active time."""
        t = self.targets
        if t.per_side:
            return all(self._side_done(side) for side in SIDES)
        goal = t.reps if self.info.kind == "reps" else t.holds
        if goal:
            return len(self._met(self.records)) >= goal
        if t.duration_s:
            return self.active_ms()[0] / 1000.0 >= t.duration_s
        return False

    def active_ms(self) -> tuple[float, float]:
        """(time active, of it in good form), in ms: by default the time spent in reps or holds, and how much of
        it had no fault open. An exercise whose activity is more than its reps (marching between steps) says
        so here."""
        return self._active_ms, self._good_form_ms

    def rep_side(self, window: RepWindow) -> str | None:
        """The side a rep that just ended belongs to: by default the side most of its frames showed
        (:attr:`Observation.side`); an exercise that knows it exactly when the rep ends overrides this (it may
        name a side of its own, such as "both" for a move that belongs to neither). Decided before the rep is
        judged and filed."""
        return self._side_vote.winner()

    def side_label(self, side: str) -> str:
        """How a side is named to the user (e.g. "left arm + right leg" for the bird dog)."""
        return f"{side} side"

    def count(self, side: str | None) -> int:
        return sum(1 for r in self.records if r.side == side)

    def _end_holds(self, events: list[Event]) -> None:
        if self._holds is not None:
            self._holds.end(events)

    def cancel_rep(self, *, relearn: bool = False) -> None:
        """Drop the rep in progress: it turned out to be no rep (a leg put down in the middle of it). With
        ``relearn``, the signal reads another way from now on: an alternation also drops where swings turned."""
        if isinstance(self._reps, AlternationCounter | PairedAlternation) and relearn:
            self._reps.forget()
        elif self._reps is not None:
            self._reps.cancel()

    def _lose_track(self, t: float, events: list[Event]) -> None:
        self.cancel_rep()
        if self._movement is not None:
            self._movement.reset()
        self._end_holds(events)
        self._fault_log.close_all(t)
        self._armed = False

    def _say(self, t: float, text: str, events: list[Event]) -> None:
        events.append(Event(t, "cue", text))

    def finish(self) -> list[Event]:
        """End of the exercise: close an open hold and any open faults."""
        events: list[Event] = []
        self._fault_log.withdraw_opened()
        if isinstance(self._reps, RepCounter):
            self._close_rep(self._reps.close(self._t_ms), events)
        self._end_holds(events)
        self._fault_log.close_all(self._t_ms)
        return events

    # --- what consumers read ---------------------------------------------------------

    def status(self) -> Status:
        counts: dict[str, dict[str, int]] = (
            {side: {"good": 0, "faulty": 0} for side in ("left", "right")} if self.info.sided else {}
        )
        for r in self.records:
            side = r.side or "any"
            counts.setdefault(side, {"good": 0, "faulty": 0})["good" if r.good else "faulty"] += 1
        holding = self.holding
        phase = "setup" if not self._armed else "hold" if holding else "active" if self.in_rep else "rest"
        return Status(
            view=self._view,
            ready=self._armed,
            phase=phase,
            counts=counts,
            hold_elapsed_s=self._holds.elapsed_s(self._t_ms) if holding else None,
            hold_target_s=self.hold_target_s(self._side_vote.winner() or self._obs.side),
            active_faults=[self.info.fault(f).cue for f in self._fault_log.active],
            angles=self._obs.angles,
            bad_joints=self._obs.bad_joints if self._fault_log.active else (),
            side=self._obs.side,
            signal=self._obs.signal,
            fault_ids=tuple(self._fault_log.active),
        )

    def summary(self) -> dict:
        """The exercise's part of the session summary (docs/formats.md); a module may add its own fields."""
        segment = (self._first_ms, self._t_ms) if self._first_ms is not None else None
        out = exercise_summary(self.info, self.targets, self.records, self.faults, segment, *self.active_ms())
        if self._movement is not None:
            out["counted_from_movement"] = self._from_movement
        notes = self.notes()
        if notes:
            out["notes"] = notes
        return out

    def notes(self) -> list[str]:
        """What the rules could not judge in this session, in words (the summary's ``notes``; none by default)."""
        return []
