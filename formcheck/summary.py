"""The session summary: a versioned JSON document (docs/formats.md) and its readable printout."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from formcheck import __version__
from formcheck.atomic import write_text_atomic
from formcheck.pose.models import sha256_of

if TYPE_CHECKING:
    from formcheck.pipeline import Options
    from formcheck.pose.spans import SpanProcess
    from formcheck.rules import Interpreter

FORMAT = "formcheck.session_summary"
VERSION = 1
SAFETY = (
    "formcheck is not medical advice. Stop an exercise if you feel stabbing pain, numbness or tingling. "
    "See a health professional if there is no improvement, or straight away for red-flag symptoms "
    "(loss of bladder or bowel control, numbness around the groin, progressive leg weakness)."
)


def build(
    *,
    mode: str,
    source: dict,
    model: dict | None,
    exercises: list[dict],
    pose: dict,
    ended: str,
    outputs: dict,
    profile: dict | None = None,
    conditioning: dict | None = None,
    started: datetime | None = None,
    extra: dict | None = None,
) -> dict:
    """The summary document; ``extra`` adds the optional sections (``live``, ``plan``, ``checkin``).

    ``conditioning`` is the run's pose conditioning (formcheck.pose.filters.ConditioningConfig), so that
    ``rerun`` and the report's replay condition the track exactly as the run did.
    """
    return {
        "format": FORMAT,
        "version": VERSION,
        "formcheck_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "started": started.isoformat(timespec="seconds") if started else None,
        "mode": mode,
        "ended": ended,
        "source": source,
        "model": model,
        "profile": profile,
        "conditioning": conditioning,
        "pose": pose,
        "exercises": exercises,
        "outputs": outputs,
        "safety": SAFETY,
        **(extra or {}),
    }


def source_info(source) -> dict:
    """The summary's ``source`` section for a video file or a camera."""
    return {
        "kind": "camera" if source.name.startswith("camera:") else "file",
        "name": source.name,
        "width": source.size[0],
        "height": source.size[1],
        "fps": source.fps,
    }


def model_info(model: Path, options: Options) -> dict:
    return {
        "variant": "custom" if options.model_path else options.model_variant,
        "file": Path(model).name,
        "sha256": sha256_of(Path(model).read_bytes()),
    }


def run_summary(
    mode: str,
    source: dict,
    model: dict | None,
    options: Options,
    interpreter: Interpreter,
    started: datetime | None,
    ended: str,
    outputs: dict,
    extra: dict | None = None,
) -> dict:
    """The session summary of an analyze, live or rerun run (see formcheck.summary)."""
    return build(
        mode=mode,
        started=started,
        ended=ended,
        source=source,
        model=model,
        profile=vars(options.profile),
        conditioning=dataclasses.asdict(options.conditioning),
        pose=interpreter.pose_stats(),
        exercises=interpreter.summaries(),
        outputs=outputs,
        extra=extra,
    )


def analysis_section(source, span: SpanProcess | None) -> dict:
    """``{"analysis": ...}``: the rate a file was analysed at (VideoFileSource's ``max_fps``), and by how many
    model processes (formcheck.pose.spans)."""
    used = span is not None and bool(span.used)
    return {
        "analysis": {
            "fps": round(source.analysis_fps, 3) if getattr(source, "analysis_fps", None) else source.fps,
            "max_fps": getattr(source, "max_fps", None),
            "frame_step": getattr(source, "step", 1),
            "model_processes": 2 if used else 1,
            "seams_s": [round(span.seam / 1000.0, 3)] if used else [],
        }
    }


def input_section(source) -> dict | None:
    """``{"input": ...}`` for the summary when the source was damaged (what could not be decoded), else None."""
    damage = source.damage() if hasattr(source, "damage") else None
    return {"input": damage} if damage else None


def write(summary: dict, path: Path) -> None:
    """Write atomically, so a crash mid-write never leaves a half summary behind."""
    write_text_atomic(path, json.dumps(summary, indent=2) + "\n")


def format_text(summary: dict) -> str:
    """The summary as a person reads it at the end of a run."""
    lines = []
    src = summary["source"]
    lines.append(f"formcheck summary: {src.get('name')} ({summary['ended']})")
    if (summary.get("input") or {}).get("damaged"):
        lines.append(f"  {summary['input'].get('note', 'the video is damaged: part of it could not be decoded')}")
    pose = summary["pose"]
    lines.append(
        f"  person in view in {pose['frames_with_person']} of {pose['frames']} frames, "
        f"{pose.get('duration_s', 0):.1f} s"
    )
    for ex in summary["exercises"]:
        lines.append(
            f"  {ex['title']}: {ex['reps']} {'holds' if ex['kind'] == 'holds' else 'reps'}, "
            f"{ex['good_reps']} good, {ex['reps_with_faults']} with faults"
        )
        for side, s in sorted(ex["per_side"].items()):
            holds = ", ".join(f"{h:.1f}" for h in s["hold_s"])
            held = f"; held {holds} s" if holds else ""
            lines.append(f"    {side}: {s['reps']} ({s['good']} good, {s['with_faults']} with faults){held}")
        target = ex["targets"]
        wants = []
        if target.get("reps"):
            wants.append(f"{target['reps']} reps" + (" per side" if target.get("per_side") else ""))
        if target.get("hold_s"):
            wants.append(f"holds of {target['hold_s']:g} s")
        if wants:
            lines.append(f"    target: {', '.join(wants)}")
        for fault in ex["faults"]:
            where = f" (rep {fault['rep'] + 1})" if fault["rep"] is not None else ""
            end = f"-{fault['end_s']:.1f}" if fault["end_s"] is not None else ""
            lines.append(f"    {fault['start_s']:.1f}{end} s  {fault['cue']}{where}")
        if ex.get("good_form_s") is not None and ex.get("active_s"):
            lines.append(f"    good form {ex['good_form_s']:.0f} of {ex['active_s']:.0f} s active")
        if ex.get("safety"):
            lines.append(f"    {ex['safety']}")
    outputs = {k: v for k, v in summary["outputs"].items() if v}
    if outputs:
        lines.append("  files: " + ", ".join(f"{k} {v}" for k, v in outputs.items()))
    lines.append("  " + summary["safety"])
    return "\n".join(lines)
