"""The ``history``, ``progress``, ``checkin`` and ``report`` commands (registered by formcheck.cli)."""

from __future__ import annotations

from pathlib import Path

from formcheck.atomic import write_text_atomic
from formcheck.errors import FormcheckError
from formcheck.flags import add_checkin_args, add_db_arg, checkin_from


def cmd_history(args) -> int:
    from formcheck import history

    if args.delete is not None:
        if not history.delete_session(args.delete, db=args.db):
            raise FormcheckError(f"no session {args.delete} in the history")
        print(f"deleted session {args.delete}")
        return 0
    if args.delete_all:
        print(f"deleted {history.delete_all(db=args.db)} session(s) and every check-in")
        return 0
    if args.export:
        from formcheck import outpaths

        outpaths.check_file(args.export, "export file")
        print(f"wrote {history.export_csv(args.export, db=args.db)} row(s) to {args.export}")
        return 0
    sessions = history.list_sessions(db=args.db, exercise=args.exercise)
    print(f"history: {args.db or history.default_path()}")
    if not sessions:
        print("  no sessions recorded yet")
    for s in sessions:
        exercises = "; ".join(f"{e['exercise']} {e['reps']} ({e['good_reps']} good)" for e in s["exercises"]) or "-"
        c = s["checkin"] or {}
        pain = (
            f"  pain {c.get('pain_before', '?')}->{c.get('pain_after', '?')}"
            if c.get("pain_before") is not None or c.get("pain_after") is not None
            else ""
        )
        print(f"{s['id']:5d}  {s['day']}  {s['mode'] or '':8s} {s['ended'] or '':11s} {exercises}{pain}")
    view = history.program_view(history.list_sessions(db=args.db), history.list_checkins(db=args.db))
    print(f"program: {view.advice}")
    return 0


def cmd_progress(args) -> int:
    from formcheck import history
    from formcheck.history import progress

    sessions = history.list_sessions(db=args.db, exercise=args.exercise)
    checkins = history.list_checkins(db=args.db)
    view = history.program_view(history.list_sessions(db=args.db), checkins)
    from formcheck import outpaths

    out = Path(args.out)
    if not out.parent.exists():
        outpaths.check_dir(out.parent, "folder of the progress page")
    outpaths.check_file(out, "progress page")
    out = write_text_atomic(out, progress.render(sessions, checkins, view, args.exercise))
    print(f"progress page: {out}")
    print(f"program: {view.advice}")
    return 0


def cmd_checkin(args) -> int:
    from formcheck import history

    checkin = checkin_from(args)
    if not checkin:
        raise FormcheckError("give at least one of --pain-before, --pain-after, --tingling-before, --tingling-after")
    checkin_id = history.record_checkin(checkin, db=args.db, session_id=args.session, day=args.day)
    print(f"recorded check-in {checkin_id}")
    return 0


def cmd_report(args) -> int:
    from formcheck.report import make_report, read_summary

    path = make_report(args.out_dir, with_stills=not args.no_stills)
    print(f"report: {path}")
    if args.record:
        from formcheck import history

        summary = read_summary(args.out_dir)
        session_id = history.record_session(summary, summary.get("checkin"), db=args.db, out_dir=args.out_dir)
        print(f"recorded as session {session_id}")
    return 0


def add_commands(sub, epilog: str) -> None:
    p = sub.add_parser(
        "history",
        help="list recorded sessions; delete or export them",
        epilog=epilog,
        description="The sessions recorded by analyze and live, oldest first, and where you are "
        "in the physiotherapist's program.",
    )
    add_db_arg(p)
    p.add_argument("--exercise", "-e", metavar="ID", help="only sessions with this exercise")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--delete", type=int, metavar="ID", help="delete one session")
    g.add_argument("--delete-all", action="store_true", help="delete every session and check-in")
    g.add_argument("--export", type=Path, metavar="CSV", help="write one row per exercise done to a CSV file")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("progress", help="an HTML page of trends over days and the program view", epilog=epilog)
    add_db_arg(p)
    p.add_argument("--exercise", "-e", metavar="ID", help="only this exercise")
    p.add_argument(
        "--out",
        "-o",
        type=Path,
        default=Path("formcheck-out/progress.html"),
        metavar="FILE",
        help="where to write the page (default formcheck-out/progress.html)",
    )
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser(
        "checkin", help="record pain and tingling/numbness, for today or a recorded session", epilog=epilog
    )
    add_db_arg(p)
    add_checkin_args(p)
    p.add_argument("--session", type=int, metavar="ID", help="attach to this session (see 'formcheck history')")
    p.add_argument("--day", metavar="YYYY-MM-DD", help="the day it is for (default today)")
    p.set_defaults(func=cmd_checkin)

    p = sub.add_parser("report", help="re-make report.html and frames.csv of an output folder", epilog=epilog)
    p.add_argument("out_dir", type=Path, metavar="OUTPUT_DIR", help="a folder written by analyze or live")
    p.add_argument("--no-stills", action="store_true", help="no best/worst stills from the video")
    p.add_argument("--record", action="store_true", help="also record (or update) the session in the history")
    add_db_arg(p)
    p.set_defaults(func=cmd_report)
