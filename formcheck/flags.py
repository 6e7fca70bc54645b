"""Command-line flags shared by several commands (analyze, live, session, checkin, history, report).

Kept apart from what the flags drive, so that registering a command imports no pipeline or history code.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_checkin_args(p: argparse.ArgumentParser) -> None:
    """Symptom flags: pain 0-10 and tingling/numbness, before and after."""
    g = p.add_argument_group("symptom check-in")
    for when in ("before", "after"):
        g.add_argument(f"--pain-{when}", type=int, choices=range(11), metavar="0-10", help=f"pain {when}")
        g.add_argument(
            f"--tingling-{when}",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"tingling or numbness {when}",
        )


def add_rate_arg(p: argparse.ArgumentParser) -> None:
    """``--fps N|source``: the most frames a second a video file is analysed at (analyze, batch)."""
    p.add_argument(
        "--fps",
        default="30",
        metavar="N|source",
        help="analyse at most N frames a second, a faster video's other frames skipped unread; "
        "'source' for every frame (default 30)",
    )


def max_fps(value: str) -> float | None:
    """The ``--fps`` value: None for 'source', else a number of frames a second above 0 (ValueError otherwise)."""
    if value.strip().lower() == "source":
        return None
    try:
        fps = float(value)
    except ValueError:
        fps = float("nan")
    if not (fps > 0 and fps < float("inf")):
        raise ValueError(f"--fps wants a number of frames a second above 0, or 'source'; got {value[:30]!r}")
    return fps


def add_db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="history database (default: $FORMCHECK_DB, else history.sqlite3 in your user data folder)",
    )


def add_after_run_args(p: argparse.ArgumentParser) -> None:
    """Flags of analyze and live for the report, the history and the check-in."""
    g = p.add_argument_group("report and history")
    g.add_argument("--no-report", action="store_true", help="do not write report.html and frames.csv")
    g.add_argument("--no-stills", action="store_true", help="no best/worst rep stills from the video in the report")
    g.add_argument("--no-history", action="store_true", help="do not record the session in the history database")
    add_db_arg(g)


def checkin_from(args) -> dict | None:
    keys = ("pain_before", "pain_after", "tingling_before", "tingling_after")
    checkin = {k: getattr(args, k, None) for k in keys}
    return checkin if any(v is not None for v in checkin.values()) else None
