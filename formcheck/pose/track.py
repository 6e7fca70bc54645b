"""Pose tracks: the landmark stream of one video or camera session, saved as JSON Lines.

Format ``formcheck.pose_track`` version 1 (docs/formats.md,
formcheck/schemas/pose_track.schema.json): a header line, then one line per frame,
appended and flushed as frames arrive, so a session that is interrupted keeps
every frame written before the interruption. Rules can be re-run on a saved
track without the model.
"""

from __future__ import annotations

import gzip
import json
import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import numpy as np

from formcheck.errors import InputError
from formcheck.landmarks import N_LANDMARKS, NAMES, PoseFrame

FORMAT = "formcheck.pose_track"
VERSION = 1
_DIGITS = 5


@dataclass(frozen=True)
class TrackHeader:
    source: str
    width: int
    height: int
    fps: float | None = None
    model: str | None = None
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "source": self.source,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "model": self.model,
            "landmark_names": list(NAMES),
            "landmark_columns": ["x", "y", "z", "visibility", "presence"],
            **self.extra,
        }


def _rounded(array: np.ndarray | None) -> list | None:
    """Rows of numbers for JSON; NaN (unknown) becomes null. Vectorised: this runs for every frame."""
    if array is None:
        return None
    rows = _round(array)
    if not np.isnan(rows).any():
        return rows.tolist()
    return [[None if v != v else v for v in row] for row in rows.tolist()]


def as_stored(frame: PoseFrame) -> PoseFrame:
    """The frame as its track line holds it: time to the microsecond, coordinates to 5 digits.

    A run judges this, not the model's full-precision frame, so that judging the saved track again (``rerun``,
    the report) gives the run's verdicts to the frame: a duration that is exactly a whole number of frame
    intervals (400 ms at 15 fps) would otherwise fall either side of its limit by float rounding.
    """
    return replace(
        frame,
        t_ms=round(float(frame.t_ms), 3),
        landmarks=None if frame.landmarks is None else _round(frame.landmarks),
        world=None if frame.world is None else _round(frame.world),
    )


def _round(array: np.ndarray) -> np.ndarray:
    """Coordinates as a track line stores them (the one rounding :func:`as_stored` and the writer share)."""
    return np.round(np.asarray(array, dtype=float), _DIGITS)


def _array(rows: list | None, width: int) -> np.ndarray | None:
    if rows is None:
        return None
    array = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    if array.shape != (N_LANDMARKS, width):
        raise ValueError(f"expected {N_LANDMARKS}x{width} values, got {array.shape}")
    return array


class TrackWriter:
    """Writes a track line by line; use as a context manager."""

    def __init__(self, path: Path, header: TrackHeader):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = self.path.open("w", encoding="utf-8")
        self._write(header.to_json())

    def _write(self, obj: dict) -> None:
        self._file.write(json.dumps(obj, separators=(",", ":")) + "\n")
        self._file.flush()

    def write(self, frame: PoseFrame) -> None:
        self._write(
            {
                "t_ms": round(float(frame.t_ms), 3),  # as as_stored() gives it
                "landmarks": _rounded(frame.landmarks),
                "world": _rounded(frame.world),
            }
        )

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> TrackWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_track(path: Path) -> tuple[TrackHeader, Iterator[PoseFrame]]:
    """Open a saved track: its header and an iterator over its frames.

    A truncated last line (a session killed mid-write) is skipped, not an error.
    A track whose name ends in ``.gz`` is read gzip-compressed.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        lines = data.decode("utf-8").splitlines()
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read pose track {path}: {exc}") from None
    from formcheck import validate
    from formcheck.outpaths import short

    try:
        head = validate.loads(lines[0]) if lines else None
    except ValueError:
        head = None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise InputError(f"{short(path)} is not a formcheck pose track")
    if head.get("version") != VERSION or not isinstance(head.get("version"), int):
        raise InputError(
            f"{short(path)} is pose track version {short(json.dumps(head.get('version')), 20)}; "
            f"this formcheck reads version {VERSION}"
        )
    wrong = validate.problem(
        head, {**validate.schema("pose_track"), **validate.schema("pose_track")["$defs"]["header"]}
    )
    if wrong or head["width"] < 1 or head["height"] < 1:
        raise InputError(
            f"{short(path)}: the track's header is not valid: {wrong or 'width and height must be above 0'}"
        )
    known = {"format", "version", "source", "width", "height", "fps", "model", "landmark_names", "landmark_columns"}
    header = TrackHeader(
        source=head["source"],
        width=int(head["width"]),
        height=int(head["height"]),
        fps=head.get("fps"),
        model=head.get("model"),
        extra={k: v for k, v in head.items() if k not in known},
    )

    def frames() -> Iterator[PoseFrame]:
        for number, line in enumerate(lines[1:], start=2):
            try:
                row = validate.loads(line)
                t_ms = float(row["t_ms"])
                if not math.isfinite(t_ms):
                    raise ValueError(f"t_ms is {t_ms}")
                yield PoseFrame(
                    t_ms=t_ms,
                    width=header.width,
                    height=header.height,
                    landmarks=_array(row["landmarks"], 5),
                    world=_array(row.get("world"), 3),
                )
            except (json.JSONDecodeError, KeyError, ValueError, TypeError) as exc:
                if number == len(lines):
                    return  # cut off mid-write
                raise InputError(f"{short(path)}: line {number} is not a pose frame ({short(exc, 100)})") from None

    return header, frames()
