"""The history database: where it lives, opening it, and its versioned schema.

SQLite in WAL mode. The schema version is ``PRAGMA user_version``; opening a
database applies every migration above its version, each in its own
transaction, so a database from an older formcheck is brought up to date and
a process killed mid-migration leaves the previous version intact. The
schema is documented in docs/history.md.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from formcheck.errors import FormcheckError

ENV = "FORMCHECK_DB"
FILE_NAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 30_000

# Each entry moves the schema from version i to i + 1. Never edit a released entry: append a new one.
MIGRATIONS: tuple[str, ...] = (
    # 1: sessions, the exercises done in them, their reps/holds and faults
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        started TEXT,
        day TEXT NOT NULL,
        mode TEXT,
        ended TEXT,
        source TEXT,
        duration_s REAL,
        out_dir TEXT,
        recorded_at TEXT NOT NULL,
        summary_json TEXT NOT NULL
    );
    CREATE INDEX sessions_day ON sessions(day);
    CREATE TABLE exercises (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        exercise TEXT NOT NULL,
        title TEXT,
        kind TEXT,
        reps INTEGER NOT NULL,
        good_reps INTEGER NOT NULL,
        reps_with_faults INTEGER NOT NULL,
        active_s REAL,
        good_form_s REAL,
        target_reps INTEGER,
        target_hold_s REAL
    );
    CREATE INDEX exercises_session ON exercises(session_id);
    CREATE TABLE records (
        id INTEGER PRIMARY KEY,
        exercise_id INTEGER NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        side TEXT,
        start_s REAL,
        end_s REAL,
        good INTEGER NOT NULL,
        faults TEXT NOT NULL,
        peak REAL,
        hold_s REAL,
        target_hold_s REAL
    );
    CREATE INDEX records_exercise ON records(exercise_id);
    CREATE TABLE faults (
        id INTEGER PRIMARY KEY,
        exercise_id INTEGER NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
        fault TEXT NOT NULL,
        cue TEXT,
        start_s REAL,
        end_s REAL,
        rep INTEGER,
        side TEXT
    );
    CREATE INDEX faults_exercise ON faults(exercise_id);
    """,
    # 2: symptom check-ins (pain 0-10, tingling/numbness yes/no, before and after), per session or per day
    """
    CREATE TABLE checkins (
        id INTEGER PRIMARY KEY,
        session_id INTEGER UNIQUE REFERENCES sessions(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        pain_before INTEGER CHECK (pain_before BETWEEN 0 AND 10),
        pain_after INTEGER CHECK (pain_after BETWEEN 0 AND 10),
        tingling_before INTEGER CHECK (tingling_before IN (0, 1)),
        tingling_after INTEGER CHECK (tingling_after IN (0, 1)),
        note TEXT
    );
    CREATE INDEX checkins_day ON checkins(day);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def default_path() -> Path:
    """``$FORMCHECK_DB`` if set, else ``history.sqlite3`` in the platform's user data folder."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("formcheck", appauthor=False)) / FILE_NAME


class HistoryDamaged(FormcheckError):
    """The history database file is damaged (SQLite's own integrity check fails)."""

    exit_code = 8


def damaged_message(path: Path, detail: str) -> str:
    from formcheck.outpaths import short

    return (
        f"the history database {short(path, 120)} is damaged ({' '.join(str(detail).split())[:60]}): "
        f"rename it (e.g. to {short(Path(path).name, 40)}.damaged) and formcheck starts a new one; "
        "sqlite3's .recover can save what is still readable"
    )


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def _writable(path: Path) -> bool:
    """Whether the database (and its folder, for the WAL files) can be written here."""
    if path.exists():
        return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    return True  # created below, or the folder says why not


def connect(path: Path | str | None = None, *, upto: int | None = None, readonly: bool = False) -> sqlite3.Connection:
    """Open (creating if needed), check and migrate the database; ``upto`` stops at an older version (tests).

    ``readonly``: for reading only. A database in a place that cannot be
    written (a read-only folder or file) is then opened read-only, as it is.
    Damage (``PRAGMA quick_check``) raises :class:`HistoryDamaged`.
    """
    path = Path(path) if path is not None else default_path()
    if readonly and path.exists() and not _writable(path):
        return _connect_readonly(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FormcheckError(f"cannot create the history folder {path.parent}: {exc.strerror or exc}") from None
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return _open(path, upto)
        except sqlite3.OperationalError as exc:
            # a brand-new database opened by several processes at once: switching it to WAL
            # (or its first migration) may report "locked" without waiting on the busy timeout
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise FormcheckError(f"cannot open the history database {path}: {exc}") from None
            time.sleep(0.05)
        except sqlite3.DatabaseError as exc:
            if _is_damage(exc):
                raise HistoryDamaged(damaged_message(path, exc)) from None
            raise FormcheckError(f"cannot open the history database {path}: {exc}") from None


def _open(path: Path, upto: int | None) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        check(conn, path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, SCHEMA_VERSION if upto is None else upto)
    except BaseException:
        conn.close()
        raise
    return conn


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Read a database where nothing can be written: read-only; without locks if no WAL files can be made."""
    uri = path.resolve().as_uri()
    for query in ("mode=ro", "mode=ro&immutable=1"):
        conn = sqlite3.connect(f"{uri}?{query}", uri=True, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            check(conn, path)
            old = version(conn) < SCHEMA_VERSION
        except sqlite3.DatabaseError as exc:
            conn.close()
            if _is_damage(exc):
                raise HistoryDamaged(damaged_message(path, exc)) from None
            continue
        except BaseException:
            conn.close()
            raise
        if old:
            conn.close()
            raise FormcheckError(f"the history database {path} is read-only and from an older formcheck")
        return conn
    raise FormcheckError(f"cannot read the history database {path}")


def check(conn: sqlite3.Connection, path: Path) -> None:
    """SQLite's own quick integrity check; raises :class:`HistoryDamaged` with what to do."""
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        if _is_damage(exc):
            raise HistoryDamaged(damaged_message(path, exc)) from None
        raise
    if rows != ["ok"]:
        raise HistoryDamaged(damaged_message(path, rows[0] if rows else "no answer"))


def version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations up to ``target``, one transaction each; returns the version reached."""
    current = version(conn)
    if current > SCHEMA_VERSION:
        raise FormcheckError(
            f"the history database is schema version {current}; this formcheck knows up to "
            f"{SCHEMA_VERSION}: update formcheck"
        )
    while current < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            now = version(conn)  # another process may have migrated while we waited for the lock
            if now == current:
                for statement in _statements(MIGRATIONS[current]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {current + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        current = version(conn)
    return current


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
