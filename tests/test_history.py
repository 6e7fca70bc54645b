"""The history database: round trips, migrations, delete/export, the program view, and surviving kills and races."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from formcheck import history
from formcheck.errors import FormcheckError
from formcheck.history import db as db_mod


def summary(day: str, *exercises: tuple[str, int, int], hour: int = 10, holds=()) -> dict:
    """A session summary as formcheck writes it: (exercise id, reps, good) per exercise."""
    entries = []
    for ex_id, reps, good in exercises:
        records = [
            {
                "index": i,
                "side": "left" if i % 2 else "right",
                "start_s": 2.0 * i,
                "end_s": 2.0 * i + 1.5,
                "good": i < good,
                "faults": [] if i < good else ["knee_bent"],
                "peak": 30.0 + i,
                "hold_s": holds[i] if i < len(holds) else None,
                "target_hold_s": 30.0 if holds else None,
                "target_reached": None,
            }
            for i in range(reps)
        ]
        entries.append(
            {
                "exercise": ex_id,
                "title": ex_id.replace("_", " "),
                "kind": "holds" if holds else "reps",
                "targets": {"reps": 10, "hold_s": 30.0 if holds else None},
                "reps": reps,
                "good_reps": good,
                "reps_with_faults": reps - good,
                "per_side": {},
                "records": records,
                "faults": [
                    {
                        "id": "knee_bent",
                        "cue": "Keep your knee straight",
                        "start_s": 2.0 * i,
                        "end_s": 2.0 * i + 1,
                        "rep": i,
                        "side": "left",
                    }
                    for i in range(good, reps)
                ],
                "active_s": 20.0,
                "good_form_s": 15.0,
                "cannot_check": [],
            }
        )
    return {
        "format": "formcheck.session_summary",
        "version": 1,
        "started": f"{day}T{hour:02d}:00:00+00:00",
        "created": f"{day}T{hour:02d}:05:00+00:00",
        "mode": "analyze",
        "ended": "completed",
        "source": {"kind": "file", "name": f"{day}-{hour}.mp4"},
        "pose": {"duration_s": 300.0},
        "exercises": entries,
        "outputs": {},
    }


@pytest.fixture
def db(tmp_path):
    return tmp_path / "history.sqlite3"


def test_round_trip_and_re_recording_replaces(db):
    s = summary("2026-11-20", ("lumbar_extension", 10, 8), ("nerve_floss", 20, 20))
    sid = history.record_session(
        s, {"pain_before": 4, "pain_after": 3, "tingling_before": True, "tingling_after": False}, db=db
    )
    assert history.record_session(s, db=db) == sid  # the same run again: no copy, check-in kept
    [got] = history.list_sessions(db=db)
    assert got["id"] == sid and got["day"] == "2026-11-20" and got["duration_s"] == 300.0
    assert [(e["exercise"], e["reps"], e["good_reps"], e["reps_with_faults"]) for e in got["exercises"]] == [
        ("lumbar_extension", 10, 8, 2),
        ("nerve_floss", 20, 20, 0),
    ]
    assert got["exercises"][0]["faults"] == [{"fault": "knee_bent", "cue": "Keep your knee straight", "n": 2}]
    c = got["checkin"]
    assert (c["pain_before"], c["pain_after"], c["tingling_before"], c["tingling_after"]) == (4, 3, 1, 0)
    with db_mod.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 30
    assert history.list_sessions(db=db, exercise="nerve_glide") == []


def test_bad_checkin_values_are_refused(db):
    with pytest.raises(FormcheckError, match="0-10"):
        history.record_session(summary("2026-11-20", ("nerve_glide", 3, 3)), {"pain_before": 11}, db=db)
    assert history.list_sessions(db=db) == []  # nothing half-written


def test_migrates_a_version_1_database(db):
    conn = db_mod.connect(db, upto=1)
    assert db_mod.version(conn) == 1
    sid = history.record_session(summary("2026-11-19", ("lumbar_extension", 6, 6)), db=conn)
    assert "checkins" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    conn = db_mod.connect(db)  # a newer formcheck opens it
    assert db_mod.version(conn) == history.SCHEMA_VERSION == 2
    conn.close()
    history.record_checkin({"pain_before": 5, "pain_after": 4}, db=db, session_id=sid)
    [got] = history.list_sessions(db=db)
    assert got["exercises"][0]["reps"] == 6 and got["checkin"]["pain_after"] == 4
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_database_from_a_newer_formcheck_is_refused(db):
    db_mod.connect(db).close()
    with sqlite3.connect(db) as raw:
        raw.execute("PRAGMA user_version = 99")
    with pytest.raises(FormcheckError, match="update formcheck"):
        db_mod.connect(db)


def test_delete_and_export(db, tmp_path):
    a = history.record_session(summary("2026-11-20", ("lumbar_extension", 10, 9)), {"pain_before": 3}, db=db)
    history.record_session(summary("2026-11-21", ("lumbar_extension", 10, 10), ("nerve_floss", 12, 12)), db=db)
    out = tmp_path / "export.csv"
    assert history.export_csv(out, db=db) == 3
    rows = list(csv.DictReader(out.open()))
    assert [(r["day"], r["exercise"], r["reps"], r["pain_before"]) for r in rows] == [
        ("2026-11-20", "lumbar_extension", "10", "3"),
        ("2026-11-21", "lumbar_extension", "10", ""),
        ("2026-11-21", "nerve_floss", "12", ""),
    ]
    assert history.delete_session(a, db=db) and not history.delete_session(a, db=db)
    assert [s["day"] for s in history.list_sessions(db=db)] == ["2026-11-21"]
    with db_mod.connect(db) as conn:  # the deleted session's exercises, records and check-in went with it
        assert conn.execute("SELECT COUNT(*) FROM exercises").fetchone()[0] == 2
        assert conn.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 0
    assert history.delete_all(db=db) == 1 and history.list_sessions(db=db) == []


def program(db):
    return history.program_view(history.list_sessions(db=db), history.list_checkins(db=db))


def test_program_flags_a_pain_rise_after_a_new_exercise(db):
    history.record_session(
        summary("2026-11-16", ("lumbar_extension", 10, 10)), {"pain_before": 4, "pain_after": 3}, db=db
    )
    view = program(db)
    assert view.program_day == 1 and view.next_to_add == "nerve_floss" and not view.flagged
    assert "add nerve_floss" in view.advice
    history.record_session(
        summary("2026-11-17", ("lumbar_extension", 10, 10), ("nerve_floss", 20, 18)),
        {"pain_before": 3, "pain_after": 3},
        db=db,
    )
    assert not program(db).flagged and program(db).next_to_add == "nerve_glide"
    # day 3: nerve glide added, and pain goes up 3 -> 6 with tingling after
    history.record_session(
        summary("2026-11-18", ("lumbar_extension", 10, 10), ("nerve_floss", 20, 20), ("nerve_glide", 20, 15)), db=db
    )
    history.record_checkin({"pain_before": 3}, db=db, day="2026-11-18")
    history.record_checkin({"pain_after": 6, "tingling_after": True}, db=db, day="2026-11-18")
    view = program(db)
    assert view.program_day == 3 and view.next_to_add == "nerve_tension"
    [flagged] = view.flagged
    assert flagged.day == "2026-11-18" and flagged.added == ["nerve_glide"]
    assert any("pain rose from 3 to 6" in f for f in flagged.flags)
    assert any("tingling" in f for f in flagged.flags)
    assert any("up from 3 the day before" in f for f in flagged.flags)
    assert "do not add the next exercise" in view.advice and "nerve_glide" in view.advice
    # a day without a new exercise is never flagged, whatever the pain did
    history.record_session(
        summary("2026-11-19", ("lumbar_extension", 10, 10)), {"pain_before": 2, "pain_after": 7}, db=db
    )
    assert [d.day for d in program(db).flagged] == ["2026-11-18"]


def test_program_not_started_and_complete(db):
    assert program(db).program_day == 0 and "day 1 is lumbar_extension" in program(db).advice
    for i in range(len(history.PROGRAM)):
        history.record_session(summary(f"2026-11-0{i + 1}", *[(e, 5, 5) for e in history.PROGRAM[: i + 1]]), db=db)
    view = program(db)
    assert view.program_day == 5 and view.next_to_add is None and "All five" in view.advice


WRITER = textwrap.dedent("""
    import json, sys
    from formcheck import history
    db, tag, count, records = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for i in range(count):
        recs = [{"index": j, "side": "left", "start_s": j, "end_s": j + 1, "good": True, "faults": [], "peak": 1.0,
                 "hold_s": None, "target_hold_s": None} for j in range(records)]
        faults = [{"id": "f", "cue": "c", "start_s": j, "end_s": j, "rep": j, "side": None} for j in range(records)]
        s = {"format": "formcheck.session_summary", "started": f"2026-11-20T10:00:{i % 60:02d}+00:00",
             "mode": "analyze", "ended": "completed", "source": {"name": f"{tag}-{i}"}, "pose": {"duration_s": 1.0},
             "exercises": [{"exercise": "nerve_floss", "title": "t", "kind": "reps", "targets": {}, "reps": records,
                            "good_reps": records, "reps_with_faults": 0, "records": recs, "faults": faults}]}
        history.record_session(s, {"pain_before": 1, "pain_after": 2}, db=db)
        print(i, flush=True)
""")


def writer(db, tag: str, count: int, records: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), tag, str(count), str(records)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_consistent(db, records: int) -> int:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        sessions = conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        # every session is whole: its exercise, all its records and faults, and its check-in
        assert conn.execute("SELECT COUNT(*) FROM exercises").fetchone()[0] == sessions
        assert conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == sessions * records
        assert conn.execute("SELECT COUNT(*) FROM faults").fetchone()[0] == sessions * records
        assert conn.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == sessions
    return sessions


def test_two_processes_writing_at_once(db):
    db_mod.connect(db).close()
    procs = [writer(db, "a", 25, 50), writer(db, "b", 25, 50)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert assert_consistent(db, 50) == 50


def test_a_process_killed_mid_write_leaves_the_database_consistent(db):
    db_mod.connect(db).close()
    proc = writer(db, "k", 10_000, 400)  # large transactions, so the kill lands inside one
    done = 0
    deadline = time.monotonic() + 60
    while done < 5 and time.monotonic() < deadline:
        if proc.stdout.readline():
            done += 1
    time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    kept = assert_consistent(db, 400)
    assert kept >= done  # everything committed before the kill is still there
    history.record_session(summary("2026-11-21", ("nerve_glide", 3, 3)), db=db)  # and it is still writable
    assert len(history.list_sessions(db=db)) == kept + 1


def test_history_cli(db, tmp_path):
    history.record_session(
        summary("2026-11-16", ("lumbar_extension", 10, 10)), {"pain_before": 4, "pain_after": 3}, db=db
    )
    sid = history.record_session(summary("2026-11-17", ("lumbar_extension", 10, 9), ("nerve_floss", 20, 18)), db=db)

    def run(*args):
        result = subprocess.run(
            [sys.executable, "-m", "formcheck", *map(str, args)], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    listing = run("history", "--db", db)
    assert "lumbar_extension 10 (10 good)  pain 4->3" in listing and "nerve_floss 20 (18 good)" in listing
    assert "add nerve_glide" in listing
    run("checkin", "--db", db, "--session", sid, "--pain-before", 3, "--pain-after", 7, "--tingling-after")
    assert "rose from 3 to 7" in run("history", "--db", db) or "Symptoms rose" in run("history", "--db", db)
    page = tmp_path / "progress.html"
    run("progress", "--db", db, "-o", page)
    html = page.read_text()
    assert "nerve_floss" in html and "Pain before and after" in html and html.count("<svg") >= 5
    assert "Symptoms rose on 2026-11-17" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    )
    run("history", "--db", db, "--export", tmp_path / "all.csv")
    assert len(list(csv.DictReader((tmp_path / "all.csv").open()))) == 3
    run("history", "--db", db, "--delete", sid)
    assert "nerve_floss 20" not in run("history", "--db", db)
    run("history", "--db", db, "--delete-all")
    assert "no sessions recorded yet" in run("history", "--db", db)
