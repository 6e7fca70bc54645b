"""Bird dog on a real clip through the real model.

birddog_high-oblique_home_02.mp4: a man on hands and knees, filmed from a high
oblique angle. Watched frame by frame (one frame a second, 4-55 s): six
reaches, arm and opposite leg, alternating sides, each held about 2.5-4 s
(about 17-22, 25-28, 31-34, 36-39, 42-44 and 46-49 s), then he kneels up and
talks. The camera is high and oblique, not the side view the exercise asks
for, so only the counting is asserted, not the form faults.
"""

from conftest import shared_clip

from formcheck.exercises import create
from formcheck.rules import run_rules

REACHES_S = [(17, 22), (25, 28), (31, 34), (36, 39), (42, 44), (46, 49)]


def test_six_alternating_reaches_counted(real_track):
    frames = real_track(shared_clip("birddog_high-oblique_home_02.mp4"), stride=2, end_s=56)
    exercise = create("bird_dog")
    run_rules(exercise, frames)
    records = exercise.summary()["records"]
    assert len(records) == 6
    for record, (start, end) in zip(records, REACHES_S):
        assert start - 1.5 <= record["start_s"] and record["end_s"] <= end + 1.5, record
    sides = [r["side"] for r in records]
    assert all(a != b for a, b in zip(sides, sides[1:])), sides  # alternating
    assert sorted(sides) == ["left"] * 3 + ["right"] * 3
