"""Stopping signals: SIGTERM and SIGHUP end a run the way Ctrl-C does, and the saving at the end is shielded.

A service manager (SIGTERM to the group), ``docker stop`` (SIGTERM to the main
process) and a closed terminal (SIGHUP) all stop a run like Ctrl-C: the loop
ends, and the summary, report and history entry are still written. The
summary's ``ended`` says ``interrupted`` (Ctrl-C) or ``terminated`` (SIGTERM,
SIGHUP), and the exit code is 128 + the signal's number (130, 143, 129).

Once a run is stopping, further signals do not cut the saving short: they
are noted and answered with one line (three more quit at once, outside the
summary's own saving). In a ``breakable`` shield (the report and the history
entry, which can take a few seconds) a second signal within it skips what
is left, and the caller says what was skipped.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

STOPPING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Stop(KeyboardInterrupt):
    """A stopping signal arrived: Ctrl-C (SIGINT), SIGTERM or SIGHUP. A KeyboardInterrupt, so Ctrl-C code handles it."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def ended(self) -> str:
        return ended_for(self.signum)


def ended_for(signum: int | None) -> str:
    """The summary's ``ended`` for a stopping signal."""
    return "interrupted" if signum in (None, signal.SIGINT) else "terminated"


def exit_code(signum: int | None) -> int:
    """128 + the signal's number, as shells report a process stopped by it (Ctrl-C: 130)."""
    return 128 + int(signum if signum is not None else signal.SIGINT)


QUIT_AT_ONCE = 3  # further signals, outside a shield, after which a stopping run quits without saving


class _State:
    first: int | None = None  # the first stopping signal of this process
    later = 0  # stopping signals after the first
    shields: list[dict] = []


_state = _State()


def first_signal() -> int | None:
    """The first stopping signal this process received (None if none)."""
    return _state.first


def _handler(signum, frame) -> None:
    if _state.first is None:
        _state.first = signum
    else:
        _state.later += 1
    if _state.shields:
        shield = _state.shields[-1]
        shield["count"] += 1
        if shield["breakable"] and shield["count"] >= 2:
            raise Stop(signum)
        if shield["count"] == 1:
            print(f"formcheck: stopping: {shield['message']}", file=sys.stderr, flush=True)
        return
    if _state.later == 0:
        raise Stop(signum)  # the first one ends the run
    if _state.later < QUIT_AT_ONCE:  # the run is ending already: let it save what it recorded
        if _state.later == 1:
            print(
                f"formcheck: stopping: saving what was recorded first ({QUIT_AT_ONCE} more to quit at once)",
                file=sys.stderr,
                flush=True,
            )
        return
    raise Stop(signum)


def install() -> None:
    """Handle SIGINT, SIGTERM and SIGHUP as :class:`Stop` (main thread only).

    A signal that is ignored when formcheck starts (``nohup``; SIGINT in a
    background job) stays ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in STOPPING:
        current = signal.getsignal(signum)
        if current in (signal.SIG_IGN, None):
            continue
        if signum == signal.SIGINT and current is not signal.default_int_handler:
            continue  # someone else's handler
        signal.signal(signum, _handler)


@contextlib.contextmanager
def shielded(message: str, *, breakable: bool = False) -> Iterator[None]:
    """Run the block to its end even when stopping signals arrive; the first one prints ``message``.

    ``breakable``: a second signal inside the block raises :class:`Stop` (the caller says what was skipped).
    """
    shield = {"count": 0, "breakable": breakable, "message": message}
    _state.shields.append(shield)
    try:
        yield
    finally:
        _state.shields.remove(shield)


@contextlib.contextmanager
def ignored_in_children() -> Iterator[None]:
    """Start child processes with the stopping signals ignored: the parent stops them, after saving.

    A signal to the whole process group (Ctrl-C, a service manager) would
    otherwise kill a helper first, and the run would end as an error.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in STOPPING}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
