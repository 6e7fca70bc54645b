"""The ``formcheck`` command line."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from formcheck import __version__
from formcheck.after_run import after_run
from formcheck.batch.cli import add_command as add_batch_command
from formcheck.errors import FormcheckError
from formcheck.flags import add_after_run_args, add_checkin_args, add_rate_arg, max_fps
from formcheck.history.cli import add_commands as add_history_commands

DAMAGED_INPUT = 7  # the run finished on what could be decoded of a damaged video (summary "input")
EPILOG = "formcheck is not medical advice: stop on stabbing pain, numbness or tingling."


def _profile(args):
    from formcheck.exercises.base import Profile
    from formcheck.outpaths import short
    from formcheck.validate import finite

    thresholds = {}
    for item in args.threshold or []:
        key, sep, value = item.partition("=")
        try:
            thresholds[key] = finite(float(value), f"--threshold {key}") if sep else float("nan")
        except ValueError:
            raise FormcheckError(f"--threshold wants NAME=NUMBER (a finite number), got {short(item)!r}") from None
        if not sep:
            raise FormcheckError(f"--threshold wants NAME=NUMBER, got {short(item)!r}")
    if args.target_reps is not None and args.target_reps < 1:
        raise FormcheckError(f"--target-reps must be 1 or more, got {args.target_reps}")
    if args.target_hold is not None and not (math.isfinite(args.target_hold) and args.target_hold > 0):
        raise FormcheckError(f"--target-hold must be a number of seconds above 0, got {args.target_hold}")
    return Profile(
        symptomatic_side=args.symptomatic_side,
        knee_hyperextends=args.knee_hyperextends,
        target_reps=args.target_reps,
        target_hold_s=args.target_hold,
        thresholds=thresholds,
    )


def _add_exercise_args(p: argparse.ArgumentParser, required: bool, auto: bool = True) -> None:
    p.add_argument(
        "--exercise",
        "-e",
        required=required,
        metavar="ID",
        help="exercise id (see 'formcheck exercises')"
        + ("; 'auto' to recognise it" if auto else "")
        + ("" if required else "; omit for pose only"),
    )
    _add_profile_args(p)


def _add_profile_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("your profile")
    g.add_argument("--symptomatic-side", choices=("left", "right"), help="the side with symptoms")
    g.add_argument("--knee-hyperextends", action="store_true", help="allow a slight knee bend in straight-leg rules")
    g.add_argument("--target-reps", type=int, metavar="N", help="reps to aim for (per side where sided)")
    g.add_argument("--target-hold", type=float, metavar="S", help="seconds to hold each stretch")
    g.add_argument(
        "--threshold",
        action="append",
        metavar="NAME=VALUE",
        help="override one of the exercise's thresholds (repeatable)",
    )


def _add_model_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("pose model")
    g.add_argument(
        "--model-variant",
        default="full",
        choices=("lite", "full", "heavy"),
        help="PoseLandmarker variant, fetched on first use (default: full)",
    )
    g.add_argument("--model", type=Path, metavar="FILE", help="use this .task bundle instead")


def _add_live_args(p: argparse.ArgumentParser) -> None:
    _add_model_args(p)
    p.add_argument("--camera", default="0", metavar="N|FILE", help="camera index or a video file (default 0)")
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height", type=int, default=480)
    p.add_argument("--no-mirror", action="store_true", help="do not mirror the camera image")
    p.add_argument("--max-side", type=int, default=960, metavar="PX")
    p.add_argument("--out", "-o", type=Path, metavar="DIR", help="output folder (default formcheck-out/...)")
    p.add_argument("--countdown", type=int, default=3, metavar="S", help="seconds of countdown (default 3)")
    p.add_argument("--show-fps", action="store_true", help="show frames/s and latency from the start")
    g = p.add_argument_group("sound")
    g.add_argument("--mute", action="store_true", help="no tones or speech")
    g.add_argument("--sound-file", type=Path, metavar="WAV", help="write the sound to a WAV file instead of playing it")
    g = p.add_argument_group("headless runs")
    g.add_argument("--no-window", action="store_true", help="run without a window")
    g.add_argument("--save-video", action="store_true", help="also write the annotated video")
    g.add_argument("--save-frames", type=Path, metavar="DIR", help="write every shown frame as PNG here")
    g.add_argument(
        "--keys",
        metavar="S:ACTION,...",
        help="scripted key presses at source times, e.g. '12:pause,15:pause,30:next' "
        "(actions: pause, next, setup, readout, quit)",
    )
    add_checkin_args(p)


def _options(args, **overrides):
    from formcheck.pipeline import Options

    if args.max_side is not None and args.max_side < 16:
        raise FormcheckError(f"--max-side must be 16 pixels or more, got {args.max_side}")

    return Options(
        exercise=args.exercise,
        profile=_profile(args),
        model_variant=args.model_variant,
        model_path=args.model,
        **overrides,
    )


def _max_fps(args) -> float | None:
    try:
        return max_fps(args.fps)
    except ValueError as exc:
        raise FormcheckError(str(exc)) from None


def _out_dir(args, stem: str) -> Path:
    """The output folder, checked (created, writable) before the model starts."""
    from formcheck import outpaths

    if args.out:
        return outpaths.check_dir(args.out)
    suffix = f"-{args.exercise}" if args.exercise else ""
    stem = outpaths.fit_name(stem, outpaths.NAME_MAX - len(os.fsencode(suffix)))
    return outpaths.check_dir(Path("formcheck-out") / f"{stem}{suffix}")


def cmd_analyze(args) -> int:
    from formcheck import summary as summary_mod
    from formcheck.pipeline import analyze_video, resolve_model
    from formcheck.video import VideoFileSource

    rate = _max_fps(args)
    if args.exercise == "auto":  # recognise the exercises (formcheck/recognition/run.py)
        from formcheck.recognition.run import analyze_auto

        out = _out_dir(args, Path(args.video).stem)
        summary, _ = analyze_auto(
            args.video,
            out,
            _profile(args),
            args.model,
            args.max_side,
            not args.no_video,
            model_variant=args.model_variant,
            progress=not args.quiet,
            max_fps=rate,
        )
    else:
        options = _options(
            args, write_video=not args.no_video, write_track=not args.no_track, write_frames=not args.no_report
        )
        if options.exercise:  # the options first (an unknown exercise or threshold), then a missing or
            from formcheck.exercises import create  # undecodable video (before a first run fetches the model)

            create(options.exercise, options.profile)
        source = VideoFileSource(args.video, max_side=args.max_side, max_fps=rate)
        try:
            resolve_model(options)
        except BaseException:
            source.close()
            raise
        source.check_long_enough()
        out = _out_dir(args, Path(args.video).stem)
        try:
            summary = analyze_video(source, out, options, progress=not args.quiet)
        except OSError as exc:  # a full disk mid-run: say what was kept
            from formcheck import outpaths

            raise outpaths.failure(exc, out) from None
    if not args.quiet:
        print(summary_mod.format_text(summary))
        print(f"  written to {out}/")
    after_run(args, out, summary, quiet=args.quiet)  # report.html, frames.csv, history (formcheck/after_run.py)
    return _exit_code(summary)


def _exit_code(summary: dict) -> int:
    """0 for a run that completed; 128 + the stopping signal's number for one that was stopped (Ctrl-C: 130)."""
    from formcheck import signals

    if summary["ended"] == "completed" and signals.first_signal() is None:
        if (summary.get("input") or {}).get("damaged"):
            print(f"formcheck: warning: {summary['input']['note']}", file=sys.stderr)
            return DAMAGED_INPUT
        return 0
    return signals.exit_code(signals.first_signal())


def _checkin(args, when: str) -> dict:
    """Pain (0-10) and tingling/numbness from the flags, or asked for at the terminal in a guided session."""
    pain, tingling = getattr(args, f"pain_{when}"), getattr(args, f"tingling_{when}")
    if pain is None and args.command == "session" and sys.stdin.isatty():
        answer = input(f"Pain {when} the session, 0-10 (Enter to skip): ").strip()
        pain = int(answer) if answer.isdigit() and 0 <= int(answer) <= 10 else None
        answer = input(f"Tingling or numbness {when}? y/n (Enter to skip): ").strip().lower()
        tingling = {"y": True, "n": False}.get(answer[:1]) if answer else None
    return {f"pain_{when}": pain, f"tingling_{when}": tingling}


def _live_config(args):
    from formcheck.live import LiveConfig

    keys = []
    for item in (args.keys or "").split(","):
        if item.strip():
            t, sep, action = item.partition(":")
            try:
                keys.append((float(t), action.strip()))
            except ValueError:
                raise FormcheckError(f"--keys wants SECONDS:ACTION,..., got {item!r}") from None
    from formcheck import outpaths

    if args.save_frames:
        outpaths.check_dir(args.save_frames, "frames folder")
    if args.sound_file:
        outpaths.check_file(args.sound_file, "sound file")
    return LiveConfig(
        window=not args.no_window,
        frames_dir=args.save_frames,
        mute=args.mute,
        sound_file=args.sound_file,
        readout=args.show_fps,
        countdown_s=args.countdown,
        keys=keys,
    )


def _run_live(args, plan, stem: str) -> int:
    from formcheck import summary as summary_mod
    from formcheck.live import run_live
    from formcheck.video import open_source

    options = _options(args, write_video=args.save_video, write_track=True, write_frames=not args.no_report)
    checkin = _checkin(args, "before")
    source = open_source(
        args.camera,
        width=args.width,
        height=args.height,
        mirror=not args.no_mirror,
        max_side=args.max_side,
        realtime=True,
    )
    if hasattr(source, "check_long_enough"):
        source.check_long_enough()
    out = _out_dir(args, stem)
    summary = run_live(source, out, options, plan, _live_config(args), checkin)
    after = _checkin(args, "after")
    if any(v is not None for v in {**checkin, **after}.values()):
        summary["checkin"] = {**checkin, **after}
        summary_mod.write(summary, out / "summary.json")
    print(summary_mod.format_text(summary))
    print(f"  written to {out}/")
    after_run(args, out, summary)  # report.html, frames.csv, history (formcheck/after_run.py)
    return _exit_code(summary)


def cmd_live(args) -> int:
    from formcheck.plans import Plan, PlanItem

    return _run_live(args, Plan(args.exercise, (PlanItem(args.exercise, rest_s=0),)), "live")


def cmd_session(args) -> int:
    from formcheck.plans import load_plan

    plan = load_plan(args.plan)
    for note in plan.notes:
        print(note)
    args.exercise = None  # each plan item names its own
    from formcheck.outpaths import safe_name

    return _run_live(args, plan, f"session-{safe_name(plan.name)}")  # the name never leaves formcheck-out/


def cmd_rerun(args) -> int:
    from formcheck import summary as summary_mod
    from formcheck.exercises import create
    from formcheck.pipeline import Options
    from formcheck.pose.filters import conditioning_from
    from formcheck.pose.track import read_track
    from formcheck.rules import run_rules
    from formcheck.summary import run_summary

    if args.out:
        from formcheck import outpaths

        outpaths.check_file(args.out, "summary file")
    header, frames = read_track(args.track)
    options = Options(
        exercise=args.exercise,
        profile=_profile(args),
        conditioning=conditioning_from(header.extra.get("conditioning")),  # as the run conditioned it
    )
    interpreter = run_rules(create(args.exercise, options.profile), frames, options.conditioning)
    source = {
        "kind": "track",
        "name": str(args.track),
        "width": header.width,
        "height": header.height,
        "fps": header.fps,
    }
    summary = run_summary(
        "rerun",
        source,
        None,
        options,
        interpreter,
        None,
        "completed",
        {"summary": str(args.out) if args.out else None},
    )
    if args.out:
        summary_mod.write(summary, args.out)
    print(summary_mod.format_text(summary))
    return 0


def cmd_exercises(args) -> int:
    from formcheck.exercises import catalogue

    for exercise_id, cls in catalogue().items():
        info = cls.info
        print(f"{exercise_id:20s} {info.title}  [{info.source}]")
        if args.verbose:
            print(f"{'':20s} start: {info.start_position}")
            print(f"{'':20s} counts: {info.completes}")
            print(f"{'':20s} checks: {'; '.join(f.cue for f in info.faults)}")
        print(f"{'':20s} camera: {info.camera}")
    return 0


def cmd_models(args) -> int:
    from formcheck.pose import models

    if args.models_command == "fetch":
        path = models.fetch(args.variant, source=args.source)
        print(path)
    elif args.models_command == "verify":
        models.verify_bundle(args.file)
        print(f"{args.file}: OK")
    else:
        directory = models.default_models_dir()
        print(f"model folder: {directory}")
        for variant in models.VARIANTS:
            path = models.bundle_path(variant)
            state = "missing"
            if path.exists():
                try:
                    models.verify_bundle(path)
                    state = "ok"
                except FormcheckError as exc:
                    state = f"damaged ({exc})"
            print(f"  {variant:6s} {state}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="formcheck",
        epilog=EPILOG,
        description="Camera-based form checker for sciatica and low-back rehab exercises.",
    )
    parser.add_argument("--version", action="version", version=f"formcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "analyze",
        help="analyse a recorded video",
        epilog=EPILOG,
        description="Analyse a video file: annotated video, pose track and summary into a folder.",
    )
    p.add_argument("video", type=Path, help="video file (mp4, mov, avi, webm, ...)")
    _add_exercise_args(p, required=False)
    _add_model_args(p)
    p.add_argument("--out", "-o", type=Path, metavar="DIR", help="output folder (default formcheck-out/NAME-EXERCISE)")
    p.add_argument("--no-video", action="store_true", help="skip the annotated video")
    p.add_argument("--no-track", action="store_true", help="skip the pose track")
    p.add_argument("--max-side", type=int, default=960, metavar="PX", help="scale larger frames down (default 960)")
    add_rate_arg(p)
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or printout")
    add_after_run_args(p)
    add_checkin_args(p)
    p.set_defaults(func=cmd_analyze)

    live_help = (
        "Keys: space pause/resume (skips a rest), n next exercise, r check the camera again, "
        "f frames/s and latency, q or Esc quit. The summary is written however the session ends."
    )
    p = sub.add_parser(
        "live",
        help="live coaching from a webcam",
        epilog=live_help,
        description="Live coaching for one exercise from a webcam (or a video file standing "
        "in for one): camera placement, a 3-2-1 countdown, then counts, cues and "
        "sound. With --exercise auto, start exercising: the exercise is recognised "
        "within seconds (and again when you change to another one).",
    )
    _add_exercise_args(p, required=True)
    _add_live_args(p)
    add_after_run_args(p)
    p.set_defaults(func=cmd_live)

    p = sub.add_parser(
        "session",
        help="a guided session following a plan",
        epilog=live_help,
        description="A guided session: a list of exercises with targets, rests and side switches. "
        "PLAN is a JSON plan file or a built-in plan: physio-day-1 ... physio-day-5 (the "
        "physiotherapist's progression) or four-exercises.",
    )
    p.add_argument("plan", help="plan name or JSON file")
    _add_profile_args(p)
    _add_live_args(p)
    add_after_run_args(p)
    p.set_defaults(func=cmd_session)

    p = sub.add_parser("rerun", help="re-run an exercise's rules on a saved pose track (no model needed)")
    p.add_argument("track", type=Path, help="track.jsonl written by analyze or live")
    _add_exercise_args(p, required=True, auto=False)
    p.add_argument("--out", "-o", type=Path, metavar="FILE", help="write the summary JSON here")
    p.set_defaults(func=cmd_rerun)

    p = sub.add_parser("exercises", help="list the exercises and where to put the camera")
    p.add_argument("--verbose", "-v", action="store_true", help="also the start position, what counts and checks")
    p.set_defaults(func=cmd_exercises)

    p = sub.add_parser("models", help="pose model bundles: list, fetch, verify")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    m = msub.add_parser("fetch", help="download (or build from PyPI) and verify a model bundle")
    m.add_argument("--variant", default="full", choices=("lite", "full", "heavy"))
    m.add_argument("--source", default="auto", choices=("auto", "google", "pypi"))
    m = msub.add_parser("verify", help="check a .task bundle")
    m.add_argument("file", type=Path)
    msub.add_parser("list", help="which bundles are present (the default)")
    p.set_defaults(func=cmd_models)
    add_history_commands(sub, EPILOG)  # history, progress, checkin, report (formcheck/history/cli.py)
    add_batch_command(sub, EPILOG)  # batch (formcheck/batch/cli.py)
    return parser


def main(argv: list[str] | None = None) -> int:
    from formcheck import signals

    parser = build_parser()
    args = parser.parse_args(argv)
    signals.install()  # SIGTERM and SIGHUP stop a run as Ctrl-C does (formcheck/signals.py)
    try:
        return args.func(args)
    except FormcheckError as exc:
        print(f"formcheck: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        print(
            "formcheck: interrupted" if getattr(exc, "ended", "") != "terminated" else "formcheck: terminated",
            file=sys.stderr,
        )
        return signals.exit_code(getattr(exc, "signum", None))
    except BrokenPipeError:
        return 1
    except OSError as exc:  # a file that could not be written or read: one line, never a traceback
        from formcheck.errors import OutputError
        from formcheck.outpaths import short

        where = f" {short(exc.filename)}" if exc.filename else ""
        print(f"formcheck: error: cannot use{where}: {short(exc.strerror or exc, 120)}", file=sys.stderr)
        return OutputError.exit_code


if __name__ == "__main__":
    sys.exit(main())
