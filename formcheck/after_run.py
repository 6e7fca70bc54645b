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
    """Write the check-in and the report into ``out`` and record the session, as the flags say."""
    checkin = summary.get("checkin") or checkin_from(args)
    if checkin and not summary.get("checkin"):  # analyze: the flags go into the summary, as live's do
        from formcheck import summary as summary_mod

        summary["checkin"] = checkin
        _step("check-in", lambda: summary_mod.write(summary, Path(out) / "summary.json"))
    if not getattr(args, "no_report", False):
        from formcheck.report import make_report

        path = _step("report", lambda: make_report(out, with_stills=not getattr(args, "no_stills", False)))
        if path and not quiet:
            print(f"  report: {path}")
    if not getattr(args, "no_history", False):
        from formcheck import history

        session_id = _step("history", lambda: history.record_session(summary, checkin, db=args.db, out_dir=out))
        if session_id and not quiet:
            print(f"  recorded as session {session_id} in the history ('formcheck history')")


def _step(what: str, action):
    try:
        return action()
    except (FormcheckError, OSError, ValueError) as exc:
        print(f"formcheck: warning: {what} not written: {exc}", file=sys.stderr)
        return None
