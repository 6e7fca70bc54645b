"""What analyze and live do once the summary is written: the report, the check-in and the history entry.

Each step is separate and failure-tolerant: a report or history problem is
one warning line, never a lost run (the summary and track are already saved).
"""

from __future__ import annotations

import sys
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.flags import checkin_from


def after_run(args, out: Path, summary: dict, *, quiet: bool = False) -> None:
    """Write the check-in and the report into ``out`` and record the session, as the flags say.

    A stopping signal (Ctrl-C, SIGTERM, SIGHUP) during these steps is noted and
    they carry on; a second one skips what is left, and each skipped step is
    named with the command that makes it later.
    """
    from formcheck import signals

    skipped: list[str] = []
    with signals.shielded("finishing the report and history entry (again to skip them)", breakable=True):
        _after_run(args, Path(out), summary, quiet, skipped)
    if skipped:
        print(f"formcheck: warning: skipped ({', '.join(skipped)})", file=sys.stderr)


def _after_run(args, out: Path, summary: dict, quiet: bool, skipped: list[str]) -> None:
    checkin = summary.get("checkin") or checkin_from(args)
    if checkin and not summary.get("checkin"):  # analyze: the flags go into the summary, as live's do
        from formcheck import summary as summary_mod

        summary["checkin"] = checkin
        _step("check-in", lambda: summary_mod.write(summary, out / "summary.json"), skipped, "")
    if not getattr(args, "no_report", False):
        from formcheck.report import make_report

        redo = f"make it with: formcheck report {out}"
        path = _step(
            "report", lambda: make_report(out, with_stills=not getattr(args, "no_stills", False)), skipped, redo
        )
        if path and not quiet:
            print(f"  report: {path}")
    if not getattr(args, "no_history", False):
        from formcheck import history

        redo = f"record it with: formcheck report {out} --record"
        session_id = _step(
            "history", lambda: history.record_session(summary, checkin, db=args.db, out_dir=out), skipped, redo
        )
        if session_id and not quiet:
            print(f"  recorded as session {session_id} in the history ('formcheck history')")


def _step(what: str, action, skipped: list[str], redo: str):
    if skipped:  # a second stopping signal: the rest is skipped too
        skipped.append(f"{what}: {redo}" if redo else what)
        return None
    try:
        return action()
    except KeyboardInterrupt:
        skipped.append(f"{what}: {redo}" if redo else what)
        return None
    except (FormcheckError, OSError, ValueError) as exc:
        later = f"; the session is kept in the output folder: {redo}" if redo else ""
        print(f"formcheck: warning: {what} not written: {str(exc)[:400]}{later}", file=sys.stderr)
        return None
