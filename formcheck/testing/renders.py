"""Tier (b) of the corpus: rendered variants, judged from the full model's stored track and the truth.

``tools/render_corpus.py`` renders the variants of ``tools/footage/variants.py``
(other bodies, clothes, rooms, light, cameras and tempos), runs the real pose
model over each clip once and stores the track and the truth (without its
per-frame keypoints) in ``tests/data/renders``. Here each pair becomes a
:class:`Scenario`, so :func:`formcheck.testing.corpus.judge` and its tables
treat the renders as they treat tier (a), seed split included.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from formcheck.landmarks import PoseFrame
from formcheck.pose.track import read_track
from formcheck.testing.evaluation import profile_for
from formcheck.testing.scenarios import Scenario

RENDERS = Path(__file__).resolve().parents[2] / "tests" / "data" / "renders"
UNSCORED = ("hands_not_on_leg", "hands_not_on_thigh", "ankle_not_near_knee")


def parts(name: str) -> tuple[str, int]:
    """A render's exercise and seed, from its name (``<exercise>_v<seed>``)."""
    exercise, seed = name.rsplit("_v", 1)
    return exercise, int(seed)


def names(exercises: list[str] | None = None) -> list[str]:
    """The stored renders, by exercise and seed."""
    found = [p.name.removesuffix(".truth.json") for p in RENDERS.glob("*.truth.json")]
    return sorted((n for n in found if exercises is None or parts(n)[0] in exercises), key=parts)


def rendered(name: str) -> Scenario:
    """One stored render as a scenario: the model's raw frames, the truth, the profile a user would set."""
    truth = json.loads((RENDERS / f"{name}.truth.json").read_text())
    frames = list(read_track(RENDERS / f"{name}.jsonl.gz")[1])
    camera, body = truth["camera"], truth["body"]
    params = {
        "side": camera["side"],
        "camera_height_m": camera["height_m"],
        "off_side_deg": camera["yaw_offset_deg"],
        "distance_m": camera["distance_m"],
        "lens_mm": camera["lens_mm"],
        "image": f"{truth['image']['width']}x{truth['image']['height']}",
        "fps": truth["fps"],
        "body_height_m": body["height_m"],
        "description": truth["description"].split(")", 1)[0] + ")",
    }
    seed = parts(name)[1]
    # The footage tool poses joint angles and solves no contact (tools/footage/README.md): a hand meant to hold
    # a knee or a thigh may hover beside it, which a camera off the side shows plainly, and a crossed ankle
    # meant to rest by the other knee lands 0.6-0.9 torso lengths from it (true keypoints of the piriformis
    # sample and of variant 1). Whether those touch is not in the truth.
    truth["unscored_faults"] = list(UNSCORED)
    return Scenario(truth["exercise"], seed, frames, truth, profile_for(truth), params)


def full_truths(out: Path, exercise: str | None = None) -> Iterator[tuple[str, dict]]:
    """The renders whose full truth (with per-frame keypoints, ``tools/render_corpus.py``'s WORK/out) is in
    ``out`` and whose model track is stored here: (name, truth), by name; ``exercise`` keeps that one's only."""
    for path in sorted(out.glob("*.json")):
        if (RENDERS / f"{path.stem}.jsonl.gz").exists() and exercise in (None, parts(path.stem)[0]):
            yield path.stem, json.loads(path.read_text())


def with_truth(name: str, truth: dict) -> Iterator[tuple[PoseFrame, dict]]:
    """The stored model frames of render ``name`` that found a person, each with the full truth's frame taken at
    the same moment (within 20 ms)."""
    times = np.array([f["t_ms"] for f in truth["frames"]])
    for frame in read_track(RENDERS / f"{name}.jsonl.gz")[1]:
        if not frame.has_person:
            continue
        k = int(np.argmin(np.abs(times - frame.t_ms)))
        if abs(times[k] - frame.t_ms) <= 20:
            yield frame, truth["frames"][k]
