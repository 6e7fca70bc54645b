#!/usr/bin/env python3
"""Train the exercise recogniser on the scenario corpus's dev seeds; writes formcheck/recognition/model.json.

    python tools/recognition_data.py --seeds 48 --jobs 2      # per-frame features, cached
    python tools/train_recognizer.py --seeds 48

Only dev seeds (seed % 4 != 0) are used; benchmarks/recognition.py measures on the test seeds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recognition_data import load

from formcheck.recognition.features import windows
from formcheck.recognition.model import MODEL_FILE, OTHER, fit
from formcheck.testing.scenarios import EXERCISES, OTHER_MOVEMENTS, split


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=48)
    p.add_argument("--cache", type=Path, default=Path(".recognition-cache"))
    p.add_argument("--out", type=Path, default=MODEL_FILE)
    args = p.parse_args()
    xs, ys = [], []
    seeds = [s for s in range(args.seeds) if split(s) == "dev"]
    # the nine, and the other movements each as a class of its own (one "other" class would have to cover
    # squats and planks alike, which a linear model cannot); they all read "not one of the nine"
    classes = (*EXERCISES, *(OTHER + m for m in OTHER_MOVEMENTS))
    for c, exercise in enumerate((*EXERCISES, *OTHER_MOVEMENTS)):
        for seed in seeds:
            _, stats = windows(*load(args.cache, exercise, seed))
            xs.append(stats)
            ys.append(np.full(len(stats), c))
    x, y = np.vstack(xs), np.concatenate(ys)
    model = fit(x, y, classes, seeds=f"dev seeds below {args.seeds}", windows=int(len(y)))
    args.out.write_text(json.dumps(model.to_json()) + "\n")
    accuracy = float((model.probabilities(x).argmax(axis=1) == y).mean())
    print(f"{len(y)} windows from {len(seeds)} dev seeds x {len(classes)} movements; training accuracy {accuracy:.3f}")
    print(f"written {args.out} ({args.out.stat().st_size // 1024} kB)")


if __name__ == "__main__":
    main()
