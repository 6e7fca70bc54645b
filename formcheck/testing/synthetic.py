"""Synthetic landmark tracks: a small kinematic skeleton posed by joint angles over time.

Tests use it to drive the exercise rules without a model or a video: a clip
is a list of keyframes (time, joint angles), the skeleton is posed by forward
kinematics in 3D, seen from the side by a pinhole camera, and turned into the
same :class:`PoseFrame` records MediaPipe yields, with optional pixel noise,
dropped frames and a lower visibility for the limbs on the far side.

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

import numpy as np

from formcheck.landmarks import N_LANDMARKS, NAMES, PoseFrame, index

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


def _rotate(v: np.ndarray, axis: np.ndarray, angle_deg: float) -> np.ndarray:
    """``v`` turned by ``angle_deg`` about the unit vector ``axis`` (right-hand rule)."""
    a = np.radians(angle_deg)
    return v * np.cos(a) + np.cross(axis, v) * np.sin(a) + axis * np.dot(axis, v) * (1.0 - np.cos(a))


def joints(pose: Pose) -> np.ndarray:
    """World positions (33, 3) of the landmarks for ``pose``: x forward, y up, z toward the body's left."""
    out = np.zeros((N_LANDMARKS, 3))
    pelvis = np.array([pose.x, pose.y, 0.0])
    trunk = _dir(pose.trunk)
    chest = pelvis + SEGMENTS["trunk"] * trunk
    front = _dir(pose.trunk - 90.0)  # the way the chest faces
    roll = np.radians(pose.pelvis_roll)
    for side, lat in (("left", 1.0), ("right", -1.0)):
        s = side[0] + "_"
        half = HALF_WIDTH["hip"]
        hip = (
            pelvis
            + lat * half * np.cos(roll) * np.array([0.0, 0.0, 1.0])
            - lat * half * np.sin(roll) * front
            + lat * pose.hip_hike * trunk
        )
        shoulder = chest + np.array([0, 0, lat * HALF_WIDTH["shoulder"]])
        thigh = _dir(pose.trunk + 180.0 + getattr(pose, s + "hip"), getattr(pose, s + "abduct"), lat)
        knee = hip + SEGMENTS["thigh"] * thigh
        shank_angle = pose.trunk + 180.0 + getattr(pose, s + "hip") - getattr(pose, s + "knee")
        shank = _dir(shank_angle)
        foot = _dir(shank_angle + 90.0 + getattr(pose, s + "ankle"))
        if getattr(pose, s + "hip_rot"):  # the lower leg turns about the thigh's axis
            shank, foot = (_rotate(v, thigh, lat * getattr(pose, s + "hip_rot")) for v in (shank, foot))
        ankle = knee + SEGMENTS["shank"] * shank
        ankle[2] -= lat * getattr(pose, s + "cross")
        arm_angle = pose.trunk + 180.0 + getattr(pose, s + "shoulder")
        elbow = shoulder + SEGMENTS["upper_arm"] * _dir(arm_angle)
        forearm = _dir(arm_angle + getattr(pose, s + "elbow"))
        wrist = elbow + SEGMENTS["forearm"] * forearm
        out[index(f"{side}_shoulder")] = shoulder
        out[index(f"{side}_hip")] = hip
        out[index(f"{side}_knee")] = knee
        out[index(f"{side}_ankle")] = ankle
        out[index(f"{side}_heel")] = ankle - SEGMENTS["heel"] * foot + 0.04 * shank
        out[index(f"{side}_foot_index")] = ankle + SEGMENTS["foot"] * foot
        out[index(f"{side}_elbow")] = elbow
        out[index(f"{side}_wrist")] = wrist
        for name, off in (("pinky", -0.02), ("index", 0.0), ("thumb", 0.03)):
            p = wrist + SEGMENTS["hand"] * forearm
            p[2] += lat * off
            out[index(f"{side}_{name}")] = p
    neck = chest + SEGMENTS["neck"] * trunk
    head_axis = _dir(pose.trunk - pose.neck)
    head = neck + SEGMENTS["head"] * head_axis
    face = _dir(pose.trunk - pose.neck - 90.0)
    out[index("nose")] = head + 0.1 * face
    for side, lat in (("left", 1.0), ("right", -1.0)):
        for name, off in (("eye_inner", 0.015), ("eye", 0.03), ("eye_outer", 0.045)):
            out[index(f"{side}_{name}")] = head + 0.08 * face + 0.03 * head_axis + np.array([0, 0, lat * off])
        out[index(f"{side}_ear"), :] = head + np.array([0, 0, lat * 0.075])
        out[index(f"mouth_{side}")] = head + 0.08 * face - 0.04 * head_axis + np.array([0, 0, lat * 0.025])
    return out


@dataclass(frozen=True)
class Camera:
    """A pinhole camera looking at the body's ``near_side`` from ``distance`` metres.

    ``head_right`` mirrors the image horizontally: a supine body (head toward
    -x) then lies with its head on the right of the picture, a prone or
    kneeling one (head toward +x) with its head on the left.
    ``view="front"`` instead puts the camera ``distance`` metres in front of
    the body (on +x, looking back at it): the body's left appears on the
    image's right, no side is far, and ``near_side``/``head_right`` are ignored.
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

    def project(self, world: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (n, 2) and depth from the camera (n,)."""
        if self.view == "front":
            depth = self.distance - world[:, 0]
            x_img = world[:, 2]  # facing the camera, the body's left is image-right
        else:
            lat = 1.0 if self.near_side == "left" else -1.0
            depth = self.distance - lat * world[:, 2]
            x_img = lat * (world[:, 0] - self.center_x)  # seen from the left, the body's front is image-right
            if self.head_right:
                x_img = -x_img
        u = self.width_px / 2 + self.focal_px * x_img / depth
        v = self.height_px * 0.6 - self.focal_px * (world[:, 1] - self.height) / depth
        return np.stack([u, v], axis=1), depth


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
    pixel_sd: float = 0.0  # Gaussian jitter on x and y, pixels
    dropout_every_s: float | None = None  # drop (no person) a run of frames this often
    dropout_frames: int = 2
    far_visibility: float = 0.8  # visibility of the side away from the camera
    seed: int = 0


def render(clip: Clip, camera: Camera | None = None, noise: Noise | None = None) -> list[PoseFrame]:
    """The clip as MediaPipe-like PoseFrames."""
    camera = camera or Camera()
    noise = noise or Noise()
    rng = np.random.default_rng(noise.seed)
    far = "right" if camera.near_side == "left" else "left"
    far_idx = [i for i, n in enumerate(NAMES) if n.startswith(far + "_") or n == f"mouth_{far}"]
    if camera.view == "front":
        far_idx = []  # both sides face the camera
    frames = []
    n = int(round(clip.duration_s * clip.fps)) + 1
    drop_period = int(round(noise.dropout_every_s * clip.fps)) if noise.dropout_every_s else 0
    for k in range(n):
        t_ms = 1000.0 * k / clip.fps
        if drop_period and k % drop_period >= drop_period - noise.dropout_frames:
            frames.append(PoseFrame(t_ms, camera.width_px, camera.height_px))
            continue
        world = joints(clip.pose_at(t_ms / 1000.0))
        px, depth = camera.project(world)
        if noise.pixel_sd:
            px = px + rng.normal(0.0, noise.pixel_sd, px.shape)
        lm = np.zeros((N_LANDMARKS, 5))
        lm[:, 0] = px[:, 0] / camera.width_px
        lm[:, 1] = px[:, 1] / camera.height_px
        lm[:, 2] = (depth - depth[[index("left_hip"), index("right_hip")]].mean()) * camera.focal_px / camera.width_px
        lm[:, 3] = 0.99
        lm[far_idx, 3] = noise.far_visibility
        inside = (lm[:, 0] >= 0) & (lm[:, 0] <= 1) & (lm[:, 1] >= 0) & (lm[:, 1] <= 1)
        lm[~inside, 3] = 0.05
        lm[:, 4] = 0.99
        centred = world - world[[index("left_hip"), index("right_hip")]].mean(axis=0)
        world_mp = centred * np.array([1.0, -1.0, -1.0])  # MediaPipe world: y down, z toward the camera side
        frames.append(PoseFrame(t_ms, camera.width_px, camera.height_px, lm, world_mp))
    return frames
