"""Low-impact aerobic march: march in place, lifting the feet in turn, without jumping; keep moving.

The step signal is how far the higher ankle has risen above its floor level
(where it stood in the last seconds) more than the other one. It works
from the front and from the side, it counts a step whether the knee comes up
in front (a march) or the heel kicks back (a jog), it ignores a shuffle (the
feet barely leave the floor) and arm swings, and it falls back to zero at
every change of legs, even when one foot comes down as the other goes up, so
one rep counter counts alternating steps. A knee lifted in front counts too
where the foot barely leaves the floor (walking in place, or a camera above
the floor seeing a foot come toward it): one knee ahead of the other along
the feet, in the 3D world landmarks. A jump is both feet above the floor
level they stood on in the last seconds at the same time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck import geometry
from formcheck.exercises import base
from formcheck.exercises.base import ExerciseInfo, FaultInfo, Observation, Targets
from formcheck.exercises.body import Body, test
from formcheck.exercises.mechanics import RecentValues
from formcheck.exercises.records import RepRecord
from formcheck.feedback import Event
from formcheck.landmarks import SIDES, PoseFrame, index, other_side

FOOT_POINTS = ("ankle", "heel", "foot_index")
UPRIGHT_WORLD_MAX = 12.0  # trunk within this (degrees) of the camera's vertical: heights along it are used
# A foot stands at the level it has been at for at least a tenth of the last seconds (marching, each foot is
# down half the time or more): one landmark jumping low, or smoothed low over a few frames, does not lift it.
FLOOR_PERCENTILE = 90.0
FLOOR_POINTS = ("heel", "foot_index")  # the points that touch the floor: a foot is off it when both are up
AXIS_COS_MIN = 0.5  # the feet's swing within 60 degrees of their heel->toe direction: the line of walking

INFO = ExerciseInfo(
    id="aerobic_march",
    title="Low-impact march in place",
    source="4 sciatica exercises, #2 (low impact aerobic exercise)",
    camera="Front or side view: camera at hip height, 2-3 m away, your whole body from head to feet in frame. "
    "Facing the camera is best: both legs stay visible.",
    start_position="Standing tall, both feet on the floor.",
    posture="standing",
    signal="Foot lift: how much higher one ankle has risen above where it stands than the other, in torso lengths; "
    "or, where larger, how far one bent knee has come ahead of the other (3D world landmarks, in the same units).",
    completes="One step: one foot lifted (about 13 cm or more above the other, knee up in front or heel "
    "back), or one knee brought in front (about 15 cm ahead of the other, the knee bent), and put down again; "
    "steps alternate legs. Steps a few seconds apart form one active bout.",
    kind="reps",
    faults=(
        FaultInfo("jump", "Keep one foot on the floor: march, don't jump"),
        FaultInfo("stopped", "Keep marching"),
    ),
    targets=Targets(),
    needs=("shoulder", "hip", "knee", "ankle"),
    cannot_check=(
        "How hard you land or how fast your heart beats: only whether both feet leave the floor is seen.",
        "From the side the far leg is partly hidden and the pose model can swap left and right legs: "
        "per-side step counts are more reliable facing the camera.",
        "A jump is measured against the floor level of the last few seconds: walking toward or away "
        "from the camera can hide or fake one for a moment.",
    ),
)


@dataclass(frozen=True)
class Thresholds(base.Thresholds):
    min_rep_ms: float = 120.0  # a step's foot lift lasts at least this (jogging pace: about 0.2 s per lift)
    refractory_ms: float = 0.0  # the next step starts as the previous one ends
    # One ankle risen this much more (torso lengths, about 9 cm) than the other: a step. A march lifts it 0.5 and
    # more, a brisk walk 0.16-0.3; a shuffle about 0.06, and standing still on the rendered sample up to 0.15.
    step_on: float = 0.18
    step_off: float = 0.07  # ... and closer than this the step is over (both feet down)
    # A lower lift is a step too when the foot got there quickly: at least this (about 6 cm; walking in place
    # and on a treadmill lift 0.12-0.22 in the corpus) within quick_rise_ms of both feet being flat (under
    # quick_from). A foot leaves the floor in 0.1-0.2 s (0.01-0.06 to 0.14-0.31 in 0.1 s, corpus and
    # sample); a weight shift, or the floor estimate creeping while standing, takes seconds to get as far
    # (the rendered sample's stop: 0.4 s from 0.03 to 0.12, 2 s to 0.18).
    quick_step_on: float = 0.12
    quick_from: float = 0.04
    quick_rise_ms: float = 300.0
    # One ankle this far (torso lengths) ahead of the other along the line the feet swing on: a walking step.
    # Walking on the real side-on clip peaks 0.6-1.4 a step (a 30-70 cm step over a 50 cm torso); standing and
    # squatting on the real clips stay under 0.25, jogging in place reaches 0.3-0.48 (its lift is the larger).
    # The corpus's scripted walks swing the feet only 0.15-0.3 apart (they close together at every step): they
    # are left to the lift. Its end is the lift's, scaled: 0.4 * 0.07 / 0.18, about 0.16.
    stride_on: float = 0.4
    # One knee this far (torso lengths) ahead of the other, along the feet, more than its usual lead: a step, as a
    # foot lifted step_on. Walking in place brings a knee 0.34-0.55 ahead a step (corpus dev); marching on the
    # rendered variants through the real model 0.33-0.76 (median 0.6); standing reads up to 0.1 in the corpus,
    # 0.07 on the renders.
    knee_on: float = 0.3
    knee_bent_max: float = 160.0  # ... with that knee bent (3D angle, degrees; standing straight reads 162-176)
    # ... and got there within this from the knees level (under quick_from in the lift's units): the slowest
    # corpus steps take 0.3-0.4 s, a knee edged forward as far over 2 s about 0.8 s
    knee_rise_ms: float = 500.0
    max_stride_ms: float = 2000.0  # a "step" held longer is a staggered stance or a cut in the video, not a step
    stride_window_ms: float = 3000.0  # the line of walking and the signals' recent peaks: over this time
    hang_min: float = 0.55  # the lower knee at least this far (torso lengths) below its hip: standing, not sitting
    upright_min: float = 60.0  # trunk elevation (degrees) of a person standing up
    floor_window_ms: float = 2500.0  # the floor under each foot point: where it was over this time
    jump_rise: float = 0.08  # both feet this far (torso lengths) above their floor level at once: in the air
    # ... with the hips at some moment at least this far above their lowest of late: the body rises with the feet
    # (true jumps in the corpus dev lift the hips 0.12-0.23), where a landmark misplaced under the standing foot for
    # a frame or two, or the feet swapped, lifts none (0.00-0.02 through such a "time in the air")
    jump_hips_rise: float = 0.06
    # The lower foot leaving the floor by more than this between two frames is a landmark's jump, not the
    # body's: a real take-off rises about 0.04 a frame at 30 fps (0.10 at 12 fps), a misplaced foot point
    # 0.2-0.3 at once (then smoothed back down over a few frames, which reads as 0.1-0.2 s in the air).
    takeoff_step_max: float = 0.16
    min_air_ms: float = 60.0  # in the air at least this long (3 frames at 30 fps): a jump, not a flicker
    max_air_ms: float = 700.0  # "in the air" for longer than this is the floor line moving (you stepped), not a jump
    pause_s: float = 3.0  # longer than this without a step ends an active bout ("keep moving")


@dataclass(frozen=True)
class Bout:
    """A stretch of steps, none more than ``pause_s`` after the previous one."""

    start_ms: float
    end_ms: float
    steps: int
    first_step_ms: float  # start of the first and of the last step: cadence counts step-to-step intervals
    last_step_ms: float

    @property
    def cadence_spm(self) -> float | None:
        span = self.last_step_ms - self.first_step_ms
        return round(60000.0 * (self.steps - 1) / span, 1) if self.steps > 1 and span > 0 else None


class AerobicMarch(base.Exercise):
    info = INFO
    Thresholds = Thresholds

    def __init__(self, profile=None):
        super().__init__(profile)
        self._floor = RecentValues(self.th.floor_window_ms)  # each foot point's lowest place in the picture
        self._floor_up = RecentValues(self.th.floor_window_ms)  # ... and below the hips along the body's up
        self._hips = RecentValues(self.th.floor_window_ms)  # the mid-hips' place in the picture (a jump lifts them)
        self._pause_cued = True  # nothing to keep up before the first step
        self._lead: str | None = None  # the foot lifted in the current step
        self._air: bool | None = None  # this frame: both feet off the floor (None: not seen), set by observe()
        self._air_since: float | None = None  # first and last frame of the current time in the air
        self._air_last: float | None = None
        self._lower = math.nan  # the lower foot's height above its floor, this frame and the one before
        self._lower_before = math.nan
        self._air_glitch = False  # the time in the air began with a landmark's jump
        self._hips_up = math.nan  # the hips' height above their lowest of late, this frame
        self._air_hips = math.nan  # ... and at most, through the current time in the air
        self._unseen: str | None = None  # a foot that went unseen since the last step
        self._stride = Stride(self.th.stride_window_ms)
        self._peaks = {k: RecentValues(self.th.stride_window_ms) for k in ("lift", "stride")}
        self._source = "lift"  # the signal steps are counted from: the foot lift, or the stride when walking
        # The foot whose stride hump under way is the step the lift has just counted (skipped until it is over)
        self._skip: str | None = None
        self._down_ms = -math.inf  # the last moment both feet were flat (the lift under quick_from)
        self._knee_flat_ms = -math.inf  # ... and the knees level (their lead under quick_from)

    def rep_thresholds(self) -> tuple[float, float]:
        return self.th.step_on, self.th.step_off

    def key_angles(self) -> tuple[base.KeyAngle, ...]:
        return (base.KeyAngle("signal", "Foot lift (torso lengths)", ((self.th.step_on, None),), unit=""),)

    def observe(self, frame: PoseFrame, near: str) -> Observation:
        th, b = self.th, Body(frame)
        # each foot point's height above its own floor level, in the picture: above the lowest it has been (a jump),
        # and above where it has mostly stood (a step: one landmark jumping low does not raise the foot for seconds)
        rise, stood = self._rise(b, frame.t_ms)
        steps = self._rise_up(b, frame.t_ms) or stood  # ... along the body's up where the model gives it
        # standing, not sitting: a knee well below its hip (from the side the far leg may be hidden: one will do)
        hang = max((h for s in SIDES if math.isfinite(h := b.height_above(f"{s}_hip", f"{s}_knee"))), default=math.nan)
        ankle = {s: steps[s]["ankle"] for s in SIDES if math.isfinite(steps[s]["ankle"])}
        if len(ankle) == 1:
            self._unseen = other_side(next(iter(ankle)))
        lift, higher, standing = math.nan, None, None
        if math.isfinite(hang) and ankle:
            standing = hang >= th.hang_min and b.trunk_elevation() >= th.upright_min
            higher = max(ankle, key=ankle.get)
            if len(ankle) == 2:
                lift = abs(ankle["left"] - ankle["right"]) if standing else math.nan
            elif standing:  # the other foot unseen: this one's own rise (its steps; the other's are inferred)
                lift = ankle[higher]
        ahead = self._stride.update(frame.t_ms, b.frame.world_points())
        if not standing:
            ahead = math.nan
        self._peaks["lift"].add(frame.t_ms, lift)
        # A walking step's stride peaks as the heel lands, the foot ahead on the floor (the one behind may be
        # rising onto its toes); the foot ahead lifted higher than the other is a knee raised forward, marching on
        # the spot (a camera above and round from the side reads it 0.3-0.4 ahead: rendered dev variant 10).
        knee_forward = lift >= th.step_off and higher == _foot_ahead(ahead)
        self._peaks["stride"].add(frame.t_ms, math.nan if knee_forward else abs(ahead))
        lift, higher = self._choose(frame.t_ms, lift, higher, ahead)
        if self._source == "lift" and standing:
            lift, higher = self._knee_lift(b, frame.t_ms, lift, higher)
        on = self._step_on(frame.t_ms, lift)
        stepping = test(lift, lambda v: v >= th.step_off)
        signal = lift
        if self.in_rep and self._lead and stepping and higher != self._lead:
            signal, self._lead = 0.0, None  # the other foot took over between two frames: that step is over
        else:
            if not self.in_rep:
                self._lead = None
            if self._lead is None and test(lift, lambda v: v >= on):
                self._lead = higher  # the foot this step belongs to
        lowest = [
            min((v for k, v in rise[s].items() if k in FLOOR_POINTS and math.isfinite(v)), default=math.nan)
            for s in SIDES
        ]
        self._lower_before, self._lower = self._lower, min(lowest)
        self._air = test(self._lower, lambda v: v > th.jump_rise)  # both feet off the floor (None: not seen)
        hips_y = b.mid("hip")[1]
        self._hips.add(frame.t_ms, hips_y)
        self._hips_up = (self._hips.max() - hips_y) / b.scale
        return Observation(
            # standing up: a person who walks into view or is already marching when the recording starts is in
            # the exercise (waiting for both feet down armed a walker only after two or three steps)
            ready=standing,
            signal=signal if math.isfinite(signal) else None,
            side=higher if stepping else None,
            faults={},  # a jump is too brief to debounce: after_update() reports each one when you land
        )

    def _knee_lift(self, b: Body, t_ms: float, lift: float, higher: str | None) -> tuple[float, str | None]:
        """The step signal and foot: the foot lift, or a knee lifted in front (its lead, in the lift's units) where
        that is the larger. A knee lifted is bent (a foot set ahead, the leg straight, is a staggered stance) and
        got ahead quickly (a knee edging forward over seconds is a weight shift)."""
        th = self.th
        lead = self._stride.knees
        knee = abs(lead) * th.step_on / th.knee_on
        if not knee >= th.quick_from:
            self._knee_flat_ms = t_ms
        side = _foot_ahead(lead)
        if not (math.isfinite(knee) and knee > lift) or side is None:
            return lift, higher
        world = b.frame.world_points()
        bend = geometry.joint_angle(*(world[index(f"{side}_{j}")] for j in ("hip", "knee", "ankle")))
        # a step begins at the knee's own threshold (the lower one for a foot lifted quickly is the foot's)
        starts = knee >= th.step_on and t_ms - self._knee_flat_ms <= th.knee_rise_ms
        return (knee, side) if (self.in_rep or starts) and bend <= th.knee_bent_max else (lift, higher)

    def _step_on(self, t_ms: float, lift: float) -> float:
        """The lift a step starts from this frame: ``step_on``, or ``quick_step_on`` for a foot lifted quickly from
        both feet flat (then the counter is told so)."""
        th = self.th
        if math.isfinite(lift) and lift < th.quick_from:
            self._down_ms = t_ms
        quick = self._source == "lift" and not self.in_rep and t_ms - self._down_ms <= th.quick_rise_ms
        if not quick:
            return th.step_on
        self.counter.start_at(th.quick_step_on)
        return th.quick_step_on

    def _choose(self, t_ms: float, lift: float, higher: str | None, ahead: float) -> tuple[float, str | None]:
        """The step signal (in foot-lift units) and the stepping foot, from the foot lift or the stride.

        Marching and jogging lift the feet high; walking lifts them little but swings them far apart. The two
        peak at different moments of a walking step (the lift as the feet pass each other, the stride as the
        heel lands), so they are not combined: steps follow whichever has been the larger, against its own
        threshold, over the last seconds. The choice changes only between steps; the stride's hump then under
        way may be the step the lift has just counted (the same foot, landing): it is skipped.
        """
        th = self.th
        peak = {k: v.max() for k, v in self._peaks.items()}
        walking = test(peak["stride"], lambda v: v >= th.stride_on and v / th.stride_on > peak["lift"] / th.step_on)
        stride = abs(ahead) * th.step_on / th.stride_on  # in the lift's units: one counter, one pair of thresholds
        lead = _foot_ahead(ahead)
        if not self.in_rep and walking is not None:
            source = "stride" if walking else "lift"
            if source != self._source:
                self._source = source
                last = self.records[-1] if self.records else None
                now = lead if source == "stride" else higher
                self._skip = now if last is not None and last.side == now else None
        if self._source == "lift":
            self._skip = None
            return lift, higher
        started = self.counter.started_ms if self.in_rep else None
        if started is not None and t_ms - started > th.max_stride_ms:
            self.cancel_rep()  # the feet stayed apart: no step (slow steps in the corpus last up to 1.5 s)
            self._skip = lead
        # ... over once the feet are together, or the other foot has come ahead (the feet may pass each other
        # between two frames)
        if self._skip and math.isfinite(stride):
            if stride >= th.step_off and lead == self._skip:
                return 0.0, lead
            self._skip = None
        return stride, lead

    def _rise(self, b: Body, t_ms: float) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
        """Height (torso lengths) of each foot point above its floor level: its lowest image point of late, and
        the level it has stood at (``FLOOR_PERCENTILE``).

        Each point has its own floor level, so the far foot, which a camera above the floor sees higher
        in the picture, reads 0 when it stands just as the near one does. A jump shows here: the picture
        holds the floor still, where the world landmarks move with the hips.
        """
        y = np.array([b.p(f"{s}_{p}")[1] for s in SIDES for p in FOOT_POINTS])  # image y, down
        self._floor.add(t_ms, y)
        return _above(self._floor.max(), y, b.scale), _above(self._floor.percentile(FLOOR_PERCENTILE), y, b.scale)

    def _rise_up(self, b: Body, t_ms: float) -> dict[str, dict[str, float]] | None:
        """Each foot point's height above its lowest of late, along the body's own up (the hips->shoulders
        line in the 3D world landmarks): a knee coming up toward a camera above the floor, or a step
        toward it, still rises, where in the picture it can sink. None without world landmarks."""
        drop = self._drop_world(b)
        if drop is None:
            return None
        self._floor_up.add(t_ms, drop)
        return _above(self._floor_up.percentile(FLOOR_PERCENTILE), drop, 1.0)

    @staticmethod
    def _drop_world(b: Body) -> np.ndarray | None:
        """Each foot point's distance below the mid-hips along the trunk's up, in torso lengths; None without
        world landmarks (or with a trunk far from upright, where its line is no measure of up)."""
        world = b.frame.world_points()
        hips = geometry.mean_point(world, "left_hip", "right_hip")
        up = geometry.mean_point(world, "left_shoulder", "right_shoulder") - hips
        torso = float(np.linalg.norm(up))
        if not (np.isfinite(torso) and torso > 0):
            return None
        # Only an upright trunk is a measure of up: leaning (a squat, a bow toward the camera) would mix the
        # model's unsure depths into the heights. The camera's own down is its y axis, tilted by its pitch.
        if math.degrees(math.acos(float(np.clip(-up[1] / torso, -1.0, 1.0)))) > UPRIGHT_WORLD_MAX:
            return None
        feet = world[[index(f"{s}_{p}") for s in SIDES for p in FOOT_POINTS]]
        return -((feet - hips) @ (up / torso)) / torso

    def _step_air(self, t_ms: float, events: list[Event]) -> None:
        """Turn this frame's in-the-air reading into jumps: each is reported when you land.

        A jump is judged on landing because only then is it told apart from the
        floor line moving in the picture (stepping toward or away from the
        camera): that leaves both feet "above the floor" for longer than any
        jump, and the floor level is then taken afresh.
        """
        if self._air is None:
            return  # not seen: neither starts nor ends a time in the air
        if self._air:
            if self._air_since is None:
                self._air_since, self._air_hips = t_ms, -math.inf
                self._air_glitch = self._lower - self._lower_before > self.th.takeoff_step_max
            if math.isfinite(self._hips_up):
                self._air_hips = max(self._air_hips, self._hips_up)
            self._air_last = t_ms
            if t_ms - self._air_since > self.th.max_air_ms:
                self._floor.clear()
                self._air_since = None
            return
        start, last = self._air_since, self._air_last
        self._air_since = None
        if start is None or last is None or last - start < self.th.min_air_ms or not self.armed or self._air_glitch:
            return
        if self._air_hips < self.th.jump_hips_rise:  # the feet "rose" without the body: landmarks misplaced
            return
        self.report_fault("jump", start, t_ms, self.observation.side, events)

    def after_update(self, t: float, events: list[Event]) -> None:
        """A step of an unseen foot, a jump on landing, and a stop in marching ("keep moving"), which lasts
        until the next step (one that lasts to the end is the end of the set, not a fault)."""
        if any(e.kind == "rep" for e in events):
            self._infer_unseen_step(events)
            self._pause_cued = False
        self._step_air(t, events)
        self._air = None  # observe() sets it again for the next usable frame
        if self.in_rep:  # moving again: a stop lasted until this step
            self.close_fault("stopped", self.counter.started_ms, events)
        last = self.records[-1].end_ms if self.records else None
        idle = last is not None and not self.in_rep and t - last > self.th.pause_s * 1000.0
        if idle and not self._pause_cued:
            self._pause_cued = True
            self.open_fault("stopped", last, events)

    def _infer_unseen_step(self, events: list[Event]) -> None:
        """Two steps of the same foot in a row, with the other foot unseen in between (behind the near leg in
        a side view): the unseen foot stepped between them, as marching and walking alternate."""
        unseen, self._unseen = self._unseen, None
        if len(self.records) < 2:
            return
        prev, last = self.records[-2], self.records[-1]
        if last.side is None or prev.side != last.side or unseen != other_side(last.side):
            return
        if last.start_ms - prev.end_ms > self.th.pause_s * 1000.0:
            return
        self.insert_record(RepRecord(last.index, unseen, prev.end_ms, last.start_ms, measures={"seen": False}), events)

    def bouts(self) -> list[Bout]:
        """The steps grouped into active bouts: a pause longer than ``pause_s`` starts a new one."""
        bouts: list[Bout] = []
        group: list = []
        for record in self.records:
            if group and record.start_ms - group[-1].end_ms > self.th.pause_s * 1000.0:
                bouts.append(_bout(group))
                group = []
            group.append(record)
        if group:
            bouts.append(_bout(group))
        return bouts

    def active_ms(self) -> tuple[float, float]:
        """Time marching (the bouts), not only time with a knee up; and of it, the time without a jump."""
        active_ms = sum(bt.end_ms - bt.start_ms for bt in self.bouts())
        jump_ms = sum(f.end_ms - f.start_ms for f in self.faults if f.end_ms is not None)
        return active_ms, max(0.0, active_ms - jump_ms)

    def summary(self) -> dict:
        out = super().summary()
        bouts = self.bouts()
        active_ms = self.active_ms()[0]
        intervals = sum(bt.steps - 1 for bt in bouts)
        span_ms = sum(bt.last_step_ms - bt.first_step_ms for bt in bouts)
        out["active_min"] = round(active_ms / 60000.0, 2)
        out["steps"] = len(self.records)
        out["cadence_spm"] = round(60000.0 * intervals / span_ms, 1) if intervals and span_ms > 0 else None
        out["bouts"] = [
            {
                "start_s": round(bt.start_ms / 1000.0, 3),
                "end_s": round(bt.end_ms / 1000.0, 3),
                "steps": bt.steps,
                "cadence_spm": bt.cadence_spm,
            }
            for bt in bouts
        ]
        return out

    def side_label(self, side: str) -> str:
        return f"{side} knee"


class Stride:
    """How far the left ankle is ahead of the right one (negative: behind), in torso lengths, along the line
    the feet have been swinging apart on lately.

    It is read in the 3D world landmarks, which are centred on the hips, so walking across the room, toward
    the camera, on the spot or on a treadmill reads the same. Only the separation's horizontal part (across the
    trunk's up) counts, its main direction over the last seconds is the line of walking whatever the camera's
    angle (the front, the side or in between), and the feet's heel->toe direction says which way along it is
    forward. The separation's mean over that time is taken off: a staggered stance reads 0. In walking the sign
    flips at every step: the landing foot is ahead.
    """

    def __init__(self, window_ms: float):
        self._sep = RecentValues(window_ms)  # the ankles' horizontal separation (left - right), torso lengths
        self._toes = RecentValues(window_ms)  # the feet's horizontal heel->toe direction
        self._knees = RecentValues(window_ms)  # the left knee's lead over the right one along the feet
        self.knees = math.nan  # this frame's knee lead, less its median of late (set by update())

    def update(self, t_ms: float, world: np.ndarray) -> float:
        """Add this frame's world landmarks; the left ankle's lead over the right one (NaN: not seen).

        It also sets ``knees``: how far the left knee is ahead of the right one along the feet's heel->toe
        direction, less its median over the window (the model places a far knee a little off in depth: standing,
        renders read up to 0.3 torso lengths). A knee raised in front leads by its thigh's forward swing, however
        little the foot leaves the floor: walking in place lifts a foot 3-7 cm but brings its knee 0.3-0.5 torso
        lengths ahead (corpus dev).
        """
        hips = geometry.mean_point(world, "left_hip", "right_hip")
        up = geometry.mean_point(world, "left_shoulder", "right_shoulder") - hips
        torso = float(np.linalg.norm(up))
        sep = knees = np.full(3, np.nan)
        if np.isfinite(torso) and torso > 0:
            up = up / torso
            sep, knees = ((world[index(f"left_{p}")] - world[index(f"right_{p}")]) / torso for p in ("ankle", "knee"))
            sep = sep - (sep @ up) * up
            toes = world[[index(f"{s}_foot_index") for s in SIDES]] - world[[index(f"{s}_heel") for s in SIDES]]
            toes = toes - np.outer(toes @ up, up)
            self._toes.add(t_ms, np.nanmean(toes, axis=0) if np.isfinite(toes).any() else None)
        self._sep.add(t_ms, sep)
        seps = self._sep.values()
        forward = np.asarray(self._toes.median(), dtype=float)
        self.knees = math.nan
        if not np.isfinite(forward).all():
            return math.nan
        forward = forward / max(float(np.linalg.norm(forward)), 1e-9)
        lead = float(knees @ forward)
        self._knees.add(t_ms, lead)
        self.knees = lead - float(self._knees.median())
        if not np.isfinite(sep).all() or len(seps) < 3:
            return math.nan
        centred = seps - seps.mean(axis=0)
        axis = np.linalg.eigh(centred.T @ centred)[1][:, -1]  # the main direction of the recent separations
        # ... unless it lies across the feet: then it is the model swapping left and right (the feet's sideways
        # order flips), and the feet's heel->toe direction is the line of walking. The feet point within about
        # 35 degrees of it (toes out, the model's guess of depth), a swap lies near 90.
        if abs(axis @ forward) < AXIS_COS_MIN:
            axis = forward
        axis = axis if axis @ forward >= 0 else -axis
        return float((sep - seps.mean(axis=0)) @ axis)


def _foot_ahead(ahead: float) -> str | None:
    """The foot a signed stride (:class:`Stride`: positive with the left foot ahead) has ahead; None unknown."""
    return None if not math.isfinite(ahead) else ("left" if ahead > 0 else "right")


def _above(floor, drop: np.ndarray, scale: float) -> dict[str, dict[str, float]]:
    """How far each foot point is above its floor level (a ``drop``), over ``scale``, by side and point."""
    rise = ((np.asarray(floor) - drop) / scale).reshape(len(SIDES), len(FOOT_POINTS))
    return {s: {p: float(rise[i, j]) for j, p in enumerate(FOOT_POINTS)} for i, s in enumerate(SIDES)}


def _bout(records: list) -> Bout:
    return Bout(records[0].start_ms, records[-1].end_ms, len(records), records[0].start_ms, records[-1].start_ms)
