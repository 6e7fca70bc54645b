"""The faults of a set, as filed: per-frame flags debounced, faults judged whole, faults an exercise opens itself.

Every fault becomes a :class:`FaultRecord` with its start and end, attached
to the reps or holds it overlapped, and is announced (a ``fault_start`` /
``fault_end`` event) and cued once as it is confirmed.
"""

from __future__ import annotations

from collections.abc import Callable

from formcheck.exercises.mechanics import FaultDebouncer
from formcheck.exercises.records import FaultRecord, RepRecord, attach
from formcheck.feedback import Event

Say = Callable[[float, str, list[Event]], None]  # the exercise's cue: time, text, the frame's events


class FaultLog:
    def __init__(self, info, debounce_ms: float, say: Say):
        self.info = info  # the exercise's ExerciseInfo: its declared faults
        self.records: list[FaultRecord] = []
        self._say = say
        self._debouncer = FaultDebouncer(debounce_ms)
        self._open: dict[str, FaultRecord] = {}  # debounced faults in progress
        self._opened: dict[str, FaultRecord] = {}  # faults the exercise opened itself (open), in progress
        self._setup = {f.id for f in info.faults if f.setup}

    @property
    def active(self) -> list[str]:
        """The debounced faults present now."""
        return list(self._debouncer.active)

    def step(
        self, t: float, flags: dict[str, bool | None], side: str | None, armed: bool, reps: list[RepRecord], events
    ) -> None:
        """Debounce one frame's fault flags; until counting is armed only start-position rules apply."""
        if not armed:
            flags = {k: v for k, v in flags.items() if k in self._setup}
        for change in self._debouncer.update(t, flags):
            info = self.info.fault(change.fault_id)
            if change.started:
                rec = FaultRecord(info.id, info.cue, change.t_ms, side=side)
                self._open[info.id] = rec
                self.records.append(rec)
                for record in reps:  # confirmed after a rep closed, but seen first inside it
                    attach(rec, record)
                events.append(Event(t, "fault_start", info.cue, side, {"fault": info.id}))
                self._say(t, info.cue, events)
            else:
                rec = self._open.pop(info.id)
                rec.end_ms = change.t_ms
                events.append(Event(t, "fault_end", info.cue, rec.side, {"fault": info.id}))

    def report(
        self,
        fault_id: str,
        start_ms: float,
        end_ms: float,
        side: str | None,
        reps: list[RepRecord],
        events: list[Event],
    ) -> None:
        """File a fault seen whole once it is over, too brief to debounce (a jump, judged on landing), and cue it.
        It is attached to the reps already filed that it overlapped; one still open gets it when it closes."""
        info = self.info.fault(fault_id)
        rec = FaultRecord(info.id, info.cue, start_ms, end_ms, side=side)
        self.records.append(rec)
        for record in reps:
            attach(rec, record)
        events.append(Event(start_ms, "fault_start", info.cue, side, {"fault": info.id}))
        events.append(Event(end_ms, "fault_end", info.cue, side, {"fault": info.id}))
        self._say(end_ms, info.cue, events)

    def judged(self, fault_id: str, record: RepRecord, events: list[Event]) -> None:
        """File a fault of a whole rep or hold, judged once it is over, and cue it."""
        info = self.info.fault(fault_id)
        self.records.append(FaultRecord(info.id, info.cue, record.start_ms, record.end_ms, record.index, record.side))
        record.faults.append(fault_id)
        self._say(record.end_ms, info.cue, events)

    def open(self, fault_id: str, start_ms: float, t: float, events: list[Event]) -> None:
        """File a fault judged past the debouncer that began at ``start_ms`` and is still going, and cue it at
        ``t``; one still open at :meth:`finish` never ended and is withdrawn."""
        info = self.info.fault(fault_id)
        self._opened[info.id] = record = FaultRecord(info.id, info.cue, start_ms)
        self.records.append(record)
        events.append(Event(t, "fault_start", info.cue, data={"fault": info.id}))
        self._say(t, info.cue, events)

    def close(self, fault_id: str, end_ms: float, t: float, events: list[Event]) -> None:
        """End a fault filed with :meth:`open` (nothing when it is not open)."""
        record = self._opened.pop(fault_id, None)
        if record is not None:
            record.end_ms = end_ms
            events.append(Event(t, "fault_end", record.cue, data={"fault": fault_id}))

    def attach_to(self, record: RepRecord) -> None:
        """Note on a rep or hold the faults that overlapped it."""
        for fault in self.records:
            attach(fault, record)

    def close_all(self, t: float) -> None:
        """End the debounced faults in progress (the view was lost, or the set is over)."""
        for change in self._debouncer.close_all(t):
            rec = self._open.pop(change.fault_id, None)
            if rec is not None:
                rec.end_ms = change.t_ms

    def withdraw_opened(self) -> None:
        """The set is over: a fault opened and never closed never ended (a pause that was the end of the set)."""
        for record in self._opened.values():
            self.records.remove(record)
        self._opened.clear()
