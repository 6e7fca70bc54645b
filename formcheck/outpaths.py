"""Output places: checked before any work starts, and names built from user text kept inside their folder.

Every check fails with an :class:`~formcheck.errors.OutputError` (exit 6)
and one line that says what is wrong with the place, never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from pathlib import Path

from formcheck.errors import OutputError

NAME_MAX = 255  # bytes in one file or folder name (Linux, macOS, Windows)
PATH_MAX = 4096  # characters in a whole path (Linux)


def short(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for an error line."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fit_name(name: str, limit: int = NAME_MAX) -> str:
    """``name`` shortened (at a character boundary) to at most ``limit`` bytes on disk."""
    while len(os.fsencode(name)) > limit:
        name = name[:-1]
    return name


def safe_name(text: str, fallback: str = "session") -> str:
    """A single file-name part made from user text: no folder separators, no '..', no control characters.

    Letters (any script), digits, '-', '_' and '.' are kept; anything else becomes '_'.
    """
    name = re.sub(r"[^\w.\-]", "_", str(text), flags=re.UNICODE).strip("._")
    name = re.sub(r"\.{2,}", "_", name)
    return fit_name(name or fallback, 120)


def _check_names(path: Path, what: str) -> None:
    text = str(path)
    if len(text) > PATH_MAX:
        raise OutputError(f"{what} path is {len(text)} characters long; the limit is {PATH_MAX}")
    for part in path.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise OutputError(f"{what} name {short(part, 40)!r} is longer than {NAME_MAX} bytes: choose a shorter one")


def _resolve(path: Path, what: str) -> Path:
    try:
        return path.resolve()
    except (RuntimeError, OSError) as exc:  # a symlink loop
        raise OutputError(f"{what} {short(path)} cannot be used: {getattr(exc, 'strerror', None) or exc}") from None


def check_dir(path: Path | str, what: str = "output folder") -> Path:
    """Create the folder if needed and make sure a file can be written into it; returns it."""
    path = Path(path)
    _check_names(path, what)
    _resolve(path, what)
    for parent in (path, *path.parents):
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise OutputError(f"{what} {short(path)}: {short(parent)} is a file, not a folder")
            break
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the {what} {short(path)}: {exc.strerror or exc}") from None
    try:
        fd, probe = tempfile.mkstemp(dir=path, prefix=".formcheck-write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"cannot write into the {what} {short(path)}: {exc.strerror or exc}") from None
    return path


def check_file(path: Path | str, what: str = "output file") -> Path:
    """Make sure ``path`` can be written as a file (its folder must exist); returns it."""
    path = Path(path)
    _check_names(path, what)
    _resolve(path, what)
    if path.is_dir():
        raise OutputError(f"{what} {short(path)} is a folder: give a file name")
    parent = path.parent
    if not parent.is_dir():
        raise OutputError(f"{what} {short(path)}: the folder {short(parent)} does not exist")
    check_dir(parent, f"folder of the {what}")
    return path


def kept(out: Path) -> str:
    """What is in an output folder, for an error line: 'summary.json, track.jsonl (120 frames), ...'."""
    names = []
    with contextlib.suppress(OSError):
        for entry in sorted(Path(out).iterdir()):
            if entry.suffix == ".part" or entry.name.startswith("."):
                continue
            if entry.name == "track.jsonl":
                with contextlib.suppress(OSError):
                    names.append(f"track.jsonl ({max(0, entry.read_text(errors='replace').count(chr(10)) - 1)} frames)")
                    continue
            names.append(entry.name)
    return ", ".join(names) or "nothing"


def failure(exc: OSError, out: Path) -> OutputError:
    """One line for a write that failed mid-run (a full disk): the cause, and what was kept where."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = "the disk is full"
    where = f" {Path(exc.filename).name}" if exc.filename else ""
    line = f"writing{where} failed ({short(reason, 60)}); kept in {short(out, 120)}: {kept(out)}"
    if (Path(out) / "summary.json").is_file():
        line += f"; record it with: formcheck report {short(out, 120)} --record"
    return OutputError(line)


class SpaceReserve:
    """Disk space held back for the summary while a run writes its outputs.

    A run that fills the disk (the track, the video) would have no room left to
    say how it ended. The reserve, a file in the output folder, is freed before
    the summary is written, so the summary fits where the disk is full. Where
    even the reserve does not fit, the run goes on without it.
    """

    NAME = ".formcheck-reserve"
    SIZE = 256 * 1024  # a summary is 4-50 KB (a long session's events)

    def __init__(self, folder: Path):
        self.path: Path | None = Path(folder) / self.NAME
        try:
            with open(self.path, "wb") as f:
                os.posix_fallocate(f.fileno(), 0, self.SIZE)
        except OSError:
            self.release()

    def release(self) -> None:
        """Free the space (again: a no-op)."""
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
            self.path = None
