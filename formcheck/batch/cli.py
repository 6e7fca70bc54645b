"""``formcheck batch INPUT... --out DIR``: many recordings at once (docs/batch.md)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from formcheck.flags import add_rate_arg, max_fps

EXIT_SOME_FAILED = 6  # the batch ran, and at least one recording could not be analysed


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def add_command(sub, epilog: str) -> None:
    p = sub.add_parser(
        "batch",
        help="analyse many recordings: files, folders or a CSV manifest",
        epilog=epilog,
        description="Analyse many recordings, each into its own folder under --out, with an overview "
        "(index.html, sessions.csv) at its root. Finished recordings are skipped when run again; a bad "
        "file is reported and skipped. A manifest is a CSV with columns path, exercise, patient, "
        "symptomatic_side (docs/batch.md).",
    )
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="video file, folder or .csv manifest")
    p.add_argument("--out", "-o", type=Path, required=True, metavar="DIR", help="the batch's folder")
    p.add_argument(
        "--exercise",
        "-e",
        metavar="ID|auto",
        help="exercise of recordings that name none ('auto': recognise it; omit for pose only)",
    )
    p.add_argument("--engine", choices=("local", "ray"), default="local", help="local process pool (default) or Ray")
    p.add_argument("--address", metavar="HOST:PORT", help="Ray cluster to join (default: start a local one)")
    p.add_argument("--workers", "-j", type=int, metavar="N", help="parallel recordings (default: one per core)")
    p.add_argument("--model-variant", default="full", choices=("lite", "full", "heavy"))
    p.add_argument("--model", type=Path, metavar="FILE", help="use this .task bundle instead")
    p.add_argument("--max-side", type=int, default=960, metavar="PX", help="scale larger frames down (default 960)")
    add_rate_arg(p)
    p.add_argument("--no-video", action="store_true", help="skip the annotated videos")
    p.add_argument("--no-stills", action="store_true", help="no rep stills in the reports")
    p.add_argument("--target-reps", type=int, metavar="N", help="reps to aim for (per side where sided)")
    p.add_argument("--target-hold", type=float, metavar="S", help="seconds to hold each stretch")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_batch)


def cmd_batch(args: argparse.Namespace) -> int:
    from formcheck.batch.inputs import collect
    from formcheck.batch.job import AUTO, Settings
    from formcheck.batch.runner import run_batch
    from formcheck.errors import FormcheckError
    from formcheck.exercises import catalogue
    from formcheck.pipeline import Options, resolve_model

    known = set(catalogue())
    if args.exercise not in (None, AUTO) and args.exercise not in known:
        raise FormcheckError(f"unknown exercise {args.exercise!r} (see 'formcheck exercises', or use 'auto')")
    recordings = collect(args.inputs, exercise=args.exercise)
    if not recordings:
        raise FormcheckError("no video files found in the inputs")
    for rec in recordings:
        if rec.exercise not in (None, AUTO) and rec.exercise not in known:
            raise FormcheckError(f"unknown exercise {rec.exercise!r} for {rec.path.name} (see 'formcheck exercises')")
    if args.workers is not None and args.workers < 1:
        raise FormcheckError("--workers must be 1 or more")
    try:
        rate = max_fps(args.fps)
    except ValueError as exc:
        raise FormcheckError(str(exc)) from None
    model = resolve_model(Options(model_variant=args.model_variant, model_path=args.model))
    workers = args.workers or default_workers()
    settings = Settings(
        max_side=args.max_side,
        max_fps=rate,
        write_video=not args.no_video,
        stills=not args.no_stills,
        target_reps=args.target_reps,
        target_hold_s=args.target_hold,
        # One core per worker when there are as many workers as cores (a Ray task takes a free core of its node).
        pin_core=args.engine == "ray" or workers >= default_workers() > 1,
    )
    if args.engine == "ray":
        from formcheck.batch.ray_engine import RayEngine

        engine = RayEngine(None if args.address else workers, args.address)
    else:
        from formcheck.batch.local import LocalEngine

        engine = LocalEngine(workers)
    outcome = run_batch(recordings, args.out, engine, settings, model, progress=not args.quiet)
    if not args.quiet:
        print(
            f"formcheck batch: {outcome.done} analysed, {outcome.skipped} already done, "
            f"{len(outcome.failed)} failed; overview: {Path(args.out) / 'index.html'}"
        )
    if outcome.interrupted:
        print("formcheck: interrupted (run the same command again to finish)", file=sys.stderr)
        return 130
    return EXIT_SOME_FAILED if outcome.failed else 0
