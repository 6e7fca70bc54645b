"""Tier (b) of the corpus: rendered variants (other bodies, clothes, rooms, light, cameras, tempos), judged from
the full pose model's stored track against the render's own truth. No model and no video: seconds.

tools/render_corpus.py makes tests/data/renders (docs/corpus.md). The floors are the figures measured on every
stored render, both splits together, a little lower: a change that loses accuracy on them turns this red.
``python benchmarks/accuracy.py --renders --failures`` prints the table per exercise and split.
"""

from __future__ import annotations

import json

import pytest

from formcheck.pose.track import read_track
from formcheck.testing import corpus, renders
from formcheck.testing.scenarios import EXERCISES

# measured on the 107 renders (seeds 0-5 of every exercise; dev seeds 6-7 of five of them, with the camera turned
# the other way round; dev seeds 9 and 10, the near corners at floor level and 1.3 m up; test seed 12 filming the
# faults; and, new at stop 31, dev seeds 11 and 14 of all nine, drawn at random) at stop 31: exact 0.822, within
# one 0.907, holds 0.910, fault precision 0.788, recall 0.845. On the 89 before seeds 11 and 14, stop 31's rules
# read 0.843, 0.910, 0.901, 0.747, 0.831 (stop 30: 0.831, 0.910, 0.892, 0.708, 0.824; stop 24: 0.787, 0.865,
# 0.865, 0.647, 0.796): the new seeds lowered exact, not a change in the rules.
FLOORS = {"exact": 0.81, "within_one": 0.89, "holds": 0.90, "precision": 0.77, "recall": 0.83}


@pytest.fixture(scope="module")
def outcomes():
    return [corpus.judge(renders.rendered(name)) for name in renders.names()]


def test_every_exercise_has_renders_of_both_splits():
    names = renders.names()
    for exercise in EXERCISES:
        seeds = [seed for ex, seed in map(renders.parts, names) if ex == exercise]
        assert {s % 4 == 0 for s in seeds} == {True, False}, f"{exercise}: seeds {seeds}"


def test_each_render_is_a_model_track_of_its_clip_with_its_truth():
    for name in renders.names():
        header, frames = read_track(renders.RENDERS / f"{name}.jsonl.gz")
        truth = json.loads((renders.RENDERS / f"{name}.truth.json").read_text())
        assert header.source == truth["clip"] and header.extra.get("model_sha256"), name
        assert len(list(frames)) == truth["frame_count"] and "frames" not in truth, name


def test_floors(outcomes):
    report = corpus.table(outcomes)
    figures = corpus.Figures.of(outcomes)
    for name, floor in FLOORS.items():
        value = getattr(figures, name)
        assert value is not None and value >= floor, f"renders: {name} {value} < {floor}:\n{report}"


def test_nerve_flossing_is_counted_on_the_foot_that_shows_its_swing():
    # Camera 1.45 m up, 31 degrees off the side: the near foot is seen nearly end-on and its angle swings
    # 115-138 where it truly goes 78-141; the far foot reads 94-159. Counted on the near foot alone, 7 of the
    # 10 swaps were lost or misread. On the wider-swinging foot every swap counts, and at most two read the wrong
    # side: the near foot drifts 15 degrees as the far one swings behind it, which reads as moving with it.
    # (Taking the far foot as the lead once it swung wider used to drop the swing it had under way: 9 swaps.)
    scenario = renders.rendered("nerve_floss_v1")
    truth, found = scenario.truth["reps"], corpus.judge(scenario).summary["records"]
    assert len(found) == len(truth), [r["side"] for r in found]
    assert sum(f["side"] == t["side"] for f, t in zip(found, truth)) >= len(truth) - 2, [r["side"] for r in found]


def test_nerve_flossing_from_a_rest_nearer_one_end_counts_every_swap():
    # Portrait, side-on, 0.75 m up: the near foot rests at 111, swings to 138 pointed and only to 101 pulled. The
    # swap back from the first one, 10 degrees past the rest, was taken for relaxing, and with that end never
    # learnt, 11 of 12 swaps went uncounted.
    outcome = corpus.judge(renders.rendered("nerve_floss_v2"))
    assert outcome.score.rep_errors and not any(outcome.score.rep_errors.values()), outcome.score.rep_errors


def test_glides_filmed_from_above_and_round_count_from_their_movement():
    # Portrait, 1.2 m up, 35 degrees round toward the feet: the upright thigh reads 57-76 degrees and the bent knee
    # 118-127, so the start position (thigh near 90, knee bent below 115) is never recognised and all 6 glides were
    # lost. Counted from the movement, with the knee back below 125 as bent again, 5 of the 6 count (between two of
    # them the knee reads 126: those two merge).
    outcome = corpus.judge(renders.rendered("nerve_glide_v6"))
    assert outcome.summary["counted_from_movement"] is True
    assert outcome.score.rep_errors == {"right": -1}, outcome.score.rep_errors


def test_a_foot_misread_at_the_top_of_a_glide_is_not_judged():
    # 0.95 m up, 14 degrees round: at the top of the good glides the model puts the toe along the shin (the ankle
    # reads 134-138, "toes not pulled"), and the foot's own heel-ankle-toe angle collapses from its 97 in the start
    # position to 53-60. The glide with the toes truly left pointed reads 89 there and is still flagged.
    outcome = corpus.judge(renders.rendered("nerve_glide_v11"))
    flagged = [r["index"] for r in outcome.summary["records"] if "toes_not_pulled" in r["faults"]]
    assert flagged == [3], flagged
    assert outcome.summary["notes"] == [
        "Could not read your foot at the top in 3 of 6 glides: whether the toes were pulled back was not checked there."
    ]


def test_a_pull_let_go_with_the_leg_still_crossed_is_a_hold_of_its_own():
    # 0.45 m up, 16 degrees round: a 1.5 s pull let go to the crossed rest (supporting foot down) was taken for
    # settling into the unpulled hold that followed, and lost
    outcome = corpus.judge(renders.rendered("piriformis_stretch_v5"))
    assert outcome.score.rep_errors and not any(outcome.score.rep_errors.values()), outcome.score.rep_errors


def test_a_short_pull_the_rule_knows_for_a_hold_is_kept_after_an_earlier_hold_in_the_same_stay():
    # 0.11 m up, 28 degrees round: the leg stays crossed from the first pull to the last; the 1.5 s second pull,
    # let go to the crossed rest, was known for a hold of its own (Exercise.setting_up) but then dropped as "a
    # still moment on the way out" of the first hold, whose stay in position had not ended
    outcome = corpus.judge(renders.rendered("piriformis_stretch_v9"))
    holds = [(r["start_s"], r["hold_s"]) for r in outcome.summary["records"]]
    assert len(holds) == 3 and 9.2 <= holds[1][0] <= 9.8 and 1.0 <= holds[1][1] <= 2.0, holds
    assert "hold_too_short" in outcome.summary["records"][1]["faults"]


def test_a_march_in_dim_light_is_found_and_counted():
    # A dark-skinned body against a dark wall, camera 0.2 m up: the person detector found no one on any of the
    # 183 frames (16 steps, none counted); its second look at the frame equalised finds the body on every one.
    outcome = corpus.judge(renders.rendered("aerobic_march_v3"))
    assert outcome.frames_with_person == 183
    assert outcome.passed, corpus.failure(outcome)  # every step on its side, the jump and the stop found


def test_a_near_crossed_leg_with_its_knee_opened_toward_the_camera_is_the_crossed_one():
    # Side-on, 0.72 m up, portrait: the near (right) leg crossed over the left knee, its knee opened out toward the
    # camera, so its thigh is seen end-on (shin 2.3 times the thigh's length in the picture) and the world
    # landmarks read its shin along the body. It was taken for the supporting leg: 3 holds of the left leg crossed.
    outcome = corpus.judge(renders.rendered("piriformis_stretch_v2"))
    assert [r["side"] for r in outcome.summary["records"]] == ["right"] * 3
    assert outcome.score.rep_errors == {"right": 0}, outcome.score.rep_errors


def test_a_near_crossed_thigh_seen_end_on_from_high_and_round_is_a_figure_4():
    # 1.3 m up, 29 degrees round toward the head: the near crossed thigh, its knee opened toward the camera, is
    # seen end-on (the shin reads 2.4 times its length) and its flexion reads 15 degrees through every hold, under
    # the 30 that tell a figure-4 from a leg lying flat. All three 4 s holds were lost.
    outcome = corpus.judge(renders.rendered("piriformis_stretch_v10"))
    assert outcome.score.rep_errors == {"right": 0}, outcome.score.rep_errors
    assert max(outcome.score.hold_errors) <= 0.5, outcome.score.hold_errors


def test_press_ups_from_high_and_round_count_from_the_floor_the_legs_lie_on():
    # 1.26 m up, 1.9 m away, 33 degrees round: lying flat, the trunk reads 18-19 degrees in the picture, over the
    # 10 a body lying flat reads from a level camera, and none of the 5 press-ups counted. The legs on the floor
    # read 18 too: the floor's slant. The near thigh reads 28 (end-on), 10 above that floor: no hips lift.
    outcome = corpus.judge(renders.rendered("lumbar_extension_v10"))
    assert outcome.score.rep_errors == {"unknown": 0}, outcome.score.rep_errors
    assert outcome.summary["faults"] == []


def test_knees_raised_forward_seen_from_high_and_round_are_marching_not_walking():
    # 1.3 m up, 33 degrees round, a 1.13 m child marching on the spot: each raised knee carries its foot 0.3-0.4
    # torso lengths ahead in the world landmarks, which read as walking strides; steps were then counted from the
    # stride, and only the right foot's showed (6 of 12). A foot ahead that is the higher one is a knee raised.
    outcome = corpus.judge(renders.rendered("aerobic_march_v10"))
    assert outcome.score.rep_errors == {"left": 0, "right": 0}, outcome.score.rep_errors


def test_a_flat_back_seen_from_high_and_round_toward_the_head_is_level():
    # 1.27 m up, 1.8 m away, 30 degrees round toward the head: the flat back reads 15 degrees off the picture's
    # horizontal on hands and knees and in every reach alike, and each reach was flagged back_not_level; the leg
    # reaching level toward the feet read as far below it (leg_low twice). Read from where the back lay at rest
    # both are level; the rendered sags (dev variants 1-9, seen from 0.16-1.42 m up) read 13-14 up.
    outcome = corpus.judge(renders.rendered("bird_dog_v10"))
    assert outcome.summary["faults"] == []
    for name in ("bird_dog_v3", "bird_dog_v7"):
        assert "back_not_level" in {f["id"] for f in corpus.judge(renders.rendered(name)).summary["faults"]}, name
