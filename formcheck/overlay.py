"""Drawing the pose and the exercise status onto a frame (OpenCV), sized to stay readable at 640x480."""

from __future__ import annotations

import cv2
import numpy as np

from formcheck.exercises.base import AngleReading, Status
from formcheck.landmarks import SKELETON, PoseFrame, index

GOOD = (80, 200, 80)  # BGR
BAD = (60, 60, 230)
NEUTRAL = (235, 235, 235)
HIDDEN = (140, 140, 140)
PANEL = (30, 30, 30)
WARN = (40, 190, 250)
ACCENT = (250, 200, 60)
FONT = cv2.FONT_HERSHEY_SIMPLEX
_EDGES = [(index(a), index(b)) for a, b in SKELETON]

# Joint angles shown when no exercise is chosen: the near side's main joints.
POSE_ONLY_ANGLES = {"knee": ("hip", "knee", "ankle"), "hip": ("shoulder", "hip", "knee"),
                    "elbow": ("shoulder", "elbow", "wrist")}  # fmt: skip


def scale_for(image: np.ndarray) -> float:
    """Text and line size relative to a 640x480 frame."""
    return max(0.6, min(image.shape[:2]) / 480.0)


def _text(img, text, org, scale, color=NEUTRAL, thickness=None, bg=PANEL, pad=4):
    """Text on a filled box, so it reads on any background."""
    thickness = thickness or max(1, int(round(scale * 2)))
    (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
    x, y = int(org[0]), int(org[1])
    x = min(max(0, x), img.shape[1] - w - 2 * pad)
    y = min(max(h + pad, y), img.shape[0] - base - pad)
    if bg is not None:
        cv2.rectangle(img, (x - pad, y - h - pad), (x + w + pad, y + base + pad), bg, -1)
    cv2.putText(img, text, (x, y), FONT, scale, color, thickness, cv2.LINE_AA)
    return w + 2 * pad, h + base + 2 * pad


def draw_pose(img: np.ndarray, pose: PoseFrame, bad_joints: tuple[int, ...] = (), scale: float = 1.0) -> None:
    """Skeleton lines and joints; untrusted landmarks are drawn grey, joints a fault is about red."""
    if pose.landmarks is None:
        return
    raw = pose.landmarks[:, :2] * [img.shape[1], img.shape[0]]
    trusted = np.isfinite(pose.pixels()[:, 0])
    line = max(2, int(round(3 * scale)))
    for a, b in _EDGES:
        if not (np.all(np.isfinite(raw[a])) and np.all(np.isfinite(raw[b]))):
            continue
        color = NEUTRAL if trusted[a] and trusted[b] else HIDDEN
        cv2.line(img, tuple(np.int32(raw[a])), tuple(np.int32(raw[b])), color, line, cv2.LINE_AA)
    radius = max(3, int(round(5 * scale)))
    for i in range(11, len(raw)):  # body joints; the face points would only clutter
        if not np.all(np.isfinite(raw[i])):
            continue
        color = BAD if i in bad_joints else GOOD if trusted[i] else HIDDEN
        cv2.circle(img, tuple(np.int32(raw[i])), radius, color, -1, cv2.LINE_AA)


def draw_angles(img: np.ndarray, pose: PoseFrame, angles: list[AngleReading], scale: float) -> None:
    pixels = pose.pixels()
    for reading in angles:
        p = pixels[reading.joint]
        if not (np.all(np.isfinite(p)) and np.isfinite(reading.value)):
            continue
        color = NEUTRAL if reading.ok is None else GOOD if reading.ok else BAD
        _text(img, f"{reading.value:.0f}", (p[0] + 10 * scale, p[1] - 8 * scale), 0.6 * scale, color)


def pose_only_angles(pose: PoseFrame) -> list[AngleReading]:
    """Knee, hip and elbow angles of the side facing the camera, for analysis without an exercise."""
    from formcheck import geometry

    if pose.landmarks is None:
        return []
    side = geometry.near_side(pose.landmarks) or "left"
    px = pose.pixels()
    readings = []
    for name, (a, b, c) in POSE_ONLY_ANGLES.items():
        value = geometry.joint_angle(px[index(f"{side}_{a}")], px[index(f"{side}_{b}")], px[index(f"{side}_{c}")])
        readings.append(AngleReading(name, index(f"{side}_{b}"), float(value)))
    return readings


def _counts_line(status: Status, label) -> list[str]:
    lines = []
    for side, c in sorted(status.counts.items()):
        name = label(side) if side in ("left", "right") else "reps"
        lines.append(f"{name}: {c['good'] + c['faulty']}" + (f" ({c['faulty']} with faults)" if c["faulty"] else ""))
    return lines or ["reps: 0"]


def draw_status(img: np.ndarray, title: str, status: Status, scale: float, label=lambda s: f"{s} side",
                fps: float | None = None) -> None:  # fmt: skip
    """The panel (title, counts, hold bar), the view hint and the current cue."""
    x, y = int(8 * scale), int(8 * scale)
    _, h = _text(img, title, (x + 4, y + 20 * scale), 0.65 * scale, ACCENT)
    y += h + int(4 * scale)
    for line in _counts_line(status, label):
        _, h = _text(img, line, (x + 4, y + 20 * scale), 0.6 * scale)
        y += h + int(2 * scale)
    if status.hold_elapsed_s is not None:
        target = status.hold_target_s or 0.0
        w, bh = int(200 * scale), int(16 * scale)
        y += int(4 * scale)
        cv2.rectangle(img, (x, y), (x + w, y + bh), PANEL, -1)
        done = min(1.0, status.hold_elapsed_s / target) if target else 1.0
        cv2.rectangle(img, (x, y), (x + int(w * done), y + bh), GOOD if done >= 1 else ACCENT, -1)
        label_text = f"hold {status.hold_elapsed_s:.1f}" + (f" / {target:g} s" if target else " s")
        _text(img, label_text, (x + w + 8 * scale, y + bh - 2), 0.55 * scale)
        y += bh + int(6 * scale)
    if fps is not None:
        _text(img, f"{fps:.1f} fps", (img.shape[1] - 110 * scale, 24 * scale), 0.5 * scale)
    banner = status.active_faults[0] if status.active_faults else None
    if not status.view.ok and status.view.message:
        banner_color, banner = WARN, status.view.message
    elif status.view.message and not status.ready:
        banner_color, banner = WARN, status.view.message
    else:
        banner_color = BAD
    if banner:
        _banner(img, banner, banner_color, scale)


def _banner(img: np.ndarray, text: str, color, scale: float) -> None:
    """A full-width strip at the bottom with the text as large as fits."""
    h, w = img.shape[:2]
    size = 0.9 * scale
    thickness = max(2, int(round(2 * scale)))
    while size > 0.4 and cv2.getTextSize(text, FONT, size, thickness)[0][0] > w - 20:
        size -= 0.05
    (tw, th), base = cv2.getTextSize(text, FONT, size, thickness)
    top = h - th - base - int(16 * scale)
    cv2.rectangle(img, (0, top), (w, h), color, -1)
    cv2.putText(img, text, ((w - tw) // 2, h - base - int(8 * scale)), FONT, size, (20, 20, 20), thickness,
                cv2.LINE_AA)  # fmt: skip


def render(image: np.ndarray, pose: PoseFrame, status: Status | None, title: str, label=lambda s: f"{s} side",
           fps: float | None = None) -> np.ndarray:  # fmt: skip
    """A copy of ``image`` with everything drawn on it."""
    img = image.copy()
    scale = scale_for(img)
    draw_pose(img, pose, status.bad_joints if status else (), scale)
    if status is None:
        draw_angles(img, pose, pose_only_angles(pose), scale)
        _text(img, title, (8 * scale, 28 * scale), 0.65 * scale, ACCENT)
        if pose.landmarks is None:
            _banner(img, "No person in view", WARN, scale)
        return img
    draw_angles(img, pose, status.angles, scale)
    draw_status(img, title, status, scale, label, fps)
    return img
