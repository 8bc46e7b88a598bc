"""`python -m chronos_app.evaluation`: chapters (offline segmenter, equal-spacing baseline, LLM
when a key is set) against creators' chapters, the chunking/retrieval grid on the QA set, and
the tutor's retrieval end to end on PostgreSQL (evaluation/tutor.py).
Figures → eval-results.json at the repository root, and a table on stdout."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from chronos_app.ai.base import Chapterer
from chronos_app.ai.chapters import (
    COUNT_SCALE,
    EqualSpacingChapterer,
    LLMChapterer,
    OfflineChapterer,
)
from chronos_app.ai.local_embedder import LocalEmbedder
from chronos_app.core.settings import REPO_ROOT
from chronos_app.evaluation import data, retrieval, tutor
from chronos_app.evaluation.metrics import chapter_metrics, mean_metrics
from chronos_app.evaluation.report import table
from chronos_app.pipeline import chunking

CHAPTER_COLUMNS = ("f1", "f1@0.5", "tiou", "start_precision@5s", "start_recall@5s", "chapters",
                   "reference_chapters")
RETRIEVAL_COLUMNS = ("recall@1", "recall@5", "mrr", "citation@5s")


class _CountingFallback:
    """The offline chapterer as the LLM's fallback, counting how often it was needed."""

    name = "offline-fallback"

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        self._offline = OfflineChapterer()

    def chapters(self, cues, duration):
        with self._lock:
            self.calls += 1
        return self._offline.chapters(cues, duration)


def _llm_chapterer() -> tuple[LLMChapterer | None, _CountingFallback | None, str]:
    try:
        from chronos_app.ai.providers import get_llm
    except ImportError:
        return None, None, "LLM chapters skipped: chronos_app.ai.providers is not available."
    try:
        llm = get_llm()
    except Exception as err:  # a misconfigured key must not stop the offline evaluation
        return None, None, f"LLM chapters skipped: could not configure the LLM ({err})."
    if llm is None:
        return None, None, "LLM chapters skipped: no ANTHROPIC_API_KEY / OPENAI_API_KEY is set."
    fallback = _CountingFallback()
    return LLMChapterer(llm, fallback), fallback, f"LLM chapters by {llm.name}."


def evaluate_chapters(videos: Sequence[data.ChapterVideo], use_llm: bool) -> dict:
    methods: dict[str, Chapterer] = {
        "offline": OfflineChapterer(),
        "equal_spacing": EqualSpacingChapterer(),
    }
    notes = []
    fallback = None
    if use_llm:
        llm, fallback, note = _llm_chapterer()
        notes.append(note)
        if llm is not None:
            methods["llm"] = llm
    else:
        notes.append("LLM chapters skipped (--no-llm).")
    for note in notes:
        print(note)
    results: dict[str, dict] = {}
    for name, chapterer in methods.items():
        started = time.perf_counter()
        workers = 4 if name == "llm" else 1
        with ThreadPoolExecutor(workers) as pool:
            predicted = list(pool.map(lambda v, c=chapterer: c.chapters(v.cues, v.duration),
                                      videos))
        per_source: dict[str, list[dict[str, float]]] = {}
        for video, drafts in zip(videos, predicted, strict=True):
            row = chapter_metrics([d.start for d in drafts], video.reference_starts,
                                  video.duration)
            per_source.setdefault(video.source, []).append(row)
        every = [r for rows in per_source.values() for r in rows]
        results[name] = {
            "chapterer": chapterer.name,
            "seconds": round(time.perf_counter() - started, 2),
            "overall": mean_metrics(every),
            "by_source": {s: mean_metrics(rows) for s, rows in sorted(per_source.items())},
        }
        if name == "llm" and fallback is not None:
            results[name]["fallback_videos"] = fallback.calls
    return {"videos": len(videos), "notes": notes, "count_scale": COUNT_SCALE,
            "methods": results}


def print_chapters(result: dict) -> None:
    print(f"\nChapters vs creators' chapters ({result['videos']} videos; F1 averaged over IoU "
          "0.50-0.95; starts within 5 s, 0:00 excluded)")
    rows = []
    for name, r in result["methods"].items():
        rows.append([f"{name} (all)", *(r["overall"][c] for c in CHAPTER_COLUMNS)])
        for source, m in r["by_source"].items():
            rows.append([f"  {source}", *(m[c] for c in CHAPTER_COLUMNS)])
    print(table(["method", "F1", "F1@.5", "tIoU", "startP", "startR", "n", "n_ref"], rows))
    methods = result["methods"]
    if "offline" in methods and "equal_spacing" in methods:
        ours, base = methods["offline"]["overall"]["f1"], methods["equal_spacing"]["overall"]["f1"]
        print(f"Offline segmenter {'beats' if ours > base else 'DOES NOT beat'} the "
              f"equal-spacing baseline on F1: {ours:.3f} vs {base:.3f}.")
    if "llm" in methods:
        print(f"LLM fell back to the offline chapterer on "
              f"{methods['llm'].get('fallback_videos', 0)} videos.")


def evaluate_retrieval(items, transcripts) -> dict:
    embedder = LocalEmbedder()
    question_vectors = embedder.embed_array([q.question for q in items])
    rows = []
    for target in retrieval.GRID_TARGETS:
        for fraction in retrieval.GRID_OVERLAPS:
            rows.append(retrieval.evaluate_config(
                items, transcripts, target, round(target * fraction), embedder,
                question_vectors))
    best = retrieval.pick_best(rows)
    defaults = next((r for r in rows if r["target_words"] == chunking.CHUNK_TARGET_WORDS
                     and r["overlap_words"] == chunking.CHUNK_OVERLAP_WORDS), None)
    if defaults is None:
        defaults = retrieval.evaluate_config(
            items, transcripts, chunking.CHUNK_TARGET_WORDS, chunking.CHUNK_OVERLAP_WORDS,
            embedder, question_vectors)
    return {
        "questions": len(items),
        "videos": len(transcripts),
        "embedder": embedder.model,
        "selection": retrieval.SELECTION,
        "grid": rows,
        "best": {"target_words": best["target_words"], "overlap_words": best["overlap_words"],
                 "score": round(retrieval.selection_score(best), 4)},
        "defaults": {"target_words": chunking.CHUNK_TARGET_WORDS,
                     "overlap_words": chunking.CHUNK_OVERLAP_WORDS,
                     "score": round(retrieval.selection_score(defaults), 4),
                     "modes": defaults["modes"]},
    }


def print_retrieval(result: dict) -> None:
    print(f"\nChunking grid: {result['questions']} questions, {result['videos']} videos, "
          f"ranking the chunks of the question's own video ({result['embedder']})")
    rows = []
    for r in result["grid"]:
        label = f"{r['target_words']}/{r['overlap_words']}"
        for mode in retrieval.MODES:
            m = r["modes"][mode]
            rows.append([label if mode == "dense" else "", mode,
                         *(m[c] for c in RETRIEVAL_COLUMNS),
                         r["chunks"] if mode == "dense" else "",
                         r["mean_chunk_seconds"] if mode == "dense" else "",
                         retrieval.selection_score(r) if mode == "hybrid" else ""])
    print(table(["target/overlap", "mode", "R@1", "R@5", "MRR", "cite±5s", "chunks", "sec",
                 "score"], rows))
    print(f"Best by {result['selection']}: {result['best']}")
    print(f"Defaults in chunking.py: {result['defaults']['target_words']}/"
          f"{result['defaults']['overlap_words']} (score {result['defaults']['score']})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chronos_app.evaluation",
                                     description=__doc__)
    parser.add_argument("--no-llm", action="store_true", help="skip LLM chapters")
    parser.add_argument("--skip-chapters", action="store_true")
    parser.add_argument("--skip-retrieval", action="store_true")
    parser.add_argument("--skip-tutor", action="store_true",
                        help="skip the tutor retrieval on PostgreSQL")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "eval-results.json")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    out: dict = {"generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if not args.skip_chapters:
        videos = data.load_chapter_videos()
        if videos:
            out["chapters"] = evaluate_chapters(videos, use_llm=not args.no_llm)
            out["chapters"]["data_dir"] = str(data.data_dir())
            print_chapters(out["chapters"])
        else:
            print(f"No chapter data in {data.data_dir()} (set EVAL_DATA_DIR): skipped.")
    qa = tutor.load_qa() if not (args.skip_retrieval and args.skip_tutor) else None
    if qa is not None and not qa.items:
        print(f"No QA data at {qa.questions_file} / {qa.transcripts_dir} (set EVAL_QA_DIR, or "
              "EVAL_QA_FILE and EVAL_TRANSCRIPTS_DIR): retrieval skipped.")
    elif qa is not None:
        if not args.skip_retrieval:
            out["retrieval"] = evaluate_retrieval(qa.items, qa.transcripts)
            out["retrieval"]["qa_dir"] = str(data.qa_dir())
            out["retrieval"]["questions_file"] = str(qa.questions_file)
            out["retrieval"]["transcripts_dir"] = str(qa.transcripts_dir)
            print_retrieval(out["retrieval"])
        if not args.skip_tutor:
            out["tutor_retrieval"] = tutor.evaluate_tutor(qa)
            tutor.print_tutor(out["tutor_retrieval"])
    out["runtime_seconds"] = round(time.perf_counter() - started, 1)
    args.output.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"\nWrote {args.output} in {out['runtime_seconds']} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
