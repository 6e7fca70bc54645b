import math
import warnings

import numpy as np
import pytest

from formcheck.exercises.mechanics import (
    AlternationCounter,
    FaultDebouncer,
    HoldTimer,
    Hysteresis,
    MovementStart,
    PairedAlternation,
    RecentValues,
    RepCounter,
    RepWindow,
)


def feed(counter, values, dt=100, armed=True, t0=0):
    reps = []
    for k, v in enumerate(values):
        rep = counter.update(t0 + k * dt, v, armed=armed)
        if rep:
            reps.append(rep)
    return reps


def test_hysteresis_ignores_flicker_between_thresholds():
    h = Hysteresis(on=10, off=5)
    states = [h.update(v) for v in (0, 9, 11, 7, 9, 6, 4, 8)]
    assert states == [False, False, True, True, True, True, False, False]


def test_hysteresis_falling_and_unknown_values_keep_state():
    h = Hysteresis(on=90, off=120, rising=False)
    assert [h.update(v) for v in (150, 85, None, math.nan, 100, 125)] == [False, True, True, True, True, False]
    with pytest.raises(ValueError):
        Hysteresis(on=5, off=10)


def test_rep_counter_counts_full_excursions_only():
    counter = RepCounter(on=10, off=5, min_rep_ms=300, refractory_ms=0)
    values = [0, 12, 15, 12, 3, 0, 11, 14, 9, 2, 0, 8, 9, 7, 0]  # two reps, then a half movement
    reps = feed(counter, values)
    assert [(r.start_ms, r.end_ms, r.peak) for r in reps] == [(100, 400, 15), (600, 900, 14)]


def test_rep_counter_rejects_short_flicks_and_too_soon_reps():
    counter = RepCounter(on=10, off=5, min_rep_ms=300, refractory_ms=500)
    # a 100 ms swing, then a real rep, then one starting 200 ms after it ended
    values = [0, 12, 0, 0, 12, 12, 12, 12, 0, 0, 12, 12, 12, 12, 0]
    reps = feed(counter, values)
    assert len(reps) == 1 and reps[0].start_ms == 400


def test_rep_counter_needs_arming_and_counts_an_excursion_armed_part_way():
    counter = RepCounter(on=10, off=5, min_rep_ms=0, refractory_ms=0)
    assert feed(counter, [12, 12, 0], armed=False) == []
    # armed mid-excursion (a foot already up as the recording starts): that one counts from where it began
    assert counter.update(0, 12, armed=False) is None
    assert counter.update(100, 14, armed=True) is None
    assert counter.update(200, 0, armed=True) == RepWindow(0, 200, 14)
    assert counter.update(300, 12, armed=True) is None
    assert counter.update(400, 0, armed=True) is not None
    # ... but not once dropped (the view was lost) before it came back to rest
    assert counter.update(500, 12, armed=False) is None
    counter.cancel()
    assert counter.update(600, 12, armed=True) is None
    assert counter.update(700, 0, armed=True) is None


def test_rep_counter_dropouts_do_not_split_a_rep():
    counter = RepCounter(on=10, off=5, min_rep_ms=0, refractory_ms=0)
    reps = feed(counter, [0, 12, None, math.nan, None, 13, 0])
    assert len(reps) == 1 and reps[0].end_ms == 600


def test_hold_timer_survives_short_dropouts_and_lapses():
    timer = HoldTimer(grace_ms=500, min_hold_ms=0)
    seq = [False, True, True, None, None, True, False, True, True, False, False, False, False, False, False, False]
    windows = [w for k, v in enumerate(seq) if (w := timer.update(k * 100, v))]
    assert [(w.start_ms, w.end_ms) for w in windows] == [(100, 800)]


def test_hold_timer_ignores_passing_through_and_stop_closes():
    timer = HoldTimer(grace_ms=100, min_hold_ms=500)
    seq = [True, True, False, False, False]
    assert not [w for k, v in enumerate(seq) if (w := timer.update(k * 100, v))]
    for k in range(10):
        timer.update(1000 + k * 100, True)
    assert timer.elapsed_s(1900) == pytest.approx(0.9)
    window = timer.stop()
    assert window.duration_s == pytest.approx(0.9) and not timer.holding


def test_fault_debouncer_starts_and_ends_after_debounce():
    d = FaultDebouncer(debounce_ms=300)
    flags = [False, True, True, True, True, None, True, False, False, False, False]
    changes = []
    for k, f in enumerate(flags):
        changes += d.update(k * 100, {"sag": f})
    assert [(c.fault_id, c.started, c.t_ms) for c in changes] == [("sag", True, 100), ("sag", False, 700)]


def test_fault_debouncer_ignores_blips():
    d = FaultDebouncer(debounce_ms=300)
    changes = []
    for k, f in enumerate([True, False, True, True, False, False]):
        changes += d.update(k * 100, {"sag": f})
    assert changes == []


def test_recent_values_forget_old_values_and_skip_unknown_ones():
    window = RecentValues(window_ms=300)
    assert math.isnan(window.max()) and math.isnan(window.span()) and window.covered_ms() == 0
    for k, v in enumerate([5.0, 9.0, None, math.nan, 4.0, 6.0]):
        window.add(k * 100, v)
    # at 500 ms the window holds 200..500 ms: 9.0 (at 100 ms) and 5.0 are gone, the unknowns never came in
    assert (window.max(), window.min(), window.span(), window.covered_ms()) == (6.0, 4.0, 2.0, 100.0)
    window.clear()
    assert math.isnan(window.min())


def test_recent_values_work_elementwise_on_points():
    window = RecentValues(window_ms=1000)
    for k, point in enumerate([(10.0, 20.0), (12.0, math.nan), (11.0, 26.0)]):
        window.add(k * 100, point)
    assert window.span().tolist() == [2.0, 6.0] and window.max().tolist() == [12.0, 26.0]
    window.add(300, (math.nan, math.nan))  # a dropout: nothing stored
    assert window.covered_ms() == 200


def test_recent_values_median_is_robust_to_a_brief_outlier():
    window = RecentValues(window_ms=math.inf)
    assert math.isnan(window.median())
    for k, v in enumerate([90.0, 92.0, 150.0, 91.0, None]):
        window.add(k * 100, v)
    assert window.median() == 91.5


def test_recent_values_statistics_are_numpys_nan_aware_ones_with_points_partly_unknown():
    rng = np.random.default_rng(7)
    for trial in range(300):
        window = RecentValues(window_ms=math.inf)
        shape = ((), (3,), (33, 2))[trial % 3]
        for k in range(int(rng.integers(1, 30))):
            value = rng.normal(size=shape)
            window.add(k * 33.0, np.where(rng.random(shape) < 0.3, np.nan, value))
        values = window.values()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = [np.nanmedian(values, axis=0), np.nanpercentile(values, 10, axis=0)]
        for got, want in zip([window.median(), window.percentile(10)], expected):
            np.testing.assert_array_equal(got, want)


def swings(*points, steps=4, pause=3):
    """A signal moving in straight steps from one point to the next, pausing ``pause`` frames at each."""
    values = [points[0]] * pause
    for a, b in zip(points, points[1:]):
        values += [a + (b - a) * (k + 1) / steps for k in range(steps)] + [b] * pause
    return values


def test_alternation_counter_counts_each_swing_on_arrival_wherever_the_levels_lie():
    # a neutral start (0), down to -20, up to +20, down again: three swings, the first from neutral
    values = swings(0, -20, 20, -20)
    for offset in (0, 35, -60):  # a camera's angle shifts every level: the count follows the movement
        counter = AlternationCounter(15, neutral=(offset - 10, offset + 10), min_rep_ms=0)
        reps = feed(counter, [v + offset for v in values])
        assert [(r.start_ms, r.end_ms, r.peak - offset) for r in reps] == [
            # from the last frame at the turning point to reaching the next, each a frame late: the counter
            # follows the median of the last three values
            (300, 700, -20),
            (1000, 1400, 20),
            (1700, 2100, -20),
        ]
        assert counter.zone == "low" and not counter.in_rep


def test_alternation_counter_a_swing_to_the_middle_is_none():
    # the first swing from neutral, relaxing straight back (no swing), the same way again (none: no turn),
    # a full swing up, a half swing back to the middle and up again (none), then a full swing down
    values = swings(0, -20, 0, -20, 20, 0, 20, -20)
    counter = AlternationCounter(15, neutral=(-10, 10), min_rep_ms=0)
    assert [r.peak for r in feed(counter, values)] == [-20, 20, -20]


def test_alternation_counter_a_swing_back_past_the_rest_counts_however_far_the_first_went():
    # a start at rest (0) nearer one end than the other: up 26, back down only 10 past the rest, and so on
    counter = AlternationCounter(15, neutral=(-10, 10), min_rep_ms=0)
    assert [r.peak for r in feed(counter, swings(0, 26, -10, 26, -10))] == [26, -10, 26, -10]


def test_alternation_counter_learns_an_end_taken_for_the_rest():
    # a start in position inside the neutral band (0): every swing back turns there. The first return reads
    # as relaxing; turning there a second time makes it an end, and counting goes on from then
    counter = AlternationCounter(15, neutral=(-10, 10), min_rep_ms=0)
    assert [r.peak for r in feed(counter, swings(0, 25, 0, 25, 0, 25, 0, 25))] == [25, 0, 25, 0, 25]


def test_alternation_counter_takes_a_start_in_position_as_one_end():
    # armed at the low end (outside the neutral band): a swing to the other end and back are two
    counter = AlternationCounter(15, neutral=(-10, 10), min_rep_ms=0)
    assert [r.peak for r in feed(counter, swings(-20, 20, -20))] == [20, -20]


def test_alternation_counter_ignores_unarmed_swings_jumps_and_dropouts():
    counter = AlternationCounter(15, min_rep_ms=0)
    assert feed(counter, swings(0, -20, 20), armed=False) == [] and not counter.in_rep
    # armed: a one-frame jump of 40 (a landmark's) and dropouts (None, NaN) are no swing; the real one is
    values = [0, 0, 0, 40, 0, 0, None, 0, math.nan, 0] + swings(0, -20)[3:]
    reps = feed(counter, values)
    assert [r.peak for r in reps] == [-20]


def test_alternation_counter_cancel_forgets_the_last_swing():
    counter = AlternationCounter(15, min_rep_ms=0)
    assert len(feed(counter, swings(0, -20, 20))) == 2
    counter.cancel()
    assert counter.zone is None and not counter.in_rep
    assert counter.update(5000, 20, armed=False) is None
    # re-armed: the first swing counts again, whichever way; a pause on the way is an arrival, and going on
    # the same way no new swing
    assert [r.peak for r in feed(counter, swings(20, 40, 60), t0=5100)] == [40]
    with pytest.raises(ValueError):
        AlternationCounter(0)


def test_alternation_counter_a_set_begun_from_rest_counts_its_first_half_swing():
    # a foot at rest between the ends goes first to one end (14 degrees: half a swap, under the smallest swing),
    # then on past the rest to the other end, and so on: four swaps. The first one used to be lost, counted
    # as the signal came back by 1 degree past where it rested, with a window ending before it began.
    values = [0.0] * 10 + swings(0, -14, 1, 20, -20, 20)
    reps = feed(AlternationCounter(15, neutral=(-10, 10), min_rep_ms=0), values)
    assert [r.peak for r in reps] == [-14, 20, -20, 20]
    assert all(r.end_ms > r.start_ms for r in reps)
    assert 1200 <= reps[0].start_ms <= 1400 and 1600 <= reps[0].end_ms <= 1700  # left the rest, reached the end
    # not still at the start (a move made while settling, or a clip begun mid-set): no half swing
    assert [r.peak for r in feed(AlternationCounter(15, neutral=(-10, 10), min_rep_ms=0), values[10:])] == [20, -20, 20]
    # to one end and back to the rest, no further: not a swap
    assert feed(AlternationCounter(15, neutral=(-10, 10), min_rep_ms=0), [0.0] * 10 + swings(0, -14, 0)) == []


def test_alternation_counter_takes_the_rest_where_the_signal_sat_before_its_first_swing():
    # armed while settling (110, creeping up to a rest at 115 held 1 s), then a swing up to 134 and a full swing
    # back down to 104: that swing back passes the rest (115) by more than half the smallest swing, but would not
    # have passed the first value armed (110), which was taken for the rest and lost the swing
    values = [110.0, 111.5, 113.0, 114.5] + [115.0] * 10 + swings(115, 134, 104, 134, pause=3)[3:]
    reps = feed(AlternationCounter(15, neutral=(108, 128), min_rep_ms=0), values)
    assert [r.peak for r in reps] == [134, 104, 134]


def paired():
    return PairedAlternation(
        lambda: AlternationCounter(15, neutral=(-10, 10), min_rep_ms=0), still_by=7.5, lost_ms=1000, memory_ms=4000
    )


def test_paired_alternation_counts_a_swing_made_together_once_and_one_made_alone():
    # both limbs swing down and up together (a floss's two feet, one mirrored); then the lead stays down
    # while the partner swings down alone, and back up alone; then both swing together again
    lead = swings(0, -20, 20, 20, 20, -20)
    partner = swings(0, -20, 20, -20, 20, -20)
    counter = paired()
    reps = feed(counter, list(zip(lead, partner)))
    assert [r.peak for r in reps] == [-20, 20, -20, 20, -20]
    assert counter.by == 0 and counter.zone == "low"
    # the lead's swings count as the lead's; the two made alone as the partner's
    counted_by = []
    counter = paired()
    for k, pair in enumerate(zip(lead, partner)):
        if counter.update(k * 100, pair):
            counted_by.append(counter.by)
    assert counted_by == [0, 0, 1, 1, 0]


def test_paired_alternation_a_partner_jumping_while_the_lead_swings_adds_nothing():
    # as the lead swings up, the partner is read going down first, then up with it (a far foot behind the near
    # one, read moving with it): its two swings come while the lead moves, and are no swings of their own
    lead = swings(0, 20, -20, 20, steps=6)
    partner = [0, 0, 0, -7, -14, -20, -20, -7, 6, 20] + lead[10:]
    assert [r.peak for r in feed(AlternationCounter(15, neutral=(-10, 10), min_rep_ms=0), partner)] == [
        -20,
        20,
        -20,
        20,
    ]
    assert [r.peak for r in feed(paired(), list(zip(lead, partner)))] == [20, -20, 20]


def test_paired_alternation_follows_the_lead_it_is_given():
    # the partner leads: its swings count, the first signal's own only when the partner stays put
    counter = paired()
    counter.lead_by(1)
    lead = swings(0, -20, 20, 20)
    partner = swings(0, -20, 20, -20)
    counted_by = []
    for k, pair in enumerate(zip(lead, partner)):
        if counter.update(k * 100, pair):
            counted_by.append(counter.by)
    assert counted_by == [1, 1, 1]


def test_paired_alternation_taking_a_new_lead_mid_swing_keeps_that_swing():
    # the lead swings once, then only drifts (a foot seen end-on) while the partner swings on alone; the partner
    # is made the lead halfway through its first swing alone, which still counts (it used to be dropped), and the
    # swing the old lead counted is not counted again on the new one
    lead = swings(0, -20, -12, -20, -12, steps=4)
    partner = swings(0, -20, 20, -20, 20, steps=4)
    counter = paired()
    reps = []
    for k, pair in enumerate(zip(lead, partner)):
        if k == 12:  # the partner on its way up to 20, its first swing alone
            counter.lead_by(1)
        rep = counter.update(k * 100, pair)
        if rep:
            reps.append((counter.by, rep.peak))
    assert reps == [(0, -20), (1, 20), (1, -20), (1, 20)]


def test_paired_alternation_a_rep_begins_where_the_one_before_it_ended():
    # the partner swings alone while the lead drifts a few degrees toward where it then swings: the lead's swing
    # turned before the partner's counted one ended, but its rep begins only where that one ended
    lead = [0] * 3 + [-2, -4, -6, -6, -6, -6, -6, -6, -6] + [-12, -20, -28, -36] + [-36] * 3
    partner = [0] * 3 + [-5, -10, -15, -20] + [-20] * 5 + [-20] * 7
    reps = feed(paired(), list(zip(lead, partner)))
    assert [r.peak for r in reps] == [-20, -36]
    assert reps[1].start_ms >= reps[0].end_ms


def test_the_spread_of_the_middle_values_ignores_a_few_far_off():
    values = RecentValues(10_000.0)
    for i in range(50):
        values.add(i * 100.0, 100.0 + (i % 10))  # 100..109
    values.add(5000.0, 180.0)  # one landmark jump
    assert values.span() == 80.0 and 7.0 <= values.span(0.8) <= 9.0


def test_movement_start_hands_back_reps_once_two_come_in_a_row():
    def swing(watch, t0, side="left"):
        out = []
        for t, v in ((t0, 0.0), (t0 + 100, 60.0), (t0 + 600, 60.0), (t0 + 700, 0.0)):
            out += watch.update(t, v, side)
        return out

    watch = MovementStart(RepCounter(45.0, 15.0, min_rep_ms=300.0), needed=2, max_gap_ms=5000.0)
    assert swing(watch, 0) == []  # one swing alone: getting into place, perhaps
    assert swing(watch, 20_000) == []  # the next one too long after: it starts afresh
    reps = swing(watch, 22_000, "right")
    assert [(w.start_ms, w.end_ms, side) for w, side in reps] == [(20_100, 20_700, "left"), (22_100, 22_700, "right")]
    assert swing(watch, 24_000) == []  # handed back once: the next pair starts afresh
    watch.reset()
    assert swing(watch, 26_000) == []
