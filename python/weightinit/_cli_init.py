"""``python -m weightinit init``: write an initialized tensor to a ``.npy`` or ``.safetensors``
file, chunk by chunk, so tensors larger than memory can be made from the command line.

This module reads the arguments and runs the job; :mod:`._tensor_file` writes the file. Each
block of about :data:`CHUNK_BYTES` is ``init(shape, seed=s, index=block, out=<the mapped
block>)``, so it equals the same block of the in-memory result bit for bit and never needs more
memory than the block; the file appears under the output's name only once it is complete, so an
interrupted or failed run never leaves a truncated file there.

Exit codes: 0 success, 1 runtime error (disk full, permission...), 2 bad arguments (usage
message), 130 interrupted (Ctrl-C; 128 + the signal for SIGTERM).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import signal
import sys
import threading
import time
from typing import Any, Callable

import numpy as np

from . import _checks, initializers
from ._cli_init_options import Option, epilog, options_by_initializer, parse_int, shared_options
from ._dtypes import SUPPORTED_DTYPES, resolve_dtype
from ._progress import progress, size_text
from ._seed import RecordingKey
from ._tensor_file import FORMATS, TensorFile, remove_stale_partials

__all__ = ["CHUNK_BYTES", "INITIALIZER_OPTIONS", "build_parser", "main"]

PROG = "python -m weightinit init"

#: Bytes filled (and flushed to the file) per step: the most memory a run needs for the tensor.
CHUNK_BYTES = 64 * 2**20

_EPILOG_END = """\
The file is written under a hidden temporary name next to it (.<name>.<host>-<pid>-<random>.partial)
and renamed when complete. A run that is killed outright (SIGKILL, power loss) cannot remove its
temporary file; the next run for the same output removes those of this host whose process is gone.

The result equals weightinit.<init>(shape, ..., dtype=..., seed=...) bit for bit. Without --seed
a fresh seed is drawn and printed ("seed: N") so the file can be made again.
A .npy file of bfloat16 stores raw 2-byte values (NumPy has no bfloat16 of its own): load it with
np.load(path).view(ml_dtypes.bfloat16).

example:
  python -m weightinit init --init he_normal --shape 65536 65536 --dtype bfloat16 --seed 0 --output w.npy
"""


def __getattr__(name: str) -> Any:
    # Derived on each access, so it always says what the parser offers.
    if name == "INITIALIZER_OPTIONS":  # each initializer and the names of its options
        return {init: tuple(options) for init, options in options_by_initializer().items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------


def _int_type(check: Callable[[int, str], int], name: str) -> Callable[[str], int]:
    """An argparse type: an int read from the text, then ``check(value, name)`` from _checks."""

    def parse(text: str) -> int:
        try:
            return check(parse_int(text), name)
        except (TypeError, ValueError) as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    return parse


_dim = _int_type(_checks.nonnegative_int, "a dimension")
_seed = _int_type(_checks.nonnegative_int, "seed")
_threads = _int_type(_checks.positive_int, "the number of threads")


def build_parser(prog: str = PROG, table: dict[str, dict[str, Option]] | None = None) -> argparse.ArgumentParser:
    """The command's parser; the initializer options are those of ``table`` (default: every
    initializer's, from its signature)."""
    table = options_by_initializer() if table is None else table
    p = argparse.ArgumentParser(
        prog=prog,
        description="Write an initialized weight tensor to a .npy or .safetensors file, chunk by chunk\n"
        "(tensors larger than memory included).",
        epilog="initializer options (an option that does not apply to the chosen --init is an error):\n"
        + epilog(table) + "\n\n" + _EPILOG_END,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    p.add_argument("--init", required=True, choices=tuple(table), metavar="NAME",
                   help="the initializer: " + ", ".join(table))
    p.add_argument("--shape", required=True, nargs="+", type=_dim, metavar="N", help="the tensor's shape, e.g. --shape 4096 1024")
    p.add_argument("--output", "-o", required=True, metavar="PATH", help="the file to write: PATH.npy or PATH.safetensors")
    p.add_argument("--dtype", default="float32", choices=SUPPORTED_DTYPES, help="element type (default float32)")
    p.add_argument("--seed", type=_seed, metavar="INT", help="a non-negative int (default: fresh entropy, printed)")
    p.add_argument("--name", metavar="NAME", help='the tensor\'s name in a .safetensors file (default "weight")')
    p.add_argument("--threads", type=_threads, metavar="N", help="threads to fill with (default: all, or OMP_NUM_THREADS)")
    p.add_argument("--force", "-f", action="store_true", help="overwrite PATH if it exists")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary (the seed is still printed)")
    g = p.add_argument_group("initializer options (see below which apply to which --init)")
    for option in shared_options(table):  # argparse collects the words; _Job reads them
        g.add_argument(option.flag, dest=option.name, nargs="+" if option.many else None, metavar=option.metavar,
                       help=option.help.replace("%", "%%"))
    return p


class _Job:
    """A validated request."""

    def __init__(self, args: argparse.Namespace, parser: argparse.ArgumentParser, table: dict[str, dict[str, Option]]) -> None:
        self.init: str = args.init
        self.fn: Callable[..., Any] = initializers.INITIALIZERS[args.init]
        self.options = table[args.init]
        self.shape: tuple[int, ...] = tuple(args.shape)
        self.dtype_name: str = args.dtype
        self.dtype: np.dtype = resolve_dtype(args.dtype)
        self.kwargs: dict[str, Any] = self._initializer_kwargs(args, parser, table)

        self.output: str = args.output
        suffix = os.path.splitext(self.output)[1].lower()
        if suffix not in FORMATS:
            parser.error(f"--output must end in .npy or .safetensors, got {self.output!r}")
        self.format: str = FORMATS[suffix]
        if args.name is not None and self.format != "safetensors":
            parser.error("--name applies only to a .safetensors output")
        self.name: str = "weight" if args.name is None else args.name
        if not self.name or self.name == "__metadata__":
            parser.error(f"--name must be a non-empty name other than __metadata__, got {self.name!r}")
        self.directory: str = os.path.dirname(os.path.abspath(self.output))
        if not os.path.isdir(self.directory):
            parser.error(f"the directory of --output does not exist: {self.directory}")
        if os.path.lexists(self.output):
            if not args.force:
                parser.error(f"{self.output} exists; pass --force to overwrite it")
            if os.path.isdir(self.output) or not (os.path.islink(self.output) or os.path.isfile(self.output)):
                parser.error(f"{self.output} exists and is not a regular file; not overwriting it")

        self.threads: int | None = args.threads
        self.quiet: bool = args.quiet
        self.seed_given: bool = args.seed is not None
        self.seed: int | None = args.seed
        # Every check of the initializer itself (parameters, fans, dtype), on an empty part of
        # the tensor: nothing is computed, and nothing is created when it fails. Then whether it
        # draws a key at all, on one element of a tensor of the same rank (zero dimensions made
        # 1, so that an empty tensor is told the same as any other).
        try:
            self.fn(self.shape, **self.kwargs, dtype=self.dtype, seed=RecordingKey(), index=(slice(0, 0),))
            probe, one = RecordingKey(), tuple(max(d, 1) for d in self.shape)
            self.fn(one, **self.kwargs, dtype=self.dtype, seed=probe, index=(slice(0, 1),) * len(one),
                    out=np.empty((1,) * len(one), self.dtype))
        except (TypeError, ValueError, IndexError) as e:
            parser.error(f"--init {self.init}: {e}")
        self.uses_seed: bool = probe.used
        if self.seed is None and self.uses_seed:
            self.seed = int(np.random.SeedSequence().entropy)

    def _initializer_kwargs(
        self, args: argparse.Namespace, parser: argparse.ArgumentParser, table: dict[str, dict[str, Option]]
    ) -> dict[str, Any]:
        """The initializer options given, each read as this initializer takes it."""
        for option in shared_options(table):
            if getattr(args, option.name) is not None and option.name not in self.options:
                applies = ", ".join(o.flag for o in self.options.values()) or "no options"
                parser.error(f"{option.flag} does not apply to --init {self.init} (it takes {applies})")
        kwargs = {}
        for name, option in self.options.items():
            words = getattr(args, name)
            if words is None:
                if option.required:
                    parser.error(f"--init {self.init} needs {option.flag}")
                continue
            try:
                kwargs[name] = option.parse(words)
            except ValueError as e:
                parser.error(f"argument {option.flag} of --init {self.init}: {e}")
        return kwargs

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize

    def fill(self, *, index: Any, out: Any = None) -> Any:
        return self.fn(self.shape, **self.kwargs, dtype=self.dtype, seed=self.seed, index=index, out=out)

    def metadata(self) -> dict[str, str]:
        """What a .safetensors header records of this run (the format allows only strings)."""
        metadata = {"generator": f"weightinit {_version()}", "init": self.init, "command": self.command()}
        if self.uses_seed:
            metadata["seed"] = str(self.seed)
        if self.kwargs:
            metadata["params"] = json.dumps(self.kwargs, sort_keys=True)
        return metadata

    def command(self) -> str:
        """The command line that makes this file again (with the seed made explicit)."""
        words = ["python", "-m", "weightinit", "init", "--init", self.init, "--shape", *map(str, self.shape),
                 "--dtype", self.dtype_name]
        if self.uses_seed:
            words += ["--seed", str(self.seed)]
        for name, value in self.kwargs.items():
            words += [self.options[name].flag, *self.options[name].words(value)]
        if self.format == "safetensors":
            words += ["--name", self.name]
        words += ["--output", os.path.basename(self.output)]
        return shlex.join(words)


def _version() -> str:
    from ._version import __version__

    return __version__


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


class _Terminated(BaseException):
    """Raised in the main thread by a SIGTERM during the write (cleaned up like Ctrl-C)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated(signum)


def _write(job: _Job) -> int:
    """Write the file, chunk by chunk, with a progress bar; return its size."""
    file = TensorFile(job.output, job.shape, job.dtype, name=job.name, metadata=job.metadata())
    removed = remove_stale_partials(job.output)  # first: they may hold the space this file needs
    if removed and not job.quiet:
        print(f"removed {len(removed)} partial file(s) of earlier runs that were killed: {', '.join(removed)}", file=sys.stderr)
    file.check_disk_space()
    if job.uses_seed and not job.seed_given:
        print(f"seed: {job.seed}", flush=True)  # before the work, so even a stopped run tells it
    with progress(file.nbytes, os.path.basename(job.output), quiet=job.quiet) as bar:
        return file.write(job.fill, chunk_bytes=CHUNK_BYTES, on_written=bar.update)


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    table = options_by_initializer()
    parser = build_parser(prog, table)
    args = parser.parse_args(argv)
    job = _Job(args, parser, table)  # usage errors exit here with status 2, before anything is written

    from ._runtime import get_num_threads, set_num_threads

    threads_before = get_num_threads()
    in_main_thread = threading.current_thread() is threading.main_thread()
    old_sigterm = signal.getsignal(signal.SIGTERM)
    if in_main_thread:
        signal.signal(signal.SIGTERM, _raise_terminated)
    start = time.monotonic()
    try:
        if job.threads is not None:
            set_num_threads(job.threads)
        size = _write(job)
    except KeyboardInterrupt:
        _error(f"interrupted; removed the partial file, {job.output} was not written")
        return 130
    except _Terminated as e:
        _error(f"terminated by signal {e.signum}; removed the partial file, {job.output} was not written")
        return 128 + e.signum
    except (OSError, MemoryError) as e:
        text = f"{e.strerror}: {e.filename}" if isinstance(e, OSError) and e.strerror and e.filename else str(e)
        _error(f"cannot write {job.output}: {text or type(e).__name__}")
        return 1
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if old_sigterm is None else old_sigterm)
        if job.threads is not None:
            set_num_threads(threads_before)
    if not job.quiet:
        elapsed = time.monotonic() - start
        shape = "x".join(map(str, job.shape))
        print(f"wrote {job.output}: {job.init} {shape} {job.dtype_name}, {size_text(size)} in {elapsed:.2f} s")
        if job.format == "npy" and job.dtype_name == "bfloat16":
            print("note: .npy keeps bfloat16 as raw 2-byte values; load with np.load(path).view(ml_dtypes.bfloat16)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
