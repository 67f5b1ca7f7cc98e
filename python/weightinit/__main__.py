"""``python -m weightinit info``: what a bug report needs; ``python -m weightinit bench``: the
benchmark against NumPy and the other peers (options: ``python -m weightinit bench --help``);
``python -m weightinit init``: write an initialized tensor to a .npy or .safetensors file, chunk by
chunk (options: ``python -m weightinit init --help``)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # every other argument belongs to the benchmark's own parser
        from ._bench import main as bench_main

        return bench_main(argv[1:])
    if argv[:1] == ["init"]:  # likewise for the init command's parser
        from ._cli_init import main as init_main

        return init_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m weightinit", description="weightinit command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="version, compiler, OpenMP, threads and CPU features")
    sub.add_parser("bench", help="benchmark against NumPy, PyTorch, JAX (see: bench --help)")
    sub.add_parser("init", help="write an initialized tensor to a .npy or .safetensors file (see: init --help)")
    args = parser.parse_args(argv)
    if args.command == "info":
        from ._runtime import show_info

        show_info()
    return 0


if __name__ == "__main__":
    sys.exit(main())
