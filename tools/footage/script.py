"""Exercise scripts: load a YAML clip script and expand its timeline into
per-frame poses and labels (reps, holds, faults).

See tools/footage/README.md for the format.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import yaml

from .body import POSE_KEYS
from .poses import LIBRARY

SCRIPT_KEYS = {
    "name",
    "exercise",
    "description",
    "fps",
    "size",
    "body",
    "camera",
    "settings",
    "targets",
    "poses",
    "timeline",
    "props",
    "notes",
    "light",
}
STEP_KEYS = {"pose", "to", "dur", "hold", "ease", "label", "side", "faults", "rep", "steps", "repeat"}


class ScriptError(ValueError):
    pass


@dataclass
class Segment:
    start: float
    end: float
    a: dict
    b: dict
    ease: str = "smooth"


@dataclass
class Timeline:
    segments: list = field(default_factory=list)
    reps: list = field(default_factory=list)
    holds: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    duration: float = 0.0


def load(path: str) -> dict:
    with open(path) as f:
        s = yaml.safe_load(f)
    unknown = set(s) - SCRIPT_KEYS
    if unknown:
        raise ScriptError(f"{path}: unknown keys {sorted(unknown)}")
    for k in ("name", "exercise", "timeline"):
        if k not in s:
            raise ScriptError(f"{path}: missing {k!r}")
    s.setdefault("fps", 15)
    s.setdefault("size", [640, 480])
    s.setdefault("body", {})
    s.setdefault("camera", {})
    s.setdefault("settings", {})
    s.setdefault("targets", {})
    s.setdefault("poses", {})
    s.setdefault("props", [])
    return s


class PoseBook:
    def __init__(self, extra: dict):
        self.defs = dict(LIBRARY)
        self.defs.update(extra or {})
        self.cache = {}

    def resolve(self, p, _depth=0) -> dict:
        if _depth > 20:
            raise ScriptError("pose inheritance too deep")
        if isinstance(p, str):
            if p in self.cache:
                return self.cache[p]
            if p not in self.defs:
                raise ScriptError(f"unknown pose {p!r}")
            out = self.resolve(self.defs[p], _depth + 1)
            self.cache[p] = out
            return out
        if not isinstance(p, dict):
            raise ScriptError(f"a pose is a name or a mapping, got {p!r}")
        p = dict(p)
        base = p.pop("base", None)
        out = dict(self.resolve(base, _depth + 1)) if base else {}
        for k, v in p.items():
            if k not in POSE_KEYS:
                raise ScriptError(f"unknown pose key {k!r}")
            out[k] = float(v)
        return out


def expand(script: dict) -> Timeline:
    book = PoseBook(script.get("poses"))
    tl = Timeline()
    state = {"t": 0.0, "pose": None, "rep": None}

    def run(steps, rep_ctx):
        for st in steps:
            if not isinstance(st, dict):
                raise ScriptError(f"bad step {st!r}")
            unknown = set(st) - STEP_KEYS
            if unknown:
                raise ScriptError(f"unknown step keys {sorted(unknown)} in {st!r}")
            if "repeat" in st:
                for _ in range(int(st["repeat"])):
                    run(copy.deepcopy(st["steps"]), rep_ctx)
                continue
            if "rep" in st:
                if rep_ctx is not None:
                    raise ScriptError("reps do not nest")
                info = st["rep"] or {}
                rep = {"index": len(tl.reps), "side": info.get("side"), "start_s": state["t"]}
                tl.reps.append(rep)
                run(st.get("steps", []), rep)
                rep["end_s"] = state["t"]
                for fid in info.get("faults", []) or []:
                    tl.faults.append(
                        {
                            "id": fid,
                            "start_s": rep["start_s"],
                            "end_s": rep["end_s"],
                            "rep": rep["index"],
                            "side": rep["side"],
                        }
                    )
                continue
            t0 = state["t"]
            if "pose" in st:
                state["pose"] = book.resolve(st["pose"])
                continue
            if state["pose"] is None:
                raise ScriptError("the first step must set a pose")
            if "to" in st:
                dur = float(st.get("dur", 1.0))
                target = book.resolve(st["to"])
                tl.segments.append(Segment(t0, t0 + dur, state["pose"], target, st.get("ease", "smooth")))
                state["pose"] = target
                state["t"] = t0 + dur
            elif "hold" in st:
                dur = float(st["hold"])
                tl.segments.append(Segment(t0, t0 + dur, state["pose"], state["pose"], "hold"))
                state["t"] = t0 + dur
            else:
                raise ScriptError(f"a step needs pose, to or hold: {st!r}")
            side = st.get("side", rep_ctx["side"] if rep_ctx else None)
            if st.get("label") == "hold":
                tl.holds.append(
                    {
                        "index": len(tl.holds),
                        "side": side,
                        "start_s": t0,
                        "end_s": state["t"],
                        "rep": rep_ctx["index"] if rep_ctx else None,
                    }
                )
            elif st.get("label") not in (None, "hold"):
                raise ScriptError(f"unknown label {st.get('label')!r}")
            for fid in st.get("faults", []) or []:
                tl.faults.append(
                    {
                        "id": fid,
                        "start_s": t0,
                        "end_s": state["t"],
                        "rep": rep_ctx["index"] if rep_ctx else None,
                        "side": side,
                    }
                )

    run(script["timeline"], None)
    tl.duration = state["t"]
    tl.faults = merge_faults(tl.faults)
    return tl


def merge_faults(faults):
    """One interval per fault episode: join touching intervals of the same id and rep."""
    out = []
    for f in sorted(faults, key=lambda f: (f["start_s"], f["id"])):
        for g in out:
            if g["id"] == f["id"] and g["rep"] == f["rep"] and f["start_s"] <= g["end_s"] + 1e-6:
                g["end_s"] = max(g["end_s"], f["end_s"])
                break
        else:
            out.append(dict(f))
    out.sort(key=lambda f: f["start_s"])
    for i, f in enumerate(out):
        f["index"] = i
    return out


def _ease(x, kind):
    if kind == "linear":
        return x
    return x * x * (3 - 2 * x)  # smoothstep


def pose_at(tl: Timeline, t: float) -> dict:
    segs = tl.segments
    if not segs:
        raise ScriptError("empty timeline")
    seg = segs[-1]
    for s in segs:
        if t < s.end - 1e-9:
            seg = s
            break
    if seg.ease == "hold" or seg.a is seg.b:
        return dict(seg.a)
    x = min(1.0, max(0.0, (t - seg.start) / max(seg.end - seg.start, 1e-9)))
    w = _ease(x, seg.ease)
    keys = set(seg.a) | set(seg.b)
    out = {}
    for k in keys:
        va = seg.a.get(k, POSE_KEYS[k])
        vb = seg.b.get(k, POSE_KEYS[k])
        out[k] = va + (vb - va) * w
    return out


def frame_times(tl: Timeline, fps: float):
    n = int(math.floor(tl.duration * fps + 1e-6))
    return [i / fps for i in range(n)]
