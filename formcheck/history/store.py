"""Writing and reading sessions and symptom check-ins; each write is one transaction.

A session is keyed by ``uid`` (when it started, its source and mode, and the
output folder), so recording the same run again (``formcheck report --record``,
a re-made report) replaces it instead of adding a copy.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.history import db as db_mod

CHECKIN_FIELDS = ("pain_before", "pain_after", "tingling_before", "tingling_after", "note")


@contextmanager
def opened(
    db: Path | str | sqlite3.Connection | None = None, *, readonly: bool = False
) -> Iterator[sqlite3.Connection]:
    """A connection: the one given, or a new one to ``db`` (closed afterwards).

    SQLite's errors come out as one-line FormcheckErrors (damage with what to do about it).
    """
    if isinstance(db, sqlite3.Connection):
        yield db
        return
    path = Path(db) if db is not None else db_mod.default_path()
    conn = db_mod.connect(path, readonly=readonly)
    try:
        yield conn
    except sqlite3.DatabaseError as exc:
        if db_mod._is_damage(exc):
            raise db_mod.HistoryDamaged(db_mod.damaged_message(path, exc)) from None
        raise FormcheckError(f"the history database {path}: {exc}") from None
    finally:
        conn.close()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def local_day(iso_time: str | None) -> str:
    """The local calendar day (YYYY-MM-DD) of an ISO time; today when missing."""
    if not iso_time:
        return date.today().isoformat()
    moment = datetime.fromisoformat(iso_time)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().date().isoformat()


def session_uid(summary: dict, out_dir: str | None) -> str:
    source = (summary.get("source") or {}).get("name")
    return "|".join(
        str(x) for x in (summary.get("started") or summary.get("created"), summary.get("mode"), source, out_dir or "")
    )


def check_checkin(checkin: dict) -> dict:
    """Validate a check-in: pain 0-10, tingling yes/no (bool or 0/1); returns it normalised (other keys dropped)."""
    out = {k: checkin.get(k) for k in CHECKIN_FIELDS}
    for key in ("pain_before", "pain_after"):
        if out[key] is not None:
            if not (isinstance(out[key], (int, float)) and 0 <= out[key] <= 10 and float(out[key]).is_integer()):
                raise FormcheckError(f"{key.replace('_', ' ')} must be a whole number 0-10, got {out[key]!r}")
            out[key] = int(out[key])
    for key in ("tingling_before", "tingling_after"):
        if out[key] is not None:
            if out[key] not in (0, 1, True, False):
                raise FormcheckError(f"{key.replace('_', ' ')} must be yes or no, got {out[key]!r}")
            out[key] = int(bool(out[key]))
    return out


def _check_stored_values(summary: dict) -> None:
    """Refuse a summary whose values would be stored wrongly (and break readers later): one line naming the field."""
    import math

    def bad(field: str, value) -> FormcheckError:
        return FormcheckError(f"the session summary is not valid, not recorded: {field} is {str(repr(value))[:40]}")

    def number(field: str, value, whole: bool = False) -> None:
        ok = value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value))
        if not ok or (whole and value is not None and not float(value).is_integer()):
            raise bad(field, value)

    for key in ("started", "created"):
        value = summary.get(key)
        if value is not None:
            try:
                datetime.fromisoformat(str(value))
            except ValueError:
                raise bad(key, value) from None
    for key in ("mode", "ended"):
        if summary.get(key) is not None and not isinstance(summary[key], str):
            raise bad(key, summary[key])
    if not isinstance(summary.get("source") or {}, dict) or not isinstance(summary.get("pose") or {}, dict):
        raise bad("source or pose", "not an object")
    number("pose.duration_s", (summary.get("pose") or {}).get("duration_s"))
    exercises = summary.get("exercises") or []
    if not isinstance(exercises, list):
        raise bad("exercises", exercises)
    for i, ex in enumerate(exercises):
        if not isinstance(ex, dict) or not isinstance(ex.get("exercise"), str):
            raise bad(f"exercises[{i}].exercise", ex.get("exercise") if isinstance(ex, dict) else ex)
        for key in ("reps", "good_reps", "reps_with_faults"):
            number(f"exercises[{i}].{key}", ex.get(key), whole=True)
        for key in ("active_s", "good_form_s"):
            number(f"exercises[{i}].{key}", ex.get(key))
        for j, r in enumerate(ex.get("records") or []):
            number(f"exercises[{i}].records[{j}].index", r.get("index"), whole=True)
            for key in ("start_s", "end_s", "peak", "hold_s", "target_hold_s"):
                number(f"exercises[{i}].records[{j}].{key}", r.get(key))


def record_session(summary: dict, checkin: dict | None = None, *, db=None, out_dir: str | Path | None = None) -> int:
    """Store one run's summary (and its symptom check-in); returns the session's id.

    ``checkin``: ``pain_before``/``pain_after`` (0-10), ``tingling_before``/``tingling_after`` (bool),
    ``note``; any may be missing. Recording a run again replaces it (a check-in already stored is kept
    unless a new one is given). Live checkpoints (``ended == "running"``) are stored too: the final
    summary of the same run replaces them.
    """
    if summary.get("format") != "formcheck.session_summary":
        raise FormcheckError("not a formcheck session summary")
    _check_stored_values(summary)
    checked = check_checkin(checkin) if checkin else None
    out = str(Path(out_dir).resolve()) if out_dir else None
    uid = session_uid(summary, out)
    day = local_day(summary.get("started") or summary.get("created"))
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with opened(db) as conn, transaction(conn):
        row = conn.execute("SELECT id FROM sessions WHERE uid = ?", (uid,)).fetchone()
        values = (
            summary.get("started"),
            day,
            summary.get("mode"),
            summary.get("ended"),
            (summary.get("source") or {}).get("name"),
            (summary.get("pose") or {}).get("duration_s"),
            out,
            now,
            json.dumps(summary),
        )
        if row:
            session_id = row["id"]
            conn.execute(
                "UPDATE sessions SET started=?, day=?, mode=?, ended=?, source=?, duration_s=?, out_dir=?, "
                "recorded_at=?, summary_json=? WHERE id=?",
                (*values, session_id),
            )
            conn.execute("DELETE FROM exercises WHERE session_id = ?", (session_id,))
        else:
            session_id = conn.execute(
                "INSERT INTO sessions (uid, started, day, mode, ended, source, duration_s, out_dir, recorded_at, "
                "summary_json) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (uid, *values),
            ).lastrowid
        for position, ex in enumerate(summary.get("exercises") or []):
            _insert_exercise(conn, session_id, position, ex)
        if checked:
            _upsert_checkin(conn, checked, day, now, session_id)
    return session_id


def _insert_exercise(conn: sqlite3.Connection, session_id: int, position: int, ex: dict) -> None:
    targets = ex.get("targets") or {}
    exercise_id = conn.execute(
        "INSERT INTO exercises (session_id, position, exercise, title, kind, reps, good_reps, reps_with_faults, "
        "active_s, good_form_s, target_reps, target_hold_s) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            session_id,
            position,
            ex["exercise"],
            ex.get("title"),
            ex.get("kind"),
            ex.get("reps", 0),
            ex.get("good_reps", 0),
            ex.get("reps_with_faults", 0),
            ex.get("active_s"),
            ex.get("good_form_s"),
            targets.get("reps"),
            targets.get("hold_s"),
        ),
    ).lastrowid
    conn.executemany(
        "INSERT INTO records (exercise_id, idx, side, start_s, end_s, good, faults, peak, hold_s, target_hold_s) "
        "VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (
                exercise_id,
                r["index"],
                r.get("side"),
                r.get("start_s"),
                r.get("end_s"),
                int(bool(r.get("good"))),
                json.dumps(r.get("faults") or []),
                r.get("peak"),
                r.get("hold_s"),
                r.get("target_hold_s"),
            )
            for r in ex.get("records") or []
        ],
    )
    conn.executemany(
        "INSERT INTO faults (exercise_id, fault, cue, start_s, end_s, rep, side) VALUES (?,?,?,?,?,?,?)",
        [
            (exercise_id, f["id"], f.get("cue"), f.get("start_s"), f.get("end_s"), f.get("rep"), f.get("side"))
            for f in ex.get("faults") or []
        ],
    )


def _upsert_checkin(conn, checked: dict, day: str, now: str, session_id: int | None) -> int:
    values = tuple(checked[k] for k in CHECKIN_FIELDS)
    if session_id is not None:
        row = conn.execute("SELECT id FROM checkins WHERE session_id = ?", (session_id,)).fetchone()
        if row:
            conn.execute(
                "UPDATE checkins SET day=?, recorded_at=?, pain_before=?, pain_after=?, tingling_before=?, "
                "tingling_after=?, note=? WHERE id=?",
                (day, now, *values, row["id"]),
            )
            return row["id"]
    return conn.execute(
        "INSERT INTO checkins (session_id, day, recorded_at, pain_before, pain_after, tingling_before, "
        "tingling_after, note) VALUES (?,?,?,?,?,?,?,?)",
        (session_id, day, now, *values),
    ).lastrowid


def check_day(day: str | None) -> str | None:
    """A calendar day as YYYY-MM-DD (None passes); anything else is refused before it is stored."""
    if day is None:
        return None
    try:
        if len(str(day)) != 10:
            raise ValueError
        return date.fromisoformat(str(day)).isoformat()
    except ValueError:
        raise FormcheckError(f"a day must be written YYYY-MM-DD, got {str(day)[:40]!r}") from None


def record_checkin(checkin: dict, *, db=None, session_id: int | None = None, day: str | None = None) -> int:
    """Store a symptom check-in on its own (for a day) or attached to a stored session; returns its id."""
    checked = check_checkin(checkin)
    day = check_day(day or checkin.get("day"))
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with opened(db) as conn, transaction(conn):
        if session_id is not None:
            row = conn.execute("SELECT day FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise FormcheckError(f"no session {session_id} in the history")
            day = row["day"]
        return _upsert_checkin(conn, checked, day or checkin.get("day") or date.today().isoformat(), now, session_id)


def list_sessions(*, db=None, exercise: str | None = None) -> list[dict]:
    """Sessions, oldest first, each with its exercises (totals) and check-in."""
    with opened(db, readonly=True) as conn:
        rows = conn.execute(
            "SELECT id, started, day, mode, ended, source, duration_s, out_dir FROM sessions ORDER BY day, started, id"
        ).fetchall()
        sessions = []
        for row in rows:
            exercises = [
                dict(e)
                for e in conn.execute(
                    "SELECT id, exercise, title, kind, reps, good_reps, reps_with_faults, active_s, good_form_s, "
                    "target_reps, target_hold_s FROM exercises WHERE session_id = ? ORDER BY position",
                    (row["id"],),
                )
            ]
            for e in exercises:
                holds = [
                    r[0]
                    for r in conn.execute(
                        "SELECT hold_s FROM records WHERE exercise_id = ? AND hold_s IS NOT NULL ORDER BY idx",
                        (e["id"],),
                    )
                ]
                e["hold_s"] = holds
                e["faults"] = [
                    dict(f)
                    for f in conn.execute(
                        "SELECT fault, cue, COUNT(*) AS n FROM faults WHERE exercise_id = ? GROUP BY fault, cue "
                        "ORDER BY n DESC",
                        (e["id"],),
                    )
                ]
            if exercise and exercise not in {e["exercise"] for e in exercises}:
                continue
            checkin = conn.execute("SELECT * FROM checkins WHERE session_id = ?", (row["id"],)).fetchone()
            sessions.append({**dict(row), "exercises": exercises, "checkin": dict(checkin) if checkin else None})
        return sessions


def list_checkins(*, db=None) -> list[dict]:
    """Every check-in (with or without a session), oldest first."""
    with opened(db, readonly=True) as conn:
        return [dict(r) for r in conn.execute("SELECT * FROM checkins ORDER BY day, recorded_at, id")]


def delete_session(session_id: int, *, db=None) -> bool:
    """Delete one session with everything recorded under it; False when there was none."""
    with opened(db) as conn, transaction(conn):
        return conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0


def delete_all(*, db=None) -> int:
    """Delete every session and check-in; returns how many sessions there were."""
    with opened(db) as conn, transaction(conn):
        count = conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        conn.execute("DELETE FROM checkins")
        conn.execute("DELETE FROM sessions")
    return count


EXPORT_COLUMNS = (
    "session_id",
    "day",
    "started",
    "mode",
    "ended",
    "source",
    "duration_s",
    "exercise",
    "kind",
    "reps",
    "good_reps",
    "reps_with_faults",
    "hold_s",
    "active_s",
    "good_form_s",
    "faults",
    "pain_before",
    "pain_after",
    "tingling_before",
    "tingling_after",
)


def export_csv(path: Path | str, *, db=None) -> int:
    """One row per exercise done in a session (a session without any: one row); returns the rows written."""
    rows = []
    for s in list_sessions(db=db):
        c = s["checkin"] or {}
        base = {
            "session_id": s["id"],
            **{k: s[k] for k in ("day", "started", "mode", "ended", "source", "duration_s")},
            **{k: c.get(k) for k in ("pain_before", "pain_after", "tingling_before", "tingling_after")},
        }
        for e in s["exercises"] or [{}]:
            rows.append(
                {
                    **base,
                    **{
                        k: e.get(k)
                        for k in (
                            "exercise",
                            "kind",
                            "reps",
                            "good_reps",
                            "reps_with_faults",
                            "active_s",
                            "good_form_s",
                        )
                    },
                    "hold_s": " ".join(f"{h:g}" for h in e.get("hold_s", [])),
                    "faults": " ".join(f"{f['fault']}x{f['n']}" for f in e.get("faults", [])),
                }
            )
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
