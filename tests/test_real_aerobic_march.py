"""Real clip through the real model: jogging in place, a close (higher-impact) variant of the aerobic march.

jog-in-place_3quarter_shutterstock_03.mp4 (25 fps, 23 s): a woman in a living room, seen from the front
and a little to the side, stands, then jogs in place from about 0.9 s to 21 s with small knee lifts and
her heels kicking back, then slows to a stop. Watched frame by frame (every 0.08 s, crops of the feet):
the feet take turns, one foot clearly off the floor about every 0.37 s, 55 clear foot lifts from the
first (0.96-1.12 s) to the last (20.80-20.96 s). Before the first and after the last there are one or
two small heel raises as she starts and stops, which a person may or may not count as steps. As a jog it
has short moments with both feet in the air; whether each of those is caught is not asserted.
"""

from conftest import shared_clip

from formcheck.exercises import create
from formcheck.rules import run_rules

CLIP = "jog-in-place_3quarter_shutterstock_03.mp4"


def test_jogging_steps_counted_alternating_as_a_person_counts(real_track):
    exercise = create("aerobic_march")
    run_rules(exercise, real_track(shared_clip(CLIP)))
    summary = exercise.summary()
    sides = [r["side"] for r in summary["records"]]
    assert 54 <= len(sides) <= 57
    assert all(a != b for a, b in zip(sides, sides[1:]))  # the feet alternate: no step missed or doubled
    assert 0.7 <= summary["records"][0]["start_s"] <= 1.2 and 20.6 <= summary["records"][-1]["start_s"] <= 21.6
    assert len(summary["bouts"]) == 1 and 150 <= summary["cadence_spm"] <= 175


def test_squats_are_no_steps(real_track):
    """fallback_airsquat_front-then-side_fitbod.mp4: air squats from the front (0-8.5 s) and the side: no step."""
    exercise = create("aerobic_march")
    run_rules(exercise, real_track(shared_clip("fallback_airsquat_front-then-side_fitbod.mp4"), stride=2))
    summary = exercise.summary()
    assert summary["steps"] == 0 and summary["faults"] == []
