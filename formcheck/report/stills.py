"""Stills of the best and the worst rep or hold, taken from the run's own video (they never leave the file)."""

from __future__ import annotations

import base64
import math
from pathlib import Path

import cv2

MAX_WIDTH = 640


def pick(ex: dict) -> list[tuple[str, dict]]:
    """(label, record) for the best and the worst rep/hold; one entry when there is only one."""
    records = ex.get("records") or []
    if not records:
        return []
    holds = ex.get("kind") == "holds"

    def amount(r):
        v = r.get("hold_s") if holds else r.get("peak")
        return -math.inf if v is None else (v if holds or _rising(records) else -v)

    best = max(records, key=lambda r: (r.get("good", False), amount(r)))
    others = [r for r in records if r is not best]
    worst = max(others, key=lambda r: (len(r.get("faults") or []), -amount(r))) if others else best
    noun = "hold" if holds else "rep"
    if best is worst or len(records) == 1:
        return [(f"{noun} {best['index'] + 1}", best)]
    worst_label = f"worst {noun}" if worst.get("faults") else f"weakest {noun} (no fault)"
    return [(f"best {noun}", best), (worst_label, worst)]


def _rising(records) -> bool:
    peaks = [r["peak"] for r in records if r.get("peak") is not None]
    return not peaks or sum(peaks) >= 0


def moment(record: dict, times: list[float], values: list[float]) -> float:
    """When to take the still: the rep's extreme in the key series, else the middle of the rep/hold."""
    start, end = record.get("start_s") or 0.0, record.get("end_s") or record.get("start_s") or 0.0
    inside = [(t, v) for t, v in zip(times, values) if start <= t <= end and v == v]
    if inside and record.get("peak") is not None:
        return min(inside, key=lambda tv: abs(tv[1] - record["peak"]))[0]
    return (start + end) / 2


def video_for(out_dir: Path, summary: dict) -> Path | None:
    """The annotated video of the run when it was written, else the source file when it still exists."""
    outputs = summary.get("outputs") or {}
    if outputs.get("video") and (Path(out_dir) / outputs["video"]).is_file():
        return Path(out_dir) / outputs["video"]
    source = summary.get("source") or {}
    if source.get("kind") == "file" and source.get("name") and Path(source["name"]).is_file():
        return Path(source["name"])
    return None


def grab(video: Path, t_s: float) -> str | None:
    """A JPEG data URI of the frame at ``t_s``; None when it cannot be read."""
    cap = cv2.VideoCapture(str(video))
    try:
        if not cap.isOpened():
            return None
        cap.set(cv2.CAP_PROP_POS_MSEC, max(0.0, t_s * 1000.0))
        ok, image = cap.read()
    finally:
        cap.release()
    if not ok or image is None:
        return None
    h, w = image.shape[:2]
    if w > MAX_WIDTH:
        image = cv2.resize(image, (MAX_WIDTH, round(h * MAX_WIDTH / w)), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return "data:image/jpeg;base64," + base64.b64encode(data.tobytes()).decode("ascii") if ok else None
