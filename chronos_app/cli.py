"""Command line: `python -m chronos_app.cli prepare` migrates and loads the demo data."""

from __future__ import annotations

import argparse
import logging
import sys

from chronos_app.core import migrate
from chronos_app.core.db import database_url, session_scope


def prepare(demo: bool = True) -> None:
    url = database_url()
    migrate.upgrade(url)
    if demo:
        from chronos_app.pipeline.worker import drain
        from chronos_app.services import demo as demo_data

        with session_scope() as session:
            users = demo_data.seed(session=session)
        with session_scope() as session:
            added = demo_data.seed_videos(session=session)
        if added:
            print(f"Processing {added} demo videos…")
            drain()
            with session_scope() as session:
                demo_data.publish_processed(session=session)
        with session_scope() as session:
            demo_data.seed_discussion(session=session)
        with session_scope() as session:
            demo_data.seed_course(session=session)
        print(f"Demo logins (password {demo_data.DEMO_PASSWORD}): {', '.join(users)}")


def worker(concurrency: int = 1) -> None:
    """Run pipeline workers in this process until Ctrl-C / SIGTERM."""
    import signal
    import threading

    from chronos_app.pipeline.worker import Worker

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    threads = [threading.Thread(target=Worker().run, args=(stop,), name=f"worker-{n}")
               for n in range(max(concurrency, 1))]
    for t in threads:
        t.start()
    print(f"{len(threads)} pipeline worker(s) running against {database_url().split('@')[-1]}; "
          "Ctrl-C stops them.")
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(timeout=0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chronos")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="migrate the database and load the demo data")
    p.add_argument("--no-demo", action="store_true", help="skip the demo data")
    sub.add_parser("migrate", help="alembic upgrade head")
    w = sub.add_parser("worker", help="run pipeline workers against the database")
    w.add_argument("--concurrency", type=int, default=1, help="worker threads (default 1)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    if args.command == "prepare":
        prepare(demo=not args.no_demo)
    elif args.command == "migrate":
        migrate.upgrade(database_url())
    elif args.command == "worker":
        worker(args.concurrency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
