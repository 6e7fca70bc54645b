"""A recording split into runs of one exercise, each with its start, end and confidence.

Windows (features.windows) are classified; a Viterbi pass with a cost for
each change of exercise picks the most likely sequence of labels, so a stray
window does not start a segment. A segment whose windows are, on the
median, farther from its exercise's training windows than the model allows,
or whose mean probability is below ``MIN_CONFIDENCE``, or in which a person
is seen in under half the frames, is "not one of the nine" (``exercise``
None), naming the closest match.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

from formcheck.landmarks import PoseFrame
from formcheck.recognition.features import HOP_S, WINDOW_S, track_features, windows
from formcheck.recognition.model import FORMAT, OTHER, VERSION, Recognizer, load

SWITCH_COST = 12.0  # log-probability a change of exercise must win by
MIN_CONFIDENCE = 0.5
MIN_PERSON = 0.5
MIN_SEGMENT_S = 8.0  # a set of an exercise lasts longer than this; a shorter run joins a neighbour
REFINE_S = WINDOW_S / 2 + HOP_S  # a boundary is looked for this far either side of the windows' one


@dataclass(frozen=True)
class Segment:
    exercise: str | None  # None: not one of the nine (or nobody in view)
    closest: str | None  # the best match, also where ``exercise`` is None
    start_s: float
    end_s: float
    confidence: float  # mean probability of ``closest`` over the segment's windows
    distance: float  # median distance from its training windows (1.0: the edge of what it was trained on)

    def as_dict(self) -> dict:
        d = asdict(self)
        for k in ("start_s", "end_s", "confidence", "distance"):
            d[k] = round(d[k], 3)
        return d


def recognition_section(segments: list[Segment]) -> dict:
    """The summary's ``recognition`` section: the model, and every segment (docs/recognition.md)."""
    return {"model": f"{FORMAT} {VERSION}", "segments": [s.as_dict() for s in segments]}


def viterbi(logp: np.ndarray, switch_cost: float = SWITCH_COST) -> np.ndarray:
    """The label sequence maximising the summed log-probabilities minus ``switch_cost`` per change."""
    n, c = logp.shape
    score = logp[0].copy()
    back = np.zeros((n, c), dtype=int)
    for t in range(1, n):
        stay = score
        best = int(np.argmax(score))
        move = score[best] - switch_cost
        back[t] = np.where(stay >= move, np.arange(c), best)
        score = np.maximum(stay, move) + logp[t]
    path = np.zeros(n, dtype=int)
    path[-1] = int(np.argmax(score))
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def merge_short(path: np.ndarray, p: np.ndarray, centres: np.ndarray, min_s: float = MIN_SEGMENT_S) -> np.ndarray:
    """Relabel runs shorter than ``min_s`` (shortest first) as the neighbour whose exercise they resemble more."""
    path = path.copy()
    while True:
        cuts = [0, *(np.flatnonzero(np.diff(path)) + 1).tolist(), len(path)]
        runs = [(a, b) for a, b in zip(cuts[:-1], cuts[1:])]
        if len(runs) < 2:
            return path
        spans = [centres[b - 1] - centres[a] + HOP_S for a, b in runs]
        i = int(np.argmin(spans))
        if spans[i] >= min_s:
            return path
        a, b = runs[i]
        options = [path[runs[j][0]] for j in (i - 1, i + 1) if 0 <= j < len(runs)]
        path[a:b] = max(options, key=lambda c: p[a:b, c].sum())


def segment_windows(
    centres: np.ndarray, stats: np.ndarray, start_s: float, end_s: float, model: Recognizer
) -> list[Segment]:
    if len(centres) == 0:
        return [Segment(None, None, start_s, end_s, 0.0, float("inf"))]
    p = model.probabilities(stats)
    d = model.distances(stats)
    path = merge_short(viterbi(np.log(np.maximum(p, 1e-9))), p, centres)
    person = stats[:, -1]
    cuts = [0, *(np.flatnonzero(np.diff(path)) + 1).tolist(), len(path)]
    segments: list[Segment] = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        label = int(path[a])
        seg_start = start_s if a == 0 else float((centres[a - 1] + centres[a]) / 2)
        seg_end = end_s if b == len(path) else float((centres[b - 1] + centres[b]) / 2)
        confidence = float(p[a:b, label].mean())
        distance = float(np.median(d[a:b, label]))
        name = model.classes[label]
        known = confidence >= MIN_CONFIDENCE and distance <= 1.0 and float(person[a:b].mean()) >= MIN_PERSON
        if name.startswith(OTHER):  # another movement: none of the nine, the likeliest of them named
            exercises = model.exercises
            label = int(exercises[np.argmax(p[a:b][:, exercises].mean(axis=0))])
            name, known = model.classes[label], False
            confidence, distance = float(p[a:b, label].mean()), float(np.median(d[a:b, label]))
        segments.append(Segment(name if known else None, name, seg_start, seg_end, confidence, distance))
    merged: list[Segment] = []
    for seg in segments:  # neighbouring "none" segments are one
        if merged and merged[-1].exercise is None and seg.exercise is None:
            prev = merged.pop()
            closest = prev.closest if prev.confidence >= seg.confidence else seg.closest
            seg = Segment(
                None,
                closest,
                prev.start_s,
                seg.end_s,
                max(prev.confidence, seg.confidence),
                min(prev.distance, seg.distance),
            )
        merged.append(seg)
    return merged


def change_point(times: np.ndarray, feats: np.ndarray, around_s: float, reach_s: float = REFINE_S) -> float:
    """Where, within ``reach_s`` of ``around_s``, the per-frame measures change most (least squares, one cut)."""
    sel = np.flatnonzero(np.abs(times - around_s) <= reach_s)
    if len(sel) < 4:
        return around_s
    x = feats[sel]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean, std = np.nanmean(x, axis=0), np.nanstd(x, axis=0)
    usable = np.isfinite(mean) & (std > 1e-9)
    if not usable.any():
        return around_s
    z = np.nan_to_num((x[:, usable] - mean[usable]) / std[usable])
    n = len(z)
    c1, c2 = np.cumsum(z, axis=0), np.cumsum(z**2, axis=0)
    k = np.arange(1, n)
    left = c2[k - 1] - c1[k - 1] ** 2 / k[:, None]
    right = (c2[-1] - c2[k - 1]) - (c1[-1] - c1[k - 1]) ** 2 / (n - k)[:, None]
    best = int(np.argmin((left + right).sum(axis=1))) + 1
    return float((times[sel[best - 1]] + times[sel[best]]) / 2)


def recognise_features(times: np.ndarray, feats: np.ndarray, model: Recognizer | None = None) -> list[Segment]:
    """The segments of a track's per-frame measures (features.track_features); boundaries refined to the
    frame where the posture changes most near the windows' boundary."""
    model = model or load()
    if len(times) == 0:
        return [Segment(None, None, 0.0, 0.0, 0.0, float("inf"))]
    centres, stats = windows(times, feats)
    segments = segment_windows(centres, stats, float(times[0]), float(times[-1]), model)
    for i in range(1, len(segments)):
        cut = change_point(times, feats, segments[i].start_s)
        cut = min(max(cut, segments[i - 1].start_s), segments[i].end_s)
        segments[i - 1] = replace(segments[i - 1], end_s=cut)
        segments[i] = replace(segments[i], start_s=cut)
    return segments


def recognise(frames: Sequence[PoseFrame], model: Recognizer | None = None) -> list[Segment]:
    """The segments of a track (raw model output, as ``track.jsonl`` keeps it)."""
    return recognise_features(*track_features(frames), model)
