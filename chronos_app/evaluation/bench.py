"""`python -m chronos_app.evaluation.bench`: seconds to process one hour of transcript with
the offline providers — cues → build_chunks → LocalEmbedder.embed (batches of 64) →
OfflineChapterer — median and minimum of 3 repetitions per stage. The hour is made of the
evaluation transcripts (EVAL_DATA_DIR) laid end to end, or generated when they are absent.
Figures → bench-results.json at the repository root, under "pipeline"; then the retrieval
benchmark (`bench_retrieval`, BENCH_RETRIEVAL_SIZES, "none" skips it) under "retrieval"."""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from chronos_app.ai.chapters import OfflineChapterer
from chronos_app.ai.local_embedder import LocalEmbedder
from chronos_app.core.settings import REPO_ROOT
from chronos_app.evaluation.data import data_dir, load_chapter_videos
from chronos_app.pipeline.captions import Cue
from chronos_app.pipeline.chunking import build_chunks

HOUR = 3600.0
BATCH = 64

_VOCAB = ("vector matrix gradient neuron layer network function derivative integral limit "
          "series circle angle triangle graph pixel canvas shader loop array object class "
          "memory brain neuron behaviour emotion learning reward habit sleep dream").split()


def hour_of_transcript(seconds: float = HOUR) -> tuple[list[Cue], str]:
    """(cues covering ``seconds``, where they came from)."""
    videos = load_chapter_videos()
    cues: list[Cue] = []
    offset = 0.0
    for video in videos:
        for cue in video.cues:
            if offset + cue.start >= seconds:
                return cues, f"{data_dir()} ({len(cues)} cues, time-shifted end to end)"
            cues.append(Cue(round(offset + cue.start, 3),
                            round(min(offset + cue.end, seconds), 3), cue.text))
        offset += max(video.duration, video.cues[-1].end)
    if cues and offset >= seconds:
        return cues, f"{data_dir()} ({len(cues)} cues)"
    return synthetic_transcript(seconds), "synthetic (no evaluation data found)"


def synthetic_transcript(seconds: float = HOUR, seed: int = 7) -> list[Cue]:
    """~150 words a minute in 3-second cues, topics drifting every few minutes."""
    rng = random.Random(seed)
    cues, t = [], 0.0
    while t < seconds:
        topic = _VOCAB[int(t // 300) % len(_VOCAB):][:6] or _VOCAB[:6]
        words = [rng.choice(topic) if rng.random() < 0.4 else rng.choice(
            ("the", "and", "we", "is", "so", "this", "of", "a", "to", "it")) for _ in range(8)]
        end = min(t + 3.0, seconds)
        cues.append(Cue(round(t, 3), round(end, 3), " ".join(words).capitalize() + "."))
        t = end
    return cues


def run_once(cues: Sequence[Cue], duration: float) -> dict[str, float]:
    timings = {}
    started = time.perf_counter()
    chunks = build_chunks(cues)
    timings["chunks"] = time.perf_counter() - started

    embedder = LocalEmbedder()
    t = time.perf_counter()
    texts = [c.text for c in chunks]
    for i in range(0, len(texts), BATCH):
        embedder.embed(texts[i:i + BATCH])
    timings["embeddings"] = time.perf_counter() - t

    t = time.perf_counter()
    OfflineChapterer().chapters(cues, duration)
    timings["chapters"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    timings["chunk_count"] = len(chunks)
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chronos_app.evaluation.bench",
                                     description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "bench-results.json")
    args = parser.parse_args(argv)

    cues, origin = hour_of_transcript()
    duration = max(c.end for c in cues)
    words = sum(len(c.text.split()) for c in cues)
    print(f"One hour of transcript from {origin}: {len(cues)} cues, {words} words, "
          f"{duration:.0f} s.")
    runs = []
    for i in range(args.repeat):
        # Each repetition starts cold for the embedder's token caches (a new process would).
        from chronos_app.ai import local_embedder

        local_embedder._bucket.cache_clear()
        local_embedder.stem.cache_clear()
        runs.append(run_once(cues, duration))
        print(f"  run {i + 1}: " + ", ".join(f"{k} {v:.3f} s" for k, v in runs[-1].items()
                                             if k != "chunk_count"))
    stages = ("chunks", "embeddings", "chapters", "total")
    result = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "transcript": {"origin": origin, "cues": len(cues), "words": words,
                       "seconds": round(duration, 1), "chunks": runs[0]["chunk_count"]},
        "repetitions": len(runs),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "seconds_per_hour": {
            s: {"median": round(statistics.median(r[s] for r in runs), 4),
                "min": round(min(r[s] for r in runs), 4)} for s in stages},
    }
    print(f"\n{'stage':<12}{'median s':>10}{'min s':>10}")
    for stage in stages:
        figures = result["seconds_per_hour"][stage]
        print(f"{stage:<12}{figures['median']:>10.3f}{figures['min']:>10.3f}")
    args.output.write_text(json.dumps({"pipeline": result}, indent=2) + "\n",
                           encoding="utf-8")
    print(f"\nWrote {args.output}.")

    from chronos_app.evaluation import bench_retrieval

    sizes = bench_retrieval.sizes_from_env()
    if sizes:
        print()
        bench_retrieval.write_results(bench_retrieval.run(sizes), args.output)
        print(f"Added the retrieval figures to {args.output}.")

    from chronos_app.evaluation import bench_analytics

    if os.environ.get("BENCH_ANALYTICS_EVENTS", "").strip() != "0":  # 0 skips it
        print()
        bench_analytics.write_results(bench_analytics.run(), args.output)
        print(f"Added the analytics figures to {args.output}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
