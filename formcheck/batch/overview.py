"""The batch overview at the batch folder's root: ``sessions.csv`` and ``index.html``.

A pure function of the folder (like ``report.html`` of a run's folder): every
sub-folder with a ``batch.json`` marker is a recording; its ``summary.json``
gives the figures. One row per recording and exercise (a recording of one
exercise, the usual case, is one row). Columns: docs/batch.md.
``index.html`` is one self-contained file (inline CSS and a few lines of
script to sort by a column; no network), readable with scripts off too.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from html import escape
from pathlib import Path
from urllib.parse import quote

from formcheck.atomic import write_text_atomic

CSV_FORMAT, CSV_VERSION = "formcheck.batch_sessions", 1
COLUMNS = (
    "recording",
    "patient",
    "file",
    "status",
    "exit_code",
    "error",
    "exercise",
    "kind",
    "confidence",
    "start_s",
    "end_s",
    "duration_s",
    "left",
    "right",
    "unsided",
    "good",
    "with_faults",
    "target_reps",
    "target_hold_s",
    "per_side",
    "targets_reached",
    "faults",
    "person_share",
    "judged_share",
    "view_problems",
    "report",
)
PERSON_MIN, JUDGED_MIN = 0.9, 0.75  # below these shares the row names a view problem


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _view(summary: dict) -> tuple[float | None, float | None, str]:
    pose = summary.get("pose") or {}
    frames, person, judged = pose.get("frames") or 0, pose.get("frames_with_person") or 0, pose.get("frames_judged")
    person_share = person / frames if frames else None
    judged_share = judged / person if person and judged is not None else None
    problems = []
    if person_share is not None and person_share < PERSON_MIN:
        problems.append(f"person in view in {person_share:.0%} of frames")
    if judged_share is not None and judged_share < JUDGED_MIN:
        problems.append(f"view judgeable in {judged_share:.0%} of frames with a person")
    return person_share, judged_share, "; ".join(problems)


def _exercise_row(ex: dict) -> dict:
    sides = ex.get("per_side") or {}
    targets = ex.get("targets") or {}
    records = ex.get("records") or []
    faults = Counter(f["id"] for f in ex.get("faults") or [])
    reached = [r.get("target_reached") for r in records if r.get("target_reached") is not None]
    segment = ex.get("segment_s") or [None, None]
    return {
        "exercise": ex.get("exercise"),
        "kind": ex.get("kind"),
        "confidence": ex.get("recognition", {}).get("confidence") if isinstance(ex.get("recognition"), dict) else "",
        "start_s": segment[0],
        "end_s": segment[1],
        "left": (sides.get("left") or {}).get("reps", 0),
        "right": (sides.get("right") or {}).get("reps", 0),
        "unsided": sum((s or {}).get("reps", 0) for k, s in sides.items() if k not in ("left", "right")),
        "good": ex.get("good_reps", 0),
        "with_faults": ex.get("reps_with_faults", 0),
        "target_reps": targets.get("reps"),
        "target_hold_s": targets.get("hold_s"),
        "per_side": bool(targets.get("per_side")),
        "targets_reached": f"{sum(bool(r) for r in reached)}/{len(reached)}" if reached else "",
        "faults": " ".join(f"{k}:{n}" for k, n in sorted(faults.items())),
    }


def recording_rows(folder: Path) -> list[dict]:
    """The overview rows of one recording's folder (one per exercise; one row for a failed recording)."""
    marker = _read_json(folder / "batch.json") or {}
    summary = _read_json(folder / "summary.json") or {}
    rec = marker.get("recording") or {}
    base = {
        "recording": folder.name,
        "patient": rec.get("patient") or "",
        "file": Path((marker.get("input") or {}).get("path", "")).name,
        "status": marker.get("status", "unknown"),
        "exit_code": marker.get("exit_code"),
        "error": marker.get("error") or "",
        "exercise": rec.get("exercise") or "",
        "duration_s": round((summary.get("pose") or {}).get("duration_s") or 0.0, 1) if summary else "",
        "report": f"{folder.name}/report.html" if (folder / "report.html").is_file() else "",
    }
    if summary:
        base["person_share"], base["judged_share"], base["view_problems"] = _view(summary)
    exercises = summary.get("exercises") or [] if base["status"] == "done" else []
    segments = (summary.get("recognition") or {}).get("segments") or []
    if not exercises and segments:  # --exercise auto found none of the nine
        closest = max(segments, key=lambda seg: seg["end_s"] - seg["start_s"]).get("closest")
        base["exercise"] = f"none (closest: {closest})" if closest else "none"
    if not exercises:
        return [base]
    return [{**base, **_exercise_row(ex)} for ex in exercises]


def collect_rows(root: Path) -> list[dict]:
    rows = []
    for folder in sorted(p for p in Path(root).iterdir() if (p / "batch.json").is_file()):
        rows += recording_rows(folder)
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)


def sessions_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    buf.write(f"# {CSV_FORMAT} {CSV_VERSION}\n")
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in COLUMNS})
    return buf.getvalue()


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.4rem;margin:0 0 .3rem}
.wrap{overflow-x:auto}
table{border-collapse:collapse;min-width:100%}
th,td{padding:.35rem .5rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f3f3f3;cursor:pointer;position:sticky;top:0;overflow-wrap:normal}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.failed td{background:#fdecea}tr.interrupted td{background:#fff6e0}
.warn{color:#a33}.muted{color:#777}
"""

SCRIPT = """
document.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
var tb=th.closest('table').tBodies[0],asc=th.getAttribute('aria-sort')!=='ascending';
th.parentNode.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort')});
th.setAttribute('aria-sort',asc?'ascending':'descending');
var rows=Array.prototype.slice.call(tb.rows);
rows.sort(function(a,b){var x=a.cells[i].dataset.v,y=b.cells[i].dataset.v,nx=parseFloat(x),ny=parseFloat(y);
var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c});
rows.forEach(function(r){tb.appendChild(r)});});});
"""

HEADERS = (
    ("patient", "Patient / session"),
    ("file", "Recording"),
    ("exercise", "Exercise"),
    ("status", "Status"),
    ("sides", "Reps or holds per side"),
    ("target", "Target"),
    ("faults_n", "With faults"),
    ("faults", "Faults"),
    ("view_problems", "View problems"),
    ("duration_s", "Length (s)"),
)


def _html_cells(row: dict) -> list[tuple[str, str, bool]]:
    """(sort value, HTML, numeric) per column."""
    status = row.get("status", "")
    sides = []
    for side in ("left", "right", "unsided"):
        if row.get(side):
            sides.append(f"{'other' if side == 'unsided' else side} {row[side]}")
    target = []
    if row.get("target_reps"):
        target.append(f"{row['target_reps']} reps" + (" per side" if row.get("per_side") else ""))
    if row.get("target_hold_s"):
        target.append(f"holds of {row['target_hold_s']:g} s")
    if row.get("targets_reached"):
        target.append(f"reached {row['targets_reached']}")
    report = row.get("report")
    name = escape(row.get("file", ""))
    recording = f'<a href="{escape(quote(report))}">{name}</a>' if report else name
    error = f'<br><span class="warn">{escape(row["error"])}</span>' if row.get("error") else ""
    exercise = escape(str(row.get("exercise") or ""))
    if row.get("confidence") not in (None, ""):
        exercise += f' <span class="muted">({float(row["confidence"]):.0%})</span>'
    duration = row.get("duration_s")
    return [
        (row.get("patient", ""), escape(row.get("patient", "")), False),
        (row.get("file", ""), recording, False),
        (str(row.get("exercise") or ""), exercise, False),
        (status, escape(status) + error, False),
        (str(sum(int(row.get(s) or 0) for s in ("left", "right", "unsided"))), escape(", ".join(sides)), False),
        (" ".join(target), escape(", ".join(target)), False),
        (str(row.get("with_faults", "")), escape(str(row.get("with_faults", ""))), True),
        (row.get("faults", ""), escape(row.get("faults", "")), False),
        (row.get("view_problems", ""), f'<span class="warn">{escape(row.get("view_problems") or "")}</span>', False),
        (str(duration if duration not in (None, "") else ""), escape(_cell(duration)), True),
    ]


def index_html(rows: list[dict], title: str) -> str:
    counts = Counter(row.get("status") for row in {r["recording"]: r for r in rows}.values())
    head = "".join(f'<th scope="col">{escape(label)}</th>' for _, label in HEADERS)
    body = []
    for row in rows:
        cells = "".join(
            f'<td data-v="{escape(str(v), quote=True)}"{" class=n" if num else ""}>{h}</td>'
            for v, h, num in _html_cells(row)
        )
        body.append(f'<tr class="{escape(row.get("status", ""))}">{cells}</tr>')
    tally = ", ".join(f"{n} {escape(str(s))}" for s, n in sorted(counts.items(), key=lambda kv: str(kv[0])))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{len({r['recording'] for r in rows})} recordings: {tally}. "
        "Click a column's title to sort by it; a recording's name opens its report. "
        '<a href="sessions.csv">sessions.csv</a> has the same rows for a spreadsheet.</p>'
        f'<div class="wrap"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
        "<p class=muted>formcheck is not medical advice.</p>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def write_overview(root: Path) -> tuple[Path, Path]:
    """Write ``sessions.csv`` and ``index.html`` into the batch folder ``root``; returns their paths."""
    root = Path(root)
    rows = collect_rows(root)
    csv_path = write_text_atomic(root / "sessions.csv", sessions_csv(rows))
    html_path = write_text_atomic(root / "index.html", index_html(rows, f"formcheck batch: {root.name}"))
    return Path(csv_path), Path(html_path)
