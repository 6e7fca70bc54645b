"""Session history in an embedded SQLite database (schema: docs/history.md).

The API other parts of formcheck call::

    session_id = history.record_session(summary, checkin)   # checkin: pain/tingling before/after, or None
    history.record_checkin({"pain_before": 3, "pain_after": 4}, session_id=session_id)
    history.list_sessions(); history.delete_session(id); history.delete_all(); history.export_csv(path)

Every function takes ``db=`` (a path or an open connection); by default the
database is ``$FORMCHECK_DB`` or ``history.sqlite3`` in the user data folder.
"""

from formcheck.history.db import SCHEMA_VERSION, connect, default_path
from formcheck.history.program import PROGRAM, program_view
from formcheck.history.store import (
    delete_all,
    delete_session,
    export_csv,
    list_checkins,
    list_sessions,
    record_checkin,
    record_session,
)

__all__ = [
    "PROGRAM",
    "SCHEMA_VERSION",
    "connect",
    "default_path",
    "delete_all",
    "delete_session",
    "export_csv",
    "list_checkins",
    "list_sessions",
    "program_view",
    "record_checkin",
    "record_session",
]
