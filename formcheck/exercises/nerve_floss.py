"""Sciatic nerve flossing: lying on the back, legs straight, one foot points while the other pulls, then swap."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.exercises import base
from formcheck.exercises.base import ExerciseInfo, FaultInfo, Observation, Targets
from formcheck.exercises.body import Body, test
from formcheck.exercises.mechanics import AlternationCounter, PairedAlternation, RecentValues, RepWindow
from formcheck.exercises.records import RepRecord
from formcheck.landmarks import SIDES, PoseFrame, other_side

FOOT = ("knee", "ankle", "foot_index")
SPREAD = 0.8  # the feet's swings compared by the spread of their middle 80 % (a far foot's jumps do not count)
FAR_SEEN_MS = 300.0  # a foot last seen longer ago than this, before a moment, is hidden at it

INFO = ExerciseInfo(
    id="nerve_floss",
    title="Sciatic nerve mobility (ankle swaps)",
    source="5 exercises by a physiotherapist, #2",
    camera="Side view: camera at floor level, 2-3 m to your side, head to toes in frame. Raising the camera a "
    "little (knee height) lets it see your far foot too.",
    start_position="Lying on your back, both legs straight on the floor, feet relaxed.",
    posture="supine",
    signal="Ankle angle of the foot nearest the camera (knee-ankle-toe, in the picture): small = toes pulled "
    "toward you, large = foot pointed.",
    completes="One swap: a foot goes from pointed to pulled or back (the other foot doing the opposite). "
    "A swap's side is the foot that pulls toward you in it.",
    kind="reps",
    faults=(
        FaultInfo("knee_bent", "Keep your legs straight", setup=True),
        FaultInfo("heels_lift", "Keep your heels on the floor"),
        FaultInfo("same_direction", "Move your feet in opposite directions: one points while the other pulls"),
    ),
    targets=Targets(reps=20),
    needs=("shoulder", "hip", "knee", "ankle", "foot_index"),
    safety="Stop if you feel a stabbing pain, or if numbness or tingling appear. "
    "See a health professional if there is no improvement.",
    warning="Stop if you feel stabbing pain, numbness or tingling.",
    cannot_check=(
        "The far foot is often hidden behind the near one: the opposite-direction rule is judged only for swaps "
        "where the far foot is visible (the summary says for how many).",
        "A swap the far foot makes alone (the near one staying put) is counted only while the far foot is in view.",
        "The far leg's knee and heel are judged only while that leg is in view.",
        "A foot that rests strongly pointed can read as pointing: if the last swap ends pulled, relaxing may "
        "count one more swap.",
    ),
)


@dataclass(frozen=True)
class Thresholds(base.LyingThresholds):
    # Measured ankle angles (knee-ankle-toe tip in the picture), not anatomical ones: MediaPipe on the rendered
    # sample reads a neutral foot (5 degrees pointed) as 118, pulled 20 degrees as 97, pointed 40 degrees as 136;
    # a resting foot in shoes read 125-131 in the real band clip.
    pulled_max: float = 108.0  # at or below: toes pulled toward you
    pointed_min: float = 128.0  # at or above: foot pointed
    knee_straight_min: float = 160.0  # knee angle (180 = straight) of a straight leg
    heel_lift_max: float = 12.0  # mid-hip -> ankle line rising more than this (degrees): heel off the floor
    # A leg raised this far is lifted, not flossing with a heel off the floor (a straight-leg raise goes to
    # 50-60 degrees): its foot's angle is no swap.
    leg_raised_min: float = 30.0
    leg_lowered_ms: float = 1000.0  # ... nor while it comes down and settles
    # The far foot arriving this far (degrees) on the near foot's side of neutral is in the same zone: 15-17
    # in the same-direction swaps of the corpus dev, at most 6 in opposite ones caught mid-way.
    same_side_by: float = 7.0
    # The other foot moving this much (degrees) the same way as the counted one: same direction ...
    far_move_min: float = 15.0
    # ... measured from a moment before the counted foot left: the other may set off a frame or two sooner
    other_lead_ms: float = 250.0
    # A swap is counted from how far the near foot's angle travels, not where it arrives (see
    # AlternationCounter): at least this far from where it turned ...
    min_swing: float = 15.0
    # ... and, once swaps both ways have been seen, this share of the way between where they usually turn:
    # relaxing the feet after the last swap (from pulled or pointed back to neutral) reads as 65-75 % of a
    # swap's width in the picture (corpus dev), but ends in the middle, and is no swap.
    swing_share: float = 0.75
    min_rep_ms: float = 80.0  # a swap can be quick (0.1 s through the middle at a brisk pace)
    # The zones sit around the middle of the swings of the last few seconds, not at fixed picture angles: the
    # camera's angle and the foot's shape shift the angle read for every position by 10-30 degrees.
    swing_window_ms: float = 4000.0
    # A heel's lift is read along the trunk's line (Body.leg_elevation), which a camera above the floor and off
    # the side tilts alike with a leg lying there: such a camera sees a far leg lying flat rise by up to 29
    # degrees in the picture (rendered variant 10: 27), along the trunk within 6 (corpus dev: 1.4). It is read
    # against where that leg lay in the last seconds (the lowest tenth of its readings, which a landmark's jump
    # does not move), at most rest_tilt_max off the trunk's line.
    rest_window_ms: float = 10000.0
    rest_percentile: float = 10.0
    rest_tilt_max: float = 15.0
    # Only a leg at rest sets that baseline: one still coming down after lying back (the trunk reads lying
    # before the legs do) moves faster than this.
    leg_still_ms: float = 400.0
    leg_still_rate: float = 20.0  # degrees a second
    refractory_ms: float = 0.0
    # Swaps are counted on both feet, the far one mirrored (see PairedAlternation): a foot may move alone (both
    # feet pulled, after one pulled, is the other foot's swing). A foot unseen for longer than this starts
    # afresh when it is seen again.
    far_lost_ms: float = 1000.0
    # Each foot is read at its own slant, and a foot seen end-on reads a compressed swing (a camera 1.45 m up
    # and 31 degrees off the side: the near foot 115-138 where it truly goes 78-141, the far one 94-159 for
    # 85-149; the middle 80 % of their swings 2.4 times as wide, where the corpus's two feet read within 0.8-1.5
    # of each other). The far foot leads the count once its swings of late spread this many times as wide as
    # the near one's and at least twice min_swing (the feet are swinging: at rest a few degrees of jitter make
    # any ratio), and the near one again below far_back.
    far_wider: float = 2.0
    far_back: float = 1.3


class NerveFloss(base.Exercise):
    info = INFO
    Thresholds = Thresholds

    def __init__(self, profile=None):
        super().__init__(profile)
        self._near: str | None = None  # the side facing the camera
        # Each foot's angle frame by frame lately (near, far): a swap is counted a moment after the counted foot
        # arrived (when it is seen to stop), and the other foot is judged as it was at the swap's start and arrival.
        self._tracks = (RecentValues(self.th.swing_window_ms), RecentValues(self.th.swing_window_ms))
        self._other_now = math.nan  # the other foot as the last counted swap arrived
        self._unjudged = 0  # swaps whose other foot could not be seen
        self._swings = RecentValues(self.th.swing_window_ms)  # the near foot's angle lately
        self._far_swings = RecentValues(self.th.swing_window_ms)  # ... and the far one's, seen at another slant
        self._legs = {s: RecentValues(self.th.rest_window_ms) for s in SIDES}  # each leg's elevation at rest lately
        self._leg_moves = {s: RecentValues(self.th.leg_still_ms) for s in SIDES}  # ... and in the last moment
        self._raised_until = -math.inf  # a leg was raised (no floss) until then

    def rep_counter(self) -> PairedAlternation:
        th = self.th
        return PairedAlternation(
            lambda: AlternationCounter(
                th.min_swing,
                share=th.swing_share,
                neutral=(th.pulled_max, th.pointed_min),
                min_rep_ms=th.min_rep_ms,
                refractory_ms=th.refractory_ms,
            ),
            still_by=th.min_swing / 2,
            lost_ms=th.far_lost_ms,
            memory_ms=th.swing_window_ms,
        )

    def _far_foot(self, frame: PoseFrame, near: str) -> float:
        """The far ankle angle when the far foot is in view and plausible, else NaN. It is read down to
        ``body.HIDDEN_MIN_VISIBILITY``: behind the near foot, the model places it well but is unsure of it."""
        far = other_side(near)
        b = Body(frame).behind()
        return b.angle(far, "ankle") if b.limb_consistent(far, near, FOOT) else math.nan

    def _leg_faults(self, b: Body, side: str, lying: bool | None) -> tuple[bool | None, bool | None, float]:
        """Knee bent, heel lifted, and how far the leg is raised above where it lay (degrees; NaN unknown)."""
        th = self.th
        knee = test(b.angle(side, "knee"), lambda v: v < th.knee_straight_min)
        elevation = b.leg_elevation(side, from_trunk=True)
        self._leg_moves[side].add(b.frame.t_ms, elevation if lying else None)
        if lying and abs(self._leg_moves[side].drift_rate(robust=True)) < th.leg_still_rate:
            self._legs[side].add(b.frame.t_ms, elevation)  # where the leg lies, not where it stood or sat
        rest = float(np.clip(self._legs[side].percentile(th.rest_percentile), -th.rest_tilt_max, th.rest_tilt_max))
        # A heel off the floor with its knee bent is the bent knee's doing (a knee drawn up lifts the foot): one
        # fault, one cue, "keep your legs straight". heels_lift is a straight leg raised.
        heel = False if knee else test(elevation - rest, lambda v: v > th.heel_lift_max)
        return knee, heel, elevation - rest

    def key_angles(self) -> tuple[base.KeyAngle, ...]:
        th = self.th
        return (
            base.KeyAngle(
                "angle_ankle", "Ankle angle (pulled / pointed)", ((None, th.pulled_max), (th.pointed_min, None))
            ),
        )

    def observe(self, frame: PoseFrame, near: str) -> Observation:
        th, b = self.th, Body(frame)
        far = other_side(near)
        lying = b.lying(th.lying_max)
        near_foot, far_foot = b.angle(near, "ankle"), self._far_foot(frame, near)
        if lying:  # the feet's swings, not how they moved on the way down
            self._swings.add(frame.t_ms, near_foot)
            self._far_swings.add(frame.t_ms, far_foot)
        knee_bent, heels_lift, raised = self._leg_faults(b, near, lying)
        if b.limb_consistent(far, near, ("hip", "knee", "ankle")):
            far_knee, far_heel, far_raised = self._leg_faults(b, far, lying)
            knee_bent = True if far_knee else knee_bent
            heels_lift = True if far_heel else heels_lift
            raised = max(raised, far_raised)
        self._choose_lead()
        # Each foot is judged against the zones where it sits among its swings of late (unknown until it has
        # swung wide: shown as read meanwhile) ...
        near_shift, far_shift = self._shift(self._swings), self._shift(self._far_swings)
        near_ankle = near_foot - (near_shift if math.isfinite(near_shift) else 0.0)
        # ... and counted as read, the far one mirrored (pulled reads as a pointed near foot): the counter counts
        # swings by how far they travel, which the slant's offset does not change, where the offset estimated
        # from the swings of late would move the signal by 10-20 degrees each time it is revised.
        ankle, partner = near_foot, th.pulled_max + th.pointed_min - far_foot
        if raised > th.leg_raised_min:
            self._raised_until = frame.t_ms + th.leg_lowered_ms
        if frame.t_ms <= self._raised_until:  # a leg raise, not an ankle swap: no swap can be judged
            ankle = partner = near_ankle = near_foot = far_foot = math.nan
        for track, foot, shift in zip(self._tracks, (near_foot, far_foot), (near_shift, far_shift)):
            track.add(frame.t_ms, (foot, foot - shift))
        self._near = near
        faults: dict[str, bool | None] = {
            "knee_bent": knee_bent if lying else None,
            "heels_lift": heels_lift if lying else None,
        }
        ready = (
            None
            if lying is None
            else bool(lying and knee_bent is False and heels_lift is False and math.isfinite(ankle))
        )
        return Observation(
            ready=ready,
            signal=ankle,
            partner=partner,
            faults=faults,
            angles=[
                base.AngleReading("ankle", b.joint(f"{near}_ankle"), near_ankle),
                base.AngleReading(
                    "knee",
                    b.joint(f"{near}_knee"),
                    b.angle(near, "knee"),
                    test(b.angle(near, "knee"), lambda v: v >= th.knee_straight_min),
                ),
            ],
            bad_joints=(b.joint(f"{near}_knee"), b.joint(f"{near}_heel"), b.joint(f"{far}_knee")),
        )

    def _choose_lead(self) -> None:
        """The foot whose swings read wider of late leads the count (see ``far_wider``)."""
        near, far = self._swings.span(SPREAD), self._far_swings.span(SPREAD)
        if self.counter is None or not (
            math.isfinite(near) and math.isfinite(far) and near > 0 and far >= 2 * self.th.min_swing
        ):
            return
        ratio, lead = far / near, self.counter.lead
        self.counter.lead_by(1 if ratio >= self.th.far_wider or (lead == 1 and ratio > self.th.far_back) else 0)

    def _shift(self, swings: RecentValues) -> float:
        """How far the middle of a foot's recent swings lies from the middle of the zones: its angles are read as
        if it were there. NaN until the foot has swung wider than the gap between the zones: a foot seen end-on
        swings 20 degrees where it truly goes 60, wholly on one side of neutral, and its zone is unknown."""
        th = self.th
        low, high = swings.min(), swings.max()
        if not (math.isfinite(low) and math.isfinite(high)) or high - low < 1.5 * (th.pointed_min - th.pulled_max):
            return math.nan
        return (low + high) / 2 - (th.pulled_max + th.pointed_min) / 2

    def _same_direction(self, window: RepWindow) -> bool:
        """As the counted foot arrived, the other one was in the same zone (both point or both pull; judged once
        its zones are known), or it had moved the same way during the swap. False when the other foot is hidden
        (not judged)."""
        th = self.th
        counted = self.counter.by if self.counter is not None else None
        if counted is None:
            return False
        track = self._tracks[1 - counted]
        arrived, began = (
            np.broadcast_to(track.last_before(t, FAR_SEEN_MS), (2,))
            for t in (window.end_ms, window.start_ms - th.other_lead_ms)
        )
        self._other_now, other = arrived
        if not math.isfinite(self._other_now):
            return False
        # where the counted foot arrived: the counter's low zone is the near foot pulled, so the far foot pointed
        pulled = (self.counter.zone == "low") != (counted == 1)
        moved = self._other_now - began[0]  # NaN: hidden as the swap began
        # The far foot is seen at a slant and its angle reads less extreme (a pulled far foot: about 109 on
        # the true keypoints of the rendered sample), so it only has to be clearly on the near foot's side of
        # neutral: a far foot still on its way, or relaxing, reads within a few degrees of it.
        neutral = (th.pulled_max + th.pointed_min) / 2
        same_zone = other < neutral - th.same_side_by if pulled else other > neutral + th.same_side_by
        same_way = moved <= -th.far_move_min if pulled else moved >= th.far_move_min
        return same_zone or same_way

    def rep_side(self, window: RepWindow) -> str | None:
        """The foot that pulls in this swap: the near one if it arrived pulled, else the far one; "both" when the
        feet moved the same way (no foot pulled against the other: the move belongs to neither side)."""
        if self._same_direction(window):
            return "both"
        if self._near is None or self.counter is None or self.counter.zone is None:
            return None
        return self._near if self.counter.zone == "low" else other_side(self._near)

    def judge(self, record: RepRecord) -> list[str]:
        """Same direction (a swap of "both" sides); counts the swaps it could not be judged on (far foot hidden)."""
        if not math.isfinite(self._other_now):
            self._unjudged += 1
        return ["same_direction"] if record.side == "both" else []

    def side_label(self, side: str) -> str:
        return f"{side} foot pulled"

    def summary(self) -> dict:
        """Adds how many swaps the opposite-direction rule could be judged on (the far foot was in view)."""
        out = super().summary()
        out["same_direction_judged"] = {"swaps": len(self.records) - self._unjudged, "of": len(self.records)}
        return out

    def notes(self) -> list[str]:
        if not self._unjudged:
            return []
        return [
            f"Could not see your far foot in {self._unjudged} of {len(self.records)} swaps: "
            "the opposite-direction rule was not checked there."
        ]
