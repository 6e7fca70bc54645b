"""The per-session report: ``report.html`` (self-contained) and ``frames.csv`` from a run's output folder.

``make_report(out_dir)`` is a pure function of the folder: ``summary.json``,
``track.jsonl`` (re-run through the exercise's rules for the per-frame
angles), the symptom check-in in the summary, if any, and the video for stills.
"""

from formcheck.report.session import make_report, read_checkin, read_summary

__all__ = ["make_report", "read_checkin", "read_summary"]
