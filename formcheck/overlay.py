"""Drawing the pose and the exercise status onto frames (OpenCV).

Two layouts share the same pieces: ``compact`` for annotated videos, and
``coach`` for live sessions, whose counter, hold ring and cue are large
enough to read from a mat two or three metres from a laptop. Sizes follow the
frame height, so a 640x480 frame and a 1080p one look alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from formcheck import geometry
from formcheck.feedback import AngleReading, Status
from formcheck.landmarks import SKELETON, PoseFrame, index

GOOD = (80, 200, 80)  # BGR
BAD = (60, 60, 230)
NEUTRAL = (235, 235, 235)
HIDDEN = (140, 140, 140)
PANEL = (30, 30, 30)
WARN = (40, 190, 250)
ACCENT = (250, 200, 60)
FONT = cv2.FONT_HERSHEY_SIMPLEX
BOLD = cv2.FONT_HERSHEY_DUPLEX
_EDGES = [(index(a), index(b)) for a, b in SKELETON]

# Joint angles shown when no exercise is chosen: the near side's main joints.
POSE_ONLY_ANGLES = {
    "knee": ("hip", "knee", "ankle"),
    "hip": ("shoulder", "hip", "knee"),
    "elbow": ("shoulder", "elbow", "wrist"),
}

Label = Callable[[str], str]


@dataclass(frozen=True)
class Layout:
    text: float  # base text size at 480 px frame height
    counter: float  # size of the rep counter digits
    banner: float  # size of the cue banner text
    big_counter: bool


COMPACT = Layout(text=0.6, counter=0.6, banner=0.9, big_counter=False)
COACH = Layout(text=0.75, counter=2.2, banner=1.25, big_counter=True)


def scale_for(image: np.ndarray) -> float:
    """Text and line size relative to a 480 px high frame."""
    return max(0.6, image.shape[0] / 480.0)


def _thickness(size: float) -> int:
    return max(1, int(round(size * 2)))


def _text(img, text, org, size, color=NEUTRAL, bg=PANEL, pad=4, font=FONT):
    """Text on a filled box, so it reads on any background; returns the box's (width, height)."""
    thickness = _thickness(size)
    (w, h), base = cv2.getTextSize(text, font, size, thickness)
    x, y = int(org[0]), int(org[1])
    x = min(max(pad, x), img.shape[1] - w - pad)
    y = min(max(h + pad, y), img.shape[0] - base - pad)
    if bg is not None:
        cv2.rectangle(img, (x - pad, y - h - pad), (x + w + pad, y + base + pad), bg, -1)
    cv2.putText(img, text, (x, y), font, size, color, thickness, cv2.LINE_AA)
    return w + 2 * pad, h + base + 2 * pad


def draw_pose(img: np.ndarray, pose: PoseFrame, bad_joints: tuple[int, ...] = (), scale: float = 1.0) -> None:
    """Skeleton lines and joints; untrusted landmarks grey, joints a current fault is about red."""
    if pose.landmarks is None:
        return
    raw = pose.landmarks[:, :2] * [img.shape[1], img.shape[0]]
    # plain lists: this runs for every frame drawn, and numpy's per-element calls cost more than the drawing
    # a point far off the picture (a damaged model's) is drawn toward it: cv2 clips the line, int32 holds it
    limit = 4.0 * max(img.shape[:2])
    known = np.isfinite(raw).all(axis=1).tolist()
    points = [tuple(p) for p in np.clip(np.where(np.isfinite(raw), raw, 0), -limit, limit).astype(np.int32).tolist()]
    trusted = np.isfinite(pose.pixels()[:, 0]).tolist()
    line = max(2, int(round(3 * scale)))
    for a, b in _EDGES:
        if known[a] and known[b]:
            color = NEUTRAL if trusted[a] and trusted[b] else HIDDEN
            cv2.line(img, points[a], points[b], color, line, cv2.LINE_AA)
    radius = max(3, int(round(5 * scale)))
    for i in range(11, len(points)):  # body joints; the face points would only clutter
        if known[i]:
            color = BAD if i in bad_joints else GOOD if trusted[i] else HIDDEN
            cv2.circle(img, points[i], radius, color, -1, cv2.LINE_AA)


def draw_angles(img: np.ndarray, pose: PoseFrame, angles: list[AngleReading], size: float, scale: float) -> None:
    """Each angle beside its joint: green within its rule, red outside it, white when not judged."""
    pixels = pose.pixels()
    for reading in angles:
        p = pixels[reading.joint]
        if not (np.all(np.isfinite(p)) and np.isfinite(reading.value)):
            continue
        color = NEUTRAL if reading.ok is None else GOOD if reading.ok else BAD
        _text(img, f"{reading.name} {reading.value:.0f}", (p[0] + 12 * scale, p[1] - 10 * scale), size, color)


def pose_only_angles(pose: PoseFrame) -> list[AngleReading]:
    """Knee, hip and elbow angles of the side facing the camera, for analysis without an exercise."""
    if pose.landmarks is None:
        return []
    side = geometry.near_side(pose.landmarks) or "left"
    px = pose.pixels()
    readings = []
    for name, (a, b, c) in POSE_ONLY_ANGLES.items():
        value = geometry.joint_angle(px[index(f"{side}_{a}")], px[index(f"{side}_{b}")], px[index(f"{side}_{c}")])
        readings.append(AngleReading(name, index(f"{side}_{b}"), float(value)))
    return readings


def _count_items(status: Status, label: Label) -> list[tuple[str, int, int]]:
    """(name, total, with faults) per side, or one "reps" entry for unsided exercises."""
    items = []
    for side, c in status.counts.items():
        name = label(side) if side in ("left", "right") else "reps"
        items.append((name, c["good"] + c["faulty"], c["faulty"]))
    return items or [("reps", 0, 0)]


def _hold_ring(img, center, radius, elapsed, target):
    done = min(1.0, elapsed / target) if target else 1.0
    thickness = max(4, int(radius * 0.22))
    cv2.circle(img, center, radius, PANEL, thickness + 4, cv2.LINE_AA)
    cv2.ellipse(
        img, center, (radius, radius), -90, 0, 360 * done, GOOD if done >= 1 else ACCENT, thickness, cv2.LINE_AA
    )
    text = f"{elapsed:.0f}" if target and elapsed < target else f"{elapsed:.0f}s"
    size = radius / 28.0
    (w, h), _ = cv2.getTextSize(text, BOLD, size, _thickness(size))
    cv2.putText(img, text, (center[0] - w // 2, center[1] + h // 2), BOLD, size, NEUTRAL, _thickness(size), cv2.LINE_AA)


def draw_status(
    img: np.ndarray, title: str, status: Status, layout: Layout, label: Label, readout: str | None = None
) -> None:
    """Title, counts, hold progress, an optional fps/latency readout, and the cue or view hint."""
    scale = scale_for(img)
    size = layout.text * scale
    x, y = int(8 * scale), int(8 * scale)
    _, h = _text(img, title, (x + 4, y + 26 * size), size, ACCENT)
    y += h + int(4 * scale)
    items = _count_items(status, label)
    if layout.big_counter:
        # Large counters down the right edge: what a person glances at from the floor.
        cx = img.shape[1] - int(10 * scale)
        cy = int(10 * scale)
        for name, total, faulty in items:
            digits = layout.counter * scale
            small = size * 0.8
            (dw, dh), _ = cv2.getTextSize(str(total), BOLD, digits, _thickness(digits))
            (lw, lh), lbase = cv2.getTextSize(name, FONT, small, _thickness(small))
            pad = int(8 * scale)
            width = max(dw, lw) + 2 * pad
            top, left = cy, cx - width
            bottom = top + lh + lbase + dh + 3 * pad
            cv2.rectangle(img, (left, top), (cx, bottom), PANEL, -1)
            cv2.putText(
                img, name, (cx - pad - lw, top + pad + lh), FONT, small, NEUTRAL, _thickness(small), cv2.LINE_AA
            )
            cv2.putText(
                img,
                str(total),
                (cx - pad - dw, bottom - pad),
                BOLD,
                digits,
                BAD if faulty else NEUTRAL,
                _thickness(digits),
                cv2.LINE_AA,
            )
            cy = bottom + int(8 * scale)
        if status.hold_elapsed_s is not None:
            radius = int(42 * scale)
            _hold_ring(
                img,
                (img.shape[1] - radius - int(16 * scale), cy + radius + int(8 * scale)),
                radius,
                status.hold_elapsed_s,
                status.hold_target_s,
            )
    else:
        for name, total, faulty in items:
            line = f"{name}: {total}" + (f" ({faulty} with faults)" if faulty else "")
            _, h = _text(img, line, (x + 4, y + 26 * size), size)
            y += h + int(2 * scale)
        if status.hold_elapsed_s is not None:
            target = status.hold_target_s or 0.0
            w, bh = int(200 * scale), int(16 * scale)
            y += int(4 * scale)
            cv2.rectangle(img, (x, y), (x + w, y + bh), PANEL, -1)
            done = min(1.0, status.hold_elapsed_s / target) if target else 1.0
            cv2.rectangle(img, (x, y), (x + int(w * done), y + bh), GOOD if done >= 1 else ACCENT, -1)
            text = f"hold {status.hold_elapsed_s:.1f}" + (f" / {target:g} s" if target else " s")
            _text(img, text, (x + w + 8 * scale, y + bh - 2), size * 0.9)
    if readout:
        _text(img, readout, (x + 4, img.shape[0] * 0.75), size * 0.8)
    if not status.view.ok and status.view.message or status.view.message and not status.ready:
        banner(img, status.view.message, WARN, layout)
    elif status.active_faults:
        banner(img, status.active_faults[0], BAD, layout)


def banner(img: np.ndarray, text: str, color, layout: Layout = COMPACT) -> None:
    """A full-width strip at the bottom with the text as large as fits."""
    h, w = img.shape[:2]
    size = layout.banner * scale_for(img)
    thickness = _thickness(size)
    while size > 0.4 and cv2.getTextSize(text, FONT, size, thickness)[0][0] > w - 20:
        size -= 0.05
        thickness = _thickness(size)
    (tw, th), base = cv2.getTextSize(text, FONT, size, thickness)
    top = h - th - base - int(20 * scale_for(img))
    cv2.rectangle(img, (0, top), (w, h), color, -1)
    cv2.putText(
        img,
        text,
        ((w - tw) // 2, h - base - int(10 * scale_for(img))),
        FONT,
        size,
        (20, 20, 20),
        thickness,
        cv2.LINE_AA,
    )


def notice(img: np.ndarray, text: str) -> None:
    """A one-line note on the left under the title, clear of the counters down the right edge (at most 60 % of
    the width) and of the cue banner at the bottom."""
    scale = scale_for(img)
    size = 0.55 * scale
    while size > 0.3 and cv2.getTextSize(text, FONT, size, _thickness(size))[0][0] > img.shape[1] * 0.6:
        size -= 0.05
    _text(img, text, (12 * scale, 70 * scale), size, WARN)


def card(image: np.ndarray, lines: list[str], big: str | None = None, pose: PoseFrame | None = None) -> np.ndarray:
    """The frame dimmed, with a large centred word or number and lines of instructions (setup, rest, pause)."""
    img = (image * 0.35).astype(np.uint8)
    scale = scale_for(img)
    if pose is not None:
        draw_pose(img, pose, scale=scale)
    h, w = img.shape[:2]
    y = int(h * 0.18)
    if big:
        size = 3.0 * scale
        while size > 0.8 and cv2.getTextSize(big, BOLD, size, _thickness(size))[0][0] > w - 40:
            size -= 0.1
        (tw, th), _ = cv2.getTextSize(big, BOLD, size, _thickness(size))
        y = int(h * 0.12) + th
        cv2.putText(img, big, ((w - tw) // 2, y), BOLD, size, ACCENT, _thickness(size), cv2.LINE_AA)
        y += int(30 * scale)
    size = 0.7 * scale
    for line in lines:
        for part in _wrap(line, size, w - int(40 * scale)):
            (tw, th), base = cv2.getTextSize(part, FONT, size, _thickness(size))
            y += th + base + int(8 * scale)
            cv2.putText(img, part, ((w - tw) // 2, y), FONT, size, NEUTRAL, _thickness(size), cv2.LINE_AA)
        y += int(8 * scale)
    return img


def _wrap(text: str, size: float, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if cv2.getTextSize(candidate, FONT, size, _thickness(size))[0][0] <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    return lines + ([line] if line else [])


def render(
    image: np.ndarray,
    pose: PoseFrame,
    status: Status | None,
    title: str,
    label: Label = str,
    layout: Layout = COMPACT,
    readout: str | None = None,
) -> np.ndarray:
    """A copy of ``image`` with the pose and the status drawn on it."""
    img = image.copy()
    scale = scale_for(img)
    size = layout.text * scale * 0.85
    draw_pose(img, pose, status.bad_joints if status else (), scale)
    if status is None:
        draw_angles(img, pose, pose_only_angles(pose), size, scale)
        _text(img, title, (8 * scale, 28 * scale), layout.text * scale, ACCENT)
        if pose.landmarks is None:
            banner(img, "No person in view", WARN, layout)
        return img
    draw_angles(img, pose, status.angles, size, scale)
    draw_status(img, title, status, layout, label, readout)
    return img
