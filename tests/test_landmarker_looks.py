"""When the landmarker looks a second time (the frame equalised, or a window of a wide frame) and when it follows,
with the tasks faked: no model."""

from types import SimpleNamespace

import numpy as np
import pytest

from formcheck.pose import landmarker as lm
from formcheck.pose import windows

BODY = [[SimpleNamespace(x=0.5, y=0.5, z=0.0, visibility=0.9, presence=0.9)] * 33]


class Scripted(lm.PoseLandmarker):
    """Each task finds the person on the frame times listed for it; every call is logged."""

    def __init__(self, usual: set[int], second: set[int], windowed: set[int] = frozenset()):
        self.finds, self.calls = {"usual": usual, "second": second, "windowed": windowed}, []
        self._made = iter(("usual", "second", "windowed"))
        super().__init__("unused.task")

    def _create(self):
        return next(self._made)

    def _run(self, task, image, ts):
        view = image.numpy_view()
        self.calls.append((ts, task, int(view[1, 1, 0]), view.shape[:2]))
        found = ts in self.finds[task]
        return SimpleNamespace(pose_landmarks=BODY if found else [], pose_world_landmarks=None)


def test_the_second_landmarker_stops_following_once_the_usual_one_has_the_person_again(monkeypatch):
    monkeypatch.setattr(lm, "verify_bundle", lambda path: None)
    # a dark frame that equalising turns bright (20 -> 255): tells which frame a task was given
    frame = np.full((8, 8, 3), 20, np.uint8)
    frame[0, 0] = 10
    usual = set(range(0, 100)) | set(range(200, 300))  # lost from 100 ms to 200 ms and after 300 ms
    second = set(range(100, 200)) | set(range(300, 400))
    looks = Scripted(usual, second)
    for t in range(0, 400, 50):
        assert looks.detect(frame, float(t)).has_person, t
    seconds = [(ts, pixel) for ts, task, pixel, _ in looks.calls if task == "second"]
    # it finds the person on the equalised frame, then follows on the frame itself; after the usual one had the
    # person again (200-250 ms), a new loss is looked for afresh on the equalised frame
    assert [ts for ts, _ in seconds] == [100, 150, 300, 350]
    assert [pixel > 100 for _, pixel in seconds] == [True, False, True, False]


def test_a_person_small_in_a_wide_frame_is_looked_for_in_its_windows_and_followed_in_one(monkeypatch):
    monkeypatch.setattr(lm, "verify_bundle", lambda path: None)
    frame = np.zeros((360, 640, 3), np.uint8)  # 16:9: three square windows, at x 0, 140 and 280
    for i in range(640):
        frame[:, i, 0] = i // 3  # tells the windows apart by their pixel (1, 1)
    # no one on the whole frame before 1000 ms; in a window from 500 ms
    looks = Scripted(usual=set(range(1000, 1100)), second=set(), windowed=set(range(500, 1000)))
    found = {t: looks.detect(frame, float(t)) for t in range(0, 1100, 50)}
    windowed = [(ts, pixel, shape) for ts, task, pixel, shape in looks.calls if task == "windowed"]
    # looked for every 250 ms, a window at a time in turn (left, middle, right, left...), each 360 pixels square
    assert [ts for ts, _, _ in windowed[:3]] == [0, 250, 500]
    left = {x0: (x0 + 1) // 3 for x0 in (0, 140, 280)}  # pixel (1, 1) of the window whose left edge is x0
    assert [pixel for _, pixel, _ in windowed[:3]] == [left[0], left[140], left[280]]
    assert {shape for _, _, shape in windowed} == {(360, 360)}
    # found at 500 ms in the right-hand window; then followed on every frame, in a window round the person, until
    # the usual landmarker has them
    assert [t for t, pose in found.items() if pose.has_person] == list(range(500, 1100, 50))
    assert [ts for ts, _, _ in windowed] == [0, 250, *range(500, 1000, 50)]
    # the landmarks (0.5, 0.5 in the window) are mapped to the whole frame: the window's middle
    assert found[500].landmarks[0, 0] == pytest.approx((280 + 180) / 640) and found[500].landmarks[0, 1] == 0.5
    # followed in the window centred on them (clamped to the frame: the same right-hand window)
    assert {pixel for ts, pixel, _ in windowed if ts > 500} == {left[280]}


def test_no_windows_in_a_frame_that_is_not_wide():
    assert windows.search_windows(640, 480) == () and windows.search_windows(720, 1280) == ()
    assert [w.x0 for w in windows.search_windows(1280, 720)] == [0, 280, 560]
