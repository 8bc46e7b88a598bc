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
        from chronos_app.services import demo as demo_data

        with session_scope() as session:
            users = demo_data.seed(session=session)
        print(f"Demo logins (password {demo_data.DEMO_PASSWORD}): {', '.join(users)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chronos")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="migrate the database and load the demo data")
    p.add_argument("--no-demo", action="store_true", help="skip the demo data")
    sub.add_parser("migrate", help="alembic upgrade head")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    if args.command == "prepare":
        prepare(demo=not args.no_demo)
    elif args.command == "migrate":
        migrate.upgrade(database_url())
    return 0


if __name__ == "__main__":
    sys.exit(main())
