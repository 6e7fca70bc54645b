"""A small exercise classifier over window statistics, with a check for "none of these".

Softmax regression on standardised window features (a missing measure
counts as the training mean), plus, per exercise, a diagonal Gaussian of
its training windows: a window far from the chosen exercise's own windows
(mean squared z-score above what 99.5 % of its training windows reach) is
"not one of the nine", with that exercise named as the closest match. So is a
window taken for one of the other movements it was trained on (classes
named ``other:...``: a squat, a lunge, a push-up, a plank), whose closest
match is the likeliest of the nine.
Stored as JSON (``model.json``, format ``formcheck.recognizer`` version 1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.recognition.features import WINDOW_FEATURES

FORMAT, VERSION = "formcheck.recognizer", 1
OTHER = "other:"  # a class named so is a movement that is none of the nine (a squat, a push-up, ...)
MODEL_FILE = Path(__file__).with_name("model.json")
STD_FLOOR = 0.25  # standardised units: a class's spread is never taken as narrower than this


@dataclass(frozen=True)
class Recognizer:
    classes: tuple[str, ...]
    features: tuple[str, ...]
    mean: np.ndarray  # (f,) standardisation
    std: np.ndarray
    weights: np.ndarray  # (f + 1, c) softmax regression, bias last
    class_mean: np.ndarray  # (c, f) in standardised units
    class_std: np.ndarray
    far: np.ndarray  # (c,) distance beyond which a window is not this class
    trained_on: dict

    def _z(self, x: np.ndarray) -> np.ndarray:
        z = (np.asarray(x, dtype=float) - self.mean) / self.std
        return np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)

    @property
    def exercises(self) -> np.ndarray:
        """Indices of the classes that are exercises (not :data:`OTHER` movements)."""
        return np.array([k for k, c in enumerate(self.classes) if not c.startswith(OTHER)])

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """``(n, classes)`` class probabilities of window statistics ``x`` ``(n, features)``."""
        z = self._z(x)
        logits = np.hstack([z, np.ones((len(z), 1))]) @ self.weights
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def distances(self, x: np.ndarray) -> np.ndarray:
        """``(n, classes)``: how far each window lies from each class's training windows, in units of ``far``."""
        z = self._z(x)[:, None, :]
        d = np.mean(((z - self.class_mean[None]) / self.class_std[None]) ** 2, axis=2)
        return d / self.far[None]

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "classes": list(self.classes),
            "features": list(self.features),
            "mean": self.mean.round(6).tolist(),
            "std": self.std.round(6).tolist(),
            "weights": self.weights.round(6).tolist(),
            "class_mean": self.class_mean.round(5).tolist(),
            "class_std": self.class_std.round(5).tolist(),
            "far": self.far.round(5).tolist(),
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_json(cls, data: dict) -> Recognizer:
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError("not a formcheck.recognizer version 1 model")
        if tuple(data["features"]) != WINDOW_FEATURES:
            raise ValueError("the model was trained on other features than this formcheck computes")
        arr = {
            k: np.asarray(data[k], dtype=float) for k in ("mean", "std", "weights", "class_mean", "class_std", "far")
        }
        return cls(tuple(data["classes"]), tuple(data["features"]), trained_on=data.get("trained_on", {}), **arr)


def load(path: Path = MODEL_FILE) -> Recognizer:
    return Recognizer.from_json(json.loads(Path(path).read_text()))


def fit(
    x: np.ndarray, y: np.ndarray, classes: tuple[str, ...], *, l2: float = 1e-3, steps: int = 1500, **info
) -> Recognizer:
    """Train on window statistics ``x`` and class indices ``y`` (full-batch gradient descent, Adam)."""
    x = np.asarray(x, dtype=float)
    mean = np.nanmean(x, axis=0)
    std = np.nanstd(x, axis=0)
    mean = np.nan_to_num(mean)
    std = np.where(np.isfinite(std) & (std > 1e-6), std, 1.0)
    proto = Recognizer(classes, WINDOW_FEATURES, mean, std, np.zeros((x.shape[1] + 1, len(classes))), *[None] * 3, {})
    z = proto._z(x)
    zb = np.hstack([z, np.ones((len(z), 1))])
    onehot = np.eye(len(classes))[y]
    counts = onehot.sum(axis=0)
    sample_w = (len(y) / (len(classes) * np.maximum(counts, 1)))[y][:, None]  # balance the classes
    w = np.zeros((zb.shape[1], len(classes)))
    m = v = np.zeros_like(w)
    lr, b1, b2 = 0.05, 0.9, 0.999
    for t in range(1, steps + 1):
        logits = zb @ w
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        grad = zb.T @ ((p - onehot) * sample_w) / len(y) + l2 * w
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
    class_mean = np.array([z[y == c].mean(axis=0) for c in range(len(classes))])
    class_std = np.maximum(np.array([z[y == c].std(axis=0) for c in range(len(classes))]), STD_FLOOR)
    d = np.mean(((z[:, None, :] - class_mean[None]) / class_std[None]) ** 2, axis=2)
    far = np.array([np.percentile(d[y == c, c], 99.5) for c in range(len(classes))])
    return Recognizer(classes, WINDOW_FEATURES, mean, std, w, class_mean, class_std, far, info)
