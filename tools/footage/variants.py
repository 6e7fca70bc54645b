"""Seeded variants of the footage scripts: other bodies, clothes, rooms, light, cameras and tempos.

    python -m tools.footage.variants [--per-exercise 6] [--out /work/renders/scripts]

Tier (b) of the scenario corpus (docs/corpus.md). Each variant takes one of
an exercise's two scripts (``*_good.yaml`` for even seeds, ``*_faults.yaml``
for odd ones: the truth comes with it) and redraws everything around the
movement: the body (anny's sex, age, muscle, weight, height), clothing and
colours, floor, wall and light, the camera (either side, height from the
floor to 1.5 m, up to 35 degrees off the side, lens, margin, portrait or
landscape, frame rate) and the tempo of the movements (timed holds are kept,
so the truth's holds and faults stay true). The first six seeds of an
exercise take the corners of the camera space (floor-level and high, turned
either way, near and far, portrait); later seeds draw at random, except seeds
9 and 10, development seeds in the near corners (seeds 0 and 4, near and
turned, are test seeds: without them no development render was nearer than
2.2 m). The seed split is the corpus's: seed % 4 == 0 is test. From seed 8 on,
the test seeds alternate the two scripts too (12, 20, ... film the faults;
below 8 every test seed is even, so no test render had a fault to find).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

SCRIPTS = Path(__file__).resolve().parent / "scripts"
EXERCISES = sorted({p.stem.rsplit("_", 1)[0] for p in SCRIPTS.glob("*_good.yaml")})

# the corners, seeds 0-5 and 9-10: (camera height m, degrees off the side, distance m, margin, size, fps)
CORNERS = {
    0: (0.12, -33.0, 1.9, 0.04, (640, 480), 15),
    1: (1.45, 30.0, 3.8, 0.12, (854, 480), 20),
    2: (0.75, 0.0, 2.4, 0.03, (480, 640), 30),
    3: (0.25, 25.0, 3.9, 0.16, (854, 480), 12),
    4: (1.25, -28.0, 1.9, 0.05, (640, 480), 15),
    5: (0.5, 12.0, 3.0, 0.10, (720, 540), 20),
    9: (0.15, 30.0, 1.9, 0.04, (854, 480), 24),
    10: (1.3, -30.0, 1.9, 0.05, (640, 480), 30),
}
SIZES = ((640, 480), (854, 480), (480, 640), (720, 540))
FRAME_RATES = (12, 15, 20, 24, 30)
SKIN = ("#f1c8a8", "#e0ac88", "#c8906e", "#a86e4c", "#7a4a30", "#4e2e1e")
HAIR = ("#1a1410", "#3a2a1c", "#7a5a38", "#c8a060", "#8a8a88")
CLOTH = ("#2f5fa8", "#2e2e34", "#8a1c24", "#d8d8d0", "#3c6e3a", "#e0a020", "#5a5a60", "#101014", "#7048a0", "#c0c8d8")
FLOOR = ("#c9ab80", "#8a6a48", "#b0b0b0", "#505058", "#d8c8a8", "#6a7a58")
WALL = ("#d9d4c8", "#f0f0ec", "#9aa8b8", "#c8b8a0", "#707070")


def _scale_tempo(steps: list, tempo: float) -> None:
    """Movements take ``dur / tempo``; holds keep their length (they carry the truth's holds and faults)."""
    for step in steps:
        if "to" in step and "dur" in step:
            step["dur"] = round(float(step["dur"]) / tempo, 3)
        if "rep" in step or "repeat" in step:
            _scale_tempo(step["steps"], tempo)


def _body(rng: random.Random, seed: int) -> dict:
    """Alternate the extremes (small and light, tall and heavy) so six seeds cover them."""
    big = seed % 2 == 1
    lo, hi = (0.55, 0.95) if big else (0.05, 0.45)
    return {
        "phenotype": {
            "gender": round(rng.random(), 2),
            "age": round(rng.uniform(0.3, 0.9), 2),
            "muscle": round(rng.uniform(0.15, 0.85), 2),
            "weight": round(rng.uniform(lo, hi), 2),
            "height": round(rng.uniform(lo, hi), 2),
        },
        "clothing": {
            "sleeves": rng.choice(("long", "short", "none")),
            "legwear": rng.choice(("long", "shorts")),
            "hair": rng.choice(("short", "long", "none")),
            "shoes_on": rng.random() < 0.6,
        },
        "colours": {
            "skin": rng.choice(SKIN),
            "hair": rng.choice(HAIR),
            "shirt": rng.choice(CLOTH),
            "trousers": rng.choice(CLOTH),
            "shoes": rng.choice(CLOTH),
            "floor": rng.choice(FLOOR),
            "wall": rng.choice(WALL),
        },
    }


def variant_name(exercise: str, seed: int) -> str:
    return f"{exercise}_v{seed}"


def films_faults(seed: int) -> bool:
    """Whether the seed's variant takes the faults script: odd seeds; from seed 8 on, every other group of four
    seeds swaps, so test seeds (multiples of 4) take it too (12, 20, ...)."""
    odd = seed % 2 == 1
    return odd if seed < 8 else odd != ((seed // 4) % 2 == 1)


def variant(exercise: str, seed: int) -> dict:
    """The script of one variant; the same seed always gives the same script."""
    rng = random.Random(f"{exercise}/{seed}")
    base_name = f"{exercise}_{'faults' if films_faults(seed) else 'good'}"
    script = yaml.safe_load((SCRIPTS / f"{base_name}.yaml").read_text())
    if seed in CORNERS:
        height, yaw, distance, margin, size, fps = CORNERS[seed]
        distance += rng.uniform(-0.1, 0.1)
        height = min(1.5, max(0.1, height + rng.uniform(-0.05, 0.05)))
        yaw = max(-35.0, min(35.0, yaw + rng.uniform(-4, 4)))
    else:
        height, yaw, distance = rng.uniform(0.1, 1.5), rng.uniform(-35, 35), rng.uniform(1.8, 4.0)
        margin, size, fps = rng.uniform(0.03, 0.16), rng.choice(SIZES), rng.choice(FRAME_RATES)
    base_camera = script.get("camera", {})
    if exercise == "aerobic_march":
        # steps are counted from the front, the side and in between
        side = ("front", "left", "right")[seed % 3]
    else:
        side = ("left", "right")[(seed // 2 + seed) % 2]
    camera = {
        "side": side,
        "height": round(height, 3),
        "yaw_offset": round(yaw, 1),
        "distance": round(distance, 2),
        "lens_mm": "fit",  # zoomed to show the whole motion from there
        "margin": round(margin, 3),
        "wall_gap": round(rng.uniform(0.5, 1.8), 2),
        "frame_props": base_camera.get("frame_props", False),
    }
    tempo = 1.0 if exercise == "aerobic_march" else rng.uniform(0.75, 1.35)  # march: the cadence is the truth
    _scale_tempo(script["timeline"], tempo)
    body = _body(rng, seed)
    body["clothing"] = {**script.get("body", {}).get("clothing", {}), **body["clothing"]}
    script.update(
        name=variant_name(exercise, seed),
        description=f"Variant {seed} of {base_name} (tools/footage/variants.py), tempo x{tempo:.2f}. "
        + script.get("description", ""),
        fps=fps,
        size=list(size),
        body=body,
        camera=camera,
        light={
            "direction": [round(rng.uniform(-0.8, 0.8), 2), round(rng.uniform(-0.8, 0.8), 2), 0.8],
            "shadow": round(rng.uniform(0.15, 0.6), 2),
            "exposure": round(rng.uniform(-0.8, 0.5), 2),
        },
    )
    script["notes"] = {"variant_of": base_name, "seed": seed, "tempo": round(tempo, 3)}
    return script


def write_script(exercise: str, seed: int, folder: Path) -> Path:
    """Write the variant's script as ``folder/<exercise>_v<seed>.yaml``; its path."""
    script = variant(exercise, seed)
    path = folder / f"{script['name']}.yaml"
    path.write_text(yaml.safe_dump(script, sort_keys=False))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-exercise", type=int, default=6, help="seeds 0..N-1 of every exercise (default 6)")
    parser.add_argument("--exercise", action="append", choices=EXERCISES, help="only these exercises (repeatable)")
    parser.add_argument("--out", type=Path, default=Path("/work/renders/scripts"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for exercise in args.exercise or EXERCISES:
        for seed in range(args.per_exercise):
            print(write_script(exercise, seed, args.out))


if __name__ == "__main__":
    main()
