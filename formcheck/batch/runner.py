"""Runs a batch: decides what is left to do, hands the jobs to an engine, records each result as it comes.

Each recording's folder gets ``batch.json`` (format ``formcheck.batch_recording``,
docs/batch.md) once its job has come back, written atomically and last: a
folder with a ``done`` marker whose input file, recording details and
settings are unchanged is skipped on the next run; any other folder (no
marker: an interrupted job; a failed one) is redone from scratch. The
overview (``index.html``, ``sessions.csv``) is rewritten at the end, however
the run ends.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from formcheck.atomic import write_text_atomic
from formcheck.batch.inputs import Recording
from formcheck.batch.job import Job, Result, Settings

MARKER = "batch.json"
FORMAT = "formcheck.batch_recording"
VERSION = 1


@dataclass
class Outcome:
    """What a batch run did."""

    done: int = 0
    skipped: int = 0
    failed: list[Result] = field(default_factory=list)
    interrupted: bool = False
    results: list[Result] = field(default_factory=list)


def input_fingerprint(path: Path) -> dict | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _identity(rec: Recording, settings: Settings) -> dict:
    """What a finished recording's marker must match for the recording to be skipped."""
    return {
        "input": {"path": str(rec.path), **(input_fingerprint(rec.path) or {})},
        "recording": {"exercise": rec.exercise, "patient": rec.patient, "symptomatic_side": rec.symptomatic_side},
        "settings": settings.fingerprint(),
    }


def read_marker(folder: Path) -> dict | None:
    try:
        marker = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and marker.get("format") == FORMAT else None


def is_finished(rec: Recording, folder: Path, settings: Settings) -> bool:
    marker = read_marker(folder)
    if not marker or marker.get("status") != "done":
        return False
    want = _identity(rec, settings)
    return all(marker.get(k) == v for k, v in want.items())


def write_marker(rec: Recording, folder: Path, settings: Settings, result: Result, engine: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    marker = {
        "format": FORMAT,
        "version": VERSION,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **_identity(rec, settings),
        "status": result.status,
        "exit_code": result.exit_code,
        "error": result.error,
        "warnings": result.warnings,
        "engine": engine,
        "attempts": result.attempt,
        "model_sha256": None,
        "worker": result.worker,
        "recognition": result.recognition,
        "figures": {
            "frames": result.frames,
            "video_s": round(result.video_s, 3),
            "wall_s": round(result.wall_s, 3),
            "cpu_s": round(result.cpu_s, 3),
            "peak_rss_mb": round(result.peak_rss_mb, 1),
        },
    }
    if result.summary and result.summary.get("model"):
        marker["model_sha256"] = result.summary["model"].get("sha256")
    write_text_atomic(folder / MARKER, json.dumps(marker, indent=2) + "\n")


def run_batch(
    recordings: list[Recording],
    out_root: Path,
    engine,
    settings: Settings,
    model_path: Path,
    *,
    progress: bool = True,
) -> Outcome:
    """Analyse every recording not already finished in ``out_root``; see the module's docstring."""
    from tqdm import tqdm

    from formcheck.batch.overview import write_overview
    from formcheck.pose.models import sha256_of

    out_root = Path(out_root).resolve()
    out_root.mkdir(parents=True, exist_ok=True)
    sha = sha256_of(Path(model_path).read_bytes())
    outcome = Outcome()
    jobs, by_key = [], {}
    for rec in recordings:
        folder = out_root / rec.key
        if is_finished(rec, folder, settings):
            outcome.skipped += 1
            continue
        jobs.append(Job(rec, str(folder), str(model_path), sha, settings))
        by_key[rec.key] = rec
    if outcome.skipped and progress:
        print(f"formcheck batch: {outcome.skipped} recording(s) already done, skipped", file=sys.stderr)
    bar = tqdm(total=len(jobs), unit="rec", desc="batch", smoothing=0, disable=not progress or not jobs)
    try:
        for result in engine.run(jobs):
            rec = by_key[result.key]
            write_marker(rec, out_root / rec.key, settings, result, engine.name)
            outcome.results.append(result)
            if result.status == "done":
                outcome.done += 1
            else:
                outcome.failed.append(result)
                bar.write(
                    f"formcheck: skipped {rec.path.name}: {result.error} (exit {result.exit_code})", file=sys.stderr
                )
            bar.set_postfix(failed=len(outcome.failed), refresh=False)
            bar.update()
    except KeyboardInterrupt:
        outcome.interrupted = True
    finally:
        bar.close()
        write_overview(out_root)
    return outcome
