"""Pose the Anny body (MakeHuman base mesh, PyTorch) from named joint angles.

World frame of the body model: +X is the body's left, -Y is forward (the way
the face points), +Z is up; metres. The pelvis sits at the origin at rest.

A pose is a dict of joint angles in degrees (see ``POSE_KEYS``); every angle is
measured from a *neutral* standing pose: standing straight, arms hanging at the
sides with straight elbows, palms facing the thighs, feet flat. Rotations are
composed down the skeleton in world-aligned axes of that neutral pose, so
``hip_flex_l=90`` puts the left thigh forward whatever the trunk does, and
``root_pitch=90`` lays the whole body face down.
"""

from __future__ import annotations

import math
import os

import numpy as np

from formcheck.landmarks import NAMES

# Defaults: every key a pose may hold, with its neutral value.
POSE_KEYS = {
    # whole body: heading (about vertical), pitch (+ = tip forward, 90 = prone,
    # -90 = supine), roll (+ = tip toward the body's right side)
    "root_yaw": 0.0,
    "root_pitch": 0.0,
    "root_roll": 0.0,
    # trunk, spread over the five spine bones: flexion (+ forward), lateral
    # bend (+ toward the left), axial rotation (+ turns the chest to the left)
    "spine_flex": 0.0,
    "spine_lat": 0.0,
    "spine_rot": 0.0,
    "neck_flex": 0.0,  # head nod (+ chin toward chest)
    # extra flexion of the lumbar (spine05-04) and thoracic (spine03-01)
    # segments only, added to spine_flex (e.g. a sagging back: lumbar -, thoracic +)
    "lumbar_flex": 0.0,
    "thoracic_flex": 0.0,
    # offsets of the pelvis on the floor (m, along world X / Y) and a lift
    # above the automatic floor contact (m, e.g. a jump)
    "x": 0.0,
    "y": 0.0,
    "lift": 0.0,
}
for _s in ("l", "r"):
    POSE_KEYS.update(
        {
            f"hip_flex_{_s}": 0.0,  # + thigh forward
            f"hip_abd_{_s}": 0.0,  # + thigh away from the midline
            f"hip_rot_{_s}": 0.0,  # + external (toes turn outward)
            f"knee_{_s}": 0.0,  # flexion, 0 = straight
            f"ankle_{_s}": 0.0,  # + dorsiflexion (toes up), - plantarflexion
            f"shoulder_flex_{_s}": 0.0,  # 0 arm down, 90 forward, 180 overhead
            f"shoulder_abd_{_s}": 0.0,  # + arm out to the side
            f"shoulder_rot_{_s}": 0.0,  # + external rotation
            f"elbow_{_s}": 0.0,  # flexion, 0 = straight
            f"pron_{_s}": 0.0,  # + forearm pronation (palm turns back)
            f"wrist_{_s}": 0.0,  # + extension (back of hand toward forearm)
            f"fingers_{_s}": 0.0,  # + finger curl
        }
    )
del _s

SIDES = {"l": ".L", "r": ".R"}

# MediaPipe's 33 pose landmark names, in its order (formcheck's own list: run from the repository root).
LANDMARK_NAMES = list(NAMES)


def rx(deg):
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def ry(deg):
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def rz(deg):
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def rot_between(a, b):
    """Smallest rotation taking direction a to direction b."""
    a = np.asarray(a, float) / np.linalg.norm(a)
    b = np.asarray(b, float) / np.linalg.norm(b)
    v = np.cross(a, b)
    c = float(np.dot(a, b))
    if np.linalg.norm(v) < 1e-9:
        return np.eye(3)
    vx = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + vx + vx @ vx * (1.0 / (1.0 + c))


def full_pose(pose: dict) -> dict:
    p = dict(POSE_KEYS)
    for k, v in pose.items():
        if k not in POSE_KEYS:
            raise KeyError(f"unknown pose key {k!r}")
        p[k] = float(v)
    return p


class Body:
    """One Anny body with fixed shape; poses it frame by frame."""

    def __init__(self, phenotype: dict | None = None, cache_dir: str | None = None):
        if cache_dir:
            os.environ.setdefault("ANNY_CACHE_DIR", cache_dir)
        import anny
        import torch
        from anny.paths import set_anny_cache_path

        if cache_dir:
            set_anny_cache_path(cache_dir)
        self.torch = torch
        self.model = anny.Anny()
        self.phenotype = {k: float(v) for k, v in (phenotype or {}).items()}
        self.labels = list(self.model.bone_labels)
        self.index = {n: i for i, n in enumerate(self.labels)}
        self.parents = list(self.model.bone_parents)
        self.faces = self.model.get_triangular_faces().cpu().numpy()
        ph = {k: torch.tensor([v], dtype=self.model.dtype) for k, v in self.phenotype.items()}
        self._ph = ph
        with torch.no_grad():
            rest = self.model(phenotype_kwargs=ph or None)
        self.rest_poses = rest["rest_bone_poses"][0].cpu().numpy()  # (B,4,4)
        self.rest_vertices = rest["rest_vertices"][0].cpu().numpy()
        self.kp_regressor = anny.KeypointsRegressor.coco(self.model)
        self.coco_labels = list(self.kp_regressor.labels)
        self._neutral = self._neutral_corrections()
        self._mouth = self._mouth_vertices()
        w = self.model.vertex_bone_weights.cpu().numpy()
        idx = self.model.vertex_bone_indices.cpu().numpy()
        self.vertex_bone = idx[np.arange(len(idx)), np.argmax(w, axis=1)]

    # -- neutral pose ------------------------------------------------------
    def head(self, name):
        return self.rest_poses[self.index[name], :3, 3]

    def _neutral_corrections(self):
        """Per-bone world rotation taking the rest (A) pose to the neutral pose."""
        N = {}
        for s, sfx in SIDES.items():
            sign = 1.0 if s == "l" else -1.0
            u = self.head("lowerarm01" + sfx) - self.head("upperarm01" + sfx)
            target = np.array([sign * math.sin(math.radians(7)), 0.0, -math.cos(math.radians(7))])
            Nu = rot_between(u, target)
            f = self.head("wrist" + sfx) - self.head("lowerarm01" + sfx)
            Nf = rot_between(f, target)
            N["upperarm01" + sfx] = Nu
            N["lowerarm01" + sfx] = Nf
        return N

    def _mouth_vertices(self):
        v = self.rest_vertices
        kp = self._coco_rest()
        nose = kp["nose"]
        out = []
        for sign in (1.0, -1.0):  # left (+X), right
            target = nose + np.array([sign * 0.024, 0.0, -0.045])
            # the front-most vertex near the mouth corner
            cand = np.where((np.abs(v[:, 0] - target[0]) < 0.008) & (np.abs(v[:, 2] - target[2]) < 0.008))[0]
            if len(cand) == 0:
                cand = np.argsort(np.linalg.norm(v - target, axis=1))[:20]
            best = cand[np.argmin(v[cand, 1])]
            out.append(int(best))
        return out

    def _coco_rest(self):
        torch = self.torch
        verts = torch.tensor(self.rest_vertices[None])
        k = self.kp_regressor({"vertices": verts})[0].numpy()
        return dict(zip(self.coco_labels, k))

    # -- posing -------------------------------------------------------------
    def world_rotations(self, p: dict) -> np.ndarray:
        """(B,3,3) rotation of every bone relative to its rest pose."""
        B = len(self.labels)
        J = {}  # joint rotations, in neutral world-aligned axes of the parent
        J["root"] = rz(p["root_yaw"]) @ rx(p["root_pitch"]) @ ry(-p["root_roll"])
        spine = ["spine05", "spine04", "spine03", "spine02", "spine01"]
        per = 1.0 / len(spine)
        for i, b in enumerate(spine):
            extra = p["lumbar_flex"] / 2.0 if i < 2 else p["thoracic_flex"] / 3.0
            J[b] = rx(p["spine_flex"] * per + extra) @ ry(-p["spine_lat"] * per) @ rz(p["spine_rot"] * per)
        for b in ("neck01", "neck02", "head"):
            J[b] = rx(p["neck_flex"] / 3.0)
        for s, sfx in SIDES.items():
            m = 1.0 if s == "l" else -1.0  # mirror for rotations about Y and Z
            J["upperleg01" + sfx] = rx(-p[f"hip_flex_{s}"]) @ ry(-m * p[f"hip_abd_{s}"]) @ rz(m * p[f"hip_rot_{s}"])
            J["lowerleg01" + sfx] = rx(p[f"knee_{s}"])
            J["foot" + sfx] = rx(-p[f"ankle_{s}"])
            J["upperarm01" + sfx] = (
                rx(-p[f"shoulder_flex_{s}"]) @ ry(-m * p[f"shoulder_abd_{s}"]) @ rz(m * p[f"shoulder_rot_{s}"])
            )
            J["lowerarm01" + sfx] = rx(-p[f"elbow_{s}"]) @ rz(-m * p[f"pron_{s}"])
            J["wrist" + sfx] = self._wrist(p[f"wrist_{s}"], m)
            for f in range(2, 6):
                J[f"finger{f}-1" + sfx] = rx(-p[f"fingers_{s}"] * 0.5)
                J[f"finger{f}-2" + sfx] = rx(-p[f"fingers_{s}"] * 0.3)
        P = np.zeros((B, 3, 3))
        Nw = np.zeros((B, 3, 3))
        for i, name in enumerate(self.labels):
            par = self.parents[i]
            Pp = P[par] if par >= 0 else np.eye(3)
            Np = Nw[par] if par >= 0 else np.eye(3)
            P[i] = Pp @ J.get(name, np.eye(3))
            Nw[i] = self._neutral.get(name, Np)
        return np.einsum("bij,bjk->bik", P, Nw)

    @staticmethod
    def _wrist(deg, m):
        # in the neutral pose the palm faces the thigh (normal along X); wrist
        # extension tips the hand backward of the palm, i.e. about the Y axis.
        return ry(m * deg)

    def pose_batch(self, poses: list[dict]):
        """Pose a batch. Returns vertices (N,V,3), 33 landmarks (N,33,3), bone heads (N,B,3)."""
        torch = self.torch
        n = len(poses)
        fulls = [full_pose(p) for p in poses]
        R = self.rest_poses[:, :3, :3]
        deltas = np.zeros((n, len(self.labels), 4, 4))
        for k, p in enumerate(fulls):
            G = self.world_rotations(p)
            deltas[k, :, :3, :3] = np.einsum("bij,bjk->bik", G, R)
            deltas[k, :, 3, 3] = 1.0
            deltas[k, 0, :3, 3] = 0.0
        ph = {k: v.expand(n) for k, v in self._ph.items()} if self._ph else None
        with torch.no_grad():
            out = self.model(
                pose_parameters=torch.tensor(deltas, dtype=self.model.dtype),
                phenotype_kwargs=ph,
                pose_parameterization="world-orient",
            )
            verts = out["vertices"]
            coco = self.kp_regressor({"vertices": verts}).cpu().numpy()
            heads = out["bone_poses"][:, :, :3, 3].cpu().numpy()
            verts = verts.cpu().numpy()
        lms = np.stack([self._landmarks(coco[k], heads[k], verts[k]) for k in range(n)])
        # floor contact and placement
        for k, p in enumerate(fulls):
            dz = -verts[k, :, 2].min() + p["lift"]
            off = np.array([p["x"], p["y"], dz])
            verts[k] += off
            lms[k] += off
            heads[k] += off
        return verts.astype(np.float32), lms, heads

    def _landmarks(self, coco, heads, verts):
        c = dict(zip(self.coco_labels, coco))

        def h(name):
            return heads[self.index[name]]

        le, re = c["left_eye"], c["right_eye"]
        d = re - le
        pts = {
            "nose": c["nose"],
            "left_eye_inner": le + 0.28 * d,
            "left_eye": le,
            "left_eye_outer": le - 0.28 * d,
            "right_eye_inner": re - 0.28 * d,
            "right_eye": re,
            "right_eye_outer": re + 0.28 * d,
            "left_ear": c["left_ear"],
            "right_ear": c["right_ear"],
            "mouth_left": verts[self._mouth[0]],
            "mouth_right": verts[self._mouth[1]],
        }
        for side, sfx in (("left", ".L"), ("right", ".R")):
            for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel"):
                pts[f"{side}_{part}"] = c[f"{side}_{part}"]
            pts[f"{side}_pinky"] = h("finger5-1" + sfx)
            pts[f"{side}_index"] = h("finger2-1" + sfx)
            pts[f"{side}_thumb"] = h("finger1-2" + sfx)
            pts[f"{side}_foot_index"] = 0.75 * c[f"{side}_big_toe"] + 0.25 * c[f"{side}_small_toe"]
        return np.stack([pts[n] for n in LANDMARK_NAMES])

    def height_m(self):
        v = self.rest_vertices
        return float(v[:, 2].max() - v[:, 2].min())
