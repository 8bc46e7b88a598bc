"""Chapter-segmentation metrics, as in the video-chaptering literature (VidChapters-7M,
Chapter-Llama), implemented here so their exact definitions are visible.

Chapters are given by their start times; they cover the whole video: segment i runs from start i
to start i+1, the last to the video's duration. Starts are sorted, clipped to [0, duration),
de-duplicated, and a start at 0 is added when missing (a chapter list always covers the video).

- **Segment F1 @ IoU t**: predicted and reference segments are matched one-to-one, greedily in
  order of decreasing IoU; a match counts when IoU ≥ t. precision = matches / predicted,
  recall = matches / reference. For t ≥ 0.5 the greedy matching is also the optimal one:
  within one partition of the timeline a segment can have IoU > 0.5 with at most one segment of
  another partition (two disjoint segments cannot each cover more than half of it), so every
  segment has at most one candidate partner. ``f1`` is the mean over t = 0.50, 0.55, …, 0.95.
- **tIoU**: ``tiou_recall`` = for each reference segment the best IoU with any predicted segment,
  averaged over reference segments; ``tiou_precision`` = the same from the predicted side;
  ``tiou`` = their mean (symmetric, so neither over- nor under-segmenting is free).
- **Starts within 5 s**: the chapter starts other than the trivial one at 0:00 (present in every
  prediction and reference) are matched one-to-one, greedily by increasing distance, when at
  most 5 s apart; precision = matched / predicted starts, recall = matched / reference starts
  (both 1 when both lists are empty, 0 when only one is).

Per-video figures are averaged over videos (macro average) by ``mean_metrics``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

__all__ = ["CITATION_TOLERANCE_S", "IOU_THRESHOLDS", "START_TOLERANCE_S", "chapter_metrics", "iou",
           "mean_metrics", "overlaps", "retrieval_metrics",
           "segment_f1", "segments_from_starts", "start_precision_recall", "tiou"]

IOU_THRESHOLDS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))
START_TOLERANCE_S = 5.0

Segment = tuple[float, float]


def segments_from_starts(starts: Iterable[float], duration: float) -> list[Segment]:
    """Chapter starts → contiguous (start, end) segments covering [0, duration]."""
    if duration <= 0:
        return []
    points = sorted({min(max(float(s), 0.0), duration) for s in starts} | {0.0})
    points = [p for p in points if p < duration]
    return [(a, b) for a, b in zip(points, [*points[1:], duration], strict=True)]


def iou(a: Segment, b: Segment) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def _prf(matches: int, n_pred: int, n_ref: int) -> tuple[float, float, float]:
    if n_pred == 0 and n_ref == 0:
        return 1.0, 1.0, 1.0
    precision = matches / n_pred if n_pred else 0.0
    recall = matches / n_ref if n_ref else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def segment_f1(pred: Sequence[Segment], ref: Sequence[Segment], threshold: float
               ) -> tuple[float, float, float]:
    """(precision, recall, F1) of a one-to-one greedy IoU matching at ``threshold``."""
    pairs = sorted(((iou(p, r), i, j) for i, p in enumerate(pred) for j, r in enumerate(ref)),
                   reverse=True)
    used_p: set[int] = set()
    used_r: set[int] = set()
    matches = 0
    for value, i, j in pairs:
        if value < threshold or value <= 0:
            break
        if i in used_p or j in used_r:
            continue
        used_p.add(i)
        used_r.add(j)
        matches += 1
    return _prf(matches, len(pred), len(ref))


def tiou(pred: Sequence[Segment], ref: Sequence[Segment]) -> tuple[float, float, float]:
    """(tiou_precision, tiou_recall, symmetric tiou), see the module docstring."""
    if not pred or not ref:
        return (0.0, 0.0, 0.0) if pred or ref else (1.0, 1.0, 1.0)
    recall = sum(max(iou(p, r) for p in pred) for r in ref) / len(ref)
    precision = sum(max(iou(p, r) for r in ref) for p in pred) / len(pred)
    return precision, recall, (precision + recall) / 2


def start_precision_recall(pred_starts: Iterable[float], ref_starts: Iterable[float],
                           tolerance: float = START_TOLERANCE_S) -> tuple[float, float, float]:
    """(precision, recall, F1) of non-zero starts matched one-to-one within ``tolerance``."""
    pred = sorted({float(s) for s in pred_starts if s > 0})
    ref = sorted({float(s) for s in ref_starts if s > 0})
    pairs = sorted((abs(p - r), i, j) for i, p in enumerate(pred) for j, r in enumerate(ref)
                   if abs(p - r) <= tolerance)
    used_p: set[int] = set()
    used_r: set[int] = set()
    for _, i, j in pairs:
        if i not in used_p and j not in used_r:
            used_p.add(i)
            used_r.add(j)
    return _prf(len(used_p), len(pred), len(ref))


def chapter_metrics(pred_starts: Sequence[float], ref_starts: Sequence[float],
                    duration: float) -> dict[str, float]:
    """Every metric of one video's predicted chapters against its reference chapters."""
    pred = segments_from_starts(pred_starts, duration)
    ref = segments_from_starts(ref_starts, duration)
    f1s = [segment_f1(pred, ref, t) for t in IOU_THRESHOLDS]
    t_p, t_r, t_sym = tiou(pred, ref)
    s_p, s_r, s_f1 = start_precision_recall([a for a, _ in pred], [a for a, _ in ref])
    return {
        "f1": sum(f for _, _, f in f1s) / len(f1s),
        "precision": sum(p for p, _, _ in f1s) / len(f1s),
        "recall": sum(r for _, r, _ in f1s) / len(f1s),
        "f1@0.5": f1s[0][2],
        "tiou": t_sym,
        "tiou_precision": t_p,
        "tiou_recall": t_r,
        "start_precision@5s": s_p,
        "start_recall@5s": s_r,
        "start_f1@5s": s_f1,
        "chapters": float(len(pred)),
        "reference_chapters": float(len(ref)),
    }


def mean_metrics(rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Macro average of per-video metric dicts (same keys), plus the number of videos."""
    if not rows:
        return {"videos": 0.0}
    out = {key: sum(r[key] for r in rows) / len(rows) for key in rows[0]}
    out["videos"] = float(len(rows))
    return out


# ----------------------------------------------------------------------------------------------
# Retrieval (one question against the chunks of its own video)
#
# A chunk is relevant when its [start, end] overlaps the answer window [answer_start, answer_end]
# (touching is not overlapping). For one ranked list of chunk spans:
# - hit@k: a relevant chunk is among the first k (recall@k is its mean over questions);
# - reciprocal rank: 1 / rank of the first relevant chunk (0 when none is relevant);
# - citation hit: the first chunk's start — where a citation would seek the player — lies in
#   [answer_start - 5 s, answer_end + 5 s].

CITATION_TOLERANCE_S = 5.0


def overlaps(span: Segment, answer: Segment) -> bool:
    return span[0] < answer[1] and span[1] > answer[0]


def retrieval_metrics(ranked: Sequence[Segment], answer: Segment,
                      tolerance: float = CITATION_TOLERANCE_S) -> dict[str, float]:
    """recall@1, recall@5, reciprocal rank and citation hit of one ranked list of spans."""
    first = next((i for i, span in enumerate(ranked) if overlaps(span, answer)), None)
    cited = bool(ranked) and answer[0] - tolerance <= ranked[0][0] <= answer[1] + tolerance
    return {
        "recall@1": float(first is not None and first < 1),
        "recall@5": float(first is not None and first < 5),
        "mrr": 1.0 / (first + 1) if first is not None else 0.0,
        "citation@5s": float(cited),
    }
