"""Wires a frame source to the pose backend, the rules and the consumers (overlay video, track, summary).

File analysis runs pose inference in a child process and everything else
(decoding, rules, drawing, encoding, the track) here, on frames whose poses
are already known while the model works on the next few; memory stays flat
however long the video is. Live runs (:mod:`formcheck.live`) reuse the
:class:`Interpreter` and the summary.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from formcheck import overlay, signals
from formcheck import summary as summary_mod
from formcheck.errors import ViewError
from formcheck.exercises import create
from formcheck.exercises.base import Event, Exercise, Profile, Status
from formcheck.landmarks import PoseFrame
from formcheck.pose.filters import ConditioningConfig, PoseConditioner
from formcheck.pose.models import ensure_model, sha256_of, verify_bundle
from formcheck.pose.process import PoseProcess
from formcheck.pose.track import TrackHeader, TrackWriter
from formcheck.rules import RuleRun
from formcheck.video import Frame, VideoWriter


@dataclass(frozen=True)
class Options:
    """Everything a run can be told; the CLI fills it from its flags."""

    exercise: str | None = None
    profile: Profile = field(default_factory=Profile)
    model_variant: str = "full"
    model_path: Path | None = None
    max_side: int | None = 960  # frames larger than this are scaled down before anything else
    write_video: bool = True
    write_track: bool = True
    conditioning: ConditioningConfig = field(default_factory=ConditioningConfig)


def resolve_model(options: Options) -> Path:
    if options.model_path is not None:
        verify_bundle(Path(options.model_path))
        return Path(options.model_path)
    return ensure_model(options.model_variant)


@dataclass
class Analyzed:
    """One frame after pose and rules."""

    frame: Frame
    raw: PoseFrame
    pose: PoseFrame  # conditioned
    status: Status | None
    events: list[Event]


class Interpreter:
    """Conditioning, rules and bookkeeping for one frame's pose at a time; also writes the track.

    It runs one exercise at a time (``None``: pose only); a guided session
    moves on with :meth:`next_exercise`, and the summary lists every exercise done.
    """

    def __init__(self, exercise: Exercise | None, conditioning: ConditioningConfig, track: TrackWriter | None = None):
        self.conditioning = conditioning
        self.track = track
        self.done: list[Exercise] = []
        self.exercise: Exercise | None = None
        self.rules: RuleRun | None = None
        self._conditioner = PoseConditioner(conditioning)
        self.frames = 0
        self.frames_with_person = 0
        self.first_ms: float | None = None
        self.last_ms = 0.0
        self.view_messages: dict[str, int] = {}
        self.usable_frames = 0
        self.next_exercise(exercise)

    def next_exercise(self, exercise: Exercise | None) -> None:
        """Finish the current exercise (if any) and judge the following frames with ``exercise``."""
        self.finish()
        self.exercise = exercise
        self.rules = RuleRun(exercise, self.conditioning) if exercise else None

    def record(self, frame: Frame, raw: PoseFrame) -> PoseFrame:
        """Count and save a frame without judging it (setup, countdown, pause); returns it conditioned."""
        if self.track is not None:
            self.track.write(raw)
        self.frames += 1
        self.frames_with_person += raw.has_person
        self.first_ms = frame.t_ms if self.first_ms is None else self.first_ms
        self.last_ms = frame.t_ms
        return self._conditioner(raw)

    def __call__(self, frame: Frame, raw: PoseFrame) -> Analyzed:
        shown = self.record(frame, raw)
        if self.rules is None:
            return Analyzed(frame, raw, shown, None, [])
        pose, events = self.rules.step(raw)
        status = self.exercise.status()
        if status.view.ok:
            self.usable_frames += 1
        elif status.view.message:
            self.view_messages[status.view.message] = self.view_messages.get(status.view.message, 0) + 1
        return Analyzed(frame, raw, pose, status, events)

    def finish(self) -> list[Event]:
        """Close the current exercise (open holds and faults) and file it with the done ones."""
        if self.rules is None:
            return []
        events = self.rules.finish()
        self.done.append(self.exercise)
        self.rules, self.exercise = None, None
        return events

    def summaries(self) -> list[dict]:
        """Summaries of the exercises done so far, the current one included."""
        current = [self.exercise] if self.exercise is not None else []
        return [e.summary() for e in self.done + current]

    def pose_stats(self) -> dict:
        duration = (self.last_ms - (self.first_ms or 0.0)) / 1000.0
        share = self.frames_with_person / self.frames if self.frames else 0.0
        return {
            "frames": self.frames,
            "frames_with_person": self.frames_with_person,
            "share_with_person": round(share, 3),
            "frames_judged": self.usable_frames,
            "duration_s": round(duration, 2),
        }

    def check_judged(self) -> None:
        """Raise :class:`ViewError` when the run never showed a person the rules could judge."""
        if self.frames and not self.frames_with_person:
            raise ViewError("no person was found in the video: film the whole body, well lit")
        judged = self.exercise is not None or self.done
        if judged and self.frames and not self.usable_frames:
            common = max(self.view_messages, key=self.view_messages.get) if self.view_messages else "unknown"
            raise ViewError(f"the exercise could not be judged in any frame ({common})")


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


def run_summary(
    mode: str,
    source,
    model: Path,
    options: Options,
    interpreter: Interpreter,
    started: datetime,
    ended: str,
    outputs: dict,
    extra: dict | None = None,
) -> dict:
    """The session summary of an analyze or live run (see formcheck.summary)."""
    return summary_mod.build(
        mode=mode,
        started=started,
        ended=ended,
        source={
            "kind": "camera" if source.name.startswith("camera:") else "file",
            "name": source.name,
            "width": source.size[0],
            "height": source.size[1],
            "fps": source.fps,
        },
        model={
            "variant": "custom" if options.model_path else options.model_variant,
            "file": Path(model).name,
            "sha256": sha256_of(Path(model).read_bytes()),
        },
        profile=vars(options.profile),
        pose=interpreter.pose_stats(),
        exercises=interpreter.summaries(),
        outputs=outputs,
        extra=extra,
    )


def input_section(source) -> dict | None:
    """``{"input": ...}`` for the summary when the source was damaged (what could not be decoded), else None."""
    damage = source.damage() if hasattr(source, "damage") else None
    return {"input": damage} if damage else None


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
    started = datetime.now(timezone.utc)
    title = exercise.info.title if exercise else "Pose"
    label = exercise.side_label if exercise else (lambda s: s)
    fps = source.fps or 30.0
    outputs = {"summary": "summary.json", "video": None, "track": None}
    track = writer = None
    try:
        with PoseProcess(model, source.size, check_model=options.model_path is not None) as poses:
            if options.write_track:
                track = TrackWriter(
                    out_dir / "track.jsonl",
                    TrackHeader(
                        source=source.name,
                        width=source.size[0],
                        height=source.size[1],
                        fps=fps,
                        model=options.model_variant,
                        extra={"exercise": options.exercise},
                    ),
                )
                outputs["track"] = "track.jsonl"
            if options.write_video:
                writer = VideoWriter(out_dir / "annotated.mp4", source.size, fps)
                outputs["video"] = "annotated.mp4"
            interpreter = Interpreter(exercise, options.conditioning, track)
            bar = tqdm(
                total=source.frame_count,
                unit="frame",
                disable=not progress,
                leave=False,
                desc=f"analysing {Path(source.name).name}",
            )
            try:
                with ending() as end:
                    for frame, raw in poses.detect(source):
                        item = interpreter(frame, raw)
                        if writer is not None:
                            writer.write(overlay.render(frame.image, item.pose, item.status, title, label))
                        bar.update()
            finally:
                with signals.shielded("saving what was recorded first"):
                    bar.close()
                    interpreter.finish()
                    if writer is not None:
                        writer.close()
                    if track is not None:
                        with contextlib.suppress(OSError):  # a full disk: the lines written so far are kept
                            track.close()
                    summary = run_summary(
                        "analyze",
                        source,
                        model,
                        options,
                        interpreter,
                        started,
                        end.state,
                        outputs,
                        input_section(source),
                    )
                    summary_mod.write(summary, out_dir / "summary.json")
    finally:
        source.close()
    if end.state == "completed":
        interpreter.check_judged()
    return summary
