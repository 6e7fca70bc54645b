"""A randomised, seeded corpus of exercise scenarios: ground-truth keypoint tracks, nothing rendered.

``scenario(exercise_id, seed)`` draws a body, a camera, a start, a tempo, rep
counts and hold lengths, natural variation inside good form and, sometimes,
faults from the exercise's own list; it scripts the movement with
:mod:`formcheck.testing.synthetic` and writes down the truth as it goes (reps
as performed, holds as the still part, faults as the injected intervals), in
the shape :func:`formcheck.testing.evaluation.score` reads (docs/ground_truth.md).
The same seed always gives the same scenario. ``split(seed)`` divides the
seeds: tune on "dev", report on "test" (docs/corpus.md).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace

import numpy as np

from formcheck.exercises.base import Profile
from formcheck.landmarks import PoseFrame
from formcheck.testing.synthetic import (
    PRONE,
    QUADRUPED,
    STANDING,
    SUPINE,
    Body,
    Builder,
    Camera,
    Clip,
    Noise,
    Pose,
    joints,
    render,
)

EXERCISES = (
    "aerobic_march",
    "bird_dog",
    "hamstring_stretch",
    "knee_to_shoulder",
    "lumbar_extension",
    "nerve_floss",
    "nerve_glide",
    "nerve_tension",
    "piriformis_stretch",
)
STARTS = ("in_position", "getting_into", "walking_in", "fidgeting", "mid_set")
RESOLUTIONS = ((640, 480), (1280, 720), (1920, 1080), (1080, 1920), (720, 1280))
FRAME_RATES = (10, 12, 15, 20, 24, 25, 30, 30, 48, 60)
MARGIN = 0.03  # share of the picture kept clear around the body, unless the scenario cuts it


def split(seed: int) -> str:
    """Every fourth seed (0, 4, 8, ...) is held out for reporting; the rest are for development."""
    return "test" if seed % 4 == 0 else "dev"


@dataclass(frozen=True)
class Scenario:
    exercise: str
    seed: int
    frames: list[PoseFrame]
    truth: dict  # docs/ground_truth.md's fields that evaluation.score reads, plus fps, image, duration_s
    profile: Profile  # what the user would have told formcheck (target hold, symptomatic side)
    params: dict  # the drawn parameters, for reports

    @property
    def split(self) -> str:
        return split(self.seed)


@dataclass
class Script:
    """A :class:`Builder` that writes down the truth of what it makes the body do.

    Movements take ``seconds / tempo``; timed holds take what they are given.
    """

    builder: Builder
    tempo: float = 1.0
    reps: list = field(default_factory=list)
    holds: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    judged_from: float = 0.0  # when the exercise part starts (the camera is framed on what follows)

    @property
    def t(self) -> float:
        return self.builder.t

    @property
    def pose(self) -> Pose:
        return self.builder.pose

    def move(self, seconds: float, pose: Pose | None = None, **changes: float) -> Script:
        self.builder.move(seconds / self.tempo, pose, **changes)
        return self

    def hold(self, seconds: float) -> Script:
        if seconds > 0:
            self.builder.hold(seconds)
        return self

    def rest(self, seconds: float) -> Script:
        return self.hold(seconds / self.tempo)

    def rep(self, side: str | None, start: float) -> int:
        self.reps.append({"index": len(self.reps), "side": side, "start_s": start, "end_s": self.t})
        return len(self.reps) - 1

    def held(self, side: str | None, start: float, end: float, rep: int) -> None:
        self.holds.append({"index": len(self.holds), "side": side, "rep": rep, "start_s": start, "end_s": end})
        self.holds[-1]["duration_s"] = end - start

    def fault(self, fault_id: str, side: str | None, start: float, end: float, rep: int | None) -> None:
        self.faults.append(
            {"index": len(self.faults), "id": fault_id, "side": side, "rep": rep, "start_s": start, "end_s": end}
        )


class Draw:
    """The scenario's random draws, each written down under a name for the report."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.params: dict = {}

    def uniform(self, name: str, lo: float, hi: float) -> float:
        value = float(self.rng.uniform(lo, hi))
        self.params[name] = round(value, 3)
        return value

    def choice(self, name: str, options):
        value = options[int(self.rng.integers(len(options)))]
        self.params[name] = value
        return value

    def chance(self, name: str, p: float) -> bool:
        value = bool(self.rng.random() < p)
        self.params[name] = value
        return value

    def normal(self, name: str, mean: float, sd: float, lo: float = -np.inf, hi: float = np.inf) -> float:
        value = float(np.clip(self.rng.normal(mean, sd), lo, hi))
        self.params[name] = round(value, 3)
        return value

    def integer(self, name: str, lo: int, hi: int) -> int:
        value = int(self.rng.integers(lo, hi + 1))
        self.params[name] = value
        return value

    def u(self, lo: float, hi: float) -> float:
        """An unrecorded draw (per-rep variation)."""
        return float(self.rng.uniform(lo, hi))


def other(side: str) -> str:
    return "right" if side == "left" else "left"


# --- starts ---------------------------------------------------------------------------


def _walk_in(script: Script, d: Draw, into: Pose) -> None:
    """Walk in from off to one side (a few small steps), then get into ``into``."""
    direction = d.choice("walk_from", (-1.0, 1.0))
    b = script.builder
    b.keys[0] = (0.0, replace(STANDING, x=3.0 * direction))
    steps = d.integer("walk_steps", 3, 5)
    for k in range(steps):
        swing = "l" if k % 2 == 0 else "r"
        x = 3.0 * direction * (1 - (k + 1) / steps)
        script.move(0.5, STANDING, x=x - 0.15 * direction, **{f"{swing}_hip": 30, f"{swing}_knee": 40})
        script.move(0.3, STANDING, x=x)
    script.move(2.0, into).rest(d.u(0.5, 1.0))


def _fidget(script: Script, d: Draw, seconds: float) -> None:
    """Small shifts of the arms, head and pelvis in the start position: no rep, no fault."""
    end = script.t + seconds
    base = script.pose
    while script.t < end:
        shift = {"neck": base.neck + d.u(-10, 10), "l_shoulder": base.l_shoulder + d.u(-8, 8)}
        shift["r_shoulder"] = base.r_shoulder + d.u(-8, 8)
        script.move(d.u(0.4, 0.8), base, **shift).move(d.u(0.4, 0.8), base).rest(d.u(0.1, 0.5))


def start(script: Script, d: Draw, from_pose: Pose, kind: str) -> None:
    """Bring the body to the script's start pose (``script.pose``) the way ``kind`` says."""
    into = script.pose
    if kind == "getting_into":
        script.builder.keys[0] = (0.0, from_pose)
        script.rest(d.u(0.5, 1.5)).move(2.0, into).rest(d.u(0.8, 1.5))
    elif kind == "walking_in":
        _walk_in(script, d, into)
    elif kind == "fidgeting":
        script.rest(d.u(0.3, 1.0))
        _fidget(script, d, d.u(1.5, 3.0))
        script.rest(d.u(0.5, 1.0))
    elif kind == "in_position":
        script.rest(d.u(0.8, 2.0))
    script.judged_from = script.t if kind == "walking_in" else 0.0


def pause(script: Script, d: Draw, fidget_p: float = 0.25) -> None:
    """The rest between two reps: still, or with a fidget or re-grip."""
    script.rest(d.u(0.3, 1.5))
    if d.rng.random() < fidget_p:
        _fidget(script, d, d.u(0.5, 1.2))
        script.rest(d.u(0.3, 0.6))


def faults_for(d: Draw, n: int, options: tuple[str, ...], p: float = 0.45) -> list[str | None]:
    """Which rep (if any) carries which injected fault: each scenario has one with chance ``p``, at most two."""
    plan: list[str | None] = [None] * n
    if n and d.chance("has_faults", p):
        for k in d.rng.choice(n, size=min(n, int(d.rng.integers(1, 3))), replace=False):
            plan[int(k)] = options[int(d.rng.integers(len(options)))]
    d.params["faults"] = [f for f in plan if f]
    return plan


# --- the exercises ---------------------------------------------------------------------


def bird_dog(d: Draw) -> tuple[Script, Profile, dict]:
    target = d.choice("target_hold_s", (3.0, 3.0, 2.0, 5.0))
    hands, knees = d.uniform("hand_offset_deg", -12, 12), d.uniform("knee_offset_deg", -15, 15)
    rest = replace(QUADRUPED, l_shoulder=90 + hands, r_shoulder=90 + hands, l_hip=90 + knees, r_hip=90 + knees)
    s = Script(Builder(rest), d.uniform("tempo", 0.5, 2.0))
    kind = d.choice("start", STARTS)
    start(s, d, Pose(y=0.95), kind if kind != "mid_set" else "in_position")
    n = d.integer("reps", 2, 6)
    plan = faults_for(
        d,
        n,
        (
            "arm_bent",
            "leg_bent",
            "arm_low",
            "leg_too_high",
            "back_not_level",
            "hips_rotated",
            "same_side_limbs",
            "hold_too_short",
        ),
    )
    arm = d.choice("first_arm", ("left", "right"))
    for k, fault in enumerate(plan):
        leg = arm if fault == "same_side_limbs" else other(arm)
        a, g = arm[0], leg[0]
        reach = {f"{a}_shoulder": 180 + d.u(-10, 8), f"{a}_elbow": d.u(0, 8)}
        reach |= {f"{g}_hip": d.u(-6, 10), f"{g}_knee": d.u(0, 10), f"{g}_ankle": -30}
        if fault == "arm_bent":
            reach[f"{a}_elbow"] = 60
        elif fault == "leg_bent":
            reach[f"{g}_knee"] = 70
        elif fault == "arm_low":
            reach[f"{a}_shoulder"] = 140
        elif fault == "leg_too_high":
            reach[f"{g}_hip"] = -40
        elif fault == "back_not_level":
            reach |= {"trunk": -22, f"{a}_shoulder": 202, f"{g}_hip": 22}
        elif fault == "hips_rotated":
            reach["pelvis_roll"] = 60 if leg == "right" else -60
        hold = target * d.u(0.15, 0.5) if fault == "hold_too_short" else target + d.u(0.6, 2.5)
        t0 = s.t
        if k == 0 and kind == "mid_set":  # the clip starts in the first reach's hold
            s.builder.keys[:] = [(0.0, replace(rest, **reach))]
            t_hold = 0.0
        else:
            s.move(1.0, rest, **reach)
            t_hold = s.t
        s.hold(hold)
        t_end = s.t
        s.move(1.0, rest)
        rep = s.rep(arm, t0)
        s.held(arm, t_hold, t_end, rep)
        if fault == "same_side_limbs":
            s.fault(fault, arm, t0, s.t, rep)
        elif fault:
            s.fault(fault, arm, t_hold, t_end, rep)
        pause(s, d)
        arm = other(arm)
    s.rest(1.0)
    return s, Profile(target_hold_s=target), {"hold_s": target, "reps_per_side": n // 2}


# Stepping on the spot: (hip, knee) flexion of the lifted leg, degrees. Walking in place barely lifts the feet.
MARCH_STYLES = {"march": (70, 80), "high_knees": (90, 95), "walk_in_place": (30, 45)}
# A real gait (walking across the room, or on a treadmill): metres a step over the floor. At each heel strike
# the landing leg is forward (hip 20-30) and the other back (hip -10 to -20), 50-70 cm apart; between strikes
# the swinging foot passes the standing one barely lifted (hip 12-20, knee 40-55: the ankle 5-9 cm up).
GAITS = {"walk_across": (0.45, 0.7), "treadmill": (0.0, 0.0)}


def aerobic_march(d: Draw) -> tuple[Script, Profile, dict]:
    style = d.choice("style", (*MARCH_STYLES, *GAITS))
    s = Script(Builder(STANDING), d.uniform("tempo", 0.5, 2.0))
    kind = d.choice("start", ("in_position", "getting_into", "fidgeting", "mid_set"))
    start(s, d, Pose(y=0.5, l_hip=90, r_hip=90, l_knee=90, r_knee=90), kind)
    gait = style in GAITS
    # across a room there is space for a few strides; a turn at its end is not scripted
    n = d.integer("steps", 6, 10) if style == "walk_across" else d.integer("steps", 8, 24)
    plan = faults_for(d, n, ("stopped",) if gait else ("jump", "stopped"), p=0.35)
    period = 60.0 / d.uniform("cadence_spm", 80, 120)  # at tempo 1
    side = d.choice("first_side", ("left", "right"))
    direction = d.choice("direction", (-1.0, 1.0))
    advance = d.uniform("advance_m", *GAITS[style]) * direction if gait else 0.0
    hip, knee = MARCH_STYLES.get(style, (0, 0))
    hip, knee = hip + d.u(-10, 10), knee + d.u(-10, 10)
    x = 0.0
    for fault in plan:
        if fault == "stopped" and s.reps:
            if gait:  # one stops walking with the feet together
                s.move(period / 2, STANDING, x=x)
            t_stop = s.t
            s.hold(d.u(4.0, 6.0))
            s.fault("stopped", None, t_stop, s.t, None)  # ends as the next step starts
        t0, sd, od = s.t, side[0], other(side)[0]
        arms = {f"{od}_shoulder": 25 if style != "march" else 35, f"{sd}_shoulder": -15}
        if gait:  # the swing (feet passing, one barely lifted), then the heel strike (feet apart)
            swing = {f"{sd}_hip": d.u(12, 20), f"{sd}_knee": d.u(40, 55), f"{od}_hip": 0, f"{od}_knee": 5}
            s.move(period / 2, STANDING, x=x + advance / 2, **swing, **arms)
            strike = {f"{sd}_hip": d.u(20, 30), f"{sd}_knee": 5, f"{od}_hip": -d.u(10, 20), f"{od}_knee": 10}
            x += advance
            s.move(period / 2, STANDING, x=x, **strike)
        else:
            lift = {f"{sd}_hip": hip + d.u(-5, 5), f"{sd}_knee": knee + d.u(-5, 5)}
            s.move(period / 2, STANDING, **lift, **arms)
            if fault == "jump":
                t_air = s.t
                s.move(0.15, s.pose, y=1.05).move(0.15, s.pose, y=0.95)
                s.fault("jump", None, t_air, s.t, None)
            s.move(period / 2, STANDING)
        s.rep(side, t0)
        side = other(side)
    if gait:  # the feet come together and stay: the end of the walk, not a stride of its own
        s.move(period, STANDING, x=x + advance / 4)
    s.rest(1.0)
    return s, Profile(), {"cadence_spm": 100}


def _hamstring_up(side: str, hinge: float, raise_deg: float, knee: float, **faults: float) -> Pose:
    s, o = side[0], other(side)[0]
    pose = {f"{s}_hip": raise_deg + hinge, f"{o}_hip": hinge, f"{s}_ankle": 20, "trunk": 90 - hinge}
    pose[f"{s}_knee"] = knee
    pose[f"{s}_hip"] += knee / 3  # a soft knee raises the heel less: keep the foot on the box
    for key, value in faults.items():
        name = key.replace("S_", f"{s}_").replace("O_", f"{o}_")
        pose[name] = pose.get(name, 0.0) + value
    if s == "r" and "hip_hike" in pose:
        pose["hip_hike"] = -pose["hip_hike"]
    return Pose(**pose)


HAMSTRING_FAULTS = {
    "knee_bent": {"S_knee": 35, "S_hip": 12},
    "foot_too_low": {"S_hip": -20},
    "foot_too_high": {"S_hip": 22},
    "hips_lift": {"hip_hike": 0.03},
    "standing_leg_bent": {"O_knee": 35, "O_hip": 15},
    "not_hinging": {},
    "hold_too_short": {},
}


def hamstring_stretch(d: Draw) -> tuple[Script, Profile, dict]:
    target = d.choice("target_hold_s", (3.0, 4.0, 5.0, 6.0, 8.0, 20.0))
    s = Script(Builder(STANDING, fps=15), d.uniform("tempo", 0.5, 2.0))
    kind = d.choice("start", STARTS)
    start(s, d, Pose(y=0.5, l_hip=90, r_hip=90, l_knee=90, r_knee=90), kind if kind != "mid_set" else "in_position")
    per_side = d.integer("holds_per_side", 1, 2) if target <= 5 else 1
    side = d.choice("first_side", ("left", "right"))
    sides = [side] * per_side + [other(side)] * per_side
    plan = faults_for(d, len(sides), tuple(HAMSTRING_FAULTS))
    box = d.uniform("box_raise_deg", 52, 66)
    for k, (side, fault) in enumerate(zip(sides, plan)):
        extra = HAMSTRING_FAULTS.get(fault or "", {})
        hinge = 0.0 if fault == "not_hinging" else d.u(15, 35)
        knee = d.u(0, 8)
        up, hinged = (_hamstring_up(side, h, box, knee, **extra) for h in (0.0, hinge))
        knee_up = {f"{side[0]}_hip": 80, f"{side[0]}_knee": 60}
        hold = target * d.u(0.15, 0.5) if fault == "hold_too_short" else target + d.u(0.6, 3.0)
        t0 = s.t
        if k == 0 and kind == "mid_set":  # the heel is on the box and the stretch held as the clip starts
            s.builder.keys[:] = [(0.0, hinged)]
            t_on = t_hold = 0.0
        else:
            s.move(0.8, STANDING, **knee_up).move(0.7, up)
            t_on = s.t
            s.move(1.4, hinged)
            t_hold = s.t
        s.hold(hold)
        t_end = s.t
        s.move(1.0, up).move(0.7, STANDING, **knee_up).move(0.7, STANDING)
        rep = s.rep(side, t0)
        s.held(side, t_hold, t_end, rep)
        if fault:
            s.fault(fault, side, t_hold if fault == "hold_too_short" else t_on, t_end, rep)
        pause(s, d, fidget_p=0.15)
    s.rest(0.5)
    return s, Profile(target_hold_s=target), {"hold_s": target, "holds_per_side": per_side}


def _pull(side: str, hip=120, knee=120, abduct=0, arms=(25, 45), other_hip=0, other_knee=0) -> dict:
    me, o = side[0], other(side)[0]
    return {
        f"{me}_hip": hip,
        f"{me}_knee": knee,
        f"{me}_abduct": abduct,
        f"{o}_hip": other_hip,
        f"{o}_knee": other_knee,
        "l_shoulder": arms[0],
        "r_shoulder": arms[0],
        "l_elbow": arms[1],
        "r_elbow": arms[1],
    }


KNEE_TO_SHOULDER_FAULTS = {
    "knee_not_bent": dict(hip=100, knee=55, arms=(25, 20)),
    "other_leg_bent": dict(other_hip=45, other_knee=90),
    "other_leg_lifted": dict(other_hip=35),
    "hands_not_on_leg": dict(arms=(0, 0)),
    "knee_drifts_out": dict(abduct=60),
    "knee_not_pulled": dict(hip=65, knee=90, arms=(20, 0)),
    "hold_too_short": {},
}


def knee_to_shoulder(d: Draw) -> tuple[Script, Profile, dict]:
    target = d.choice("target_hold_s", (3.0, 4.0, 5.0, 6.0, 8.0))
    s = Script(Builder(SUPINE, fps=15), d.uniform("tempo", 0.5, 2.0))
    kind = d.choice("start", STARTS)
    sitting = replace(SUPINE, y=0.1, trunk=90.0, l_hip=90, r_hip=90)
    start(s, d, sitting, kind if kind != "mid_set" else "in_position")
    per_side = d.integer("holds_per_side", 1, 2)
    side = d.choice("first_side", ("left", "right"))
    sides = [side] * per_side + [other(side)] * per_side
    plan = faults_for(d, len(sides), tuple(KNEE_TO_SHOULDER_FAULTS))
    for k, (side, fault) in enumerate(zip(sides, plan)):
        natural = dict(hip=120 + d.u(-10, 10), knee=120 + d.u(-10, 10), abduct=d.u(-10, 10))
        pose = _pull(side, **(natural | KNEE_TO_SHOULDER_FAULTS.get(fault or "", {})))
        hold = target * d.u(0.15, 0.5) if fault == "hold_too_short" else target + d.u(0.6, 3.0)
        t0 = s.t
        if k == 0 and kind == "mid_set":
            s.builder.keys[:] = [(0.0, replace(SUPINE, **pose))]
            t_hold = 0.0
        else:
            s.move(1.5, SUPINE, **pose)
            t_hold = s.t
        s.hold(hold)
        t_end = s.t
        s.move(1.5, SUPINE)
        rep = s.rep(side, t0)
        s.held(side, t_hold, t_end, rep)
        if fault:
            s.fault(fault, side, t_hold, t_end, rep)
        pause(s, d)
    s.rest(0.5)
    return s, Profile(target_hold_s=target), {"hold_s": target, "holds_per_side": per_side}


ON_ELBOWS = dict(trunk=20, l_hip=-20, r_hip=-20, l_shoulder=90, r_shoulder=90, l_elbow=90, r_elbow=90, neck=-20)
ON_HANDS = dict(trunk=35, l_hip=-35, r_hip=-35, l_shoulder=75, r_shoulder=75, l_elbow=5, r_elbow=5, neck=-20)
LUMBAR_FAULTS = {
    "hips_lift": {**ON_HANDS, "y": 0.3, "l_hip": -5, "r_hip": -5},
    "elbows_not_under_shoulders": {**ON_ELBOWS, "l_shoulder": 140, "r_shoulder": 140, "l_elbow": 40, "r_elbow": 40},
    "arms_not_straight": {**ON_HANDS, "l_elbow": 45, "r_elbow": 45, "l_shoulder": 60, "r_shoulder": 60},
}


def lumbar_extension(d: Draw) -> tuple[Script, Profile, dict]:
    s = Script(Builder(PRONE), d.uniform("tempo", 0.5, 2.0))
    kind = d.choice("start", ("in_position", "getting_into", "walking_in", "fidgeting", "mid_set"))
    start(s, d, Pose(), kind if kind != "mid_set" else "in_position")
    n = d.integer("reps", 3, 8)
    style = d.choice("style", ("elbows", "hands", "mixed"))
    plan = faults_for(d, n, tuple(LUMBAR_FAULTS))
    for k, fault in enumerate(plan):
        on_hands = style == "hands" or (style == "mixed" and k >= n // 2)
        lift = d.u(-5, 8)
        top = dict(ON_HANDS if on_hands else ON_ELBOWS)
        top |= {"trunk": top["trunk"] + lift, "l_hip": top["l_hip"] - lift, "r_hip": top["r_hip"] - lift}
        top |= LUMBAR_FAULTS.get(fault or "", {})
        t0 = s.t
        s.move(1.2, PRONE, **top).hold(d.u(0.3, 2.0)).move(1.2, PRONE)
        rep = s.rep(None, t0)
        if fault:
            s.fault(fault, None, t0, s.t, rep)
        pause(s, d, fidget_p=0.15)
    s.rest(0.5)
    return s, Profile(), {"reps": n}


FLOSS_RELAXED, FLOSS_PULLED, FLOSS_POINTED = -28, -5, -48


def nerve_floss(d: Draw) -> tuple[Script, Profile, dict]:
    lying = replace(SUPINE, l_ankle=FLOSS_RELAXED, r_ankle=FLOSS_RELAXED)
    s = Script(Builder(lying, fps=20), d.uniform("tempo", 0.5, 2.0))
    kind = d.choice("start", STARTS)
    long_sit = Pose(y=0.45, trunk=90, l_hip=90, r_hip=90, l_ankle=FLOSS_RELAXED, r_ankle=FLOSS_RELAXED)
    start(s, d, long_sit, kind if kind != "mid_set" else "in_position")
    n = d.integer("swaps", 6, 20)
    plan = faults_for(d, n, ("knee_bent", "heels_lift", "same_direction"), p=0.35)
    pulled = d.choice("first_pulled", ("left", "right"))
    for fault in plan:
        p = pulled[0]
        q = other(pulled)[0]
        feet = {f"{p}_ankle": FLOSS_PULLED + d.u(-4, 4), f"{q}_ankle": FLOSS_POINTED + d.u(-5, 5)}
        side = pulled
        if fault == "same_direction":
            feet = {"l_ankle": FLOSS_PULLED, "r_ankle": FLOSS_PULLED}
            side = "both"
        elif fault == "knee_bent":
            feet |= {f"{p}_hip": 20, f"{p}_knee": 40}
        elif fault == "heels_lift":
            feet |= {f"{p}_hip": 20}
        t0 = s.t
        s.move(0.6, lying, **feet).rest(d.u(0.2, 0.8))
        rep = s.rep(side, t0)
        if fault:
            s.fault(fault, "both" if side == "both" else pulled, t0, s.t, rep)
        if fault in ("knee_bent", "heels_lift"):  # the leg is put right before the next swap
            s.move(0.3, lying, **{k: v for k, v in feet.items() if k.endswith("ankle")})
        if fault != "same_direction":
            pulled = other(pulled)
    s.move(0.8, lying).rest(1.0)
    return s, Profile(), {"reps": n}


GLIDE_FAULTS = {
    "thigh_not_vertical": {"hip": 60, "arms": (20, 0)},
    "toes_not_pulled": {"ankle": -40},
    "hands_not_on_thigh": {"arms": (0, 0)},
    "other_leg_lifted": {"other_hip": 25},
}


def _glide_hold(side: str, hip=90, knee=90, ankle=-10, arms=(30, 0), other_hip=0, other_knee=0) -> dict:
    me, o = side[0], other(side)[0]
    return {
        f"{me}_hip": hip,
        f"{me}_knee": knee,
        f"{me}_ankle": ankle,
        f"{o}_hip": other_hip,
        f"{o}_knee": other_knee,
        "l_shoulder": arms[0],
        "r_shoulder": arms[0],
        "l_elbow": arms[1],
        "r_elbow": arms[1],
    }


def nerve_glide(d: Draw) -> tuple[Script, Profile, dict]:
    side = d.choice("symptomatic_side", ("left", "right"))
    s = Script(Builder(SUPINE, fps=15), d.uniform("tempo", 0.5, 2.0))
    kind = d.choice("start", STARTS)
    start(s, d, replace(SUPINE, trunk=90.0, l_hip=90, r_hip=90), kind if kind != "mid_set" else "in_position")
    thigh = 90 + d.uniform("thigh_offset_deg", -10, 10)
    s.move(1.6, SUPINE, **_glide_hold(side, hip=thigh)).rest(0.8)
    rest = s.pose
    n = d.integer("reps", 3, 8)
    plan = faults_for(d, n, tuple(GLIDE_FAULTS))
    for fault in plan:
        top = dict(hip=thigh, knee=d.u(3, 15), ankle=20 + d.u(-5, 5)) | GLIDE_FAULTS.get(fault or "", {})
        t0 = s.t
        s.move(1.0, rest, **_glide_hold(side, **top))
        t_top = s.t
        s.rest(d.u(0.3, 1.0))
        t_down = s.t
        s.move(0.9, rest)
        rep = s.rep(side, t0)
        if fault == "toes_not_pulled":
            s.fault(fault, side, t_top, t_down, rep)
        elif fault:
            s.fault(fault, side, t0, s.t, rep)
        s.rest(d.u(0.3, 1.0))
    s.move(1.4, SUPINE).rest(0.5)
    return s, Profile(symptomatic_side=side), {"reps": n}


def nerve_tension(d: Draw) -> tuple[Script, Profile, dict]:
    side = d.choice("symptomatic_side", ("left", "right"))
    s = Script(Builder(SUPINE, fps=20), d.uniform("tempo", 0.5, 2.0))
    kind = d.choice("start", STARTS)
    start(s, d, Pose(y=0.45, trunk=90, l_hip=90, r_hip=90), kind if kind != "mid_set" else "in_position")
    n = d.integer("reps", 3, 8)
    plan = faults_for(d, n, ("knee_bent", "other_leg_lifted"))
    me, o = side[0], other(side)[0]
    for fault in plan:
        top = {f"{me}_hip": d.u(45, 80), f"{me}_knee": d.u(0, 8)}
        if fault == "knee_bent":
            top[f"{me}_knee"] = 45
        elif fault == "other_leg_lifted":
            top[f"{o}_hip"] = 30
        t0 = s.t
        s.move(1.2, SUPINE, **top).rest(d.u(0.3, 1.2)).move(1.2, SUPINE)
        rep = s.rep(side, t0)
        if fault:
            s.fault(fault, side, t0, s.t, rep)
        pause(s, d, fidget_p=0.15)
    s.rest(0.5)
    return s, Profile(symptomatic_side=side), {"reps": n}


PIRIFORMIS_REST = replace(SUPINE, l_hip=45, r_hip=45, l_knee=90, r_knee=90, l_ankle=10, r_ankle=10)


def _figure4(crossed: str, support_hip=100, on_shin=False) -> dict:
    c, s = crossed[0], other(crossed)[0]
    leg = (
        dict(hip=support_hip - 25, abduct=25, knee=100, hip_rot=90)
        if on_shin
        else dict(hip=support_hip + 20, abduct=25, knee=115, hip_rot=80)
    )
    return {f"{s}_hip": support_hip, f"{s}_knee": 90, **{f"{c}_{k}": v for k, v in leg.items()}}


def piriformis_stretch(d: Draw) -> tuple[Script, Profile, dict]:
    side = d.choice("symptomatic_side", ("left", "right"))
    target = d.choice("target_hold_s", (3.0, 4.0, 5.0, 6.0, 8.0))
    s = Script(Builder(PIRIFORMIS_REST, fps=15), d.uniform("tempo", 0.5, 2.0))
    kind = d.choice("start", STARTS)
    start(s, d, replace(SUPINE, trunk=90.0, l_hip=90, r_hip=90), kind if kind != "mid_set" else "in_position")
    n = d.integer("holds", 2, 4)
    stays_crossed = d.chance("stays_crossed", 0.3)  # the leg stays crossed between pulls
    plan = faults_for(d, n, ("ankle_not_near_knee", "thigh_not_pulled", "hold_too_short"))
    crossed = replace(PIRIFORMIS_REST, **_figure4(side, support_hip=45))
    for k, fault in enumerate(plan):
        support = 72 if fault == "thigh_not_pulled" else 100 + d.u(-10, 10)
        pulled = replace(PIRIFORMIS_REST, **_figure4(side, support, on_shin=fault == "ankle_not_near_knee"))
        hold = target * d.u(0.15, 0.5) if fault == "hold_too_short" else target + d.u(0.6, 3.0)
        t0 = s.t
        if k == 0 and kind == "mid_set":
            s.builder.keys[:] = [(0.0, pulled)]
            t_hold = 0.0
        else:
            if s.pose != crossed:
                s.move(1.0, crossed).rest(0.4)
            s.move(1.0, pulled)
            t_hold = s.t
        s.hold(hold)
        t_end = s.t
        s.move(0.8, crossed)
        last = k == n - 1
        if not stays_crossed or last:
            s.move(0.8, PIRIFORMIS_REST)
        rep = s.rep(side, t0)
        s.held(side, t_hold, t_end, rep)
        if fault:
            s.fault(fault, side, t_hold, t_end, rep)
        s.rest(d.u(1.0, 2.5))
    return s, Profile(symptomatic_side=side, target_hold_s=target), {"hold_s": target, "holds": n}


SCRIPTS = {
    "aerobic_march": aerobic_march,
    "bird_dog": bird_dog,
    "hamstring_stretch": hamstring_stretch,
    "knee_to_shoulder": knee_to_shoulder,
    "lumbar_extension": lumbar_extension,
    "nerve_floss": nerve_floss,
    "nerve_glide": nerve_glide,
    "nerve_tension": nerve_tension,
    "piriformis_stretch": piriformis_stretch,
}


# --- other movements: none of the nine, for recognition to tell apart ------------------------------
# Exercises a recording of home exercise may show instead (those the recognition issue names): each drawn as
# varied as the nine, with no truth of reps. Their poses are the nearest look-alikes of the nine: a push-up
# top is a lumbar extension on the hands with the hips up, a forearm plank the bird dog's floor with the knees
# up, a squat and a lunge the standing exercises' knees and hips.


def squat(d: Draw) -> tuple[Script, Profile, dict]:
    s = Script(Builder(STANDING), d.uniform("tempo", 0.5, 2.0))
    start(s, d, STANDING, d.choice("start", ("in_position", "walking_in", "fidgeting")))
    for _ in range(d.integer("reps", 4, 12)):
        depth = d.u(0.75, 1.15)  # a quarter squat to below parallel
        lean = d.u(20, 50) * depth
        hip, knee = 100 * depth, 110 * depth
        arms = d.u(0, 1) * (180 - lean)  # arms down, or held out in front
        bottom = {"y": 0.95 - 0.42 * depth, "trunk": 90 - lean, "l_hip": hip - lean + d.u(-5, 5)}
        bottom |= {"r_hip": bottom["l_hip"], "l_knee": knee, "r_knee": knee, "l_ankle": 25, "r_ankle": 25}
        bottom |= {"l_shoulder": arms, "r_shoulder": arms}
        s.move(d.u(0.8, 1.5), STANDING, **bottom).hold(d.u(0.0, 0.5)).move(d.u(0.7, 1.2), STANDING)
        s.rest(d.u(0.1, 0.8))
    return s, Profile(), {}


def lunge(d: Draw) -> tuple[Script, Profile, dict]:
    s = Script(Builder(STANDING), d.uniform("tempo", 0.5, 2.0))
    start(s, d, STANDING, d.choice("start", ("in_position", "walking_in", "fidgeting")))
    side = d.choice("first_side", ("left", "right"))
    alternate = d.chance("alternating", 0.6)
    for _ in range(d.integer("reps", 4, 12)):
        f, b = side[0], other(side)[0]
        depth = d.u(0.7, 1.1)
        down = {"y": 0.95 - 0.4 * depth, "trunk": 90 - d.u(0, 15)}
        down |= {f"{f}_hip": 85 * depth, f"{f}_knee": 85 * depth, f"{b}_hip": -15 * depth, f"{b}_knee": 95 * depth}
        down |= {f"{b}_ankle": -45}
        s.move(d.u(0.8, 1.4), STANDING, **down).hold(d.u(0.0, 0.6)).move(d.u(0.7, 1.2), STANDING)
        s.rest(d.u(0.1, 0.8))
        if alternate:
            side = other(side)
    return s, Profile(), {}


def _prone_support(trunk: float, y: float, **arms: float) -> Pose:
    """A straight body held off the floor (hips and knees in line), head toward +x, toes on the floor."""
    return Pose(y=y, trunk=trunk, l_ankle=-50, r_ankle=-50, neck=-15, **arms)


def _start_prone_support(s: Script, d: Draw) -> None:
    """Already held up, or got into from hands and knees."""
    on_all_fours = Pose(y=0.5, trunk=0.0, l_hip=90, r_hip=90, l_knee=90, r_knee=90, l_shoulder=90, r_shoulder=90)
    start(s, d, on_all_fours, d.choice("start", ("in_position", "getting_into")))


def push_up(d: Draw) -> tuple[Script, Profile, dict]:
    top = _prone_support(d.u(12, 20), 0.3, l_shoulder=75, r_shoulder=75, l_elbow=0, r_elbow=0)
    s = Script(Builder(top), d.uniform("tempo", 0.5, 2.0))
    _start_prone_support(s, d)
    sag = d.u(-10, 10)  # hips sagging (negative) or piked
    for _ in range(d.integer("reps", 3, 12)):
        depth = d.u(0.6, 1.0)
        bottom = {"y": 0.3 - 0.18 * depth, "trunk": top.trunk * (1 - 0.7 * depth), "l_hip": sag, "r_hip": sag}
        bottom |= {"l_shoulder": 75 - 20 * depth, "r_shoulder": 75 - 20 * depth}
        bottom |= {"l_elbow": 85 * depth, "r_elbow": 85 * depth}
        s.move(d.u(0.6, 1.2), top, **bottom).move(d.u(0.5, 1.0), top)
        s.rest(d.u(0.0, 0.5))
    return s, Profile(), {}


def forearm_plank(d: Draw) -> tuple[Script, Profile, dict]:
    plank = _prone_support(d.u(8, 16), 0.2, l_shoulder=80, r_shoulder=80, l_elbow=95, r_elbow=95)
    s = Script(Builder(plank), d.uniform("tempo", 0.5, 2.0))
    _start_prone_support(s, d)
    for _ in range(d.integer("holds", 1, 3)):
        hips = d.u(-8, 12)
        s.move(0.8, plank, l_hip=hips, r_hip=hips).hold(d.u(8.0, 30.0))
        if d.chance("knees_down", 0.5):  # a rest on the knees between holds
            s.move(1.0, plank, l_knee=90, r_knee=90, l_hip=60, r_hip=60, y=0.35).rest(d.u(1.0, 3.0))
    return s, Profile(), {}


OTHER_MOVEMENTS = {"squat": squat, "lunge": lunge, "push_up": push_up, "forearm_plank": forearm_plank}


# --- body, camera, model noise ---------------------------------------------------------


def draw_body(d: Draw) -> Body:
    female = d.chance("female", 0.5)
    return Body.of(
        d.uniform("height_m", 1.5, 1.95),
        leg=d.uniform("leg_ratio", 0.94, 1.06),
        arm=d.uniform("arm_ratio", 0.94, 1.06),
        shoulders=d.uniform("shoulder_ratio", 0.85, 1.0) if female else d.uniform("shoulder_ratio", 1.0, 1.15),
        hips=d.uniform("hip_ratio", 1.0, 1.15) if female else d.uniform("hip_ratio", 0.9, 1.0),
    )


def draw_camera(d: Draw, exercise: str, clip: Clip, body: Body, judged_from: float) -> Camera:
    """A camera around the body, aimed at it, then moved back (or zoomed out) until the body fits the picture."""
    width, height = d.choice("resolution", RESOLUTIONS)
    if exercise == "aerobic_march" or exercise in OTHER_MOVEMENTS:  # seen from the side, the front or between
        azimuth = d.uniform("azimuth_deg", -35, 125)
    else:
        azimuth = d.uniform("azimuth_deg", -35, 35)
    times = np.linspace(judged_from, clip.duration_s, 40)
    points = np.concatenate([joints(clip.pose_at(t), body) for t in times])
    lo, hi = points.min(axis=0), points.max(axis=0)
    camera = Camera(
        near_side=d.choice("near_side", ("left", "right")),
        distance=d.uniform("distance_m", 1.8, 4.0),
        height=d.uniform("lens_height_m", 0.1, 1.5),
        width_px=width,
        height_px=height,
        focal_px=max(width, height) * d.uniform("focal_ratio", 0.6, 1.0),
        center_x=float(lo[0] + hi[0]) / 2,
        head_right=True,
        azimuth_deg=azimuth,
        aim_height=float(lo[1] + hi[1]) / 2,
    )
    if d.chance("cut", 0.1):  # left as drawn: parts of the body may leave the picture
        return camera
    for _ in range(60):
        px, depth = camera.project(points)
        inside = (px >= [MARGIN * width, MARGIN * height]) & (px <= [(1 - MARGIN) * width, (1 - MARGIN) * height])
        if inside.all() and (depth > 0).all():
            break
        if camera.distance < 4.0:
            camera = replace(camera, distance=min(4.0, camera.distance * 1.06))
        else:
            camera = replace(camera, focal_px=camera.focal_px * 0.94)
    d.params["fitted_distance_m"] = round(camera.distance, 2)
    d.params["fitted_focal_px"] = round(camera.focal_px)
    return camera


def draw_noise(d: Draw, seed: int) -> Noise:
    live = d.chance("live_timing", 0.2)
    return Noise(
        seed=seed,
        jitter=d.uniform("jitter", 0.002, 0.008),  # on a moving landmark (synthetic.MOTION_JITTER: 0.4-0.9 %)
        jitter_memory=0.6,
        jitter_still=0.25,  # a landmark at rest jitters a quarter of that (measured: 0.05-0.13 %)
        jitter_speed=0.2,
        far_visibility=d.uniform("far_visibility", 0.3, 0.9),
        measured_far=True,
        occlusion=True,
        dropouts_per_s=d.uniform("dropouts_per_s", 0.0, 0.15),
        dropout_frames=4,
        swaps_per_s=d.uniform("swaps_per_s", 0.0, 0.1),
        jumps_per_s=d.uniform("jumps_per_s", 0.0, 0.1),
        frame_jitter=0.25 if live else 0.0,
        frame_loss=d.uniform("frame_loss", 0.0, 0.3) if live else 0.0,
        # The world landmarks' errors, from the renders (synthetic.Noise): per-clip medians and spreads
        world_tilt_deg=(
            d.normal("world_tilt_x_deg", 5.7, 6.4),
            d.normal("world_tilt_y_deg", -0.2, 5.5),
            d.normal("world_tilt_z_deg", -0.9, 1.5),
        ),
        world_squaring=d.normal("world_squaring", 0.7, 0.25, 0.1, 1.1),
        world_drift_deg=4.0,
        world_drift_s=2.0,
        world_jitter=True,
    )


def _rounded(items: list[dict]) -> list[dict]:
    keys = ("start_s", "end_s", "duration_s")
    return [{k: (round(v, 3) if k in keys else v) for k, v in item.items()} for item in items]


def _plan(exercise_id: str, seed: int, fps: float | None = None) -> tuple[Draw, Script, Profile, dict, Clip]:
    rng = np.random.default_rng([zlib.crc32(exercise_id.encode()), seed])
    d = Draw(rng)
    script, profile, targets = {**SCRIPTS, **OTHER_MOVEMENTS}[exercise_id](d)
    drawn = float(d.choice("fps", FRAME_RATES))  # drawn even when overridden: the later draws stay the same
    if fps is not None:
        d.params["fps"] = fps
    return d, script, profile, targets, Clip(script.builder.keys, fps or drawn)


def frame_count(exercise_id: str, seed: int) -> int:
    """How many frames the scenario has (before lost frames), without rendering it: its cost to judge."""
    clip = _plan(exercise_id, seed)[-1]
    return int(round(clip.duration_s * clip.fps)) + 1


def scenario(exercise_id: str, seed: int, fps: float | None = None, *, model_noise: bool = True) -> Scenario:
    """The scenario ``seed`` of ``exercise_id``: the same seed always gives the same frames and truth.

    ``fps`` films the same scenario at that rate instead of the drawn one;
    without ``model_noise`` the keypoints are the true ones (no jitter,
    dropouts, swaps or frame timing noise), all else as drawn.
    """
    d, script, profile, targets, clip = _plan(exercise_id, seed, fps)
    fps = clip.fps
    body = draw_body(d)
    camera = draw_camera(d, exercise_id, clip, body, script.judged_from)
    noise = draw_noise(d, seed)
    if not model_noise:
        noise = Noise(seed=seed, far_visibility=noise.far_visibility, measured_far=True)
    frames = render(clip, camera, noise, body)
    counts: dict[str, int] = {}
    for rep in script.reps:
        key = rep["side"] or "none"
        counts[key] = counts.get(key, 0) + 1
    truth = {
        "exercise": exercise_id,
        "seed": seed,
        "fps": fps,
        "duration_s": clip.duration_s,
        "image": {"width": camera.width_px, "height": camera.height_px},
        "settings": {"symptomatic_side": profile.symptomatic_side},
        "targets": targets,
        "reps_per_side": counts,
        "reps": _rounded(script.reps),
        "holds": _rounded(script.holds),
        "faults": _rounded(script.faults),
    }
    d.params["duration_s"] = round(clip.duration_s, 1)
    return Scenario(exercise_id, seed, frames, truth, profile, d.params)
