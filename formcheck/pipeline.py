"""Wires a frame source to the pose backend, the rules and the consumers (overlay video, track, summary).

File analysis runs pose inference in a child process and everything else
(decoding, rules, drawing, encoding, the track) here, on frames whose poses
are already known while the model works on the next few; memory stays flat
however long the video is. A long recording may have a second model process
for its later half (formcheck.pose.spans); the frames kept are those of the
analysis rate (formcheck.video, ``max_fps``). Conditioning and rules run in the
:class:`~formcheck.rules.Interpreter`, which also feeds the track and
frames.csv; live runs (:mod:`formcheck.live`) and ``rerun`` build their
summary through :func:`formcheck.summary.run_summary` too.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from formcheck import overlay, signals
from formcheck.exercises import create
from formcheck.exercises.base import Profile
from formcheck.frames import FramesWriter
from formcheck.outpaths import SpaceReserve
from formcheck.pose.filters import ConditioningConfig
from formcheck.pose.models import ensure_model, verify_bundle
from formcheck.pose.process import PoseProcess
from formcheck.pose.spans import SpanProcess, seam_ms, stitched
from formcheck.pose.track import TrackHeader, TrackWriter
from formcheck.rules import Interpreter
from formcheck.summary import analysis_section, input_section, model_info, run_summary, source_info
from formcheck.summary import write as write_summary
from formcheck.video import VideoWriter


@dataclass(frozen=True)
class Options:
    """Everything a run can be told; the CLI fills it from its flags."""

    exercise: str | None = None
    profile: Profile = field(default_factory=Profile)
    model_variant: str = "full"
    model_path: Path | None = None
    write_video: bool = True
    write_track: bool = True
    write_frames: bool = True  # frames.csv, the per-frame record
    conditioning: ConditioningConfig = field(default_factory=ConditioningConfig)
    model_processes: int | None = None  # analyze: 1 or 2 pose model processes (None: 2 when it pays, see spans)


def resolve_model(options: Options) -> Path:
    if options.model_path is not None:
        verify_bundle(Path(options.model_path))
        return Path(options.model_path)
    return ensure_model(options.model_variant)


class Ending:
    """How a run ended: ``completed``, ``interrupted`` (Ctrl-C), ``terminated`` (SIGTERM, SIGHUP) or ``error``."""

    state = "completed"


@contextlib.contextmanager
def ending() -> Iterator[Ending]:
    """Note how the block ends: Ctrl-C or a stopping signal is an ending (swallowed), any other exception an error.

    Errors are re-raised; see formcheck.signals for SIGTERM and SIGHUP.
    """
    end = Ending()
    try:
        yield end
    except KeyboardInterrupt as exc:
        end.state = getattr(exc, "ended", "interrupted")
    except BaseException:
        end.state = "error"
        raise


def analyze_video(source, out_dir: Path, options: Options, *, progress: bool = True) -> dict:
    """Analyse a whole video file; writes the outputs into ``out_dir`` and returns the summary.

    Pose inference runs in a child process (:mod:`formcheck.pose.process`)
    while this one decodes, judges, draws and encodes; a script calling this
    must start from an ``if __name__ == "__main__":`` block, as Python's
    multiprocessing requires. Interrupted (Ctrl-C) or failing part-way, it
    still writes the summary of what it saw, marked ``interrupted`` or
    ``error``, and keeps the track and the video.
    """
    from tqdm import tqdm

    exercise = create(options.exercise, options.profile) if options.exercise else None
    model = resolve_model(options)  # both checked before anything is written
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    reserve = SpaceReserve(out_dir)  # room for the summary should the outputs fill the disk
    started = datetime.now(timezone.utc)
    title = exercise.info.title if exercise else "Pose"
    label = exercise.side_label if exercise else (lambda s: s)
    fps = getattr(source, "analysis_fps", None) or source.fps or 30.0  # the annotated video's: the analysed frames'
    outputs = {"summary": "summary.json", "video": None, "track": None, "frames": None}
    track = writer = rows = span = None
    try:
        with contextlib.ExitStack() as stack:
            seam = seam_ms(source, options.model_processes)
            if seam is not None:  # started first: it loads its model while the first process does
                span = stack.enter_context(SpanProcess(source, seam, model, out_dir))
            poses = stack.enter_context(PoseProcess(model, source.size, check_model=options.model_path is not None))
            if options.write_track:
                track = TrackWriter(
                    out_dir / "track.jsonl",
                    TrackHeader(
                        source=source.name,
                        width=source.size[0],
                        height=source.size[1],
                        fps=source.fps or 30.0,
                        model=options.model_variant,
                        extra={
                            "exercise": options.exercise,
                            "conditioning": dataclasses.asdict(options.conditioning),
                            "analysis_fps": fps,
                        },
                    ),
                )
                outputs["track"] = "track.jsonl"
            if options.write_video:
                writer = VideoWriter(out_dir / "annotated.mp4", source.size, fps)
                outputs["video"] = "annotated.mp4"
            if options.write_frames:
                rows = FramesWriter(out_dir / "frames.csv")
                outputs["frames"] = "frames.csv"
            interpreter = Interpreter(exercise, options.conditioning, track, rows)
            bar = tqdm(
                total=getattr(source, "analysis_count", source.frame_count),
                unit="frame",
                disable=not progress,
                leave=False,
                desc=f"analysing {Path(source.name).name}",
            )
            try:
                with ending() as end:
                    for frame, raw in stitched(source, poses, span) if span else poses.detect(source):
                        item = interpreter(raw)
                        if writer is not None:
                            writer.write(overlay.render(frame.image, item.pose, item.status, title, label))
                        bar.update()
            finally:
                with signals.shielded("saving what was recorded first"):
                    reserve.release()
                    bar.close()
                    interpreter.finish()
                    if writer is not None:
                        writer.close()
                    if track is not None:
                        with contextlib.suppress(OSError):  # a full disk: the lines written so far are kept
                            track.close()
                    if rows is not None:
                        try:
                            rows.close()
                        except OSError:  # a full disk: the summary comes first, and names no frames.csv
                            outputs["frames"] = None
                    summary = run_summary(
                        "analyze",
                        source_info(source),
                        model_info(model, options),
                        options,
                        interpreter,
                        started,
                        end.state,
                        outputs,
                        {**analysis_section(source, span), **(input_section(source) or {})},
                    )
                    write_summary(summary, out_dir / "summary.json")
    finally:
        reserve.release()
        source.close()
    if end.state == "completed":
        interpreter.check_judged()
    return summary
