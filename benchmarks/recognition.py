#!/usr/bin/env python3
"""How well ``--exercise auto`` recognises exercises: prints figures (a benchmark, not a test).

    python tools/recognition_data.py --seeds 24 --jobs 2     # corpus features, cached
    python benchmarks/recognition.py --seeds 24 [--real ../shared/videos]

1. Corpus test seeds (seed % 4 == 0), one exercise per recording: per-exercise
   precision and recall of the recording's label (its longest segment), and the
   share of segments labelled correctly; and the corpus's other movements
   (squat, lunge, push-up, forearm plank) called "not one of the nine".
2. Sequences of three test recordings of different exercises, joined: segments
   labelled correctly, and true boundaries with a found boundary within 1 s.
3. Rendered variants (tier b of the corpus, tests/data/renders: the full
   model's stored tracks of other bodies and cameras), per split: per-exercise
   precision and recall of the recording's label.
4. Real clips (run through the pose model once, tracks cached): the exercise
   clips' labels, and the share of non-exercise clips (squats, push-ups, a
   plank) called "not one of the nine".
5. Live (``live --exercise auto``, formcheck.recognition.online), frame by
   frame on the same recordings: the first exercise taken and how many
   seconds in (or at the end, for a recording shorter than it needs), any
   other exercise taken later (a false switch), and for the other movements
   and non-exercise clips, any exercise taken at all.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from recognition_data import load

from formcheck.recognition.model import load as load_model
from formcheck.recognition.online import OnlineRecognizer
from formcheck.recognition.segments import recognise_features
from formcheck.testing.scenarios import EXERCISES, OTHER_MOVEMENTS, split

REAL = {  # clip -> what it shows (None: not one of the nine); MANIFEST.tsv describes each
    "birddog_high-oblique_home_02.mp4": "bird_dog",
    "cobra_side_viggleAI_02.mp4": "lumbar_extension",
    "hamstring_long-sitting_side_askdrjo_SUBSTITUTE.mp4": "hamstring_stretch",
    "jog-in-place_3quarter_shutterstock_03.mp4": "aerobic_march",
    "walking_side_gaitlab_01.mp4": "aerobic_march",
    "kneetochest_oblique-then-side_fitbod_01.mp4": "knee_to_shoulder",
    "slr_band-alternating_oblique-then-side_fitbod_01.mp4": "nerve_tension",
    "fallback_airsquat_front-then-side_fitbod.mp4": None,
    "fallback_squat_side_shutterstock.mp4": None,
    "fallback_pushup_side_musclewiki.mp4": None,
    "fallback_forearmplank_oblique-then-side_fitbod.mp4": None,
}


def label_of(segments) -> str | None:
    longest = max(segments, key=lambda s: s.end_s - s.start_s)
    return longest.exercise


def prf(pairs: list[tuple[str, str | None]]) -> None:
    print(f"  {'exercise':20s} {'precision':>9s} {'recall':>7s}  n")
    for ex in EXERCISES:
        tp = sum(1 for t, p in pairs if t == ex and p == ex)
        predicted = sum(1 for _, p in pairs if p == ex)
        actual = sum(1 for t, _ in pairs if t == ex)
        prec = f"{tp / predicted:.0%}" if predicted else "-"
        print(f"  {ex:20s} {prec:>9s} {tp / actual if actual else 0:>7.0%}  {actual}")
    wrong = Counter((t, p) for t, p in pairs if t != p)
    if wrong:
        print("  confusions: " + ", ".join(f"{t}->{p or 'none'} x{n}" for (t, p), n in wrong.most_common()))


def corpus(cache: Path, seeds: list[int], model) -> None:
    pairs, seg_ok, seg_n = [], 0, 0
    for ex in EXERCISES:
        for seed in seeds:
            segments = recognise_features(*load(cache, ex, seed), model)
            pairs.append((ex, label_of(segments)))
            seg_ok += sum(s.exercise == ex for s in segments)
            seg_n += len(segments)
    print(f"1. corpus test seeds, one exercise per recording ({len(pairs)} recordings)")
    prf(pairs)
    print(f"  recordings labelled correctly: {sum(t == p for t, p in pairs) / len(pairs):.1%}")
    print(f"  segments labelled correctly: {seg_ok}/{seg_n} = {seg_ok / seg_n:.1%}")
    called = Counter()
    for movement in OTHER_MOVEMENTS:
        for seed in seeds:
            segments = recognise_features(*load(cache, movement, seed), model)
            called[movement, all(s.exercise is None for s in segments)] += 1
    print(
        "  other movements (test seeds) called 'not one of the nine' throughout: "
        + ", ".join(f"{m} {called[m, True]}/{called[m, True] + called[m, False]}" for m in OTHER_MOVEMENTS)
    )


def sequences(cache: Path, seeds: list[int], model, n: int, rng: np.random.Generator) -> None:
    ok = total = hit = bounds = 0
    for _ in range(n):
        exercises = rng.choice(EXERCISES, size=3, replace=False)
        times, feats, truth, t0 = [], [], [], 0.0
        for ex in exercises:
            t, f = load(cache, str(ex), int(rng.choice(seeds)))
            t = t - t[0] + t0
            times.append(t)
            feats.append(f)
            truth.append((str(ex), t0, float(t[-1])))
            t0 = float(t[-1]) + 1 / 30
        segments = recognise_features(np.concatenate(times), np.vstack(feats), model)
        for seg in segments:
            overlap = {ex: max(0.0, min(b, seg.end_s) - max(a, seg.start_s)) for ex, a, b in truth}
            total += 1
            ok += seg.exercise == max(overlap, key=overlap.get)
        found = [s.start_s for s in segments[1:]]
        for _, a, _ in truth[1:]:
            bounds += 1
            hit += any(abs(a - f) <= 1.0 for f in found)
    print(f"2. {n} sequences of three exercises joined")
    print(f"  segments labelled correctly: {ok}/{total} = {ok / total:.1%}")
    print(f"  boundaries found within 1 s: {hit}/{bounds} = {hit / bounds:.1%}")


def real_track(clip: Path, cache: Path):
    """The clip's pose track (stride 2, 640 px), run through the model once and cached."""
    from formcheck.pose.landmarker import PoseLandmarker
    from formcheck.pose.models import ensure_model
    from formcheck.pose.track import TrackHeader, TrackWriter, read_track
    from formcheck.video import VideoFileSource

    path = cache / "real" / f"{clip.stem}.jsonl"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        source = VideoFileSource(clip, max_side=640)
        tmp = path.with_suffix(".part")
        with (
            PoseLandmarker(ensure_model("full")) as landmarker,
            TrackWriter(tmp, TrackHeader(str(clip), *source.size, source.fps)) as writer,
        ):
            for frame in source:
                if frame.index % 2 == 0:
                    writer.write(landmarker.detect(frame.image[:, :, ::-1].copy(), frame.t_ms))
        source.close()
        tmp.replace(path)
    return list(read_track(path)[1])


def rendered(model) -> None:
    from formcheck.recognition.segments import recognise
    from formcheck.testing import renders

    for which in ("dev", "test"):
        pairs = []
        for name in renders.names():
            sc = renders.rendered(name)
            if sc.split == which:
                pairs.append((sc.exercise, label_of(recognise(sc.frames, model))))
        if pairs:
            right = sum(t == p for t, p in pairs)
            print(f"3. rendered variants, {which} split: {right}/{len(pairs)} recordings labelled correctly")
            prf(pairs)


def real(folder: Path, cache: Path, model) -> None:
    from formcheck.recognition.segments import recognise

    print(f"4. real clips ({folder})")
    pairs, rejected, others = [], 0, 0
    for name, truth in REAL.items():
        clip = folder / name
        if not clip.is_file():
            print(f"  {name}: missing")
            continue
        segments = recognise(real_track(clip, cache), model)
        label = label_of(segments)
        said = "; ".join(
            f"{s.start_s:.1f}-{s.end_s:.1f} s {s.exercise or 'none (closest ' + str(s.closest) + ')'} "
            f"p={s.confidence:.2f} d={s.distance:.2f}"
            for s in segments
        )
        print(f"  {name} [{truth or 'not an exercise'}]: {said}")
        if truth is None:
            others += 1
            rejected += all(s.exercise is None for s in segments)
        else:
            pairs.append((truth, label))
    if pairs:
        print(f"  exercise clips labelled correctly: {sum(t == p for t, p in pairs)}/{len(pairs)}")
    if others:
        print(f"  non-exercise clips called 'not one of the nine' throughout: {rejected}/{others}")


def taken(times: np.ndarray, feats: np.ndarray, model) -> list[tuple[float, str]]:
    """What live recognition takes, frame by frame: (seconds in, exercise) each time it starts one."""
    online, out = OnlineRecognizer(model), []
    for t, f in zip(times, feats):
        online.add_measures(float(t), f)
        seg = online.settled()
        if seg is not None and (not out or out[-1][1] != seg.exercise):
            out.append((float(t - times[0]), seg.exercise))
    last = online.final()
    if not out and last is not None:  # the session ended first: judged with the likeliest (Coaching.at_end)
        out.append((float(times[-1] - times[0]), last.exercise))
    return out


class Live:
    """Section 5's tallies, per group of recordings."""

    def __init__(self):
        self.rows: dict[str, list] = {}

    def add(self, group: str, truth: str | None, events: list[tuple[float, str]]) -> None:
        self.rows.setdefault(group, []).append((truth, events))

    def print(self) -> None:
        print("5. live recognition, frame by frame (first exercise taken; later ones are false switches)")
        for group, rows in self.rows.items():
            ex = [(t, e) for t, e in rows if t is not None]
            none = [(t, e) for t, e in rows if t is None]
            if ex:
                right = [e[0][0] for t, e in ex if e and e[0][1] == t]
                wrong = sum(1 for t, e in ex if e and e[0][1] != t)
                missed = sum(1 for _, e in ex if not e)
                switches = sum(1 for t, e in ex if any(x != t for _, x in e[1:]))
                delay = f", median {np.median(right):.1f} s in (p90 {np.percentile(right, 90):.1f})" if right else ""
                print(
                    f"  {group}: right first {len(right)}/{len(ex)}{delay}; wrong first {wrong}; never taken "
                    f"{missed}; a false switch later in {switches}"
                )
                bad = Counter((t, e[0][1] if e else None) for t, e in ex if not e or e[0][1] != t)
                if bad:
                    print("    " + ", ".join(f"{t}->{p or 'nothing'} x{n}" for (t, p), n in bad.most_common()))
            if none:
                false = [e[0][1] for _, e in none if e]
                print(f"  {group}, not one of the nine: an exercise taken in {len(false)}/{len(none)} {false or ''}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=48)
    p.add_argument("--cache", type=Path, default=Path(".recognition-cache"))
    p.add_argument("--sequences", type=int, default=60)
    p.add_argument("--model", type=Path, help="a recogniser model file (default: the packaged one)")
    p.add_argument("--real", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "videos")
    args = p.parse_args()
    model = load_model(args.model) if args.model else load_model()
    test = [s for s in range(args.seeds) if split(s) == "test"]
    corpus(args.cache, test, model)
    sequences(args.cache, test, model, args.sequences, np.random.default_rng(0))
    rendered(model)
    if args.real.is_dir():
        real(args.real, args.cache, model)
    live = Live()
    for ex in EXERCISES:
        for seed in test:
            live.add("corpus test seeds", ex, taken(*load(args.cache, ex, seed), model))
    for movement in OTHER_MOVEMENTS:
        for seed in test:
            live.add("corpus test seeds", None, taken(*load(args.cache, movement, seed), model))
    from formcheck.recognition.features import track_features
    from formcheck.testing import renders

    for name in renders.names():
        sc = renders.rendered(name)
        live.add(f"renders, {sc.split}", sc.exercise, taken(*track_features(sc.frames), model))
    if args.real.is_dir():
        for name, truth in REAL.items():
            if (args.real / name).is_file():
                live.add("real clips", truth, taken(*track_features(real_track(args.real / name, args.cache)), model))
    live.print()


if __name__ == "__main__":
    main()
