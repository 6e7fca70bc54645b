"""When the landmarker looks a second time (the frame equalised) and when it follows, with the tasks faked: no model."""

from types import SimpleNamespace

import numpy as np

from formcheck.pose import landmarker as lm

BODY = [[SimpleNamespace(x=0.5, y=0.5, z=0.0, visibility=0.9, presence=0.9)] * 33]


class Scripted(lm.PoseLandmarker):
    """Each task finds the person on the frame times listed for it; every call is logged."""

    def __init__(self, usual: set[int], second: set[int]):
        self.finds, self.calls = {"usual": usual, "second": second}, []
        self._made = iter(("usual", "second"))
        super().__init__("unused.task")

    def _create(self):
        return next(self._made)

    def _run(self, task, image, ts):
        self.calls.append((ts, task, int(image.numpy_view()[1, 1, 0])))
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
    seconds = [(ts, pixel) for ts, task, pixel in looks.calls if task == "second"]
    # it finds the person on the equalised frame, then follows on the frame itself; after the usual one had the
    # person again (200-250 ms), a new loss is looked for afresh on the equalised frame
    assert [ts for ts, _ in seconds] == [100, 150, 300, 350]
    assert [pixel > 100 for _, pixel in seconds] == [True, False, True, False]
