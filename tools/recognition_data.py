#!/usr/bin/env python3
"""Per-frame recognition features of the scenario corpus (the nine and the other movements), cached as .npz.

    python tools/recognition_data.py --seeds 48 --cache .recognition-cache [--jobs 2]

tools/train_recognizer.py and benchmarks/recognition.py read the cache; each
file is one scenario: ``times``, ``feats`` and their ``names`` (a file lacking one of
formcheck.recognition.features.FRAME_FEATURES is made again).
"""

from __future__ import annotations

import argparse
import multiprocessing
from pathlib import Path

import numpy as np


def cache_path(cache: Path, exercise: str, seed: int) -> Path:
    return cache / f"{exercise}-{seed}.npz"


def load(cache: Path, exercise: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Times and per-frame features of one scenario, computed and cached on first use."""
    from formcheck.recognition.features import FRAME_FEATURES, track_features

    path = cache_path(cache, exercise, seed)
    if path.is_file():
        data = np.load(path)
        names = [str(n) for n in data["names"]] if "names" in data else []
        if set(FRAME_FEATURES) <= set(names):  # the features, or more: take the columns in use
            return data["times"], data["feats"][:, [names.index(n) for n in FRAME_FEATURES]]
    from formcheck.testing.scenarios import scenario

    times, feats = track_features(scenario(exercise, seed).frames)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, times=times, feats=feats, names=np.array(FRAME_FEATURES))
    tmp.replace(path)
    return times, feats


def _one(args) -> str:
    cache, exercise, seed = args
    load(Path(cache), exercise, seed)
    return f"{exercise}-{seed}"


def main() -> None:
    from formcheck.testing.scenarios import EXERCISES, OTHER_MOVEMENTS

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=48)
    p.add_argument("--cache", type=Path, default=Path(".recognition-cache"))
    p.add_argument("--jobs", type=int, default=1)
    args = p.parse_args()
    todo = [(str(args.cache), e, s) for s in range(args.seeds) for e in (*EXERCISES, *OTHER_MOVEMENTS)]
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        for n, name in enumerate(pool.imap_unordered(_one, todo), 1):
            print(f"{n}/{len(todo)} {name}", flush=True)


if __name__ == "__main__":
    main()
