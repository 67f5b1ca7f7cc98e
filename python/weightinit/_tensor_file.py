"""A tensor written to a ``.npy`` or ``.safetensors`` file block by block, never whole in memory.

The file is created with its header (``numpy.lib.format.open_memmap`` for ``.npy``; the
safetensors header, then the data), its blocks allocated up front, and filled one chunk at a time
through a memory map of that chunk's part of the file. It is written under a temporary name next
to the output and renamed when complete, so an interrupted or failed write never leaves a
truncated file under the output's name.
"""

from __future__ import annotations

import errno
import itertools
import json
import math
import mmap
import os
import re
import secrets
import shutil
import socket
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Iterator, Mapping, NamedTuple

import numpy as np

from ._progress import size_text

__all__ = ["FORMATS", "Chunk", "TensorFile", "plan_chunks"]

#: The file formats, by the output's suffix.
FORMATS = {".npy": "npy", ".safetensors": "safetensors"}
_SAFETENSORS_DTYPES = {"float32": "F32", "float64": "F64", "float16": "F16", "bfloat16": "BF16"}


class Chunk(NamedTuple):
    """A part of the tensor that is one contiguous run of the file."""

    index: tuple[Any, ...]  #: its NumPy basic index in the full tensor
    shape: tuple[int, ...]  #: the shape of ``full[index]``
    start: int  #: its first element's C-order position in the full tensor
    size: int  #: its number of elements


def plan_chunks(shape: tuple[int, ...], itemsize: int, chunk_bytes: int) -> Iterator[Chunk]:
    """Chunks that cover a C-ordered tensor in order, each a contiguous run of at most
    ``chunk_bytes`` (and at least one element).

    Blocks of whole rows (leading-axis slices) when a row fits in a chunk; otherwise the leading
    axes are taken one index at a time and a slice of the first axis whose sub-rows fit.
    """
    if not shape or 0 in shape:
        return
    ndim = len(shape)
    k = 0  # the axis that is sliced; axes before it are iterated one index at a time
    while k < ndim - 1 and math.prod(shape[k + 1:]) * itemsize > chunk_bytes:
        k += 1
    inner = math.prod(shape[k + 1:])
    step = max(1, min(shape[k], chunk_bytes // (inner * itemsize)))
    for prefix in itertools.product(*(range(n) for n in shape[:k])):
        base = 0
        for i, n in zip(prefix, shape[:k]):
            base = base * n + i
        base *= shape[k] * inner
        for first in range(0, shape[k], step):
            stop = min(first + step, shape[k])
            rows = stop - first
            yield Chunk((*prefix, slice(first, stop)), (rows, *shape[k + 1:]), base + first * inner, rows * inner)


class TensorFile:
    """The file ``path`` (``.npy`` or ``.safetensors``, by its suffix) of a C-ordered tensor of
    ``shape`` and ``dtype``; for safetensors, the tensor's ``name`` and the string ``metadata``
    of the header."""

    def __init__(
        self, path: str, shape: tuple[int, ...], dtype: np.dtype, *, name: str = "weight",
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.path = path
        self.format = FORMATS[os.path.splitext(path)[1].lower()]
        self.shape, self.dtype, self.name = shape, dtype, name
        self.metadata = dict(metadata or {})
        self.directory = os.path.dirname(os.path.abspath(path))
        self.nbytes = math.prod(shape) * dtype.itemsize

    def safetensors_header(self) -> bytes:
        """The 8-byte header length and the JSON header, padded so the data starts 8-byte aligned."""
        header = {
            self.name: {"dtype": _SAFETENSORS_DTYPES[self.dtype.name], "shape": list(self.shape),
                        "data_offsets": [0, self.nbytes]},
            "__metadata__": self.metadata,
        }
        text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        text += b" " * (-len(text) % 8)
        return len(text).to_bytes(8, "little") + text

    def check_disk_space(self) -> None:
        """OSError unless the file's directory has room for it (before anything is created)."""
        # A .npy header is a short dict padded to a multiple of 64 bytes; this bounds it generously.
        header = len(self.safetensors_header()) if self.format == "safetensors" else 256 + 24 * len(self.shape)
        needed = self.nbytes + header
        free = shutil.disk_usage(self.directory).free
        if free < needed:
            note = " (an existing file is only replaced once the new one is complete)" if os.path.exists(self.path) else ""
            raise OSError(
                f"not enough free disk space in {self.directory}: {os.path.basename(self.path)} needs "
                f"{size_text(needed)} ({needed} bytes), {size_text(free)} available{note}"
            )

    def write(self, fill: Callable[..., Any], *, chunk_bytes: int, on_written: Callable[[int], None]) -> int:
        """Write the file under a temporary name, then rename it to ``path``; return its size.

        Each chunk is ``fill(index=chunk.index, out=<the mapped chunk>)``, in place through a memory
        map of its part of the file; while the next one is filled, a helper thread writes the
        previous one to disk (``fdatasync``, which releases the GIL), and a chunk waits for the
        previous write to end, so at most two chunks are ever waiting to be written.
        ``on_written(nbytes)`` is called after each chunk.
        """
        tmp = os.path.join(self.directory, partial_name(self.path))
        open(tmp, "xb").close()  # created with the usual permissions (umask)
        fd = -1
        syncer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="weightinit-sync")
        pending: Future[None] | None = None
        try:
            data_offset, size = _create(self, tmp)
            fd = os.open(tmp, os.O_RDWR | getattr(os, "O_BINARY", 0))
            _reserve(fd, size)
            swap = self.format == "safetensors" and sys.byteorder == "big"  # safetensors is little-endian
            for chunk in plan_chunks(self.shape, self.dtype.itemsize, chunk_bytes):
                _fill_chunk(fill, self.dtype, fd, data_offset, chunk, swap)
                if pending is not None:
                    pending.result()  # the previous chunk is on disk (or its error is raised)
                pending = syncer.submit(_sync_data, fd)
                on_written(chunk.size * self.dtype.itemsize)
            if pending is not None:
                pending.result()
                pending = None
            os.fsync(fd)
            os.close(fd)
            fd = -1
            os.replace(tmp, self.path)
        except BaseException:
            if pending is not None:
                pending.cancel()
            syncer.shutdown(wait=True)  # a write in flight ends before the file goes
            if fd >= 0:
                os.close(fd)
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        syncer.shutdown(wait=True)
        return size


# -- temporary files: named after their writer, so a later run can tell an abandoned one ----------


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname()) or "host"


def partial_name(path: str) -> str:
    """The temporary file a writer of ``path`` fills: ``.<name>.<host>-<pid>-<random>.partial``
    next to it (hidden, and named after its writer, see :func:`remove_stale_partials`)."""
    return f".{os.path.basename(path)}.{_host()}-{os.getpid()}-{secrets.token_hex(4)}.partial"


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or no way to tell: keep its file
    return True


def remove_stale_partials(path: str) -> list[str]:
    """Remove the temporary files of earlier writers of ``path`` that no longer run (killed with
    SIGKILL, or the machine went down mid-write): those named after this host and a process that
    does not exist. Files of other hosts (a shared disk) and of live processes are left alone.
    Returns the names removed."""
    directory = os.path.dirname(os.path.abspath(path))
    pattern = re.compile(rf"^\.{re.escape(os.path.basename(path))}\.(?P<host>.+)-(?P<pid>\d+)-[0-9a-f]{{8}}\.partial$")
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        m = pattern.match(name)
        if m is None or m["host"] != _host() or _process_exists(int(m["pid"])):
            continue
        try:
            os.unlink(os.path.join(directory, name))
            removed.append(name)
        except OSError:
            pass
    return removed


def _create(file: TensorFile, tmp: str) -> tuple[int, int]:
    """Write ``tmp``'s header and give the file its full size; return (data offset, file size)."""
    if file.format == "npy":
        from numpy.lib.format import open_memmap

        # NumPy writes the header (format version, alignment) and sizes the file; the data is
        # then written through windows of the file.
        header = open_memmap(tmp, mode="w+", dtype=file.dtype, shape=file.shape)
        offset = int(header.offset)
        del header
        return offset, offset + file.nbytes
    header_bytes = file.safetensors_header()
    size = len(header_bytes) + file.nbytes
    with open(tmp, "r+b") as f:
        f.write(header_bytes)
        f.truncate(size)
    return len(header_bytes), size


def _reserve(fd: int, size: int) -> None:
    """Allocate the file's blocks now, so a full disk fails here with ENOSPC (a clean error)
    instead of as SIGBUS while writing through the memory map."""
    if size == 0 or not hasattr(os, "posix_fallocate"):
        return
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as e:
        if e.errno not in _NO_FALLOCATE:  # a file system without it: the space check must do
            raise


_NO_FALLOCATE = frozenset({errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)})
_sync_data = getattr(os, "fdatasync", os.fsync)


def _fill_chunk(fill: Callable[..., Any], dtype: np.dtype, fd: int, data_offset: int, chunk: Chunk, swap: bool) -> None:
    """Fill one chunk in place through a memory map of just its part of the file (so the
    process never maps, and never counts in its memory, more than a chunk)."""
    itemsize = dtype.itemsize
    first = data_offset + chunk.start * itemsize
    begin = first - first % mmap.ALLOCATIONGRANULARITY
    window = mmap.mmap(fd, first + chunk.size * itemsize - begin, access=mmap.ACCESS_WRITE, offset=begin)
    try:
        out = np.ndarray(chunk.shape, dtype=dtype, buffer=window, offset=first - begin)
        fill(index=chunk.index, out=out)
        if swap:
            out.view(np.dtype(f"u{itemsize}")).byteswap(inplace=True)
        del out
    finally:
        window.close()  # unmapped: the pages are the file's now (written by the sync thread)
