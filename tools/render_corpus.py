"""Render the corpus's tier (b) and store what CI judges: the full model's track and the truth, no video.

    python tools/render_corpus.py [--seeds 0 1 2 3 4 5] [--exercise ID ...] [--work /work/renders]

For every seed (seed-major, so that a stopped run leaves a balanced set) and
exercise: write the variant's script (``tools/footage/variants.py``), render it
with the optional render stack (``tools/footage/README.md``; its Python is
``--render-python``) into WORK/out, run the full pose model over the clip as
the sample tracks are made, and store in ``tests/data/renders/``:

- ``NAME.jsonl.gz``: the model's track (docs/formats.md), gzip-compressed;
- ``NAME.truth.json``: the ground truth (docs/ground_truth.md) without its
  per-frame keypoints.

Steps already done are skipped, so the command resumes. The videos stay in
WORK: only the two small files enter the repository.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from formcheck.pose.models import ensure_model
from formcheck.testing.renders import RENDERS
from formcheck.testing.tracks import store_track

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tools.footage.variants import EXERCISES, variant_name, write_script  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # a development seed first, then a test one, so that a stopped run still has both splits
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 0, 2, 3, 4, 5])
    parser.add_argument("--exercise", action="append", choices=EXERCISES, help="only these exercises (repeatable)")
    parser.add_argument("--work", type=Path, default=Path("/work/renders"), help="scripts and videos (not in the repo)")
    parser.add_argument("--render-python", default="/work/render-venv/bin/python")
    args = parser.parse_args()
    model = ensure_model("full")
    (args.work / "scripts").mkdir(parents=True, exist_ok=True)
    RENDERS.mkdir(parents=True, exist_ok=True)
    for seed in args.seeds:
        for exercise in args.exercise or EXERCISES:
            name = variant_name(exercise, seed)
            track, truth = RENDERS / f"{name}.jsonl.gz", RENDERS / f"{name}.truth.json"
            if track.is_file() and truth.is_file():
                continue
            script_path = write_script(exercise, seed, args.work / "scripts")
            video, full_truth = args.work / "out" / f"{name}.mp4", args.work / "out" / f"{name}.json"
            if not (video.is_file() and full_truth.is_file()):
                done = subprocess.run(
                    [args.render_python, "-m", "tools.footage.render", str(script_path), "--out", str(video.parent)],
                    cwd=REPO,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                if done.returncode:  # the renderer is chatty on stderr: shown only when it fails, its last lines
                    tail = "\n".join(done.stderr.strip().splitlines()[-15:])
                    raise SystemExit(f"rendering {name} failed (exit {done.returncode}):\n{tail}")
            store_track(video, model, track)
            doc = json.loads(full_truth.read_text())
            doc.pop("frames")
            doc["script"] = f"tools/footage/variants.py {exercise} {seed}"
            truth.write_text(json.dumps(doc, indent=1) + "\n")
            print(f"{name}: {track.stat().st_size / 1e3:.0f} kB track, {doc['frame_count']} frames", flush=True)


if __name__ == "__main__":
    main()
