"""Blender (bpy) scene: the body mesh coloured by region, floor, wall, props,
camera; Workbench rendering of one frame to an RGB array."""

from __future__ import annotations

import os
import tempfile

import numpy as np

DEFAULT_COLOURS = {
    "skin": "#c8906e",
    "hair": "#3a2a1c",
    "eyes": "#202020",
    "shirt": "#2f5fa8",
    "trousers": "#2e2e34",
    "shoes": "#e8e8e8",
    "floor": "#c9ab80",
    "wall": "#d9d4c8",
    "prop": "#6b4a2f",
}


def hex_rgb(h: str):
    h = h.lstrip("#")
    return tuple(int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4))


def srgb_to_linear(c):
    c = np.asarray(c, float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def bone_group(label: str) -> str:
    """Coarse body part of a bone: head, trunk, arm.L/R, hand.L/R, hip.L/R, leg.L/R, foot.L/R."""
    side = label[-1] if label.endswith((".L", ".R")) else ""
    if label.startswith(("head", "neck", "eye")):
        return "head"
    if label.startswith(("spine", "root")):
        return "trunk"
    if label.startswith(("clavicle", "shoulder")):
        return "trunk"
    if label.startswith(("upperarm", "lowerarm")):
        return "arm." + side
    if label.startswith(("wrist", "finger", "metacarpal")):
        return "hand." + side
    if label.startswith("pelvis"):
        return "hip." + side
    if label.startswith(("upperleg", "lowerleg")):
        return "leg." + side
    if label.startswith(("foot", "toe")):
        return "foot." + side
    return "trunk"


def region_of(label: str, sleeves: str, legwear: str, shoes: bool) -> str:
    g = bone_group(label)
    if g == "head":
        return "eyes" if label.startswith("eye") else "skin"
    if g == "trunk":
        return "shirt"
    if g.startswith("arm"):
        if label.startswith("lowerarm"):
            return "shirt" if sleeves == "long" else "skin"
        return "shirt" if sleeves != "none" else "skin"
    if g.startswith("hand"):
        return "skin"
    if g.startswith("hip"):
        return "trousers"
    if g.startswith("leg"):
        if label.startswith("lowerleg") and legwear == "shorts":
            return "skin"
        return "trousers"
    if g.startswith("foot"):
        return "shoes" if shoes else "skin"
    return "shirt"


def vertex_regions(body, clothing: dict) -> np.ndarray:
    """Region name per vertex of the body (by the bone that moves it most, plus hair)."""
    sleeves = clothing.get("sleeves", "long")
    legwear = clothing.get("legwear", "long")
    shoes = clothing.get("shoes_on", True)
    labels = body.labels
    reg = np.array([region_of(labels[b], sleeves, legwear, shoes) for b in body.vertex_bone], dtype=object)
    v = body.rest_vertices
    head = np.array([labels[b] in ("head", "neck03") for b in body.vertex_bone])
    kp = body._coco_rest()
    eye_z = (kp["left_eye"][2] + kp["right_eye"][2]) / 2
    ear_y = (kp["left_ear"][1] + kp["right_ear"][1]) / 2
    ear_z = (kp["left_ear"][2] + kp["right_ear"][2]) / 2
    style = clothing.get("hair", "short")
    top = v[:, 2] > eye_z + 0.035
    back = (v[:, 1] > ear_y + 0.005) & (v[:, 2] > ear_z - (0.09 if style == "long" else 0.03))
    hair = head & (top | back)
    if style == "none":
        hair[:] = False
    reg[hair] = "hair"
    return reg


class Scene:
    def __init__(
        self,
        body,
        width=640,
        height=480,
        colours=None,
        clothing=None,
        props=(),
        camera=None,
        samples="FXAA",
        light=None,
    ):
        import bpy
        import mathutils.bvhtree  # noqa: F401

        self.bpy = bpy
        self.body = body
        self.W, self.H = int(width), int(height)
        self.colours = dict(DEFAULT_COLOURS)
        self.colours.update(colours or {})
        self.clothing = clothing or {}
        bpy.ops.wm.read_factory_settings(use_empty=True)
        sc = bpy.context.scene
        self.sc = sc
        sc.render.engine = "BLENDER_WORKBENCH"
        sc.render.resolution_x = self.W
        sc.render.resolution_y = self.H
        sc.render.resolution_percentage = 100
        sc.render.image_settings.file_format = "PNG"
        sc.render.image_settings.color_mode = "RGB"
        sc.view_settings.view_transform = "Standard"
        sc.display.render_aa = samples
        sh = sc.display.shading
        sh.light = "STUDIO"
        sh.color_type = "VERTEX"
        sh.show_shadows = True
        light = light or {}
        sh.shadow_intensity = float(light.get("shadow", 0.35))
        sh.show_cavity = True
        sh.cavity_type = "WORLD"
        sh.show_specular_highlight = False
        sc.display.light_direction = tuple(light.get("direction", (0.45, -0.35, 0.82)))
        sc.world = bpy.data.worlds.new("W")
        sc.world.color = (0.6, 0.6, 0.6)
        sc.view_settings.exposure = float(light.get("exposure", 0.0))

        # body mesh
        self.regions = vertex_regions(body, self.clothing)
        verts = body.rest_vertices
        mesh = bpy.data.meshes.new("body")
        mesh.from_pydata(verts.tolist(), [], body.faces.tolist())
        mesh.update()
        mesh.shade_smooth()
        cols = np.zeros((len(verts), 4), np.float32)
        cols[:, 3] = 1
        for r in set(self.regions):
            cols[self.regions == r, :3] = srgb_to_linear(hex_rgb(self.colours[r]))
        attr = mesh.color_attributes.new("Col", "FLOAT_COLOR", "POINT")
        attr.data.foreach_set("color", cols.ravel())
        mesh.color_attributes.active_color = attr
        self.mesh = mesh
        obj = bpy.data.objects.new("body", mesh)
        sc.collection.objects.link(obj)
        self.face_groups = np.array([bone_group(body.labels[body.vertex_bone[f[0]]]) for f in body.faces])

        self.prop_tris = []  # (verts, faces) for occlusion tests
        self._floor()
        for p in props:
            self._prop(p)
        cam_data = bpy.data.cameras.new("cam")
        self.cam = bpy.data.objects.new("cam", cam_data)
        sc.collection.objects.link(self.cam)
        sc.camera = self.cam
        self.tmp = tempfile.mkdtemp(prefix="footage_")

    # -- static geometry -------------------------------------------------------
    def _coloured_box(self, name, centre, size, colour):
        bpy = self.bpy
        cx, cy, cz = centre
        sx, sy, sz = (s / 2 for s in size)
        v = [(cx + a * sx, cy + b * sy, cz + c * sz) for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)]
        f = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
        mesh = bpy.data.meshes.new(name)
        mesh.from_pydata(v, [], f)
        mesh.update()
        attr = mesh.color_attributes.new("Col", "FLOAT_COLOR", "POINT")
        rgb = srgb_to_linear(hex_rgb(colour))
        attr.data.foreach_set("color", np.tile(np.r_[rgb, 1.0], len(v)).astype(np.float32))
        mesh.color_attributes.active_color = attr
        obj = bpy.data.objects.new(name, mesh)
        self.sc.collection.objects.link(obj)
        tris = np.array([[q[0], q[1], q[2]] for q in f] + [[q[0], q[2], q[3]] for q in f])
        return np.array(v), tris

    def _floor(self):
        self._coloured_box("floor", (0, 0, -0.05), (12, 12, 0.1), self.colours["floor"])

    def add_wall(self, x):
        self._coloured_box("wall", (x, 0, 1.5), (0.1, 12, 3.0), self.colours["wall"])

    def _prop(self, p):
        if p.get("type", "box") != "box":
            raise ValueError(f"unknown prop type {p.get('type')!r}")
        v, t = self._coloured_box(
            f"prop{len(self.prop_tris)}", p["centre"], p["size"], p.get("colour", self.colours["prop"])
        )
        self.prop_tris.append((v, t))

    # -- camera ------------------------------------------------------------------
    def set_camera(self, position, target, lens_mm=26.0, sensor_mm=36.0):
        import mathutils

        pos = np.asarray(position, float)
        f = np.asarray(target, float) - pos
        f /= np.linalg.norm(f)
        r = np.cross(f, [0, 0, 1.0])
        r /= np.linalg.norm(r)
        u = np.cross(r, f)
        M = np.eye(4)
        M[:3, 0], M[:3, 1], M[:3, 2], M[:3, 3] = r, u, -f, pos
        self.cam.matrix_world = mathutils.Matrix(M.tolist())
        cd = self.cam.data
        cd.lens = lens_mm
        cd.sensor_width = sensor_mm
        cd.sensor_fit = "HORIZONTAL"
        cd.clip_start = 0.05
        cd.clip_end = 50
        self.cam_pos, self.cam_r, self.cam_u, self.cam_f = pos, r, u, f
        self.fx = lens_mm / sensor_mm * self.W
        self.cx, self.cy = self.W / 2.0, self.H / 2.0

    def camera_info(self):
        R = np.stack([self.cam_r, -self.cam_u, self.cam_f])  # OpenCV camera axes (x right, y down, z forward)
        t = -R @ self.cam_pos
        return {
            "position_m": [round(float(x), 4) for x in self.cam_pos],
            "intrinsics": {"fx": round(self.fx, 3), "fy": round(self.fx, 3), "cx": self.cx, "cy": self.cy},
            "world_to_camera": [[round(float(x), 6) for x in row] for row in np.c_[R, t]],
        }

    def project(self, pts):
        """World points (N,3) -> pixels (N,2) and depth (N,)."""
        d = np.asarray(pts, float) - self.cam_pos
        x = d @ self.cam_r
        y = d @ self.cam_u
        z = d @ self.cam_f
        u = self.cx + self.fx * x / z
        v = self.cy - self.fx * y / z
        return np.stack([u, v], axis=1), z

    # -- per frame ---------------------------------------------------------------
    def set_body(self, verts):
        self.mesh.vertices.foreach_set("co", np.ascontiguousarray(verts, np.float32).ravel())
        self.mesh.update()

    def render(self):
        from PIL import Image

        path = os.path.join(self.tmp, "frame.png")
        self.sc.render.filepath = path
        self.bpy.ops.render.render(write_still=True)
        return np.asarray(Image.open(path).convert("RGB"))

    def occlusion(self, verts, landmarks, own_groups):
        """Per landmark: True when something else lies between it and the camera."""
        from mathutils import Vector
        from mathutils.bvhtree import BVHTree

        allv = [verts]
        allf = [self.body.faces]
        groups = [self.face_groups]
        n = len(verts)
        for v, t in self.prop_tris:
            allv.append(v)
            allf.append(t + n)
            groups.append(np.array(["prop"] * len(t)))
            n += len(v)
        V = np.concatenate(allv).tolist()
        F = np.concatenate(allf).tolist()
        G = np.concatenate(groups)
        tree = BVHTree.FromPolygons(V, F, all_triangles=True)
        out = []
        for lm, (own, own_depth_tol) in zip(landmarks, own_groups):
            d = np.asarray(lm, float) - self.cam_pos
            dist = float(np.linalg.norm(d))
            loc, normal, idx, hd = tree.ray_cast(Vector(self.cam_pos.tolist()), Vector((d / dist).tolist()), dist)
            if idx is None:
                out.append(False)
                continue
            g = G[idx]
            if g in own:
                out.append(bool(hd < dist - own_depth_tol))
            else:
                out.append(bool(hd < dist - 0.02))
        return out
