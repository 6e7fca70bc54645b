"""``--exercise auto`` for a video file: pose first, then recognition, then each segment's exercise rules.

The video is analysed for the pose alone (the track, the plain annotated
video); the track is split into segments (formcheck.recognition.segments);
each recognised segment's frames go through its exercise's rules, as
``formcheck rerun`` does, giving one ``exercises`` entry per segment (with
its ``recognition``: exercise, start, end, confidence). The summary gains a
``recognition`` section listing every segment, those that are "not one of
the nine" included (docs/recognition.md).
"""

from __future__ import annotations

from pathlib import Path

from formcheck import summary as summary_mod
from formcheck.exercises import create
from formcheck.exercises.base import Profile
from formcheck.pipeline import Options, analyze_video
from formcheck.pose.track import read_track
from formcheck.recognition.model import FORMAT, VERSION
from formcheck.recognition.segments import Segment, recognise
from formcheck.rules import run_rules
from formcheck.video import VideoFileSource


def recognition_section(segments: list[Segment]) -> dict:
    return {"model": f"{FORMAT} {VERSION}", "segments": [s.as_dict() for s in segments]}


def judge_segments(frames: list, segments: list[Segment], options: Options) -> list[dict]:
    """One exercise summary per recognised segment, from its own frames."""
    entries = []
    for seg in segments:
        if seg.exercise is None:
            continue
        own = [f for f in frames if seg.start_s <= f.t_ms / 1000.0 <= seg.end_s]
        interpreter = run_rules(create(seg.exercise, options.profile), own, options.conditioning)
        for entry in interpreter.summaries():
            entry["recognition"] = seg.as_dict()
            entries.append(entry)
    return entries


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
        write_frames=False,  # the report makes frames.csv from the track, segment by segment
    )
    source = VideoFileSource(path, max_side=max_side, max_fps=max_fps)
    summary = analyze_video(source, Path(out), options, progress=progress)
    _, frames = read_track(Path(out) / "track.jsonl")
    frames = list(frames)
    segments = recognise(frames)
    summary["exercises"] = judge_segments(frames, segments, options)
    summary["recognition"] = recognition_section(segments)
    summary_mod.write(summary, Path(out) / "summary.json")
    return summary, summary["recognition"]
