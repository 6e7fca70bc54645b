"""The per-session report: ``report.html`` (self-contained) and ``frames.csv`` from a run's output folder.

``make_report(out_dir)`` is a pure function of the folder: ``summary.json``,
``track.jsonl`` (re-run through the exercise's rules for the per-frame
angles), an optional ``checkin.json`` (symptoms) and the video for stills.
"""

from formcheck.report.session import CHECKIN_FILE, make_report, read_checkin, write_checkin

__all__ = ["CHECKIN_FILE", "make_report", "read_checkin", "write_checkin"]
