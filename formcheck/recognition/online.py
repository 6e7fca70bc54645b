"""Recognising the exercise while it is being done (``live --exercise auto``).

The recent poses' per-frame measures are kept for ``KEEP_S`` and split into
segments again every ``HOP_S`` (segments.recognise_features, the same model,
Viterbi pass and "not one of the nine" test as a recorded video gets). The
newest segment is the verdict of the moment; it is *settled* once it names an
exercise and has lasted ``CONFIRM_S`` (a couple of reps, or the start of a
hold) with a mean probability of at least ``CONFIRM_P``, or ``SURE_S`` with
any (a recording's segments need 0.5). Its start tells the caller which of
the poses it kept to judge again, so that the reps done while it was being
recognised count.

The three were chosen on development data, the scenario corpus's dev seeds
below 24 and the dev renders (benchmarks/recognition.py, section 5, measures
them on the test split). With 8 s at 0.7 or 12 s: 159 of 162 corpus
recordings and 43 of 44 renders had their exercise taken first, none another
one (the corpus's three left are marches shorter than 8 s, the render is a
floss a recording's analysis calls none too), and 1 of 52 other movements (a
lunge) was taken for a march. With 8 s at 0.7 alone, 6 renders were never
taken: the pose model's tracks are recognised less surely than the corpus's
(0.54-0.68). With 8 s at 0.5, 4 corpus recordings and a render took the
wrong exercise first; with 6 s at 0.7, 2, and 2 other movements were taken.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from formcheck.landmarks import PoseFrame
from formcheck.recognition.features import HOP_S, WINDOW_S, track_features
from formcheck.recognition.model import Recognizer, load
from formcheck.recognition.segments import Segment, recognise_features

KEEP_S = 20.0  # the poses looked at: more than a segment's shortest run (segments.MIN_SEGMENT_S) and a confirmation
CONFIRM_S = 8.0  # an exercise is taken once its segment has lasted this long
CONFIRM_P = 0.7  # ... with at least this mean probability
SURE_S = 12.0  # ... or this long
UNKNOWN_S = 10.0  # someone moving this long without a match is told it is none of the nine


class OnlineRecognizer:
    """Feed poses (:meth:`add`) as they come; :attr:`latest` is the newest segment, :meth:`settled` the exercise
    once it is sure."""

    def __init__(self, model: Recognizer | None = None, keep_s: float = KEEP_S):
        self.model = model or load()
        self.keep_s = keep_s
        self._times: deque[float] = deque()
        self._feats: deque[np.ndarray] = deque()
        self._due_s: float | None = None
        self.latest: Segment | None = None

    def add(self, frame: PoseFrame) -> Segment | None:
        """Take one raw pose; returns the newest segment (None until the first look)."""
        times, feats = track_features([frame])
        return self.add_measures(float(times[0]), feats[0])

    def add_measures(self, t_s: float, measures: np.ndarray) -> Segment | None:
        """Take one frame's measures (features.FRAME_FEATURES) at ``t_s`` seconds."""
        self._times.append(t_s)
        self._feats.append(measures)
        while self._times and self._times[0] < t_s - self.keep_s:
            self._times.popleft()
            self._feats.popleft()
        if self._due_s is None or t_s >= self._due_s:
            self._due_s = t_s + HOP_S
            segments = recognise_features(np.fromiter(self._times, float), np.vstack(self._feats), self.model)
            self.latest = segments[-1]
        return self.latest

    def settled(self) -> Segment | None:
        """The newest segment once it names an exercise and has lasted :data:`CONFIRM_S` with
        :data:`CONFIRM_P`, or :data:`SURE_S`; else None."""
        s = self.latest
        if s is None or s.exercise is None:
            return None
        span = s.end_s - s.start_s
        return s if (span >= CONFIRM_S and s.confidence >= CONFIRM_P) or span >= SURE_S else None

    def final(self) -> Segment | None:
        """At the end of a session: the newest segment if it names an exercise over one window at least, settled
        or not (a session shorter than :data:`CONFIRM_S` is judged as a recording's analysis would)."""
        s = self.latest
        return s if s is not None and s.exercise is not None and s.end_s - s.start_s >= WINDOW_S else None

    def unknown(self) -> Segment | None:
        """The newest segment when it has been "not one of the nine" with someone in view for ``UNKNOWN_S``."""
        s = self.latest
        if s is None or s.exercise is not None or s.closest is None or s.end_s - s.start_s < UNKNOWN_S:
            return None
        return s

    def forget(self) -> None:
        """Start afresh (a set is over: what comes next is looked at on its own)."""
        self._times.clear()
        self._feats.clear()
        self._due_s = None
        self.latest = None
