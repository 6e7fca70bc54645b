"""Render a labelled exercise clip from a keyframed script.

    python -m tools.footage.render tools/footage/scripts/bird_dog_good.yaml [--out sample_videos]

Writes OUT/NAME.mp4 (H.264) and OUT/NAME.json (ground truth, see
docs/ground_truth.md). Needs the optional render stack (tools/footage/README.md).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np

from . import script as scriptmod
from .body import LANDMARK_NAMES, Body
from .groundtruth import ANGLE_NAMES, FORMAT, VERSION, angles, own_groups

DEFAULT_CACHE = os.environ.get("ANNY_CACHE_DIR", "/work/render-cache")


def pose_key(p: dict):
    return tuple(sorted((k, round(v, 4)) for k, v in p.items()))


def fit_camera(scene, cam: dict, bbox_pts, W, H):
    """Place the camera at the body's side (or front) so the whole motion fits."""
    side = cam.get("side", "left")
    az = {"left": 0.0, "right": 180.0, "front": -90.0, "back": 90.0}[side]
    az += float(cam.get("yaw_offset", 0.0))
    lo, hi = bbox_pts.min(0), bbox_pts.max(0)
    centre = (lo + hi) / 2
    target = np.array(
        [centre[0], centre[1] + float(cam.get("target_shift", 0.0)), float(cam.get("target_height", centre[2]))]
    )
    height = float(cam.get("height", 0.5))
    lens = cam.get("lens_mm", 28.0)
    margin = float(cam.get("margin", 0.08))
    d_dir = np.array([math.cos(math.radians(az)), math.sin(math.radians(az)), 0.0])
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])

    def fits(d, lens_mm):
        pos = target + d * d_dir
        pos[2] = height
        scene.set_camera(pos, target, lens_mm)
        uv, z = scene.project(corners)
        return (
            (z > 0).all()
            and (uv[:, 0] > margin * W).all()
            and (uv[:, 0] < (1 - margin) * W).all()
            and (uv[:, 1] > margin * H).all()
            and (uv[:, 1] < (1 - margin) * H).all()
        )

    dist = cam.get("distance", "auto")
    if lens == "fit":  # a set distance: the longest lens (zoomed in most) that shows the whole motion
        lens = 60.0
        while lens > 12.0 and not fits(float(dist), lens):
            lens -= 0.5
    lens = float(lens)
    if dist == "auto":
        d = 1.0
        while d < 12 and not fits(d, lens):
            d += 0.05
        dist = d
    pos = target + float(dist) * d_dir
    pos[2] = height
    scene.set_camera(pos, target, lens)
    # the image direction the body faces: +Y world is the body's back at root_yaw 0
    if side in ("left", "right"):
        facing = "left" if side == "left" else "right"
    else:
        facing = "camera" if side == "front" else "away"
    return {
        "side": side,
        "facing": facing,
        "distance_m": round(float(dist), 3),
        "height_m": height,
        "lens_mm": lens,
        "sensor_width_mm": 36.0,
        "target_m": [round(float(x), 4) for x in target],
        "yaw_offset_deg": float(cam.get("yaw_offset", 0.0)),
    }


def place_props(body, props, book):
    """Resolve props given relative to a body part in a pose into boxes."""
    out = []
    for p in props:
        p = dict(p)
        if "under" in p:
            part, pose_name = p.pop("under"), p.pop("pose")
            V, L, _ = body.pose_batch([book.resolve(pose_name)])
            lm = L[0][LANDMARK_NAMES.index(part)]
            sx, sy = p.pop("footprint", [0.35, 0.4])
            near = V[0][np.linalg.norm(V[0] - lm, axis=1) < 0.08]
            # the box top touches the lowest skin point near the landmark
            top = float(near[:, 2].min()) - float(p.pop("gap", 0.004))
            p["size"] = [sx, sy, top]
            cx = float(p.pop("x")) if "x" in p else float(lm[0])
            p["centre"] = [cx, float(lm[1]) + float(p.pop("shift", 0.0)), top / 2]
        out.append(p)
    return out


def render(script_path, out_dir, cache_dir=DEFAULT_CACHE, max_frames=None, preview_every=0, quiet=False):
    t_start = time.time()
    sc = scriptmod.load(script_path)
    tl = scriptmod.expand(sc)
    fps = float(sc["fps"])
    W, H = (int(x) for x in sc["size"])
    times = scriptmod.frame_times(tl, fps)
    if max_frames:
        times = times[:max_frames]
    poses = [scriptmod.pose_at(tl, t) for t in times]
    keys = [pose_key(p) for p in poses]

    body_spec = sc["body"]
    body = Body(body_spec.get("phenotype", {}), cache_dir=cache_dir)
    book = scriptmod.PoseBook(sc.get("poses"))

    # pose every distinct frame
    uniq = {}
    order = []
    for k, p in zip(keys, poses):
        if k not in uniq:
            uniq[k] = len(order)
            order.append(p)
    Vs, Ls = [], []
    for i in range(0, len(order), 48):
        V, L, _ = body.pose_batch(order[i : i + 48])
        Vs.append(V)
        Ls.append(L)
    V = np.concatenate(Vs)
    L = np.concatenate(Ls)

    from .scene import Scene  # imports bpy

    props = place_props(body, sc.get("props", []), book)
    scene = Scene(
        body,
        W,
        H,
        colours=body_spec.get("colours"),
        clothing=body_spec.get("clothing"),
        props=props,
        light=sc.get("light"),
    )
    bbox_pts = np.concatenate(
        [V[:, ::7].reshape(-1, 3)]
        + [
            np.array([np.array(p["centre"]) - np.array(p["size"]) / 2, np.array(p["centre"]) + np.array(p["size"]) / 2])
            for p in props
            if sc["camera"].get("frame_props", False)
        ]
    )
    cam_info = fit_camera(scene, sc["camera"], bbox_pts, W, H)
    side = sc["camera"].get("side", "left")
    lo, hi = bbox_pts.min(0), bbox_pts.max(0)
    wall_gap = float(sc["camera"].get("wall_gap", 1.0))
    if side == "left":
        scene.add_wall(lo[0] - wall_gap)
    elif side == "right":
        scene.add_wall(hi[0] + wall_gap)
    elif side == "front":
        scene._coloured_box("wall", (0, hi[1] + wall_gap, 1.5), (12, 0.1, 3.0), scene.colours["wall"])
    cam_info.update(scene.camera_info())

    import imageio_ffmpeg

    os.makedirs(out_dir, exist_ok=True)
    name = sc["name"]
    mp4 = os.path.join(out_dir, name + ".mp4")
    writer = imageio_ffmpeg.write_frames(
        mp4,
        (W, H),
        fps=fps,
        codec="libx264",
        pix_fmt_out="yuv420p",
        macro_block_size=16,
        output_params=[
            "-crf",
            str(sc["camera"].get("crf", 25)),
            "-preset",
            "slow",
            "-movflags",
            "+faststart",
            "-g",
            str(int(fps * 2)),
        ],
        ffmpeg_log_level="error",
    )
    writer.send(None)
    owns = own_groups()
    frames = []
    cache_img = {}
    rendered = 0
    t_render = 0.0
    for fi, (t, k) in enumerate(zip(times, keys)):
        u = uniq[k]
        if u not in cache_img:
            cache_img.clear()  # holds repeat consecutive frames only
            scene.set_body(V[u])
            t0 = time.time()
            img = scene.render()
            t_render += time.time() - t0
            rendered += 1
            uv, depth = scene.project(L[u])
            occ = scene.occlusion(V[u], L[u], owns)
            oof = [bool(not (0 <= x < W and 0 <= y < H) or z <= 0) for (x, y), z in zip(uv, depth)]
            gt = {
                "keypoints_2d": [[round(float(x), 2), round(float(y), 2)] for x, y in uv],
                "keypoints_3d": [[round(float(c), 4) for c in p] for p in L[u]],
                "occluded": occ,
                "out_of_frame": oof,
                "angles_3d": angles(L[u], 3),
                "angles_2d": angles(uv, 2),
            }
            cache_img[u] = (img, gt)
            if preview_every and rendered % preview_every == 1:
                from PIL import Image

                Image.fromarray(img).save(os.path.join(out_dir, f"{name}_preview_{fi:04d}.png"))
        img, gt = cache_img[u]
        writer.send(np.ascontiguousarray(img))
        fr = {"index": fi, "t_ms": round(t * 1000.0, 3)}
        fr.update(gt)
        frames.append(fr)
        if not quiet and fi % 25 == 0:
            print(f"\r{name}: frame {fi + 1}/{len(times)} ({rendered} rendered)", end="", file=sys.stderr, flush=True)
    writer.close()
    if not quiet:
        print(file=sys.stderr)

    def frame_of(s):
        return int(math.ceil(s * fps - 1e-6))

    def with_frames(items):
        out = []
        for it in items:
            it = dict(it)
            it["start_s"] = round(it["start_s"], 4)
            it["end_s"] = round(it["end_s"], 4)
            it["start_frame"] = frame_of(it["start_s"])
            it["end_frame"] = min(frame_of(it["end_s"]) - 1, len(times) - 1)
            out.append(it)
        return out

    reps = with_frames(tl.reps)
    holds = with_frames(tl.holds)
    for h in holds:
        h["duration_s"] = round(h["end_s"] - h["start_s"], 4)
    faults = with_frames(tl.faults)
    per_side = {}
    for r in reps:
        per_side[r["side"] or "none"] = per_side.get(r["side"] or "none", 0) + 1
    import anny
    import bpy

    doc = {
        "format": FORMAT,
        "version": VERSION,
        "clip": name + ".mp4",
        "exercise": sc["exercise"],
        "description": sc.get("description", ""),
        "script": os.path.relpath(os.path.abspath(script_path), os.getcwd()),
        "generator": {
            "tool": "tools.footage",
            "body_model": f"anny {anny.__version__}",
            "renderer": f"bpy {bpy.app.version_string} workbench",
        },
        "fps": fps,
        "frame_count": len(times),
        "duration_s": round(len(times) / fps, 4),
        "image": {"width": W, "height": H},
        "camera": cam_info,
        "body": {
            "phenotype": body_spec.get("phenotype", {}),
            "height_m": round(body.height_m(), 3),
            "clothing": body_spec.get("clothing", {}),
            "colours": scene.colours,
        },
        "settings": sc.get("settings", {}),
        "targets": sc.get("targets", {}),
        "reps_per_side": per_side,
        "reps": reps,
        "holds": holds,
        "faults": faults,
        "landmark_names": LANDMARK_NAMES,
        "angle_names": ANGLE_NAMES,
        "frames": frames,
    }
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    stats = {
        "clip": name,
        "frames": len(times),
        "rendered": rendered,
        "render_s": round(t_render, 1),
        "total_s": round(time.time() - t_start, 1),
        "mp4_bytes": os.path.getsize(mp4),
    }
    return stats


def preview_poses(script_path, out_dir, names, cache_dir=DEFAULT_CACHE):
    """Render named poses of a script to PNGs with the true landmarks drawn (for tuning)."""
    from PIL import Image, ImageDraw

    from .scene import Scene

    sc = scriptmod.load(script_path)
    book = scriptmod.PoseBook(sc.get("poses"))
    W, H = (int(x) for x in sc["size"])
    body = Body(sc["body"].get("phenotype", {}), cache_dir=cache_dir)
    V, L, _ = body.pose_batch([book.resolve(n) for n in names])
    props = place_props(body, sc.get("props", []), book)
    scene = Scene(body, W, H, colours=sc["body"].get("colours"), clothing=sc["body"].get("clothing"), props=props)
    fit_camera(scene, sc["camera"], V[:, ::7].reshape(-1, 3), W, H)
    os.makedirs(out_dir, exist_ok=True)
    for n, v, lm in zip(names, V, L):
        scene.set_body(v)
        im = Image.fromarray(scene.render().copy())
        d = ImageDraw.Draw(im)
        uv, _ = scene.project(lm)
        occ = scene.occlusion(v, lm, own_groups())
        for (x, y), o in zip(uv, occ):
            d.ellipse([x - 2, y - 2, x + 2, y + 2], fill=(0, 255, 255) if o else (255, 0, 0))
        a = angles(lm, 3)
        d.text((5, 5), " ".join(f"{k[:1]}{k.split('_')[-1][:3]}={v:.0f}" for k, v in a.items()), fill=(255, 255, 0))
        path = os.path.join(out_dir, f"{sc['name']}_{n}.png")
        im.save(path)
        print(path)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m tools.footage.render", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("scripts", nargs="+", help="clip script(s) (YAML)")
    ap.add_argument("--out", default="sample_videos", help="output folder (default sample_videos)")
    ap.add_argument("--cache-dir", default=DEFAULT_CACHE, help="anny cache directory (ANNY_CACHE_DIR)")
    ap.add_argument("--max-frames", type=int, default=None, help="render only the first N frames")
    ap.add_argument("--preview-every", type=int, default=0, help="also save every Nth rendered frame as PNG")
    ap.add_argument("--poses", nargs="+", help="only render these named poses to PNGs (tuning aid)")
    a = ap.parse_args(argv)
    if a.poses:
        preview_poses(a.scripts[0], a.out, a.poses, a.cache_dir)
        return
    for s in a.scripts:
        st = render(s, a.out, a.cache_dir, a.max_frames, a.preview_every)
        print(json.dumps(st))


if __name__ == "__main__":
    main()
