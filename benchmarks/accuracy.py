"""Accuracy of formcheck against the labelled sample videos (figures, not a test).

    python benchmarks/accuracy.py [CLIP.json ...]
    python benchmarks/accuracy.py --corpus N [--split dev|test|both] [--exercise ID ...] [--failures]
    python benchmarks/accuracy.py --renders [--split dev|test|both] [--exercise ID ...] [--failures]
    python benchmarks/accuracy.py --rates N [--exercise ID ...] [--failures]

For every clip in sample_videos/ with a ground-truth JSON (docs/ground_truth.md)
it runs the whole pipeline (the real pose model) and prints, per clip and
overall: rep count error per side, hold duration error, fault precision and
recall (a fault matches a true one with the same id whose interval overlaps
it, within 0.5 s), and the 2D joint-angle error of the model's landmarks
against the true keypoints. It then runs the same rules on the true
keypoints ("perfect landmarks"): where a goal is missed, the two runs tell a
pose-model error from a rule error.

Clips render holds shorter than the real target (ground truth ``targets``);
the run's target hold is then set to the clip's scripted hold, as a user
would set ``--target-hold``.

``--corpus N`` instead judges the scenario corpus (docs/corpus.md): the
first N seeds of each split per exercise, ground-truth keypoint tracks with
model-like noise, no model and no video. It prints per exercise and overall,
per split: exact reps per side and within one (share of scenarios), holds
within 0.5 s, fault precision and recall, and the share of frames the view
check refused; ``--failures`` lists every failing seed with its drawn
parameters.

``--renders`` judges tier (b): the rendered variants stored in
tests/data/renders (other bodies, clothes, rooms, light, cameras and tempos;
tools/render_corpus.py), from the full model's stored track, no video; the
same table, per split.

``--rates N`` shows the rules at the rates ``analyze`` gives them (``--fps``,
default at most 30): the first N seeds of each exercise filmed at 60 fps,
with and without the model-like noise, and every sample clip's true
keypoints brought to 60 fps, are judged at 60 fps and thinned to 30 and 15
(the frames analyze would keep). It prints how often the counts per side,
the hold lengths (within 0.25 s) and the faults found agree with 60 fps,
and the corpus figures against the truth at each rate.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from formcheck.exercises import create
from formcheck.pipeline import Options, analyze_video
from formcheck.pose.track import read_track
from formcheck.rules import run_rules
from formcheck.testing import corpus, rates, renders
from formcheck.testing.evaluation import angle_errors, profile_for, score, truth_frames
from formcheck.testing.scenarios import EXERCISES, scenario, split
from formcheck.video import VideoFileSource

REPO = Path(__file__).resolve().parents[1]
GOALS = "goals: exact rep counts, holds within 0.5 s, fault precision and recall >= 0.9, median angle error <= 5 deg"


def fmt_ratio(num: int, den: int) -> str:
    return f"{num / den:.2f}" if den else "  - "


def corpus_seeds(n: int, which: str) -> list[int]:
    """The first ``n`` seeds of each wanted split."""
    splits = ("dev", "test") if which == "both" else (which,)
    return sorted(seed for name in splits for seed in [s for s in range(8 * n) if split(s) == name][:n])


def run_corpus(n: int, which: str, exercises: list[str], failures: bool) -> None:
    outcomes, started = [], time.perf_counter()
    for exercise in exercises:
        for seed in corpus_seeds(n, which):
            outcomes.append(corpus.judge(scenario(exercise, seed)))
    elapsed = time.perf_counter() - started
    print("goals on the test split: exact reps >= 95 %, within one 100 %, holds within 0.5 s >= 95 %, P and R >= 90 %")
    print(corpus.table(outcomes))
    print(f"{len(outcomes)} scenarios in {elapsed:.0f} s ({elapsed / len(outcomes):.2f} s each, generation included)")
    if failures:
        print("\nfailing scenarios:")
        for outcome in outcomes:
            if not outcome.passed:
                print(corpus.failure(outcome))


def run_renders(which: str, exercises: list[str], failures: bool) -> None:
    chosen = [n for n in renders.names(exercises) if which in ("both", split(renders.parts(n)[1]))]
    outcomes = [corpus.judge(renders.rendered(name)) for name in chosen]
    print("tier (b): rendered variants through the full pose model (tests/data/renders)")
    print(corpus.table(outcomes))
    if failures:
        print("\nfailing renders:")
        for outcome in outcomes:
            if not outcome.passed:
                print(corpus.failure(outcome))


RATES = (30, 15)


def print_rate_checks(title: str, checks: list[rates.RateCheck], failures: bool) -> None:
    agree = "  ".join(f"{r} fps {sum(c.agrees(r) for c in checks)}/{len(checks)}" for r in RATES)
    print(f"{title}: the same verdict as at 60 fps: {agree}")
    for c in checks if failures else []:
        for r in RATES:
            if not c.agrees(r):
                print(f"    {c.name} at {r} fps: {'; '.join(c.diffs[r])}")


def run_rates(n: int, exercises: list[str], failures: bool) -> None:
    started = time.perf_counter()
    print("goal: counts per side, hold lengths (within 0.25 s) and faults at 30 and 15 fps as at 60 fps")
    for noisy in (False, True):
        checks, outcomes = [], {r: [] for r in (60, *RATES)}
        for exercise in exercises:
            for seed in range(n):
                sc = scenario(exercise, seed, fps=60, model_noise=noisy)
                checks.append(rates.check(f"{exercise} seed {seed}", exercise, sc.profile, sc.frames, 60.0, RATES))
                for r in outcomes:
                    kept = sc.frames if r == 60 else rates.thinned(sc.frames, 60.0, r)
                    outcomes[r].append(corpus.judge(replace(sc, frames=kept)))
        what = "with model-like noise" if noisy else "true keypoints"
        print_rate_checks(f"\ncorpus, {n} seeds per exercise at 60 fps, {what}", checks, failures)
        print(f"against the truth ({what}):")
        print(corpus.HEADER.replace("split", "fps  "))
        for r, chosen in outcomes.items():
            print(corpus.row("overall", f"{r:5d}", corpus.Figures.of(chosen)))
    checks = []
    for gt_path in sorted((REPO / "sample_videos").glob("*.json")):
        truth = json.loads(gt_path.read_text())
        frames = rates.resampled(truth_frames(truth), 60.0)
        checks.append(rates.check(gt_path.stem, truth["exercise"], profile_for(truth), frames, 60.0, RATES))
    print_rate_checks("\nsample clips, true keypoints brought to 60 fps", checks, failures)
    print(f"\n{time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("clips", nargs="*", type=Path)
    parser.add_argument("--corpus", type=int, metavar="N", help="judge N corpus scenarios per split and exercise")
    parser.add_argument("--renders", action="store_true", help="judge the rendered corpus (tier b)")
    parser.add_argument("--rates", type=int, metavar="N", help="judge N corpus seeds per exercise at 60, 30, 15 fps")
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--exercise", action="append", choices=EXERCISES, help="only these exercises (repeatable)")
    parser.add_argument("--failures", action="store_true", help="list failing corpus seeds and their parameters")
    args = parser.parse_args()
    if args.rates:
        run_rates(args.rates, args.exercise or list(EXERCISES), args.failures)
        return
    if args.renders:
        run_renders(args.split, args.exercise or list(EXERCISES), args.failures)
        return
    if args.corpus:
        run_corpus(args.corpus, args.split, args.exercise or list(EXERCISES), args.failures)
        return
    clips = args.clips or sorted((REPO / "sample_videos").glob("*.json"))
    rows, totals = [], {"model": [], "truth": []}
    all_angles: list[float] = []
    for gt_path in clips:
        truth = json.loads(gt_path.read_text())
        video = gt_path.with_suffix(".mp4")
        profile = profile_for(truth)
        with tempfile.TemporaryDirectory() as tmp:
            summary = analyze_video(
                VideoFileSource(video),
                Path(tmp),
                Options(exercise=truth["exercise"], profile=profile, write_video=False),
                progress=False,
            )
            frames = list(read_track(Path(tmp) / "track.jsonl")[1])
        exercise = create(truth["exercise"], profile)
        run_rules(exercise, truth_frames(truth))
        perfect = {"exercises": [exercise.summary()]}
        model_score, truth_score = score(summary, truth), score(perfect, truth)
        totals["model"].append(model_score)
        totals["truth"].append(truth_score)
        errors = angle_errors(frames, truth)
        all_angles += errors
        rows.append((video.name, model_score, truth_score, statistics.median(errors) if errors else float("nan")))

    print(GOALS)
    header = (
        f"{'clip':34s} {'rep error/side':22s} {'hold err s':>10s} {'fault P':>7s} {'fault R':>7s} "
        f"{'angle err':>9s} | {'on true keypoints: reps':24s} {'P':>5s} {'R':>5s}"
    )
    print(header)
    print("-" * len(header))
    for name, m, t, angle in rows:
        reps = ", ".join(f"{k} {v:+d}" for k, v in m.rep_errors.items())
        treps = ", ".join(f"{k} {v:+d}" for k, v in t.rep_errors.items())
        hold = f"{max(m.hold_errors):.2f}" if m.hold_errors else "-"
        print(
            f"{name:34s} {reps:22s} {hold:>10s} {fmt_ratio(m.fault_tp_pred, m.fault_pred):>7s} "
            f"{fmt_ratio(m.fault_tp_true, m.fault_true):>7s} {angle:9.1f} | {treps:24s} "
            f"{fmt_ratio(t.fault_tp_pred, t.fault_pred):>5s} {fmt_ratio(t.fault_tp_true, t.fault_true):>5s}"
        )
    for label, scores in (("model", totals["model"]), ("true keypoints", totals["truth"])):
        exact = sum(all(v == 0 for v in s.rep_errors.values()) for s in scores)
        within = sum(all(abs(v) <= 1 for v in s.rep_errors.values()) for s in scores)
        holds = [e for s in scores for e in s.hold_errors]
        tp_p, n_p = sum(s.fault_tp_pred for s in scores), sum(s.fault_pred for s in scores)
        tp_t, n_t = sum(s.fault_tp_true for s in scores), sum(s.fault_true for s in scores)
        print(
            f"overall ({label}): exact reps {exact}/{len(scores)} clips, within one rep {within}/{len(scores)}, "
            f"holds within 0.5 s {sum(e <= 0.5 for e in holds)}/{len(holds)}"
            f" (max error {max(holds) if holds else 0:.2f} s), fault precision {fmt_ratio(tp_p, n_p)} "
            f"({tp_p}/{n_p}), recall {fmt_ratio(tp_t, n_t)} ({tp_t}/{n_t})"
        )
    if all_angles:
        print(
            f"2D angle error of the model's landmarks: median {statistics.median(all_angles):.1f} deg, "
            f"90th percentile {np.percentile(all_angles, 90):.1f} deg over {len(all_angles)} joint angles"
        )


if __name__ == "__main__":
    main()
