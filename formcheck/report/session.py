"""Builds one session's report.html and frames.csv from its output folder."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from pathlib import Path

from formcheck.atomic import write_text_atomic
from formcheck.errors import InputError
from formcheck.exercises import create
from formcheck.exercises.base import Profile
from formcheck.feedback import KeyAngle
from formcheck.frames import ExerciseFrames, by_exercise, read_csv, write_csv
from formcheck.report import plots as charts
from formcheck.report import stills
from formcheck.report.bands import key_angles
from formcheck.report.page import card, document, figure, plots, table
from formcheck.report.replay import profile_of, replay


def read_summary(out_dir: Path) -> dict:
    path = Path(out_dir) / "summary.json"
    from formcheck import validate
    from formcheck.outpaths import short

    try:
        summary = validate.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # a cut or empty file: JSONDecodeError
        raise InputError(f"cannot read {short(path)}: {short(getattr(exc, 'strerror', None) or exc, 100)}") from None
    if not isinstance(summary, dict) or summary.get("format") != "formcheck.session_summary":
        raise InputError(f"{short(path)} is not a formcheck session summary")
    if summary.get("version") != 1 or not isinstance(summary.get("version"), int):
        raise InputError(
            f"{short(path)} is session summary version {short(json.dumps(summary.get('version')), 20)}; "
            "this formcheck reads version 1"
        )
    wrong = validate.problem(summary, validate.schema("session_summary"))
    if wrong:
        raise InputError(f"{short(path)} is not a valid session summary: {wrong}")
    return summary


def read_checkin(summary: dict) -> dict | None:
    """The run's symptom check-in (``summary["checkin"]``) when any value was given."""
    checkin = summary.get("checkin") or None
    return checkin if checkin and any(v is not None for v in checkin.values()) else None


def make_report(out_dir: Path, *, with_stills: bool = True) -> Path:
    """Write ``report.html`` into ``out_dir`` (and ``frames.csv``, if the run left none); returns its path.

    The plots come from the run's own frames.csv; a folder without one (an older formcheck, ``rerun``)
    has its frames re-judged from ``track.jsonl`` and gets a frames.csv made that way.
    """
    out_dir = Path(out_dir)
    summary = read_summary(out_dir)
    exercises = summary.get("exercises") or []
    rows = read_csv(out_dir / "frames.csv")
    track = out_dir / ((summary.get("outputs") or {}).get("track") or "track.jsonl")
    if rows is not None:
        frames = by_exercise(rows, exercises)
    elif track.is_file():
        frames = [replay(track, ex["exercise"], summary, ex.get("segment_s")).frames for ex in exercises]
        names = [n for f in frames for n in f.angle_names]
        write_csv((row for f in frames for row in f.rows), list(dict.fromkeys(names)), out_dir / "frames.csv")
    else:
        frames = []
    html = render(
        summary,
        frames,
        read_checkin(summary),
        stills.video_for(out_dir, summary) if with_stills else None,
    )
    return write_text_atomic(out_dir / "report.html", html)


def _when(iso: str | None) -> str:
    if not iso:
        return "unknown date"
    return datetime.fromisoformat(iso).astimezone().strftime("%a %d %b %Y, %H:%M")


def render(summary: dict, frames: list[ExerciseFrames], checkin: dict | None, video: Path | None) -> str:
    exercises = summary.get("exercises") or []
    titles = ", ".join(ex["title"] for ex in exercises) or "Pose only"
    pose = summary.get("pose") or {}
    duration = float(pose.get("duration_s") or 0.0)
    if not duration and frames and frames[0].rows:  # e.g. a rerun's summary: take the track's length
        duration = float(frames[0].rows[-1]["t_s"])
    parts = [
        f"<h1>{escape(titles)}</h1>",
        f"<p class=meta>{escape(_when(summary.get('started') or summary.get('created')))} · "
        f"{duration:.0f} s · {escape(str((summary.get('source') or {}).get('name', '')))}</p>",
    ]
    if summary.get("ended") != "completed":
        parts.append(
            f"<div class=warn>This session ended early ({escape(str(summary.get('ended')))}): the report "
            "shows what was recorded up to then.</div>"
        )
    if (summary.get("input") or {}).get("damaged"):
        note = str(summary["input"].get("note") or "the video is damaged: part of it could not be decoded")
        parts.append(f"<div class=warn>{escape(note[:300])}.</div>")
    if checkin:
        parts.append(_checkin_html(checkin))
    profile = profile_of(summary)
    for i, ex in enumerate(exercises):
        per_frame = frames[i] if i < len(frames) else None
        parts.append(_exercise_html(ex, per_frame, profile, duration, video, multiple=len(exercises) > 1))
    if exercises and not frames:
        parts.append("<p class=warn>No frames.csv or pose track was saved, so the angle plots are missing.</p>")
    person = pose.get("share_with_person")
    parts.append(
        f"<footer><p>{escape(summary.get('safety', ''))}</p><p>Person in view in "
        f"{pose.get('frames_with_person', 0)} of {pose.get('frames', 0)} frames"
        f"{f' ({person:.0%})' if person is not None else ''}. Made by formcheck "
        f"{escape(str(summary.get('formcheck_version', '')))} from summary.json and track.jsonl; "
        "per-frame values in frames.csv.</p></footer>"
    )
    return document(f"formcheck: {titles}", "".join(parts))


def _checkin_html(c: dict) -> str:
    def yn(v):
        return None if v is None else ("yes" if v else "no")

    rows = [
        ["Pain (0-10)", c.get("pain_before"), c.get("pain_after")],
        ["Tingling or numbness", yn(c.get("tingling_before")), yn(c.get("tingling_after"))],
    ]
    rose = (
        c.get("pain_before") is not None and c.get("pain_after") is not None and c["pain_after"] > c["pain_before"]
    ) or (c.get("tingling_after") and not c.get("tingling_before"))
    note = f"<p>{escape(c['note'])}</p>" if c.get("note") else ""
    flag = (
        (
            "<div class=warn>Symptoms were worse after the session. If this continues, stop the newest exercise "
            "and check with your physiotherapist.</div>"
        )
        if rose
        else ""
    )
    return "<h2>Symptom check-in</h2>" + flag + table(["", "before", "after"], rows, {1, 2}) + note


def _exercise_html(
    ex: dict, per_frame: ExerciseFrames | None, profile: Profile, duration: float, video: Path | None, multiple: bool
) -> str:
    holds = ex.get("kind") == "holds"
    noun = "holds" if holds else "reps"
    out = [f"<h2>{escape(ex['title'])}</h2>" if multiple else f"<h2>{noun.capitalize()}</h2>"]
    total, good, bad = ex.get("reps", 0), ex.get("good_reps", 0), ex.get("reps_with_faults", 0)
    cards = [card(total, noun), card(good, "good form", "good"), card(bad, "with faults", "bad" if bad else "")]
    if ex.get("active_s"):
        cards.append(card(f"{ex.get('good_form_s', 0):.0f}/{ex['active_s']:.0f} s", "good form / active"))
    out.append("<div class=cards>" + "".join(cards) + "</div>")
    out.append(_targets_line(ex))
    sides = ex.get("per_side") or {}
    if sides:
        rows = [
            [side, s["reps"], s["good"], s["with_faults"], ", ".join(f"{h:.1f}" for h in s.get("hold_s", [])) or None]
            for side, s in sorted(sides.items())
        ]
        headers = ["side", noun, "good", "with faults"] + (["held (s)"] if holds else [])
        out.append(table(headers, [r[: len(headers)] for r in rows], {1, 2, 3}))
    figures = [
        figure(
            charts.records_chart(ex),
            "Each hold against its target" if holds else "Peak of each rep",
            "Bars numbered in order, L/R = side; green: good form, red: with faults.",
        )
    ]
    keys = key_angles(create(ex["exercise"], profile), per_frame.angle_names) if per_frame is not None else []
    for key in keys:
        times, values = per_frame.series(key.column)
        if any(v == v for v in values):
            figures.append(
                figure(
                    charts.angle_plot(
                        times,
                        values,
                        key,
                        ex.get("records") or [],
                        ex.get("faults") or [],
                        duration,
                    ),
                    key.label + (" (degrees)" if key.unit == "°" else ""),
                    f"Green band: the target the rules check. Columns: {noun}, numbered (green good, red with "
                    "faults). Red bars at the bottom: faults.",
                )
            )
    out.append(plots(*figures))
    out.append(_faults_html(ex, duration))
    if video is not None:
        out.append(_stills_html(ex, per_frame, keys[0] if keys else None, video))
    if ex.get("safety"):
        out.append(f'<p class="safety">{escape(ex["safety"])}</p>')
    if ex.get("cannot_check"):
        out.append(
            "<h3>What this camera view cannot check</h3><ul>"
            + "".join(f"<li>{escape(c)}</li>" for c in ex["cannot_check"])
            + "</ul>"
        )
    return "".join(out)


def _targets_line(ex: dict) -> str:
    t = ex.get("targets") or {}
    wants = []
    if t.get("reps"):
        wants.append(f"{t['reps']} reps" + (" per side" if t.get("per_side") else ""))
    if t.get("holds"):
        wants.append(f"{t['holds']} holds")
    if t.get("hold_s"):
        wants.append(f"holds of {t['hold_s']:g} s")
    if t.get("duration_s"):
        wants.append(f"{t['duration_s']:g} s in all")
    return f"<p>Target: {escape(', '.join(wants))}.</p>" if wants else ""


def _faults_html(ex: dict, duration: float) -> str:
    faults = ex.get("faults") or []
    if not faults:
        return "<h3>Faults</h3><div class=ok>No faults: good form throughout.</div>"
    rows = [
        [
            f"{f['start_s']:.1f}" + (f"–{f['end_s']:.1f}" if f.get("end_s") is not None else ""),
            f.get("cue"),
            None if f.get("rep") is None else f["rep"] + 1,
            f.get("side"),
        ]
        for f in faults
    ]
    return (
        "<h3>Faults</h3>"
        + figure(
            charts.fault_timeline(ex, duration),
            "Fault timeline",
            "One row per cue you were given; red: while the fault lasted.",
        )
        + table(["time (s)", "cue given", "rep", "side"], rows, {2})
    )


def _stills_html(ex: dict, per_frame: ExerciseFrames | None, key: KeyAngle | None, video: Path) -> str:
    chosen = stills.pick(ex)
    if not chosen:
        return ""
    times, values = per_frame.series(key.column) if per_frame is not None and key else ([], [])
    cells = []
    for label, record in chosen:
        t = stills.moment(record, times, values)
        uri = stills.grab(video, t)
        if uri is None:
            continue
        faults = ", ".join(record.get("faults") or []) or "no fault"
        cells.append(
            f'<figure><img src="{uri}" alt="{escape(label)} at {t:.1f} s"><figcaption>'
            f"{escape(label.capitalize())}: #{record['index'] + 1}, {escape(str(record.get('side')))} side, "
            f"{t:.1f} s, {escape(faults)}</figcaption></figure>"
        )
    return ("<h3>Best and worst</h3><div class=stills>" + "".join(cells) + "</div>") if cells else ""


__all__ = ["make_report", "read_checkin", "read_summary"]
