"""Agreement scores against hand-computed cases (no database)."""

import numpy as np
import pytest

from coding import scores


def test_nvivo_case_a_codes_0_600_b_codes_100_600_of_1000_gives_kappa_0_80():
    table = scores.pair_scores([(0, 600)], [(100, 600)], 1000)
    assert (table.both, table.only_a, table.only_b, table.neither) == (500, 100, 0, 400)
    assert table.percent == pytest.approx(90.0)
    # po = 0.9; pe = 0.6 * 0.5 + 0.4 * 0.5 = 0.5; kappa = (0.9 - 0.5) / 0.5
    assert table.kappa == pytest.approx(0.80)
    assert scores.band(table.kappa) == "good"


def test_identical_codings_agree_completely():
    table = scores.pair_scores([(10, 20), (50, 90)], [(10, 20), (50, 90)], 100)
    assert table.percent == 100.0
    assert table.kappa == pytest.approx(1.0)
    masks = [scores.mask([(10, 20)], 100)] * 3
    assert scores.alpha(masks) == pytest.approx(1.0)


def test_nobody_coding_anything_is_complete_agreement():
    table = scores.pair_scores([], [], 100)
    assert table.percent == 100.0 and table.kappa == 1.0
    assert scores.alpha([scores.mask([], 100), scores.mask([], 100)]) == 1.0


def test_disjoint_codings():
    # A codes the first half, B the second: they agree on no character.
    table = scores.pair_scores([(0, 500)], [(500, 1000)], 1000)
    assert table.percent == 0.0
    assert table.kappa == pytest.approx(-1.0)
    # Disjoint small codings on a long text: high raw agreement, kappa below zero.
    small = scores.pair_scores([(0, 100)], [(200, 300)], 1000)
    assert small.percent == pytest.approx(80.0)
    # pe = 0.1*0.1 + 0.9*0.9 = 0.82; kappa = (0.8 - 0.82) / 0.18
    assert small.kappa == pytest.approx(-0.02 / 0.18)
    assert scores.band(small.kappa) == "poor"


def test_three_coders_alpha_against_the_coincidence_matrix_by_hand():
    # 10 characters. A and B code [0, 6), C codes [0, 4).
    # Units 0-3: (1,1,1) -> o11 += 3 each; units 4-5: (1,1,0) -> o11, o10, o01 += 1 each;
    # units 6-9: (0,0,0) -> o00 += 3 each. o11 = 14, o10 = o01 = 2, o00 = 12, n = 30.
    # Do = 4/30; De = 2 * 16 * 14 / (30 * 29); alpha = 1 - Do/De = 83/112.
    masks = [scores.mask(spans, 10) for spans in ([(0, 6)], [(0, 6)], [(0, 4)])]
    assert scores.alpha(masks) == pytest.approx(83 / 112)


def test_pooling_adds_the_tables_of_each_transcript():
    first = scores.pair_scores([(0, 600)], [(100, 600)], 1000)
    second = scores.pair_scores([(0, 100)], [(0, 100)], 100)
    pooled = first + second
    assert pooled.total == 1100
    assert pooled.percent == pytest.approx(100 * 1000 / 1100)


def test_bands_and_their_edges():
    assert [scores.band(v) for v in (0.39, 0.4, 0.59, 0.6, 0.8, 0.81)] == [
        "poor", "fair", "fair", "good", "good", "excellent"
    ]  # fmt: skip
    assert scores.band(None) == ""


def test_unit_level_view_says_who_else_coded_an_overlapping_span():
    found = scores.units({"a": [(0, 10), (50, 60)], "b": [(5, 20)], "c": []})
    by_span = {(unit.coder, unit.span): unit.matched for unit in found}
    assert by_span[("a", (0, 10))] == {"b": True, "c": False}
    assert by_span[("a", (50, 60))] == {"b": False, "c": False}
    assert by_span[("b", (5, 20))] == {"a": True, "c": False}


def test_disagreements_are_the_runs_where_coders_differ():
    masks = [scores.mask([(0, 600)], 1000), scores.mask([(100, 600), (900, 950)], 1000)]
    assert scores.disagreements(masks) == [(0, 100), (900, 950)]
    assert scores.disagreements([np.ones(5, bool), np.ones(5, bool)]) == []
