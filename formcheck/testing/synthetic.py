"""Synthetic landmark tracks: a small kinematic skeleton posed by joint angles over time.

Tests use it to drive the exercise rules without a model or a video: a clip
is a list of keyframes (time, joint angles), the skeleton is posed by forward
kinematics in 3D, seen from the side by a pinhole camera, and turned into the
same :class:`PoseFrame` records MediaPipe yields, with optional pixel noise,
dropped frames and a lower visibility for the limbs on the far side.

The scenario corpus (:mod:`formcheck.testing.scenarios`) also varies the body
(:class:`Body`: height and proportions), places the camera anywhere around it
(azimuth, lens height, pitch aimed at the body, focal length, resolution) and
adds the model's habits measured on renders (:class:`Noise`: jitter that
scales with the body's size in the picture, short dropouts, far-side
left/right swaps, one-frame jumps, uneven frame times, and the 3D world
landmarks' own errors: axes turned from the camera's, a view squared toward
the nearest side or front, a slow drift of both, the picture's jitter).

Conventions: the body moves in the sagittal plane (x forward along the
floor, y up); ``trunk`` is the direction of the hips->shoulders line in
degrees (90 upright, 0 or 180 lying); limb angles are joint angles
(``hip``: flexion of the thigh from the trunk line, 0 standing straight, 90
sitting; ``knee``/``elbow``: flexion, 0 straight; ``shoulder``: flexion of
the arm from hanging along the trunk, 90 straight forward, 180 overhead;
``ankle``: dorsiflexion, 0 neutral, negative pointed). ``abduct`` swings a
thigh out of the sagittal plane, ``cross`` moves an ankle across the body
(figure-4), ``hip_rot`` turns a bent leg's shank about the thigh (external
rotation: the foot swings toward the other leg, as in a real figure-4).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import cached_property

import numpy as np

from formcheck.landmarks import N_LANDMARKS, NAMES, SIDES, PoseFrame, index

SEGMENTS = {
    "trunk": 0.52,
    "neck": 0.12,
    "head": 0.1,
    "upper_arm": 0.30,
    "forearm": 0.27,
    "hand": 0.08,
    "thigh": 0.45,
    "shank": 0.43,
    "foot": 0.20,
    "heel": 0.06,
}
HALF_WIDTH = {"shoulder": 0.19, "hip": 0.11}
LEG = ("thigh", "shank")
ARM = ("upper_arm", "forearm", "hand")


@dataclass(frozen=True)
class Body:
    """Segment lengths and half-widths (metres) of one person; the default is the skeleton the tests were built on.

    Poses keep their meaning on any body: the pelvis height (``Pose.y``) is scaled by the leg length and
    the forward position (``Pose.x``) by the overall size, so feet stay near the floor.
    """

    segments: dict = field(default_factory=lambda: dict(SEGMENTS))
    half_width: dict = field(default_factory=lambda: dict(HALF_WIDTH))

    @classmethod
    def of(cls, height_m: float, leg: float = 1.0, arm: float = 1.0, shoulders: float = 1.0, hips: float = 1.0) -> Body:
        """A body ``height_m`` tall (standing, to the top of the head) with relative leg and arm lengths and widths."""
        size = height_m / DEFAULT_HEIGHT_M
        seg = {k: v * size for k, v in SEGMENTS.items()}
        for k in LEG:
            seg[k] *= leg
        for k in ARM:
            seg[k] *= arm
        # the trunk takes up what longer legs leave, so the standing height stays height_m
        seg["trunk"] -= (leg - 1.0) * size * (SEGMENTS["thigh"] + SEGMENTS["shank"])
        widths = {"shoulder": HALF_WIDTH["shoulder"] * size * shoulders, "hip": HALF_WIDTH["hip"] * size * hips}
        return cls(seg, widths)

    @property
    def size(self) -> float:
        return self.segments["head"] / SEGMENTS["head"]

    @property
    def leg_scale(self) -> float:
        return sum(self.segments[k] for k in LEG) / sum(SEGMENTS[k] for k in LEG)

    @property
    def height_m(self) -> float:
        standing = joints(STANDING, self)
        return float(standing[:, 1].max() - standing[:, 1].min() + HEAD_TOP * self.size)


@dataclass(frozen=True)
class Pose:
    """Body position and joint angles (degrees) for one instant."""

    x: float = 0.0  # pelvis position, metres
    y: float = 0.95
    trunk: float = 90.0
    neck: float = 0.0  # head bent forward from the trunk line
    l_shoulder: float = 0.0
    r_shoulder: float = 0.0
    l_elbow: float = 0.0
    r_elbow: float = 0.0
    l_hip: float = 0.0
    r_hip: float = 0.0
    l_knee: float = 0.0
    r_knee: float = 0.0
    l_ankle: float = 0.0
    r_ankle: float = 0.0
    l_abduct: float = 0.0
    r_abduct: float = 0.0
    l_cross: float = 0.0  # metres the ankle moves toward the other side
    r_cross: float = 0.0
    l_hip_rot: float = 0.0  # external rotation of the hip: with the knee bent, the foot swings toward the other leg
    r_hip_rot: float = 0.0
    pelvis_roll: float = 0.0  # degrees the pelvis turns about the trunk axis, left hip backward
    hip_hike: float = 0.0  # metres the left hip rises along the trunk line (the right one drops)

    def mirrored(self) -> Pose:
        """The same posture with left and right swapped."""
        values = {}
        for f in fields(self):
            name = f.name
            if name.startswith("l_"):
                values["r_" + name[2:]] = getattr(self, name)
            elif name.startswith("r_"):
                values["l_" + name[2:]] = getattr(self, name)
            else:
                values[name] = getattr(self, name)
        values["pelvis_roll"] = -self.pelvis_roll
        values["hip_hike"] = -self.hip_hike
        return Pose(**values)

    def lerp(self, other: Pose, u: float) -> Pose:
        return Pose(**{f.name: (1 - u) * getattr(self, f.name) + u * getattr(other, f.name) for f in fields(self)})


# Start positions. Supine lies with the head toward -x; prone and quadruped with it toward +x.
STANDING = Pose()
QUADRUPED = Pose(
    y=0.50,
    trunk=0.0,
    l_hip=90,
    r_hip=90,
    l_knee=90,
    r_knee=90,
    l_shoulder=90,
    r_shoulder=90,
    l_ankle=-40,
    r_ankle=-40,
    neck=-10,
)
SUPINE = Pose(y=0.10, trunk=180.0)
PRONE = Pose(y=0.10, trunk=0.0, l_ankle=-60, r_ankle=-60, l_shoulder=10, r_shoulder=10, l_elbow=160, r_elbow=160)


def _dir(angle_deg: float, abduct_deg: float = 0.0, lateral: float = 1.0) -> np.ndarray:
    a, b = np.radians(angle_deg), np.radians(abduct_deg)
    return np.array([np.cos(a) * np.cos(b), np.sin(a) * np.cos(b), lateral * np.sin(b)])


def _rotation(rotvec_deg: np.ndarray) -> np.ndarray:
    """The rotation matrix turning by ``|rotvec_deg|`` degrees about ``rotvec_deg``'s direction (Rodrigues)."""
    angle = np.radians(np.linalg.norm(rotvec_deg))
    if angle < 1e-12:
        return np.eye(3)
    k = np.asarray(rotvec_deg, float) / np.linalg.norm(rotvec_deg)
    cross = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + np.sin(angle) * cross + (1.0 - np.cos(angle)) * cross @ cross


def turn_off_view(world: np.ndarray) -> float:
    """How far (degrees, signed, about the camera's vertical) the hips' and shoulders' left-right line in ``world``
    (camera axes) is turned off the nearest side or front view."""
    lateral = world[[index("left_hip"), index("left_shoulder")]].mean(axis=0)
    lateral = lateral - world[[index("right_hip"), index("right_shoulder")]].mean(axis=0)
    turn = float(np.degrees(np.arctan2(lateral[0], lateral[2])))
    return (turn - 90.0 * round(turn / 90.0) + 180.0) % 360.0 - 180.0


def _squared(world: np.ndarray, share: float) -> np.ndarray:
    """``world`` (camera axes) turned about the vertical so that its turn off the nearest side or front view is
    ``share`` of what it was."""
    return world @ _rotation(np.array([0.0, (share - 1.0) * turn_off_view(world), 0.0])).T


def _rotate(v: np.ndarray, axis: np.ndarray, angle_deg: float) -> np.ndarray:
    """``v`` turned by ``angle_deg`` about the unit vector ``axis`` (right-hand rule)."""
    a = np.radians(angle_deg)
    return v * np.cos(a) + np.cross(axis, v) * np.sin(a) + axis * np.dot(axis, v) * (1.0 - np.cos(a))


def joints(pose: Pose, body: Body | None = None) -> np.ndarray:
    """World positions (33, 3) of the landmarks for ``pose``: x forward, y up, z toward the body's left."""
    body = body or DEFAULT_BODY
    seg, half_width = body.segments, body.half_width
    size = body.size
    out = np.zeros((N_LANDMARKS, 3))
    pelvis = np.array([pose.x * size, pose.y * body.leg_scale, 0.0])
    trunk = _dir(pose.trunk)
    chest = pelvis + seg["trunk"] * trunk
    front = _dir(pose.trunk - 90.0)  # the way the chest faces
    roll = np.radians(pose.pelvis_roll)
    for side, lat in (("left", 1.0), ("right", -1.0)):
        s = side[0] + "_"
        half = half_width["hip"]
        hip = (
            pelvis
            + lat * half * np.cos(roll) * np.array([0.0, 0.0, 1.0])
            - lat * half * np.sin(roll) * front
            + lat * pose.hip_hike * size * trunk
        )
        shoulder = chest + np.array([0, 0, lat * half_width["shoulder"]])
        thigh = _dir(pose.trunk + 180.0 + getattr(pose, s + "hip"), getattr(pose, s + "abduct"), lat)
        knee = hip + seg["thigh"] * thigh
        shank_angle = pose.trunk + 180.0 + getattr(pose, s + "hip") - getattr(pose, s + "knee")
        shank = _dir(shank_angle)
        foot = _dir(shank_angle + 90.0 + getattr(pose, s + "ankle"))
        if getattr(pose, s + "hip_rot"):  # the lower leg turns about the thigh's axis
            shank, foot = (_rotate(v, thigh, lat * getattr(pose, s + "hip_rot")) for v in (shank, foot))
        ankle = knee + seg["shank"] * shank
        ankle[2] -= lat * getattr(pose, s + "cross") * size
        arm_angle = pose.trunk + 180.0 + getattr(pose, s + "shoulder")
        elbow = shoulder + seg["upper_arm"] * _dir(arm_angle)
        forearm = _dir(arm_angle + getattr(pose, s + "elbow"))
        wrist = elbow + seg["forearm"] * forearm
        out[index(f"{side}_shoulder")] = shoulder
        out[index(f"{side}_hip")] = hip
        out[index(f"{side}_knee")] = knee
        out[index(f"{side}_ankle")] = ankle
        out[index(f"{side}_heel")] = ankle - seg["heel"] * foot + 0.04 * shank
        out[index(f"{side}_foot_index")] = ankle + seg["foot"] * foot
        out[index(f"{side}_elbow")] = elbow
        out[index(f"{side}_wrist")] = wrist
        for name, off in (("pinky", -0.02), ("index", 0.0), ("thumb", 0.03)):
            p = wrist + seg["hand"] * forearm
            p[2] += lat * off * size
            out[index(f"{side}_{name}")] = p
    neck = chest + seg["neck"] * trunk
    head_axis = _dir(pose.trunk - pose.neck)
    head = neck + seg["head"] * head_axis
    face = _dir(pose.trunk - pose.neck - 90.0)
    face, head_axis = face * size, head_axis * size
    out[index("nose")] = head + 0.1 * face
    for side, lat in (("left", 1.0), ("right", -1.0)):
        for name, off in (("eye_inner", 0.015), ("eye", 0.03), ("eye_outer", 0.045)):
            out[index(f"{side}_{name}")] = head + 0.08 * face + 0.03 * head_axis + np.array([0, 0, lat * off * size])
        out[index(f"{side}_ear"), :] = head + np.array([0, 0, lat * 0.075 * size])
        out[index(f"mouth_{side}")] = head + 0.08 * face - 0.04 * head_axis + np.array([0, 0, lat * 0.025 * size])
    return out


HEAD_TOP = 0.12  # metres from the head landmark (eye level) to the top of the head, default body
DEFAULT_BODY = Body()
DEFAULT_HEIGHT_M = 1.81  # the default body, standing


@dataclass(frozen=True)
class Camera:
    """A pinhole camera looking at the body's ``near_side`` from ``distance`` metres.

    ``head_right`` mirrors the image horizontally: a supine body (head toward
    -x) then lies with its head on the right of the picture, a prone or
    kneeling one (head toward +x) with its head on the left.
    ``view="front"`` instead puts the camera ``distance`` metres in front of
    the body (on +x, looking back at it): the body's left appears on the
    image's right, no side is far, and ``near_side``/``head_right`` are ignored.

    ``distance`` is horizontal, ``height`` the lens above the floor.
    ``azimuth_deg`` swings the camera about the vertical through the aimed
    point: off a side toward the body's front, off the front toward the
    body's left. With ``aim_height`` the camera pitches to look at the point
    that high above ``center_x`` and the principal point is the image
    centre; without it (the tests' original camera) it stays level with the
    principal point 60 % down the image. ``head_right=True`` is the true
    (unmirrored) picture; False mirrors it, as the tests' original cameras did.
    """

    near_side: str = "left"
    distance: float = 3.0
    height: float = 0.5
    width_px: int = 640
    height_px: int = 480
    focal_px: float = 520.0
    center_x: float = -0.1  # the point of the floor the camera is aimed at, metres
    head_right: bool = False
    view: str = "side"  # "side" or "front"
    azimuth_deg: float = 0.0
    aim_height: float | None = None

    @property
    def mirrored(self) -> bool:
        return self.view == "side" and not self.head_right

    @cached_property
    def _pose(self) -> tuple[np.ndarray, np.ndarray]:
        """The camera's centre and rotation (rows: image right, image down, forward), in a right-handed frame.

        The body's frame (x forward, y up, z left) is left-handed; with z negated (z toward the body's right)
        it is right-handed, so the usual look-at construction applies.
        """
        a = np.radians(self.azimuth_deg)
        if self.view == "front":
            target = np.array([0.0, 0.0, 0.0])
            away = np.array([np.cos(a), 0.0, -np.sin(a)])  # toward the body's left is -z here
        else:
            target = np.array([self.center_x, 0.0, 0.0])
            lateral = -1.0 if self.near_side == "left" else 1.0
            away = np.array([np.sin(a), 0.0, lateral * np.cos(a)])
        centre = target + self.distance * away
        centre[1] = self.height
        if self.aim_height is None:
            forward = -away
        else:
            forward = np.array([target[0], self.aim_height, target[2]]) - centre
            forward /= np.linalg.norm(forward)
        right = np.cross(forward, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        return centre, np.stack([right, np.cross(forward, right), forward])

    def to_camera(self, world: np.ndarray) -> np.ndarray:
        """Body-frame points (n, 3) in the camera's axes (n, 3): x right in the picture, y down, z forward."""
        centre, rotation = self._pose
        cam = (world * np.array([1.0, 1.0, -1.0]) - centre) @ rotation.T
        if self.mirrored:
            cam[:, 0] = -cam[:, 0]
        return cam

    def project(self, world: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (n, 2) and depth from the camera (n,)."""
        cam = self.to_camera(world)
        cy = self.height_px * (0.6 if self.aim_height is None else 0.5)
        u = self.width_px / 2 + self.focal_px * cam[:, 0] / cam[:, 2]
        v = cy + self.focal_px * cam[:, 1] / cam[:, 2]
        return np.stack([u, v], axis=1), cam[:, 2]


@dataclass(frozen=True)
class Clip:
    """Keyframes ``(t_s, Pose)``; poses between keyframes are eased."""

    keys: list[tuple[float, Pose]]
    fps: float = 30.0

    @property
    def duration_s(self) -> float:
        return self.keys[-1][0]

    def pose_at(self, t_s: float) -> Pose:
        keys = self.keys
        if t_s <= keys[0][0]:
            return keys[0][1]
        for (t0, p0), (t1, p1) in zip(keys, keys[1:]):
            if t_s <= t1:
                u = (t_s - t0) / (t1 - t0) if t1 > t0 else 1.0
                return p0.lerp(p1, 0.5 - 0.5 * np.cos(np.pi * u))
        return keys[-1][1]


@dataclass
class Builder:
    """Builds a clip step by step: ``hold`` stays, ``move`` eases to a new pose."""

    start: Pose
    fps: float = 30.0
    keys: list[tuple[float, Pose]] = field(default_factory=list)

    def __post_init__(self):
        self.keys = [(0.0, self.start)]

    @property
    def t(self) -> float:
        return self.keys[-1][0]

    @property
    def pose(self) -> Pose:
        return self.keys[-1][1]

    def hold(self, seconds: float) -> Builder:
        self.keys.append((self.t + seconds, self.pose))
        return self

    def move(self, seconds: float, pose: Pose | None = None, **changes: float) -> Builder:
        self.keys.append((self.t + seconds, replace(pose or self.pose, **changes)))
        return self

    def clip(self) -> Clip:
        return Clip(list(self.keys), self.fps)


@dataclass(frozen=True)
class Noise:
    """What the pose model adds to the true keypoints; every effect is off by default."""

    pixel_sd: float = 0.0  # Gaussian jitter on x and y, pixels
    dropout_every_s: float | None = None  # drop (no person) a run of frames this often
    dropout_frames: int = 2
    far_visibility: float = 0.8  # visibility of the side away from the camera (side view)
    # With ``measured_far`` each far-side landmark gets MediaPipe's own typical visibility for it
    # (FAR_VISIBILITY), moved by (far_visibility - 0.6) / 2: a model more or less sure of the far side.
    measured_far: bool = False
    seed: int = 0
    jitter: float = 0.0  # jitter sd as a share of the body's size in the picture (its bounding-box diagonal)
    jitter_memory: float = 0.0  # 0..1: how much of a frame's jitter the next frame keeps (the model's wobble)
    # The model jitters less on a landmark that stays put than on one that moves (MOTION_JITTER): a landmark
    # still in the picture gets ``jitter_still`` times the jitter, one moving ``jitter_speed`` body sizes a second
    # or faster the whole of it, and one in between a share in proportion. 1.0: the same jitter throughout.
    jitter_still: float = 1.0
    jitter_speed: float = 0.2
    dropouts_per_s: float = 0.0  # random runs of frames without a person, 1..dropout_frames long
    swaps_per_s: float = 0.0  # runs of frames with the left and right legs (or arms) labelled the wrong way
    swap_frames: int = 4
    jumps_per_s: float = 0.0  # single frames where one limb lands far from its place
    jump_size: float = 0.15  # share of the body's size
    frame_jitter: float = 0.0  # sd of the frame times, as a share of the frame interval (a loaded live run)
    frame_loss: float = 0.0  # chance that a frame never reaches the rules
    # With ``occlusion`` only the far-side landmarks the body hides in the picture (hidden_far) get the far side's
    # visibility and extra jitter; without it, every far-side landmark does.
    occlusion: bool = False
    # The world landmarks, measured against the renders' truth (Kabsch fit of shoulders, hips, knees and ankles,
    # 27 renders, full model): the model's axes are turned from the camera's by a few degrees for the whole clip
    # (``world_tilt_deg``, about the camera's x, y and z axes), it sees the body turned off the nearest side or
    # front view at about 0.7 of its true turn (``world_squaring``, 0.1-1.2 between clips), and both drift slowly
    # (``world_drift_deg`` per axis, over about ``world_drift_s``). With ``world_jitter`` the world points move
    # with the picture's jitter, at their depth.
    world_tilt_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)
    world_squaring: float = 1.0
    world_drift_deg: float = 0.0
    world_drift_s: float = 1.0
    world_jitter: bool = False


# MediaPipe's visibility of far-side landmarks hidden behind the body (median over the rendered sample clips'
# occluded frames, full model): the far shoulder and hip are placed with confidence, the far arm hardly ever,
# the far knee half the time, the far foot usually.
FAR_VISIBILITY = {
    "shoulder": 1.0,
    "elbow": 0.09,
    "wrist": 0.11,
    "pinky": 0.1,
    "index": 0.1,
    "thumb": 0.1,
    "hip": 1.0,
    "knee": 0.52,
    "ankle": 0.64,
    "heel": 0.74,
    "foot_index": 0.86,
}

# MOTION_JITTER: MediaPipe (full model) on the 18 rendered sample clips against their true keypoints. The
# high-frequency part of the error (minus its centred 5-frame mean), by the landmark's true speed in the picture:
# 0.13 % of the body's bounding-box diagonal at rest, 0.20 % at 0.01-0.05 diagonals a second, 0.27 % at
# 0.05-0.1, 0.39 % at 0.1-0.2, 0.54-0.59 % at 0.2-0.8 and 0.86 % faster. Over whole still stretches (the
# rendered body not moving at all, 15 frames or more) it is 0.03-0.08 % (median 0.05 %, the far side 0.04-0.19 %).

# What hides the far side from the camera: the near side's limbs (radius in metres about each segment) and the
# trunk. MediaPipe on the rendered samples gives a far landmark that the body hides a low visibility (FAR_VISIBILITY)
# and one in plain view (a far leg raised above the near one) about what it gives the near side: knee 0.98 against
# 0.52 hidden, elbow 0.99 against 0.09, ankle 0.98 against 0.60 (medians over the samples' frames, by the renderer's
# own occlusion flags).
OCCLUDERS = (
    ("shoulder", "elbow", 0.05),
    ("elbow", "wrist", 0.045),
    ("hip", "knee", 0.08),
    ("knee", "ankle", 0.055),
    ("ankle", "foot_index", 0.045),
    ("heel", "foot_index", 0.045),
)
TRUNK_RADIUS = 0.14


def hidden_far(px: np.ndarray, depth: np.ndarray, near: str, focal_px: float) -> np.ndarray:
    """Which landmarks of the far side the body hides in the picture: within the outline of a near-side limb or of
    the trunk (capsules about their segments) and farther from the camera than it. (33,) booleans."""
    far = "right" if near == "left" else "left"
    points = [i for i, n in enumerate(NAMES) if n.startswith(far + "_")]
    hidden = np.zeros(N_LANDMARKS, bool)
    limbs = [(index(f"{near}_{a}"), index(f"{near}_{b}"), r) for a, b, r in OCCLUDERS]
    capsules = [(px[a], depth[a], px[b], depth[b], r) for a, b, r in limbs]
    shoulders, hips = [index("left_shoulder"), index("right_shoulder")], [index("left_hip"), index("right_hip")]
    capsules.append(
        (px[shoulders].mean(0), depth[shoulders].mean(), px[hips].mean(0), depth[hips].mean(), TRUNK_RADIUS)
    )
    for i in points:
        for pa, da, pb, db, radius in capsules:
            ab = pb - pa
            length2 = float(ab @ ab)
            u = 0.0 if length2 == 0 else float(np.clip((px[i] - pa) @ ab / length2, 0.0, 1.0))
            d = da + u * (db - da)
            if d > 0 and depth[i] > d and np.linalg.norm(px[i] - (pa + u * ab)) < radius * focal_px / d:
                hidden[i] = True
                break
    return hidden


SWAP_GROUPS = {
    "legs": ("hip", "knee", "ankle", "heel", "foot_index"),
    "arms": ("shoulder", "elbow", "wrist", "pinky", "index", "thumb"),
}
LIMBS = (
    ("shoulder", "elbow", "wrist", "pinky", "index", "thumb"),
    ("elbow", "wrist", "pinky", "index", "thumb"),
    ("knee", "ankle", "heel", "foot_index"),
    ("ankle", "heel", "foot_index"),
)


def _pairs(parts) -> tuple[list[int], list[int]]:
    return [index(f"left_{p}") for p in parts], [index(f"right_{p}") for p in parts]


def frame_times(duration_s: float, fps: float, noise: Noise, rng: np.random.Generator) -> np.ndarray:
    """Timestamps (ms) of the frames that reach the rules: a steady rate, or jittered and thinned."""
    t = 1000.0 * np.arange(int(round(duration_s * fps)) + 1) / fps
    if noise.frame_jitter:
        t[1:] += rng.normal(0.0, noise.frame_jitter * 1000.0 / fps, len(t) - 1)
        t = np.maximum.accumulate(np.maximum(t, 0.0))
    if noise.frame_loss:
        t = t[np.r_[True, rng.random(len(t) - 1) >= noise.frame_loss]]
    return t


def _episodes(n: int, per_frame: float, max_len: int, rng: np.random.Generator) -> np.ndarray:
    """Frame flags for random runs of 1..max_len frames starting with probability ``per_frame``."""
    flags = np.zeros(n, bool)
    if per_frame <= 0:
        return flags
    for start in np.flatnonzero(rng.random(n) < per_frame):
        flags[start : start + int(rng.integers(1, max_len + 1))] = True
    return flags


def render(
    clip: Clip, camera: Camera | None = None, noise: Noise | None = None, body: Body | None = None
) -> list[PoseFrame]:
    """The clip as MediaPipe-like PoseFrames.

    ``world`` is MediaPipe's: metres around the mid-hip, in the camera's axes (x right in the picture,
    y down, z away from the camera).
    """
    camera = camera or Camera()
    noise = noise or Noise()
    rng = np.random.default_rng(noise.seed)
    far = "right" if camera.near_side == "left" else "left"
    far_idx = [i for i, n in enumerate(NAMES) if n.startswith(far + "_") or n == f"mouth_{far}"]
    # how squarely a side faces the camera: 1 from a true side, 0 from the front
    side_on = abs(camera.to_camera(np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))[:, 2] @ [1.0, -1.0])
    if camera.view == "front":
        far_idx = []  # both sides face the camera
    far_vis = 0.99 - side_on * (0.99 - noise.far_visibility)
    if noise.measured_far and far_idx:
        typical = np.array([FAR_VISIBILITY.get(NAMES[i].split("_", 1)[1], 0.5) for i in far_idx])
        sure = np.clip(typical + (noise.far_visibility - 0.6) / 2, 0.02, 0.99)
        far_vis = 0.99 - side_on * (0.99 - sure)
    hips = [index("left_hip"), index("right_hip")]
    times = frame_times(clip.duration_s, clip.fps, noise, rng)
    n = len(times)
    drop_period = int(round(noise.dropout_every_s * clip.fps)) if noise.dropout_every_s else 0
    dropped = _episodes(n, noise.dropouts_per_s / clip.fps, noise.dropout_frames, rng)
    swapped = _episodes(n, noise.swaps_per_s / clip.fps, noise.swap_frames, rng)
    swap_group = [SWAP_GROUPS[g] for g in rng.choice(list(SWAP_GROUPS), n)] if noise.swaps_per_s else []
    jumps = rng.random(n) < noise.jumps_per_s / clip.fps if noise.jumps_per_s else np.zeros(n, bool)
    wobble = np.zeros((N_LANDMARKS, 2))
    world_rng = np.random.default_rng([noise.seed, 1])  # its own stream: the picture's noise stays as it was
    tilt = np.asarray(noise.world_tilt_deg, float)
    drift, drift_t = world_rng.normal(0.0, noise.world_drift_deg, 3), 0.0
    last_px, last_t = None, 0.0  # the previous frame's true pixels (a landmark's speed)
    frames = []
    for k, t_ms in enumerate(times):
        k_steady = int(round(t_ms * clip.fps / 1000.0))
        if (drop_period and k_steady % drop_period >= drop_period - noise.dropout_frames) or dropped[k]:
            frames.append(PoseFrame(float(t_ms), camera.width_px, camera.height_px))
            continue
        world = joints(clip.pose_at(t_ms / 1000.0), body)
        px, depth = camera.project(world)
        true_px = px
        hidden = np.zeros(N_LANDMARKS, bool)
        if far_idx and noise.occlusion:
            hidden = hidden_far(px, depth, camera.near_side, camera.focal_px)
        elif far_idx:
            hidden[far_idx] = True
        if noise.pixel_sd:
            px = px + rng.normal(0.0, noise.pixel_sd, px.shape)
        if noise.jitter:
            size = float(np.hypot(*np.ptp(px, axis=0)))
            fresh = rng.normal(0.0, noise.jitter * size, px.shape)
            if noise.jitter_still < 1.0:  # a still landmark jitters less (MOTION_JITTER)
                if last_px is None or t_ms <= last_t:
                    speed = np.zeros(len(px))
                else:
                    speed = np.linalg.norm(px - last_px, axis=1) / ((t_ms - last_t) / 1000.0) / size
                moving = np.clip(speed / noise.jitter_speed, 0.0, 1.0)
                fresh *= (noise.jitter_still + (1.0 - noise.jitter_still) * moving)[:, None]
            last_px, last_t = px.copy(), t_ms
            fresh[hidden] *= 1.0 + side_on  # a landmark the body hides is guessed, and wobbles more
            wobble = noise.jitter_memory * wobble + np.sqrt(1.0 - noise.jitter_memory**2) * fresh
            px = px + wobble
            if jumps[k]:
                limb = [index(f"{rng.choice(SIDES)}_{p}") for p in LIMBS[rng.integers(len(LIMBS))]]
                px[limb] += rng.normal(0.0, noise.jump_size * size, 2)
        lm = np.zeros((N_LANDMARKS, 5))
        lm[:, 0] = px[:, 0] / camera.width_px
        lm[:, 1] = px[:, 1] / camera.height_px
        lm[:, 2] = (depth - depth[hips].mean()) * camera.focal_px / camera.width_px
        lm[:, 3] = 0.99
        lm[far_idx, 3] = np.where(hidden[far_idx], far_vis, 0.99)
        inside = (lm[:, 0] >= 0) & (lm[:, 0] <= 1) & (lm[:, 1] >= 0) & (lm[:, 1] <= 1)
        lm[~inside, 3] = 0.05
        lm[:, 4] = 0.99
        cam = camera.to_camera(world)
        world_mp = cam - cam[hips].mean(axis=0)
        if noise.world_jitter:
            world_mp[:, :2] += (px - true_px) * (depth / camera.focal_px)[:, None]
        if noise.world_squaring != 1.0:
            world_mp = _squared(world_mp, noise.world_squaring)
        if noise.world_drift_deg:
            keep = np.exp(-(t_ms - drift_t) / (1000.0 * noise.world_drift_s))
            fresh = world_rng.normal(0.0, noise.world_drift_deg, 3)
            drift, drift_t = keep * drift + np.sqrt(1.0 - keep**2) * fresh, t_ms
        if noise.world_drift_deg or tilt.any():
            world_mp = world_mp @ _rotation(tilt + drift).T
        if swapped[k]:
            left, right = _pairs(swap_group[k])
            lm[left + right] = lm[right + left]
            world_mp[left + right] = world_mp[right + left]
        frames.append(PoseFrame(float(t_ms), camera.width_px, camera.height_px, lm, world_mp))
    return frames
