"""Offline evaluation of chapters and retrieval on real videos (`make eval`), and the pipeline
benchmark. Reads the evaluation data from outside the repository (EVAL_DATA_DIR, EVAL_QA_DIR);
writes figures to eval-results.json / bench-results.json at the repository root.

    python -m chronos_app.evaluation          # chapters + chunking/retrieval grid
    python -m chronos_app.evaluation.bench    # seconds per hour of transcript
"""
