"""``python -m weightinit info``: what a bug report needs."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m weightinit", description="weightinit command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="version, compiler, OpenMP, threads and CPU features")
    args = parser.parse_args(argv)
    if args.command == "info":
        from ._runtime import show_info

        show_info()
    return 0


if __name__ == "__main__":
    sys.exit(main())
