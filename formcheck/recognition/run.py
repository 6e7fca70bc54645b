"""``--exercise auto`` for a video file: pose first, then recognition, then each segment's exercise rules.

The video is analysed for the pose alone (the track, the plain annotated
video); the track is split into segments (formcheck.recognition.segments);
each recognised segment's frames go through its exercise's rules, in turn
through one interpreter as a guided session's exercises do (each conditioned
from a fresh start, as ``formcheck rerun`` does), giving one ``exercises``
entry per segment (with its ``recognition``: exercise, start, end,
confidence) and the per-frame record, frames.csv. The summary gains a
``recognition`` section listing every segment, those that are "not one of
the nine" included (docs/recognition.md).
"""

from __future__ import annotations

from pathlib import Path

from formcheck import summary as summary_mod
from formcheck.exercises import create
from formcheck.exercises.base import Profile
from formcheck.frames import FramesWriter
from formcheck.pipeline import Options, analyze_video
from formcheck.pose.track import read_track
from formcheck.recognition.segments import Segment, recognise, recognition_section
from formcheck.rules import Interpreter, RowSink
from formcheck.video import VideoFileSource


def judge_segments(
    frames: list, segments: list[Segment], options: Options, rows: RowSink | None = None
) -> tuple[list[dict], Interpreter]:
    """One exercise summary per recognised segment, from its own frames; the interpreter that judged them all
    (its frame counts cover the whole track: frames outside any segment are counted, not judged)."""
    judged = [s for s in segments if s.exercise is not None]
    interpreter = Interpreter(None, options.conditioning, frames=rows)
    current: Segment | None = None
    started: list[Segment] = []
    for frame in frames:
        t = frame.t_ms / 1000.0
        seg = next((s for s in judged if s.start_s <= t <= s.end_s), None)
        if seg is not current:
            current = seg
            interpreter.next_exercise(create(seg.exercise, options.profile) if seg is not None else None)
            started += [seg] if seg is not None else []
        interpreter(frame)
    interpreter.finish()
    entries = interpreter.summaries()
    for entry, seg in zip(entries, started, strict=True):
        entry["recognition"] = seg.as_dict()
    return entries, interpreter


def analyze_auto(
    path: Path,
    out: Path,
    profile: Profile,
    model_path: Path | None,
    max_side: int | None,
    write_video: bool = True,
    *,
    model_variant: str = "full",
    progress: bool = False,
    max_fps: float | None = None,
) -> tuple[dict, dict]:
    """Analyse ``path`` into ``out`` recognising its exercises; returns the summary and its recognition section."""
    options = Options(
        exercise=None,
        profile=profile,
        model_variant=model_variant,
        model_path=model_path,
        write_video=write_video,
        write_track=True,
        write_frames=False,  # written below, once the segments' exercises are known
    )
    source = VideoFileSource(path, max_side=max_side, max_fps=max_fps)
    summary = analyze_video(source, Path(out), options, progress=progress)
    _, frames = read_track(Path(out) / "track.jsonl")
    frames = list(frames)
    segments = recognise(frames)
    rows = FramesWriter(Path(out) / "frames.csv")
    try:
        summary["exercises"], interpreter = judge_segments(frames, segments, options, rows)
    finally:
        rows.close()
    summary["pose"]["frames_judged"] = interpreter.usable_frames
    summary["outputs"]["frames"] = "frames.csv"
    summary["recognition"] = recognition_section(segments)
    summary_mod.write(summary, Path(out) / "summary.json")
    return summary, summary["recognition"]
