"""What a batch is asked to analyse: video files, folders of them, or CSV manifests, as :class:`Recording` s.

A manifest (``.csv``) has a header row; its columns are ``path`` (required;
relative paths are read from the manifest's folder), ``exercise`` (an exercise
id, or ``auto``/empty for the batch's ``--exercise``), ``patient`` (or
``session``: who or what the recording belongs to) and ``symptomatic_side``
(``left``, ``right`` or empty). See docs/batch.md.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import FormcheckError

VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".webm", ".mkv", ".m4v", ".mpg", ".mpeg", ".wmv"}
SIDES = ("left", "right")


class ManifestError(FormcheckError):
    """A manifest or an input the batch cannot use at all (one bad video is not this: it is skipped)."""

    exit_code = 2


@dataclass(frozen=True)
class Recording:
    """One video to analyse and what is known about it."""

    path: Path  # absolute
    exercise: str | None = None  # None: the batch's default (or recognised, with 'auto')
    patient: str = ""
    symptomatic_side: str | None = None

    @property
    def key(self) -> str:
        """The recording's output folder name: a slug of patient and file name plus a hash of the path.

        Made only of ``[A-Za-z0-9_.-]`` and never ``.``/``..``, so it stays inside the batch's folder
        whatever the manifest says; the hash keeps two ``clip.mp4`` in different folders apart.
        """
        digest = hashlib.sha256(f"{self.patient}\0{self.path}".encode()).hexdigest()[:8]
        stem = _slug(f"{self.patient}_{self.path.stem}" if self.patient else self.path.stem)
        return f"{stem}-{digest}"


def _slug(text: str, limit: int = 60) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._-")[:limit]
    return slug or "recording"


def collect(inputs: list[Path], *, exercise: str | None = None) -> list[Recording]:
    """The recordings named by ``inputs`` (files, folders searched recursively, manifests), without repeats.

    Raises :class:`ManifestError` for an input that does not exist or a manifest that cannot be read; a
    file that is there but is no usable video is kept, to be reported by its job.
    """
    found: list[Recording] = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            videos = sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)
            found += [Recording(p.resolve(), exercise) for p in videos]
        elif item.suffix.lower() == ".csv" and item.is_file():
            found += read_manifest(item, exercise)
        elif item.is_file():
            found.append(Recording(item.resolve(), exercise))
        else:
            raise ManifestError(f"input not found: {item}")
    seen: set[str] = set()
    unique = []
    for rec in found:
        if rec.key not in seen:
            seen.add(rec.key)
            unique.append(rec)
    return unique


def read_manifest(path: Path, exercise: str | None = None) -> list[Recording]:
    """The recordings of a CSV manifest (docs/batch.md)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc}") from None
    if not rows:
        raise ManifestError(f"manifest {path} has no rows (it needs a header row with a 'path' column)")
    if "path" not in {(k or "").strip().lower() for k in rows[0]}:
        raise ManifestError(f"manifest {path} has no 'path' column")
    recordings = []
    for line, raw in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        if not row.get("path"):
            raise ManifestError(f"{path}:{line}: empty path")
        video = Path(row["path"]).expanduser()
        if not video.is_absolute():
            video = path.parent / video
        side = row.get("symptomatic_side") or row.get("side") or None
        if side is not None and side.lower() not in SIDES:
            raise ManifestError(f"{path}:{line}: symptomatic side must be left, right or empty, not {side!r}")
        recordings.append(
            Recording(
                path=video.resolve(),
                exercise=row.get("exercise") or exercise,
                patient=row.get("patient") or row.get("session") or "",
                symptomatic_side=side.lower() if side else None,
            )
        )
    return recordings
