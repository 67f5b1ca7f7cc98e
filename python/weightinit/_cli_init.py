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

from . import initializers
from ._dtypes import SUPPORTED_DTYPES, resolve_dtype
from ._progress import progress, size_text
from ._tensor_file import FORMATS, TensorFile

__all__ = ["CHUNK_BYTES", "INITIALIZER_OPTIONS", "build_parser", "main"]

PROG = "python -m weightinit init"

#: Bytes filled (and flushed to the file) per step: the most memory a run needs for the tensor.
CHUNK_BYTES = 64 * 2**20

#: Each initializer and the options (its keyword parameters) that apply to it.
INITIALIZER_OPTIONS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "normal": ("mean", "std"),
    "truncated_normal": ("mean", "std", "a", "b"),
    "constant": ("value",),
    "zeros": (),
    "ones": (),
    "glorot_uniform": ("gain", "layout"),
    "glorot_normal": ("gain", "layout"),
    "xavier_uniform": ("gain", "layout"),
    "xavier_normal": ("gain", "layout"),
    "he_uniform": ("a", "mode", "nonlinearity", "layout"),
    "he_normal": ("a", "mode", "nonlinearity", "layout"),
    "kaiming_uniform": ("a", "mode", "nonlinearity", "layout"),
    "kaiming_normal": ("a", "mode", "nonlinearity", "layout"),
    "lecun_uniform": ("layout",),
    "lecun_normal": ("layout",),
    "variance_scaling": ("scale", "mode", "distribution", "layout"),
}
_REQUIRED_OPTIONS = {"constant": ("value",)}
_SEEDLESS = frozenset({"constant", "zeros", "ones"})
_FLOAT_OPTIONS = ("low", "high", "mean", "std", "a", "b", "value", "gain", "scale")
_NONLINEARITIES = initializers.NONLINEARITIES
_ALL_OPTIONS = (*_FLOAT_OPTIONS, "nonlinearity", "mode", "distribution", "layout")

_EPILOG = """\
initializer options (an option that does not apply to the chosen --init is an error):
  uniform --low --high | normal --mean --std | truncated_normal --mean --std --a --b
  constant --value (required) | zeros | ones
  glorot_uniform, glorot_normal, xavier_uniform, xavier_normal: --gain --layout
  he_uniform, he_normal, kaiming_uniform, kaiming_normal: --a --mode --nonlinearity --layout
  lecun_uniform, lecun_normal: --layout
  variance_scaling: --scale --mode --distribution --layout

The result equals weightinit.<init>(shape, ..., dtype=..., seed=...) bit for bit. Without --seed
a fresh seed is drawn and printed ("seed: N") so the file can be made again.
A .npy file of bfloat16 stores raw 2-byte values (NumPy has no bfloat16 of its own): load it with
np.load(path).view(ml_dtypes.bfloat16).

example:
  python -m weightinit init --init he_normal --shape 65536 65536 --dtype bfloat16 --seed 0 --output w.npy
"""


# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------


def _dim(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer dimension: {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"negative dimension {v}: dimensions must be >= 0")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer seed: {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"seed must be >= 0, got {v}")
    return v


def _threads(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"number of threads must be >= 1, got {v}")
    return v


def _real(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Write an initialized weight tensor to a .npy or .safetensors file, chunk by chunk\n"
        "(tensors larger than memory included).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    p.add_argument("--init", required=True, choices=tuple(INITIALIZER_OPTIONS), metavar="NAME",
                   help="the initializer: " + ", ".join(INITIALIZER_OPTIONS))
    p.add_argument("--shape", required=True, nargs="+", type=_dim, metavar="N", help="the tensor's shape, e.g. --shape 4096 1024")
    p.add_argument("--output", "-o", required=True, metavar="PATH", help="the file to write: PATH.npy or PATH.safetensors")
    p.add_argument("--dtype", default="float32", choices=SUPPORTED_DTYPES, help="element type (default float32)")
    p.add_argument("--seed", type=_seed, metavar="INT", help="a non-negative int (default: fresh entropy, printed)")
    p.add_argument("--name", metavar="NAME", help='the tensor\'s name in a .safetensors file (default "weight")')
    p.add_argument("--threads", type=_threads, metavar="N", help="threads to fill with (default: all, or OMP_NUM_THREADS)")
    p.add_argument("--force", "-f", action="store_true", help="overwrite PATH if it exists")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary (the seed is still printed)")
    g = p.add_argument_group("initializer options (see below which apply to which --init)")
    g.add_argument("--low", type=_real, metavar="X", help="uniform: lower bound (default 0)")
    g.add_argument("--high", type=_real, metavar="X", help="uniform: upper bound (default 1)")
    g.add_argument("--mean", type=_real, metavar="X", help="normal, truncated_normal: mean (default 0)")
    g.add_argument("--std", type=_real, metavar="X", help="normal, truncated_normal: standard deviation (default 1)")
    g.add_argument("--a", type=_real, metavar="X",
                   help="truncated_normal: absolute lower bound (default -2); "
                   "he_*/kaiming_*: leaky_relu negative slope (default 0)")
    g.add_argument("--b", type=_real, metavar="X", help="truncated_normal: absolute upper bound (default 2)")
    g.add_argument("--value", type=_real, metavar="X", help="constant: the value (required)")
    g.add_argument("--gain", type=_real, metavar="X", help="glorot_*/xavier_*: gain (default 1)")
    g.add_argument("--nonlinearity", choices=_NONLINEARITIES, metavar="NAME",
                   help="he_*/kaiming_*: " + ", ".join(_NONLINEARITIES) + " (default leaky_relu)")
    g.add_argument("--mode", choices=("fan_in", "fan_out", "fan_avg", "fan_geo_avg"),
                   help="he_*/kaiming_*: fan_in or fan_out; variance_scaling: also fan_avg, fan_geo_avg (default fan_in)")
    g.add_argument("--scale", type=_real, metavar="X", help="variance_scaling: scale (default 1)")
    g.add_argument("--distribution", choices=("uniform", "normal", "truncated_normal"),
                   help="variance_scaling: distribution (default truncated_normal)")
    g.add_argument("--layout", choices=("torch", "jax", "keras"),
                   help='fan-based inits: "torch" (out, in, *kernel; default) or "jax"/"keras" (*kernel, in, out)')
    return p


class _Job:
    """A validated request."""

    def __init__(self, args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
        self.init: str = args.init
        self.fn: Callable[..., Any] = getattr(initializers, args.init)
        self.shape: tuple[int, ...] = tuple(args.shape)
        self.dtype_name: str = args.dtype
        self.dtype: np.dtype = resolve_dtype(args.dtype)
        self.kwargs: dict[str, Any] = {}
        given = [opt for opt in _ALL_OPTIONS if getattr(args, opt) is not None]
        allowed = INITIALIZER_OPTIONS[args.init]
        for opt in given:
            if opt not in allowed:
                applies = ", ".join("--" + o for o in allowed) if allowed else "no options"
                parser.error(f"--{opt} does not apply to --init {args.init} (it takes {applies})")
            self.kwargs[opt] = getattr(args, opt)
        for opt in _REQUIRED_OPTIONS.get(args.init, ()):
            if opt not in self.kwargs:
                parser.error(f"--init {args.init} needs --{opt}")

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
        self.uses_seed: bool = args.init not in _SEEDLESS
        self.seed: int | None = args.seed
        if self.seed is None and self.uses_seed:
            self.seed = int(np.random.SeedSequence().entropy)

        # Every check of the initializer itself (parameters, fans, dtype), on an empty part of
        # the tensor: nothing is computed, and nothing is created when it fails.
        try:
            self.fill(index=(slice(0, 0),))
        except (TypeError, ValueError, IndexError) as e:
            parser.error(f"--init {self.init}: {e}")

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
        for opt, value in self.kwargs.items():
            words += ["--" + opt, repr(value) if isinstance(value, float) else str(value)]
        if self.format == "safetensors":
            words += ["--name", self.name]
        words += ["--output", os.path.basename(self.output)]
        return shlex.join(words)


def _version() -> str:
    from . import __version__

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
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    job = _Job(args, parser)  # usage errors exit here with status 2, before anything is written

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
