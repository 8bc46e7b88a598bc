"""The evaluation's chapter and retrieval metrics on hand-computed cases."""

from __future__ import annotations

import pytest

from chronos_app.evaluation.metrics import (
    IOU_THRESHOLDS,
    chapter_metrics,
    iou,
    mean_metrics,
    retrieval_metrics,
    segment_f1,
    segments_from_starts,
    start_precision_recall,
    tiou,
)


def test_segments_from_starts():
    assert segments_from_starts([60, 0, 30, 30, 200], 100) == [(0, 30), (30, 60), (60, 100)]
    assert segments_from_starts([10, 50], 100) == [(0, 10), (10, 50), (50, 100)]  # 0 added
    assert segments_from_starts([], 100) == [(0, 100)]
    assert segments_from_starts([0], 0) == []


def test_iou():
    assert iou((0, 10), (0, 10)) == 1.0
    assert iou((0, 10), (5, 15)) == pytest.approx(5 / 15)
    assert iou((0, 10), (10, 20)) == 0.0
    assert IOU_THRESHOLDS == (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def test_perfect_prediction():
    m = chapter_metrics([0, 40, 90], [0, 40, 90], 120)
    assert m["f1"] == m["precision"] == m["recall"] == m["f1@0.5"] == 1.0
    assert m["tiou"] == m["tiou_precision"] == m["tiou_recall"] == 1.0
    assert m["start_precision@5s"] == m["start_recall@5s"] == 1.0
    assert m["chapters"] == m["reference_chapters"] == 3


def test_shifted_prediction():
    # reference 0-50-100; prediction 0-60-100: IoUs 50/60 = 0.833 and 40/50 = 0.8
    m = chapter_metrics([0, 60], [0, 50], 100)
    # matched at thresholds 0.50..0.80 (7 of 10) -> F1 1 there, 0 above
    assert m["f1"] == pytest.approx(0.7)
    assert m["tiou"] == pytest.approx((50 / 60 + 40 / 50) / 2)
    assert m["start_precision@5s"] == m["start_recall@5s"] == 0.0  # 10 s away
    near = chapter_metrics([0, 54], [0, 50], 100)
    assert near["start_precision@5s"] == near["start_recall@5s"] == 1.0


def test_single_predicted_chapter_against_many():
    m = chapter_metrics([0], [0, 25, 50, 75], 100)
    assert m["f1"] == 0.0  # one segment of IoU 0.25 with each reference
    assert m["tiou_recall"] == pytest.approx(0.25)
    assert m["tiou_precision"] == pytest.approx(0.25)
    assert m["start_precision@5s"] == 0.0 and m["start_recall@5s"] == 0.0


def test_over_segmentation_costs_precision_not_recall():
    ref = segments_from_starts([0, 50], 100)
    pred = segments_from_starts([0, 50, 95], 100)
    p, r, f = segment_f1(pred, ref, 0.5)
    assert (p, r) == (pytest.approx(2 / 3), 1.0)  # (50,95) still has IoU 0.9 with (50,100)
    assert f == pytest.approx(0.8)


def test_greedy_matching_is_one_to_one():
    # two predictions overlap the same reference; only one may match it
    p, r, _ = segment_f1([(0, 10), (0, 9)], [(0, 10)], 0.5)
    assert (p, r) == (0.5, 1.0)


def test_start_matching_is_one_to_one_and_excludes_zero():
    assert start_precision_recall([0, 10, 12], [0, 11]) == (0.5, 1.0, pytest.approx(2 / 3))
    assert start_precision_recall([0], [0]) == (1.0, 1.0, 1.0)  # nothing but 0:00 on both sides
    assert start_precision_recall([0, 30], [0]) == (0.0, 0.0, 0.0)


def test_tiou_empty_cases():
    assert tiou([], []) == (1.0, 1.0, 1.0)
    assert tiou([(0, 1)], []) == (0.0, 0.0, 0.0)


def test_mean_metrics():
    out = mean_metrics([{"f1": 1.0, "tiou": 0.5}, {"f1": 0.0, "tiou": 1.0}])
    assert out == {"f1": 0.5, "tiou": 0.75, "videos": 2.0}
    assert mean_metrics([]) == {"videos": 0.0}


def test_retrieval_metrics():
    answer = (30.0, 40.0)
    ranked = [(0.0, 20.0), (35.0, 60.0), (20.0, 30.0)]  # (20,30) only touches: not relevant
    m = retrieval_metrics(ranked, answer)
    assert m == {"recall@1": 0.0, "recall@5": 1.0, "mrr": 0.5, "citation@5s": 0.0}
    hit = retrieval_metrics([(26.0, 50.0)], answer)
    assert hit == {"recall@1": 1.0, "recall@5": 1.0, "mrr": 1.0, "citation@5s": 1.0}
    assert retrieval_metrics([], answer)["mrr"] == 0.0
    far = [(100.0, 110.0)] * 5 + [(30.0, 35.0)]
    assert retrieval_metrics(far, answer) == {"recall@1": 0.0, "recall@5": 0.0,
                                              "mrr": pytest.approx(1 / 6), "citation@5s": 0.0}
