"""formcheck on the real clips in ../shared/videos beside a person's counts of them (figures, not a test).

    python benchmarks/real_clips.py [--videos DIR] [--only NAME ...]

Each clip is analysed as a user would run it (``formcheck analyze CLIP -e ID``,
default settings, the full model, the whole clip: oblique halves and title
cards included, judged or refused as a user would see them). The table gives
per clip the counts a person makes (watched frame by frame; how, in WATCHED),
formcheck's counts, the share of frames with a person the view check refused
and its most frequent view message, and what ``--exercise auto`` recognises
on the same track. The clips show people filmed by others, several of them
doing a close variant rather than the exercise itself (see
../shared/videos/MANIFEST.tsv); they are never copied into the repository.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VIDEOS = REPO.parent / "shared" / "videos"


@dataclass(frozen=True)
class Watched:
    clip: str
    exercise: str | None  # what a user would pick; None: none of the nine (a counting check is then moot)
    counts: dict[str, int]  # what a person counts: per side ("left", "right") or {"total": n}
    how: str
    recognised: str | None  # what --exercise auto should say: the exercise, or None ("not one of the nine")


WATCHED = [
    Watched(
        "birddog_high-oblique_home_02.mp4",
        "bird_dog",
        {"left": 3, "right": 3},
        "one frame a second, 4-55 s: six reaches, alternating, each held 2.5-4 s (17-49 s); kneels and talks after",
        "bird_dog",
    ),
    Watched(
        "cobra_side_viggleAI_02.mp4",
        "lumbar_extension",
        {"total": 1},
        "AI-animated, side view: one press-up at about 2 s, held up to the end of the clip (6.7 s)",
        "lumbar_extension",
    ),
    Watched(
        "superman_oblique-then-side_fitbod.mp4",
        "lumbar_extension",
        {"total": 6},
        "every 0.5 s: trunk (and legs) lifted from the floor three times in the oblique half (about 1-2.5, "
        "5-6.5, 8.5-9.5 s) and three times in the side half (12.5-13.5, 16.5-17.5, 20-20.5 s)",
        "lumbar_extension",
    ),
    Watched(
        "kneetochest_oblique-then-side_fitbod_01.mp4",
        "knee_to_shoulder",
        {"total": 2},
        "every 0.4 s: one knee hug in the oblique half (knee in 1.4-6.6 s), one of the left knee in the side "
        "half (held 10.5-14.4 s)",
        "knee_to_shoulder",
    ),
    Watched(
        "slr_band-alternating_oblique-then-side_fitbod_01.mp4",
        "nerve_tension",
        {"left": 8, "right": 8},
        "every 0.25 s: 8 alternating straight-leg raises in the oblique half, 8 in the side half (peaks 12.0-16.9 "
        "s), 4 per leg in each",
        "nerve_tension",
    ),
    Watched(
        "jog-in-place_3quarter_shutterstock_03.mp4",
        "aerobic_march",
        {"total": 59},
        "every 0.08 s, crops of the feet: 55 clear foot lifts 0.96-20.96 s, and small steps in place (a knee "
        "forward, its heel up, the toes on the floor) as she starts (about 0.7 s) and as she slows down (about "
        "21.4, 21.9 and 22.3 s)",
        "aerobic_march",
    ),
    Watched(
        "walking_side_gaitlab_01.mp4",
        "aerobic_march",
        {"total": 13},
        "every 0.067 s, crops of the feet: walks left to right, a foot lands about every 0.5 s from 0.8 s "
        "(entering) to a closing step at about 7 s",
        "aerobic_march",
    ),
    Watched(
        "hamstring_long-sitting_side_askdrjo_SUBSTITUTE.mp4",
        "hamstring_stretch",
        {"total": 0},
        "a seated long-sitting stretch after a 6 s title card: no heel is ever up on a surface, so no standing "
        "hamstring hold",
        None,
    ),
    Watched(
        "fallback_airsquat_front-then-side_fitbod.mp4",
        "aerobic_march",
        {"total": 0},
        "air squats, front then side: the feet never leave the floor, no step",
        None,
    ),
    Watched("fallback_squat_side_shutterstock.mp4", None, {}, "one slow bodyweight squat", None),
    Watched("fallback_pushup_side_musclewiki.mp4", None, {}, "three push-ups", None),
    Watched("fallback_forearmplank_oblique-then-side_fitbod.mp4", None, {}, "a forearm plank, held", None),
]


def counts_of(exercise: dict, wanted: dict[str, int]) -> dict[str, int]:
    if "total" in wanted:
        return {"total": int(exercise["reps"])}
    return {side: int(exercise["per_side"].get(side, {}).get("reps", 0)) for side in wanted}


def view_messages(frames_csv: Path) -> tuple[float, str]:
    """The share of frames with a person the view check refused, and its most frequent message."""
    refused, seen, messages = 0, 0, collections.Counter()
    with frames_csv.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        for row in rows:
            if row.get("person") not in ("1", "true", "True"):
                continue
            seen += 1
            if row.get("view_ok") in ("0", "false", "False"):
                refused += 1
                messages[row.get("view_message") or ""] += 1
    top = messages.most_common(1)[0][0] if messages else ""
    return (refused / seen if seen else 0.0), top


def recognised(track: Path) -> str:
    from formcheck.pose.track import read_track
    from formcheck.recognition.segments import recognise

    segments = recognise(list(read_track(track)[1]))
    return ", ".join(f"{s.exercise or 'none'} {s.start_s:.0f}-{s.end_s:.0f}s" for s in segments) or "-"


def run(watched: Watched, videos: Path, out: Path) -> dict:
    clip = videos / watched.clip
    cmd = [sys.executable, "-m", "formcheck.cli", "analyze", str(clip), "-o", str(out), "-q"]
    cmd += ["--no-video", "--no-stills", "--no-history"] + (["-e", watched.exercise] if watched.exercise else [])
    done = subprocess.run(cmd, capture_output=True, text=True)
    row = {"clip": watched.clip, "exercise": watched.exercise or "-", "expected": watched.counts}
    summary_path = out / "summary.json"
    if not summary_path.is_file():
        return {**row, "error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no summary"}
    summary = json.loads(summary_path.read_text())
    if watched.exercise:
        row["counted"] = counts_of(summary["exercises"][0], watched.counts)
        row["refused"], row["message"] = view_messages(out / "frames.csv")
    row["auto"] = recognised(out / "track.jsonl")
    row["auto_expected"] = watched.recognised or "none"
    if done.returncode:
        row["error"] = done.stderr.strip().splitlines()[-1]
    return row


def show(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "-"
    return " ".join(f"{k[0].upper() if k != 'total' else ''}{v}" for k, v in counts.items()) or "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=Path, default=VIDEOS)
    parser.add_argument("--only", nargs="*", help="clip names (or a part of them)")
    args = parser.parse_args()
    chosen = [w for w in WATCHED if not args.only or any(o in w.clip for o in args.only)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, watched in enumerate(chosen):
            if not (args.videos / watched.clip).is_file():
                print(f"{watched.clip}: not found in {args.videos}, skipped")
                continue
            rows.append(run(watched, args.videos, Path(tmp) / str(k)))
            r = rows[-1]
            print(
                f"{r['clip'][:44]:44} {r['exercise']:18} watched {show(r['expected']):8} "
                f"formcheck {show(r.get('counted')):8} refused {r.get('refused', 0):4.0%} "
                f"{r.get('message', '')[:50]:50} | auto: {r.get('auto', '-')} (person: {r.get('auto_expected')})"
                + (f" | error: {r['error']}" if "error" in r else ""),
                flush=True,
            )
    judged = [r for r in rows if r["exercise"] != "-" and "counted" in r]
    exact = sum(r["counted"] == r["expected"] for r in judged)
    near = sum(all(abs(r["counted"][k] - v) <= 1 for k, v in r["expected"].items()) for r in judged)
    auto = [(r.get("auto", ""), r.get("auto_expected")) for r in rows]
    auto_ok = sum("," not in got and got.split(" ")[0] == wanted for got, wanted in auto)
    print(f"\ncounts exact on {exact} of {len(judged)} clips, within one on {near}")
    print(f"--exercise auto: one segment of the expected label on {auto_ok} of {len(rows)} clips")


if __name__ == "__main__":
    main()
