"""The session summary: a versioned JSON document (docs/formats.md) and its readable printout."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from formcheck import __version__
from formcheck.atomic import write_text_atomic

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
    outputs = {k: v for k, v in summary["outputs"].items() if v}
    if outputs:
        lines.append("  files: " + ", ".join(f"{k} {v}" for k, v in outputs.items()))
    lines.append("  " + summary["safety"])
    return "\n".join(lines)
